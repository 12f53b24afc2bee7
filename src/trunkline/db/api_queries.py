"""Read queries of the REST API (JSON routes), as typed, bounded, indexed functions.

DLRN answers ``/api/promotions`` with one query per promotion and
``/api/civotes.html`` with three sub-queries per commit; here every API read is
one or two statements that use the indexes of ``db/models.py``, and every list
takes a mandatory ``limit``. The hot routes select only the columns they return
(no ORM objects) and reuse statements built once with bound parameters. The
HTML views' queries live in ``db/api_page_queries.py``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, bindparam, case, func, select
from sqlalchemy.orm import Session

from trunkline.db.models import BuildStatus, CIVote, CIVoteAggregate, Commit, Promotion, StableRepo

CONSISTENT = "consistent"


def find_success(
    session: Session, commit_hash: str, distro_hash: str, extended_hash: str | None = None
) -> Commit | None:
    """The newest SUCCESS build with these hashes (``extended_hash`` only filters when set)."""
    stmt = select(Commit).where(
        Commit.status == BuildStatus.SUCCESS,
        Commit.commit_hash == commit_hash,
        Commit.distro_hash == distro_hash,
    )
    if extended_hash:
        stmt = stmt.where(Commit.extended_hash == extended_hash)
    return session.scalars(stmt.order_by(Commit.id.desc()).limit(1)).first()


def any_commit(session: Session) -> bool:
    """True if the database holds at least one build."""
    return session.scalar(select(Commit.id).limit(1)) is not None


@dataclass(frozen=True)
class VoteQuery:
    """Filters of a "last tested repo" lookup."""

    since: int
    success: bool | None = None
    job_id: str | None = None
    component: str | None = None


@dataclass(frozen=True)
class TestedRepo:
    """A CI vote and the build it is on: one row of "last tested repo"."""

    commit_id: int
    commit_hash: str
    distro_hash: str
    extended_hash: str | None
    timestamp: int
    job_id: str
    success: bool
    in_progress: bool
    user: str | None
    component: str | None


_TESTED_COLUMNS = (
    Commit.id,
    Commit.commit_hash,
    Commit.distro_hash,
    Commit.extended_hash,
    CIVote.timestamp,
    CIVote.ci_name,
    CIVote.ci_vote,
    CIVote.ci_in_progress,
    CIVote.user,
    CIVote.component,
)


@functools.cache
def _tested_stmt(mode: str, by_success: bool, by_component: bool) -> Executable:
    """The newest-vote statement for one combination of filters, built once.

    ``mode`` is ``job`` (votes of one job), ``ci`` (any real CI vote) or
    ``consistent`` (the builder's own vote). Values are bound at execution, so
    each variant is compiled once per process and always walks the
    ``(ci_name, timestamp)`` or ``(timestamp)`` index newest first.
    """
    stmt = (
        select(*_TESTED_COLUMNS)
        .join(Commit, Commit.id == CIVote.commit_id)
        .where(CIVote.timestamp > bindparam("since"), Commit.status == BuildStatus.SUCCESS)
    )
    if mode == "job":
        stmt = stmt.where(CIVote.ci_name == bindparam("job_id"))
    elif mode == "consistent":
        stmt = stmt.where(CIVote.ci_name == CONSISTENT)
    else:
        stmt = stmt.where(CIVote.ci_name != CONSISTENT)
    if by_success:
        stmt = stmt.where(CIVote.ci_vote == bindparam("success"))
    if by_component:
        stmt = stmt.where(CIVote.component == bindparam("component"))
    return stmt.order_by(CIVote.timestamp.desc(), CIVote.id.desc()).limit(1)


def _newest_vote(session: Session, q: VoteQuery, mode: str) -> TestedRepo | None:
    stmt = _tested_stmt(mode, q.success is not None, q.component is not None)
    params: dict[str, Any] = {"since": q.since}
    if mode == "job":
        params["job_id"] = q.job_id
    if q.success is not None:
        params["success"] = q.success
    if q.component is not None:
        params["component"] = q.component
    row = session.connection().execute(stmt, params).first()
    if row is None:
        return None
    return TestedRepo(
        int(row[0]),
        row[1],
        row[2],
        row[3],
        int(row[4]),
        row[5],
        bool(row[6]),
        bool(row[7]),
        row[8],
        row[9],
    )


def last_tested(session: Session, q: VoteQuery, *, sequential: bool = False) -> TestedRepo | None:
    """The newest vote matching ``q`` and its build, with DLRN's fallbacks done right.

    Order of search: votes of ``job_id`` (when given); then any real CI vote; then
    the builder's own ``consistent`` vote. Every step keeps the ``success`` and
    ``component`` filters (DLRN drops them). In sequential mode only the first step
    runs. Each step is one indexed statement returning one row of plain columns.
    """
    found = _newest_vote(session, q, "job" if q.job_id is not None else "ci")
    if found is not None or sequential:
        return found
    if q.job_id is not None:
        found = _newest_vote(session, q, "ci")
        if found is not None:
            return found
    return _newest_vote(session, q, "consistent")


def votes_of_commit(
    session: Session, commit_id: int, success: bool | None, *, limit: int
) -> list[CIVote]:
    """The votes on one build, oldest first."""
    stmt = select(CIVote).where(CIVote.commit_id == commit_id)
    if success is not None:
        stmt = stmt.where(CIVote.ci_vote == success)
    return list(session.scalars(stmt.order_by(CIVote.id).limit(limit)))


def votes_of_aggregate(
    session: Session, ref_hash: str, success: bool | None, *, limit: int
) -> list[CIVoteAggregate]:
    """The votes on one aggregate hash, oldest first."""
    stmt = select(CIVoteAggregate).where(CIVoteAggregate.ref_hash == ref_hash)
    if success is not None:
        stmt = stmt.where(CIVoteAggregate.ci_vote == success)
    return list(session.scalars(stmt.order_by(CIVoteAggregate.id).limit(limit)))


def aggregate_known(session: Session, aggregate_hash: str) -> bool:
    """True if some promotion produced this aggregate hash, or it is a stable phase repo's
    content (``buildsys/snapshots.py``: CI votes on those the same way)."""
    stmt = select(Promotion.id).where(Promotion.aggregate_hash == aggregate_hash).limit(1)
    if session.scalar(stmt) is not None:
        return True
    return session.get(StableRepo, aggregate_hash) is not None


@dataclass(frozen=True)
class PromotionFilter:
    """Filters of ``GET /api/promotions``."""

    commit_id: int | None = None
    promote_name: str | None = None
    aggregate_hash: str | None = None
    component: str | None = None


@dataclass(frozen=True)
class PromotionRow:
    """One promotion with the hashes and repo of its build (plain columns)."""

    timestamp: int
    commit_hash: str
    distro_hash: str
    extended_hash: str | None
    aggregate_hash: str | None
    repo_dir: str
    promote_name: str
    component: str | None
    user: str | None


def promotions(
    session: Session, f: PromotionFilter, *, offset: int, limit: int
) -> list[PromotionRow]:
    """Promotions, newest first, with their builds' columns (one joined query, no ORM rows)."""
    stmt = select(
        Promotion.timestamp,
        Commit.commit_hash,
        Commit.distro_hash,
        Commit.extended_hash,
        Promotion.aggregate_hash,
        Commit.repo_dir,
        Promotion.promotion_name,
        Promotion.component,
        Promotion.user,
    ).join(Commit, Commit.id == Promotion.commit_id)
    if f.commit_id is not None:
        stmt = stmt.where(Promotion.commit_id == f.commit_id)
    if f.promote_name is not None:
        stmt = stmt.where(Promotion.promotion_name == f.promote_name)
    if f.aggregate_hash is not None:
        stmt = stmt.where(Promotion.aggregate_hash == f.aggregate_hash)
    if f.component is not None:
        stmt = stmt.where(Promotion.component == f.component)
    stmt = stmt.order_by(Promotion.id.desc()).offset(offset).limit(limit)
    return [PromotionRow(*row) for row in session.connection().execute(stmt)]


@dataclass(frozen=True)
class BuildCounts:
    """Builds per outcome in a period."""

    succeeded: int
    failed: int


def build_counts(session: Session, start: int, end: int, package: str | None = None) -> BuildCounts:
    """SUCCESS and FAILED builds with ``start <= dt_build < end``.

    One statement, an index-only range scan of ``(dt_build, status)`` (or the
    package's few builds when ``package`` is set).
    """
    stmt = select(
        func.count(case((Commit.status == BuildStatus.SUCCESS, 1))),
        func.count(case((Commit.status == BuildStatus.FAILED, 1))),
    ).where(Commit.dt_build >= start, Commit.dt_build < end)
    if package:
        stmt = stmt.where(Commit.project_name == package)
    row = session.connection().execute(stmt).one()
    return BuildCounts(int(row[0]), int(row[1]))


def status_totals(session: Session) -> dict[str, int]:
    """Number of builds per status, for Prometheus."""
    rows = session.execute(select(Commit.status, func.count()).group_by(Commit.status))
    totals = {s.value: 0 for s in BuildStatus}
    for status, count in rows:
        totals[str(status)] = int(count)
    return totals


def vote_totals(session: Session) -> dict[bool, int]:
    """Number of CI votes (not counting ``consistent``) per outcome."""
    rows = session.execute(
        select(CIVote.ci_vote, func.count())
        .where(CIVote.ci_name != CONSISTENT, CIVote.ci_in_progress.is_(False))
        .group_by(CIVote.ci_vote)
    )
    totals = {True: 0, False: 0}
    for vote, count in rows:
        totals[bool(vote)] = int(count)
    return totals


def last_processed_build(session: Session, project: str) -> Commit | None:
    """The newest non-RETRY build of ``project`` (what a recheck would redo)."""
    stmt = (
        select(Commit)
        .where(Commit.project_name == project, Commit.status != BuildStatus.RETRY)
        .order_by(Commit.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()
