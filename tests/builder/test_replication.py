"""Every recorded build reaches the mirrors, repo first and links last."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builder.cycle_world import make_cycle_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import settings_from_dict

pytestmark = pytest.mark.slow


def test_each_build_is_pushed_to_the_mirror_and_its_links_resolve_there(tmp_path: Path) -> None:
    world = make_cycle_world(tmp_path, ("alpha", "beta"))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    raw = world.settings().to_dict()
    raw["replication"] = {"targets": [str(mirror)]}
    settings = settings_from_dict(raw)
    cycle = BuildCycle(settings)
    cycle.run(CycleOptions())
    world.break_upstream("alpha")
    cycle.run(CycleOptions())

    repos = settings.builder.repos_path
    for name in ("current", "consistent"):
        assert os.readlink(mirror / name) == os.readlink(repos / name)
        target = (mirror / name).resolve()
        assert (target / "repodata" / "repomd.xml").is_file()
        assert all(p.resolve().is_file() for p in target.iterdir() if p.is_symlink())
    assert (mirror / "report.html").is_file()
    failed = [p for p in repos.glob("??/??/*_*") if not (p / "repodata").exists()]
    assert failed and all((mirror / p.relative_to(repos) / "commit.yaml").is_file() for p in failed)
