"""Read queries of the API's HTML views (CI votes pages, build report), bounded.

DLRN builds ``civotes.html`` with three sub-queries per commit over a sorted
scan of every vote; here each page is one statement over the ``limit`` newest
votes (using the ``timestamp`` index) joined to their builds.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Executable, Integer, and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from trunkline.db.api_queries import CONSISTENT
from trunkline.db.models import BuildStatus, CIVote, CIVoteAggregate, Commit


@dataclass(frozen=True)
class RepoVotes:
    """One build's line in the CI votes page."""

    commit_hash: str
    distro_hash: str
    extended_hash: str | None
    component: str | None
    success: int
    failure: int
    timestamp: int


@functools.cache
def _recent_repo_votes_stmt() -> Executable:
    """The CI votes page statement, built once (offset and limit are bound)."""
    page = (
        select(CIVote.id, CIVote.commit_id, CIVote.ci_vote, CIVote.timestamp)
        .where(CIVote.ci_name != CONSISTENT)
        .order_by(CIVote.timestamp.desc(), CIVote.id.desc())
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    return (
        select(
            Commit.commit_hash,
            Commit.distro_hash,
            Commit.extended_hash,
            Commit.component,
            func.count(case((page.c.ci_vote.is_(True), 1))),
            func.count(case((page.c.ci_vote.is_(False), 1))),
            func.max(page.c.timestamp),
        )
        .join(Commit, Commit.id == page.c.commit_id)
        .group_by(
            Commit.id,
            Commit.commit_hash,
            Commit.distro_hash,
            Commit.extended_hash,
            Commit.component,
        )
        .order_by(func.max(page.c.timestamp).desc())
    )


def recent_repo_votes(session: Session, *, offset: int, limit: int) -> list[RepoVotes]:
    """The builds touched by the ``limit`` newest CI votes, with their counts in that page."""
    rows = session.connection().execute(
        _recent_repo_votes_stmt(), {"offset": offset, "limit": limit}
    )
    return [RepoVotes(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6])) for r in rows]


@dataclass(frozen=True)
class AggVotes:
    """One aggregate's line in the aggregate CI votes page."""

    ref_hash: str
    success: int
    failure: int
    timestamp: int


def recent_aggregate_votes(session: Session, *, offset: int, limit: int) -> list[AggVotes]:
    """The aggregates touched by the ``limit`` newest aggregate votes, with their counts."""
    page = (
        select(CIVoteAggregate.ref_hash, CIVoteAggregate.ci_vote, CIVoteAggregate.timestamp)
        .order_by(CIVoteAggregate.timestamp.desc(), CIVoteAggregate.id.desc())
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    stmt = (
        select(
            page.c.ref_hash,
            func.count(case((page.c.ci_vote.is_(True), 1))),
            func.count(case((page.c.ci_vote.is_(False), 1))),
            func.max(page.c.timestamp),
        )
        .group_by(page.c.ref_hash)
        .order_by(func.max(page.c.timestamp).desc())
    )
    return [AggVotes(r[0], int(r[1]), int(r[2]), int(r[3])) for r in session.execute(stmt)]


def vote_details(
    session: Session,
    *,
    commit_id: int | None,
    ci_name: str | None,
    component: str | None,
    limit: int,
) -> list[tuple[CIVote, Commit]]:
    """Votes filtered by build, job and/or component, newest first."""
    stmt = select(CIVote, Commit).join(Commit, Commit.id == CIVote.commit_id)
    conds = []
    if commit_id is not None:
        conds.append(CIVote.commit_id == commit_id)
    if ci_name:
        conds.append(CIVote.ci_name == ci_name)
    if component:
        conds.append(CIVote.component == component)
    if conds:
        stmt = stmt.where(and_(*conds))
    stmt = stmt.order_by(CIVote.timestamp.desc(), CIVote.id.desc()).limit(limit)
    return [(r[0], r[1]) for r in session.execute(stmt)]


def aggregate_vote_details(
    session: Session, *, ref_hash: str | None, ci_name: str | None, limit: int
) -> list[CIVoteAggregate]:
    """Aggregate votes filtered by hash and/or job, newest first."""
    stmt = select(CIVoteAggregate)
    if ref_hash:
        stmt = stmt.where(CIVoteAggregate.ref_hash == ref_hash)
    if ci_name:
        stmt = stmt.where(CIVoteAggregate.ci_name == ci_name)
    stmt = stmt.order_by(CIVoteAggregate.timestamp.desc(), CIVoteAggregate.id.desc())
    return list(session.scalars(stmt.limit(limit)))


def commits_page(
    session: Session,
    *,
    project: str | None = None,
    component: str | None = None,
    statuses: Sequence[BuildStatus] = (),
    offset: int = 0,
    limit: int,
) -> list[Commit]:
    """Builds, newest first, optionally filtered (report page, GraphQL)."""
    stmt = select(Commit)
    if project:
        stmt = stmt.where(Commit.project_name == project)
    if component:
        stmt = stmt.where(Commit.component == component)
    if statuses:
        stmt = stmt.where(Commit.status.in_(list(statuses)))
    return list(session.scalars(stmt.order_by(Commit.id.desc()).offset(offset).limit(limit)))
