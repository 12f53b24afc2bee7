"""Open FTBFS of one builder, with the seed's report columns (rdo's ``check_ftbfs``).

The ``ftbfs`` table (migration 0004) is filled by the builder when a build
fails after a success and closed by the next success; this module only reads
it: each open row with its last failing build (for the Logs link, the NVR and
the Status) and its review.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from trunkline.db.models import Commit, Ftbfs

MAX_OPEN = 2_000
# one alias for the module: a new one per call would defeat SQLAlchemy's compiled cache
_LAST = aliased(Commit, name="last_failed")


@dataclass(frozen=True, slots=True)
class OpenFtbfs:
    """One open FTBFS as the FTBFS page shows it."""

    builder: str
    id: int
    project: str
    component: str | None
    status: str  # the newest failing build's status (FAILED)
    opened_at: int
    attempts: int
    culprit_state: str
    culprit_hash: str | None
    culprit_distro_hash: str | None
    review_id: str | None
    review_url: str | None
    review_state: str | None
    repo_dir: str
    nvr: str


def open_ftbfs(session: Session, builder: str, *, limit: int = MAX_OPEN) -> list[OpenFtbfs]:
    """The builder's open FTBFS, oldest first."""
    last = _LAST
    stmt = (
        select(Ftbfs, last.status, last.repo_dir, last.version, last.release)
        .join(last, last.id == Ftbfs.last_failed_commit_id)
        .where(Ftbfs.closed_at.is_(None))
        .order_by(Ftbfs.opened_at, Ftbfs.id)
        .limit(limit)
    )
    out = []
    for f, status, repo_dir, version, release in session.execute(stmt):
        out.append(
            OpenFtbfs(
                builder=builder,
                id=f.id,
                project=f.project_name,
                component=f.component,
                status=str(status),
                opened_at=f.opened_at,
                attempts=f.attempts,
                culprit_state=f.culprit_state,
                culprit_hash=f.culprit_commit_hash,
                culprit_distro_hash=f.culprit_distro_hash,
                review_id=f.review_id,
                review_url=f.review_url,
                review_state=f.review_state,
                repo_dir=repo_dir,
                nvr=f"{f.project_name}-{version}-{release}" if version and release else "",
            )
        )
    return out


def periods_of(session: Session, project: str, *, limit: int = 200) -> list[Ftbfs]:
    """Every FTBFS period of ``project``, newest first."""
    stmt = (
        select(Ftbfs)
        .where(Ftbfs.project_name == project)
        .order_by(Ftbfs.opened_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def matches(item: OpenFtbfs, needle: str) -> bool:
    """True if the filter box's text is in any shown column (case-insensitive)."""
    if not needle:
        return True
    hay = " ".join(
        x or ""
        for x in (
            item.project,
            item.component,
            item.status,
            item.builder,
            item.review_id,
            item.review_state,
            item.culprit_state,
            item.culprit_hash,
            item.nvr,
        )
    )
    return needle.lower() in hay.lower()
