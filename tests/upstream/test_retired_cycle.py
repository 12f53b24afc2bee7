"""A stable branch retired under a running builder, through the ``trunkline build`` users run.

The release follows ``stable/2025.1``; upstream then retires it the way OpenStack
does (eom tag, unmaintained branch, a fix, eol tag, branch deleted). Each run is a
real ``trunkline build`` (real git, rpmbuild, createrepo_c): what it builds, what it
records in the DB, what the status report shows and what it says, once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
import yaml

from tests.builder.cycle_world import make_cycle_world
from tests.reports.htmltable import body_rows
from trunkline.db.engine import make_engine

EXE = str(Path(sys.executable).parent / "trunkline")


def build(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "--config", str(config), "build"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def rows(data: Path) -> list[tuple[str, str, str | None]]:
    engine = make_engine(f"sqlite:///{data / 'trunkline.sqlite'}")
    try:
        with engine.connect() as conn:
            result = conn.execute(
                sa.text("SELECT commit_hash, commit_branch, source_branch FROM commits ORDER BY id")
            )
            return [(r[0], r[1], r[2]) for r in result]
    finally:
        engine.dispose()


def test_a_retired_branch_is_followed_recorded_shown_and_told_once(tmp_path: Path) -> None:
    world = make_cycle_world(tmp_path, ("alpha",))
    rdo = yaml.safe_load((world.metadata / "rdo.yml").read_text())
    rdo["releases"][0]["upstream_branch"] = "stable/2025.1"
    (world.metadata / "rdo.yml").write_text(yaml.safe_dump(rdo, sort_keys=False))
    up = world.upstreams["alpha"]
    up.git("checkout", "-q", "-b", "stable/2025.1")
    first = world.upstream_commit("alpha", "Stable fix")
    data = tmp_path / "data"
    config = tmp_path / "trunkline.toml"
    config.write_text(
        f'[builder]\ndata_dir = "{data}"\ndist = ".el9s"\n'
        f'[packages]\nsource = "rdoinfo"\npath = "{world.metadata}"\ntag = "trunk"\n'
    )

    run = build(config)
    assert run.returncode == 0, run.stderr
    assert "followed ref" not in run.stdout
    assert rows(data) == [(first, "stable/2025.1", "stable/2025.1")]

    # end of maintenance: eom tag, unmaintained/2025.1 from it, stable deleted; then a fix
    up.git("tag", "2025.1-eom")
    up.git("checkout", "-q", "-b", "unmaintained/2025.1")
    up.git("branch", "-D", "stable/2025.1")
    fix = world.upstream_commit("alpha", "Unmaintained fix")
    run = build(config)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == (
        "followed ref: alpha: upstream stable/2025.1 is gone, following branch "
        "unmaintained/2025.1 (was stable/2025.1)"
    )
    assert rows(data)[-1] == (fix, "unmaintained/2025.1", "stable/2025.1")
    status = {r[0]: r for r in body_rows((data / "repos" / "status_report.html").read_text())}
    assert status["alpha"][3] == "unmaintained/2025.1 (for stable/2025.1)"

    # end of life: eol tag on unmaintained, branch deleted: nothing new, no error, told once
    up.git("tag", "2025.1-eol")
    up.git("checkout", "-q", "master")
    up.git("branch", "-D", "unmaintained/2025.1")
    run = build(config)
    assert (run.returncode, run.stderr.count("source error")) == (0, 0)
    assert run.stdout.splitlines()[0] == (
        "followed ref: alpha: upstream stable/2025.1 is gone, staying at tag 2025.1-eol "
        "(end of life: nothing new to build) (was unmaintained/2025.1)"
    )
    again = build(config)
    assert again.returncode == 0 and "followed ref" not in again.stdout
    assert len(rows(data)) == 2  # nothing was built at the tag: its commit is the last build

    # upstream loses the tags too: without fallback_to_master that is an error, not master
    up.git("tag", "-d", "2025.1-eol")
    up.git("tag", "-d", "2025.1-eom")
    run = build(config)
    assert run.returncode == 13
    assert (
        "source error: alpha: alpha: upstream: no branch, tag or commit 'stable/2025.1', "
        "'unmaintained/2025.1', '2025.1-eol', '2025.1-eom' (builder.fallback_to_master is off)"
    ) in run.stderr
    assert len(rows(data)) == 2
