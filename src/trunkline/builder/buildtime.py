"""The time of a package's next build: the date in its Release, and its ``dt_build``.

A new build of a package must sort above every earlier build of it, or dnf
never upgrades to it (a distgit-only change rebuilds the same upstream commit
under the same Version). The Release's date is the build's time
(``rpmspec.nvr.release_string``), chosen here by the rule of
:func:`trunkline.rpmspec.nvr.next_build_time`: the clock, but at least one
second after the newest time any earlier build of the package carries in the
DB. The same number is stored as the build row's ``dt_build``, as DLRN does, so
the next build's floor is read from the DB and survives restarts.

The builds of one package never run at once (``builder/scheduler.py`` builds and
publishes them one after the other, and the builder lock keeps out other runs),
so the floor read when a build starts already counts the package's previous one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.db.models import Commit
from trunkline.rpmspec.nvr import next_build_time, release_time


def last_build_time(session: Session, project: str, *, kind: str = "rpm") -> int | None:
    """The newest time any recorded build of ``project`` carries, or None if it has none.

    Every row counts, whatever its status: the row's ``dt_build`` and the date in
    its Release. The Release date matters for rows written before Releases were
    dated by the build (their date was the upstream commit's, which a committer's
    clock can put ahead of the build) and for imported builds.

    Returns:
        Seconds since the epoch (UTC).
    """
    stmt = select(Commit.dt_build, Commit.release).where(
        Commit.project_name == project, Commit.type == kind
    )
    newest: int | None = None
    for dt_build, release in session.execute(stmt):
        for stamp in (dt_build, release_time(release) if release else None):
            if stamp is not None and (newest is None or stamp > newest):
                newest = stamp
    return newest


def build_time(session: Session, project: str, now: float) -> int:
    """The ``dt_build`` (and Release date) of ``project``'s next build.

    Args:
        session: the builder's DB.
        project: the package name.
        now: the clock, seconds since the epoch (UTC).

    Returns:
        ``max(now, last_build_time + 1)`` in whole seconds.
    """
    return next_build_time(now, last_build_time(session, project))
