"""Every new build of a package sorts above every earlier one, and dnf upgrades to it.

The Release is dated by the build (``dt_build``), never by the upstream commit: a
distgit-only change rebuilds the same upstream commit and must still give an NVR
that rpm orders higher. Checked with the real tools: git, rpmbuild, createrepo_c,
the builder cycle, ``rpm.labelCompare`` and ``dnf upgrade`` in an install root.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import rpm
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.builder.cycle_world import CycleWorld, make_cycle_world
from trunkline.builder.buildtime import build_time, last_build_time
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.db.models import BuildStatus, Commit
from trunkline.publish.installcheck import dnf_base_args
from trunkline.rpmspec.nvr import Numbering, release_time

FORMS: list[tuple[Numbering, int]] = [
    ("0.date.hash", 0),
    ("0.1.date.hash", 0),
    ("minor.date.hash", 4),
]
T = 1_763_460_000  # 2025-11-18 10:00:00 UTC


# --- the floor read from the DB --------------------------------------------------------


def _row(session: Session, project: str, dt_build: int, release: str | None) -> None:
    session.add(
        Commit(
            dt_commit=T - 86_400,
            dt_distro=T - 86_400,
            dt_build=dt_build,
            project_name=project,
            commit_hash="a" * 40,
            distro_hash=f"{dt_build:040x}",
            status=BuildStatus.SUCCESS,
            release=release,
        )
    )
    session.flush()


def test_the_first_build_of_a_package_takes_the_clock(db_session: Session) -> None:
    _row(db_session, "other", T + 999, None)
    assert last_build_time(db_session, "alpha") is None
    assert build_time(db_session, "alpha", T + 0.7) == T


def test_the_next_build_is_at_least_a_second_after_the_package_s_newest(
    db_session: Session,
) -> None:
    _row(db_session, "alpha", T - 60, "0.20251118095900.aaaaaaa")
    _row(db_session, "alpha", T, None)  # a build that failed before its Release was formed
    _row(db_session, "other", T + 999, "0.20251118101639.aaaaaaa")  # another package
    assert build_time(db_session, "alpha", T + 30) == T + 30  # the clock moved on
    assert build_time(db_session, "alpha", T) == T + 1  # same second
    assert build_time(db_session, "alpha", T - 3600) == T + 1  # clock stepped back


def test_a_release_dated_after_its_row_s_dt_build_raises_the_floor(db_session: Session) -> None:
    """Rows from before Releases were dated by the build carry the commit's time,
    which a committer's clock can put ahead of the build; imported rows, anything."""
    _row(db_session, "alpha", T, "0.1.20251118101000.aaaaaaa")  # T + 600
    _row(db_session, "alpha", T + 5, "3")  # not a trunk Release: only dt_build counts
    assert last_build_time(db_session, "alpha") == T + 600
    assert build_time(db_session, "alpha", T + 10) == T + 601


# --- end to end: rpmbuild, repos, dnf --------------------------------------------------


def newest(cycle: BuildCycle, project: str) -> Commit:
    with cycle.sessions() as session:
        stmt = select(Commit).where(Commit.project_name == project).order_by(Commit.id.desc())
        row = session.scalars(stmt.limit(1)).first()
    assert row is not None
    return row


def built_rpm(repos: Path, row: Commit) -> Path:
    """The build's own binary RPM in its hashed repo (links to others are symlinks)."""
    found = [
        p
        for p in (repos / row.repo_dir).glob(f"{row.project_name}-*.noarch.rpm")
        if not p.is_symlink()
    ]
    assert len(found) == 1, found
    return found[0]


