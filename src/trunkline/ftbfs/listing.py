"""FTBFS periods as plain JSON objects, for ``trunkline ftbfs``, ``GET /api/ftbfs`` and reports.

One shape everywhere (all fields always present, null when unknown; times epoch
seconds, ``age_seconds`` from ``now`` to ``closed_at`` or now)::

    {"id", "package", "component", "opened_at", "closed_at", "age_seconds", "attempts",
     "culprit": {"state", "upstream_hash", "distgit_hash"},
     "review": {"id", "url", "state"},
     "last_failing": {"commit_id", "nvr", "commit_hash", "distro_hash", "log_url"},
     "fix": {"commit_id", "fixed_by", "commit_hash", "distro_hash"} | null}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from trunkline.config import Settings
from trunkline.db.models import Commit, Ftbfs
from trunkline.ftbfs.lifecycle import build_url, nvr_of


def log_url(settings: Settings, repo_dir: str) -> str | None:
    """The URL of a failed build's log: ``rpmbuild.log`` when it ran, else ``build.log``."""
    if not repo_dir:
        return None
    has_rpm = (settings.builder.repos_path / repo_dir / "rpmbuild.log").is_file()
    return build_url(settings, repo_dir, "rpmbuild.log" if has_rpm else "build.log")


def periods(
    session: Session,
    settings: Settings,
    *,
    now: int,
    closed: bool = False,
    package: str | None = None,
) -> list[dict[str, Any]]:
    """The open periods (``closed``: all, newest first), of one package or all.

    Open periods come first, oldest opened first (longest broken on top); then the
    closed ones, newest closed first.
    """
    failing = aliased(Commit)
    fixing = aliased(Commit)
    stmt = (
        select(Ftbfs, failing, fixing)
        .join(failing, failing.id == Ftbfs.last_failed_commit_id)
        .outerjoin(fixing, fixing.id == Ftbfs.fix_commit_id)
    )
    if not closed:
        stmt = stmt.where(Ftbfs.closed_at.is_(None))
    if package is not None:
        stmt = stmt.where(Ftbfs.project_name == package)
    rows = list(session.execute(stmt).all())
    rows.sort(
        key=lambda r: (r[0].closed_at is not None, -(r[0].closed_at or 0), r[0].opened_at, r[0].id)
    )
    return [entry(settings, p, f, x, now=now) for p, f, x in rows]


def entry(
    settings: Settings, period: Ftbfs, failing: Commit, fixing: Commit | None, *, now: int
) -> dict[str, Any]:
    """One period in the module's shape."""
    end = period.closed_at if period.closed_at is not None else now
    return {
        "id": period.id,
        "package": period.project_name,
        "component": period.component,
        "opened_at": period.opened_at,
        "closed_at": period.closed_at,
        "age_seconds": max(0, end - period.opened_at),
        "attempts": period.attempts,
        "culprit": {
            "state": period.culprit_state,
            "upstream_hash": period.culprit_commit_hash,
            "distgit_hash": period.culprit_distro_hash,
        },
        "review": {"id": period.review_id, "url": period.review_url, "state": period.review_state},
        "last_failing": {
            "commit_id": failing.id,
            "nvr": nvr_of(settings, failing),
            "commit_hash": failing.commit_hash,
            "distro_hash": failing.distro_hash,
            "log_url": log_url(settings, failing.repo_dir),
        },
        "fix": None
        if fixing is None
        else {
            "commit_id": fixing.id,
            "fixed_by": period.fixed_by,
            "commit_hash": fixing.commit_hash,
            "distro_hash": fixing.distro_hash,
        },
    }


def age_text(seconds: int) -> str:
    """``3d 4h``, ``5h 12m``, ``7m``: an age for people."""
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


@dataclass(frozen=True, slots=True)
class OpenPeriod:
    """What a status report row shows of a package's open FTBFS period."""

    opened_at: int
    attempts: int
    culprit_state: str
    culprit_hash: str | None
    culprit_distro_hash: str | None
    review_id: str | None
    review_url: str | None
    review_state: str | None


def open_periods(session: Session, projects: Sequence[str]) -> dict[str, OpenPeriod]:
    """Package -> its open period, for ``projects`` (one query; the status report's)."""
    if not projects:
        return {}
    stmt = select(Ftbfs).where(
        Ftbfs.closed_at.is_(None), Ftbfs.project_name.in_(sorted(set(projects)))
    )
    return {
        p.project_name: OpenPeriod(
            p.opened_at,
            p.attempts,
            p.culprit_state,
            p.culprit_commit_hash,
            p.culprit_distro_hash,
            p.review_id,
            p.review_url,
            p.review_state,
        )
        for p in session.scalars(stmt)
    }
