"""Recording CI votes on builds and aggregates, and finding the last tested repo.

A vote is one row; recording a successful one may complete a promotion rule, so
:func:`report_result` hands the build to :mod:`trunkline.promotion.rules` before
it commits. Every recorded vote emits ``vote.received`` in its transaction.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.db import api_queries
from trunkline.db.models import CIVote, CIVoteAggregate, Commit, Promotion
from trunkline.errors import InputError, PromotionError, PublishError
from trunkline.events import payloads
from trunkline.outbox.wiring import build_router
from trunkline.promotion import NoVoteError, UnknownBuildError
from trunkline.promotion.rules import apply_aggregate_rules, apply_rules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoteInput:
    """One CI result as reported (either hashes or ``aggregate_hash`` is set)."""

    job_id: str
    url: str
    timestamp: int
    success: bool
    notes: str = ""
    commit_hash: str | None = None
    distro_hash: str | None = None
    extended_hash: str | None = None
    aggregate_hash: str | None = None


@dataclass(frozen=True)
class VoteResult:
    """What was recorded, and the promotions the rules made because of it."""

    commit: Commit | None
    component: str | None
    auto_promotions: tuple[Promotion, ...]


def report_result(
    session: Session, settings: Settings, vote: VoteInput, user: str | None
) -> VoteResult:
    """Record a CI vote and commit it; then apply promotion rules (on success votes).

    Raises:
        UnknownBuildError: no SUCCESS build or known aggregate has these hashes.
    """
    if vote.aggregate_hash:
        if not api_queries.aggregate_known(session, vote.aggregate_hash):
            raise UnknownBuildError("aggregate_hash not found")
        session.add(
            CIVoteAggregate(
                ref_hash=vote.aggregate_hash,
                ci_name=vote.job_id,
                ci_url=vote.url,
                ci_vote=vote.success,
                ci_in_progress=False,
                timestamp=vote.timestamp,
                notes=vote.notes,
                user=user,
            )
        )
        _emit(session, settings, vote, None, user, in_progress=False)
        session.commit()
        if not vote.success:
            return VoteResult(None, None, ())
        ref_hash = vote.aggregate_hash
        made = _rules(session, lambda: apply_aggregate_rules(session, settings, ref_hash))
        return VoteResult(None, None, made)
    commit = api_queries.find_success(
        session, vote.commit_hash or "", vote.distro_hash or "", vote.extended_hash
    )
    if commit is None:
        raise UnknownBuildError("commit_hash+distro_hash+extended_hash combination not found")
    session.add(
        CIVote(
            commit_id=commit.id,
            ci_name=vote.job_id,
            ci_url=vote.url,
            ci_vote=vote.success,
            ci_in_progress=False,
            timestamp=vote.timestamp,
            notes=vote.notes,
            user=user,
            component=commit.component,
        )
    )
    _emit(session, settings, vote, commit, user, in_progress=False)
    session.commit()
    if not vote.success:
        return VoteResult(commit, commit.component, ())
    auto = _rules(session, lambda: apply_rules(session, settings, commit))
    return VoteResult(commit, commit.component, auto)


def _emit(
    session: Session,
    settings: Settings,
    vote: VoteInput,
    commit: Commit | None,
    user: str | None,
    *,
    in_progress: bool,
) -> None:
    router = build_router(settings)
    if router.routes:
        router.emit(
            session,
            "vote.received",
            payloads.vote_received(
                settings,
                row=commit,
                aggregate_hash=vote.aggregate_hash,
                job_id=vote.job_id,
                url=vote.url,
                success=vote.success,
                in_progress=in_progress,
                notes=vote.notes,
                user=user,
                timestamp=vote.timestamp,
            ),
        )


def _rules(session: Session, apply: Callable[[], tuple[Promotion, ...]]) -> tuple[Promotion, ...]:
    """Run promotion rules after the vote is committed: a rule that cannot promote
    (purged repo, link error) is logged and never loses the CI vote."""
    try:
        made = apply()
    except (PromotionError, PublishError, InputError) as exc:
        session.rollback()
        log.warning("promotion rule not applied: %s", exc)
        return ()
    session.commit()
    return made


def find_last_tested(
    session: Session, query: api_queries.VoteQuery, *, sequential: bool
) -> api_queries.TestedRepo:
    """The last tested repo for ``query``.

    Raises:
        NoVoteError: nothing matches.
    """
    found = api_queries.last_tested(session, query, sequential=sequential)
    if found is None:
        raise NoVoteError("No vote found")
    return found


def start_testing(
    session: Session, query: api_queries.VoteQuery, *, sequential: bool, job_id: str, user: str
) -> api_queries.TestedRepo:
    """Find the last tested repo and record an in-progress vote of ``job_id`` on it.

    Returns:
        The recorded in-progress vote, on the found repo.

    Raises:
        NoVoteError: nothing matches.
    """
    base = find_last_tested(session, query, sequential=sequential)
    vote = CIVote(
        commit_id=base.commit_id,
        ci_name=job_id,
        ci_url="",
        ci_vote=False,
        ci_in_progress=True,
        timestamp=int(time.time()),
        notes="",
        user=user,
        component=base.component,
    )
    session.add(vote)
    session.commit()
    return dataclasses.replace(
        base,
        timestamp=vote.timestamp,
        job_id=job_id,
        success=False,
        in_progress=True,
        user=user,
    )