def evr(rpm_file: Path) -> tuple[str, str, str]:
    """(epoch, version, release) from the RPM's header, by rpm itself."""
    out = subprocess.run(
        ["rpm", "-qp", "--qf", "%{EPOCHNUM} %{VERSION} %{RELEASE}", str(rpm_file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return out[0], out[1], out[2]


def dnf(root: Path, repos: list[Path], *args: str) -> None:
    repo_args = [(f"build{i}", r.resolve().as_uri()) for i, r in enumerate(repos)]
    argv = dnf_base_args(root, root.parent / "dnf-cache", repo_args) + list(args)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout


def installed(root: Path, name: str) -> str:
    return subprocess.run(
        ["rpm", "--root", str(root), "-q", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}", name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def fix_the_spec(world: CycleWorld) -> str:
    """A distgit-only change: the spec's description, upstream untouched."""
    dg = world.distgits["alpha"]
    spec = dg.path / "alpha.spec"
    text = spec.read_text().replace("A test package", "A fixed test package")
    return dg.commit("Fix the description", {"alpha.spec": text})


def commit_dated_in_the_past(world: CycleWorld) -> str:
    """An upstream commit whose committer clock is a year behind the previous one's."""
    return world.upstreams["alpha"].commit(
        "Change the config (from a slow clock)",
        {"alpha.conf": "x = 2\n"},
        date="2024-11-10 10:00:00 +0000",
    )


def build_twice(
    world: CycleWorld, numbering: Numbering, minor: int, change: str
) -> tuple[Path, Commit, Commit]:
    """Build alpha, make ``change``, build it again; return (repos, first, second)."""
    settings = world.settings(release_numbering=numbering, release_minor=minor)
    cycle = BuildCycle(settings)
    if change != "distgit-only":
        # both builds after tag 1.0.0, so both are Version 1.0.1 and the Release decides
        world.upstreams["alpha"].commit(
            "Start the next version", {"alpha.conf": "x = 1\n"}, date="2025-06-01 10:00:00 +0000"
        )
    assert [o.status for o in cycle.run(CycleOptions()).outcomes] == [BuildStatus.SUCCESS]
    first = newest(cycle, "alpha")
    if change == "distgit-only":
        fix_the_spec(world)
    else:
        commit_dated_in_the_past(world)
    assert [o.status for o in cycle.run(CycleOptions()).outcomes] == [BuildStatus.SUCCESS]
    return settings.builder.repos_path, first, newest(cycle, "alpha")


@pytest.mark.slow
@pytest.mark.parametrize(("numbering", "minor"), FORMS)
@pytest.mark.parametrize("change", ["distgit-only", "upstream commit dated earlier"])
def test_a_rebuild_sorts_higher_and_dnf_upgrades_to_it(
    tmp_path: Path, numbering: Numbering, minor: int, change: str
) -> None:
    world = make_cycle_world(tmp_path / "world", ("alpha",))
    repos, first, second = build_twice(world, numbering, minor, change)
    if change == "distgit-only":
        assert second.commit_hash == first.commit_hash
        assert second.distro_hash != first.distro_hash
    else:
        assert second.dt_commit < first.dt_commit
    old_rpm, new_rpm = built_rpm(repos, first), built_rpm(repos, second)
    assert evr(new_rpm)[1] == evr(old_rpm)[1] == ("1.0.0" if change == "distgit-only" else "1.0.1")
    assert rpm.labelCompare(evr(new_rpm), evr(old_rpm)) == 1

    root = tmp_path / "root"
    old_repo, new_repo = repos / first.repo_dir, repos / second.repo_dir
    dnf(root, [old_repo], "install", "alpha")
    assert installed(root, "alpha") == old_rpm.name.removesuffix(".noarch.rpm")
    dnf(root, [old_repo, new_repo], "upgrade", "alpha")
    assert installed(root, "alpha") == new_rpm.name.removesuffix(".noarch.rpm")

    # the Release is dated by the build, one second at least after the previous build
    assert second.dt_build > first.dt_build
    prefix = {"0.date.hash": "0.", "0.1.date.hash": "0.1.", "minor.date.hash": f"{minor}."}
    for row, built in ((first, old_rpm), (second, new_rpm)):
        assert evr(built)[2] == f"{row.release}.el9s"
        assert (row.release or "").startswith(prefix[numbering])
        assert release_time(row.release or "") == row.dt_build
