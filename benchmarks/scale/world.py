"""A synthetic world of N small noarch packages with real local git repos, made fast.

``bench_scale`` needs 700 packages, i.e. 1,400 real git repositories (a bare
upstream on ``master``, tagged ``1.0.0``, and a bare distgit on ``rpm-master``
holding the spec). Committing through a work tree costs several git processes
per repo; here every repo is a copy of one empty bare template filled by ONE
``git fast-import`` run, in parallel. Upstream commit times are spread one
minute apart, so both builders see a stable commit order.

The same repos feed trunkline (through an rdoinfo ``rdo.yml``) and DLRN
(through the JSON package list its static package-info driver reads).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline.config import Settings, settings_from_dict
from trunkline.process import run

BASE_TIME = 1_763_000_000  # 2025-11-13, UTC epoch
IDENT = "Bench Packager <bench@example.com>"
GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
PARALLEL = 8


@dataclass(frozen=True)
class ScaleWorld:
    """Where the repos and package lists of one synthetic world are."""

    root: Path
    names: tuple[str, ...]

    def upstream(self, name: str) -> Path:
        """The bare upstream repo of ``name`` (its basename is the tarball's top dir)."""
        return self.root / "upstream" / name

    def distgit(self, name: str) -> Path:
        """The bare distgit of ``name``."""
        return self.root / "distgit" / f"{name}.git"

    def metadata(self, count: int) -> Path:
        """The rdoinfo dir listing the first ``count`` packages."""
        return self.root / f"metadata-{count}"

    def dlrn_packages(self, count: int) -> Path:
        """The JSON package list (DLRN's dict format) of the first ``count`` packages."""
        return self.root / f"dlrn-packages-{count}.json"

    def settings(self, data_dir: Path, count: int, **builder: Any) -> Settings:
        """trunkline settings of a builder following the first ``count`` packages."""
        raw: dict[str, Any] = {
            "builder": {"data_dir": str(data_dir), "dist": ".el9s", **builder},
            "packages": {"source": "rdoinfo", "path": str(self.metadata(count)), "tag": "trunk"},
        }
        return settings_from_dict(raw)


def _data(text: str) -> str:
    raw = text.encode()
    return f"data {len(raw)}\n{text}\n"


def _upstream_stream(name: str, when: int) -> str:
    conf = f"# {name} configuration\nx = 1\n"
    return (
        f"blob\nmark :1\n{_data(conf)}"
        f"blob\nmark :2\n{_data(name + chr(10))}"
        f"commit refs/heads/master\nmark :3\n"
        f"author {IDENT} {when} +0000\ncommitter {IDENT} {when} +0000\n"
        f"{_data(f'Initial import of {name}')}"
        f"M 100644 :1 {name}.conf\nM 100644 :2 README\n\n"
        f"tag 1.0.0\nfrom :3\ntagger {IDENT} {when} +0000\n{_data('1.0.0')}"
    )


def _distgit_stream(name: str, when: int) -> str:
    from tests.builder.cycle_world import SPEC  # see write_package_lists

    spec = SPEC.format(name=name)
    return (
        f"blob\nmark :1\n{_data(spec)}"
        f"commit refs/heads/rpm-master\nmark :2\n"
        f"author {IDENT} {when} +0000\ncommitter {IDENT} {when} +0000\n"
        f"{_data(f'Initial spec of {name}')}"
        f"M 100644 :1 {name}.spec\n\n"
    )


def _fill(template: Path, repo: Path, head: str, stream: str) -> None:
    shutil.copytree(template, repo)
    (repo / "HEAD").write_text(f"ref: refs/heads/{head}\n")
    run(
        ["git", "--git-dir", str(repo), "fast-import", "--quiet"],
        input_text=stream,
        env=GIT_ENV,
        timeout=120,
    )


def _template(root: Path) -> Path:
    template = root / "template.git"
    run(["git", "init", "-q", "--bare", str(template)], env=GIT_ENV, timeout=60)
    shutil.rmtree(template / "hooks", ignore_errors=True)
    return template


def package_names(count: int) -> tuple[str, ...]:
    """The names of the synthetic packages (DLRN's benchmark naming)."""
    return tuple(f"python-pkg{i:04d}" for i in range(count))


def make_world(root: Path, count: int, subsets: Sequence[int] = ()) -> ScaleWorld:
    """Create ``count`` packages under ``root`` and the package lists of each size.

    Args:
        root: an empty (or missing) directory.
        count: how many packages.
        subsets: extra list sizes to write besides ``count`` (the first N packages).
    """
    root.mkdir(parents=True, exist_ok=True)
    world = ScaleWorld(root, package_names(count))
    (root / "upstream").mkdir()
    (root / "distgit").mkdir()
    template = _template(root)
    jobs = []
    for i, name in enumerate(world.names):
        when = BASE_TIME + 60 * i
        jobs.append((world.upstream(name), "master", _upstream_stream(name, when)))
        jobs.append((world.distgit(name), "rpm-master", _distgit_stream(name, when + 30)))
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        list(pool.map(lambda job: _fill(template, *job), jobs))
    for size in sorted({count, *(s for s in subsets if 0 < s < count)}):
        write_package_lists(world, size)
    return world


def write_package_lists(world: ScaleWorld, count: int) -> None:
    """Write the rdoinfo metadata and DLRN's JSON list of the first ``count`` packages."""
    # Imported here, not at the top: the measured child (tl_child) imports this module for
    # ScaleWorld only, and tests.builder.cycle_world imports pytest (~6 MB the builder never
    # loads), which would count in trunkline's memory peak.
    from tests.builder.cycle_world import write_rdoinfo

    names = world.names[:count]
    packages = [
        {
            "project": name,
            "name": name,
            "upstream": str(world.upstream(name)),
            "master-distgit": str(world.distgit(name)),
            "maintainers": ["bench@example.com"],
            "tags": {"trunk": None},
        }
        for name in names
    ]
    write_rdoinfo(world.metadata(count), packages)
    dlrn = [{k: v for k, v in p.items() if k != "tags"} for p in packages]
    world.dlrn_packages(count).write_text(json.dumps(dlrn, indent=1))


def add_upstream_commit(world: ScaleWorld, name: str, when: int) -> str:
    """Commit a change of ``name``'s config file upstream; return the new commit hash."""
    repo = world.upstream(name)
    conf = f"# {name} configuration\nx = {when}\n"
    stream = (
        f"commit refs/heads/master\n"
        f"author {IDENT} {when} +0000\ncommitter {IDENT} {when} +0000\n"
        f"{_data(f'Change {name} at {when}')}"
        f"from refs/heads/master^0\n"
        f"M 100644 inline {name}.conf\n{_data(conf)}\n"
    )
    run(
        ["git", "--git-dir", str(repo), "fast-import", "--quiet", "--force"],
        input_text=stream,
        env=GIT_ENV,
        timeout=120,
    )
    out = run(["git", "--git-dir", str(repo), "rev-parse", "refs/heads/master"], env=GIT_ENV)
    return out.stdout.strip()
