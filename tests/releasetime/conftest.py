"""A demo world built once per session, for release time and stable proposals.

Each test works on its own release name (its own ``NAME-rdo`` branches, upstream
``stable/NAME`` branches, ``tags/NAME.yml`` and ``trunkline-NAME.toml``), so the
tests share the one built world in any order.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import git
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.cli.app import run
from trunkline.config import load_settings
from trunkline.db.models import BuildStatus
from trunkline.demo.world import DemoWorld, generate_world

EXE = Path(sys.executable).parent / "trunkline"


@dataclass(frozen=True)
class BuiltDemo:
    """The demo world after one build cycle: every package in ``current``."""

    world: DemoWorld

    @property
    def config(self) -> Path:
        """The trunk builder's config."""
        return self.world.config_path

    def current_rows(self) -> dict[str, dict[str, str]]:
        """``current``'s versions.csv, read with the csv module: package -> row."""
        path = self.world.data_dir / "repos" / "current" / "versions.csv"
        with path.open(newline="") as fh:
            return {row["Project"]: row for row in csv.DictReader(fh)}

    def run(self, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``trunkline -c CONFIG ARGS`` through the installed script, in the world's root."""
        return subprocess.run(
            [str(EXE), "-c", str(config or self.config), *args],
            capture_output=True,
            text=True,
            cwd=self.world.root,
            check=False,
        )

    def run_here(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        """``trunkline -c CONFIG ARGS`` in this process (the CLI's ``run``): code, out, err.

        For the refusals: the script itself runs in the end-to-end tests.
        """
        capsys.readouterr()
        code = run(["-c", str(self.config), *args])
        out, err = capsys.readouterr()
        return code, out, err

    def stable_branch(self, project: str, name: str) -> None:
        """Upstream ``project`` cuts ``stable/NAME`` from its master."""
        git(self.world.upstream(project), "branch", f"stable/{name}", "master")

    def branches(self, package: str) -> dict[str, str]:
        """A distgit's branches: name -> commit."""
        fmt = "--format=%(refname:short) %(objectname)"
        out = git(self.world.distgit(package), "for-each-ref", fmt, "refs/heads")
        return dict(line.split() for line in out.splitlines())


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> BuiltDemo:
    """The demo world, built once (no install check: it is not what these tests look at)."""
    world = generate_world(tmp_path_factory.mktemp("demo") / "demo")
    text = world.config_path.read_text().replace("enabled = true", "enabled = false")
    world.config_path.write_text(text)
    report = BuildCycle(load_settings(world.config_path)).run(CycleOptions())
    assert [o.status for o in report.outcomes] == [BuildStatus.SUCCESS] * len(world.packages)
    return BuiltDemo(world)
