"""Promotion rules: promote a build or an aggregate once every required CI job passed.

``[promotion] rules`` maps a promotion name to the CI jobs that must report
success on a build (or on an aggregate hash). When a successful vote completes a
rule, the build is promoted with ``automatic=True`` and no user, so the history
says a rule did it. For an aggregate, every component build it was made of is
promoted as one all-or-nothing batch, which writes the new name's own
aggregate. A rule never re-promotes what its link already points at.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.db.models import CIVote, CIVoteAggregate, Commit, Promotion
from trunkline.promotion.promote import PromoteRequest, promote

log = logging.getLogger(__name__)


def rules_met(session: Session, commit: Commit, jobs: tuple[str, ...]) -> bool:
    """True if every job in ``jobs`` has a successful, finished vote on ``commit``."""
    if not jobs:
        return False
    stmt = (
        select(CIVote.ci_name)
        .where(
            CIVote.commit_id == commit.id,
            CIVote.ci_name.in_(jobs),
            CIVote.ci_vote.is_(True),
            CIVote.ci_in_progress.is_(False),
        )
        .distinct()
    )
    passed = set(session.scalars(stmt))
    return passed >= set(jobs)


def _already_promoted(session: Session, commit: Commit, name: str) -> bool:
    stmt = (
        select(Promotion.commit_id)
        .where(Promotion.promotion_name == name, Promotion.component == commit.component)
        .order_by(Promotion.id.desc())
        .limit(1)
    )
    return session.scalar(stmt) == commit.id


def apply_rules(session: Session, settings: Settings, commit: Commit) -> tuple[Promotion, ...]:
    """Promote ``commit`` to every rule it now satisfies (the caller commits).

    Returns:
        The promotions made.
    """
    made: list[Promotion] = []
    for name, jobs in sorted(settings.promotion.rules.items()):
        if not rules_met(session, commit, jobs) or _already_promoted(session, commit, name):
            continue
        req = PromoteRequest(commit.commit_hash, commit.distro_hash, name, commit.extended_hash)
        done = promote(session, settings, [req], None, automatic=True)
        log.info("rule %s: promoted %s_%s", name, commit.commit_hash, commit.distro_hash[:8])
        made.extend(p.promotion for p in done)
    return tuple(made)


def aggregate_rules_met(session: Session, ref_hash: str, jobs: tuple[str, ...]) -> bool:
    """True if every job in ``jobs`` has a successful, finished vote on aggregate ``ref_hash``."""
    if not jobs:
        return False
    stmt = (
        select(CIVoteAggregate.ci_name)
        .where(
            CIVoteAggregate.ref_hash == ref_hash,
            CIVoteAggregate.ci_name.in_(jobs),
            CIVoteAggregate.ci_vote.is_(True),
            CIVoteAggregate.ci_in_progress.is_(False),
        )
        .distinct()
    )
    return set(session.scalars(stmt)) >= set(jobs)


def aggregate_members(session: Session, ref_hash: str) -> list[Commit]:
    """The component builds aggregate ``ref_hash`` was made of, by component.

    The aggregate was written by the promotion row that carries its hash; its
    content is, per component, the newest build promoted to the same name up to
    that row.
    """
    origin = session.scalars(
        select(Promotion)
        .where(Promotion.aggregate_hash == ref_hash)
        .order_by(Promotion.id.desc())
        .limit(1)
    ).first()
    if origin is None:
        return []
    rows = session.execute(
        select(Promotion.component, Promotion.commit_id)
        .where(Promotion.promotion_name == origin.promotion_name, Promotion.id <= origin.id)
        .order_by(Promotion.id)
    )
    newest: dict[str | None, int] = {}
    for component, commit_id in rows:
        newest[component] = commit_id
    commits = session.scalars(select(Commit).where(Commit.id.in_(newest.values())))
    return sorted(commits, key=lambda c: c.component or "")


def apply_aggregate_rules(
    session: Session, settings: Settings, ref_hash: str
) -> tuple[Promotion, ...]:
    """Promote the builds of aggregate ``ref_hash`` to every rule it now satisfies.

    Returns:
        The promotions made (one per component build, per rule).
    """
    made: list[Promotion] = []
    members: list[Commit] | None = None
    for name, jobs in sorted(settings.promotion.rules.items()):
        if not aggregate_rules_met(session, ref_hash, jobs):
            continue
        if members is None:
            members = aggregate_members(session, ref_hash)
        if not members or all(_already_promoted(session, c, name) for c in members):
            continue
        reqs = [
            PromoteRequest(c.commit_hash, c.distro_hash, name, c.extended_hash) for c in members
        ]
        done = promote(session, settings, reqs, None, automatic=True)
        log.info("rule %s: promoted aggregate %s (%d builds)", name, ref_hash, len(reqs))
        made.extend(p.promotion for p in done)
    return tuple(made)
