"""Promotions and CI of one builder: timelines, recent CI jobs, what each rule waits for.

A CI job's duration is known when it reported ``in_progress`` first: it is the
time from that vote to the job's final vote on the same repo. The "pipeline"
of a job is the promotion rule(s) of ``[promotion] rules`` that list it (the
seed's promotion-pipelines board groups jobs the same way). What a rule still
waits for is computed by ``promotion.rules.rules_met``, the function that
promotes, one job at a time, on the newest successful build (the candidate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.db.models import BuildStatus, CIVote, Commit, Promotion
from trunkline.promotion.rules import rules_met

TIMELINE = 10
RECENT_VOTES = 60


@dataclass(frozen=True, slots=True)
class PromotionEvent:
    """One promotion: when, which build, by whom (or a rule)."""

    name: str
    timestamp: int
    project: str
    commit_hash: str
    distro_hash: str
    component: str | None
    user: str | None
    automatic: bool


@dataclass(frozen=True, slots=True)
class JobRun:
    """A CI job's result on a candidate repo."""

    timestamp: int
    job: str
    url: str
    result: str  # "success", "failure" or "in progress"
    duration: int | None
    pipelines: tuple[str, ...]
    project: str
    commit_hash: str
    distro_hash: str


@dataclass(frozen=True, slots=True)
class RuleWait:
    """A promotion rule and, for the newest candidate, the jobs it still waits for."""

    name: str
    jobs: tuple[str, ...]
    candidate: str | None  # "<project> <hash[:8]>_<distro[:8]>"
    waiting: tuple[str, ...]


def timelines(session: Session, names: list[str]) -> dict[str, list[PromotionEvent]]:
    """Per promotion name, its newest promotions (newest first)."""
    out: dict[str, list[PromotionEvent]] = {}
    for name in names:
        stmt = (
            select(
                Promotion.timestamp,
                Promotion.component,
                Promotion.user,
                Promotion.automatic,
                Commit.project_name,
                Commit.commit_hash,
                Commit.distro_hash,
            )
            .join(Commit, Commit.id == Promotion.commit_id)
            .where(Promotion.promotion_name == name)
            .order_by(Promotion.timestamp.desc(), Promotion.id.desc())
            .limit(TIMELINE)
        )
        out[name] = [
            PromotionEvent(
                name,
                r.timestamp,
                r.project_name,
                r.commit_hash,
                r.distro_hash,
                r.component,
                r.user,
                bool(r.automatic),
            )
            for r in session.connection().execute(stmt)
        ]
    return out


def recent_jobs(session: Session, rules: dict[str, tuple[str, ...]]) -> list[JobRun]:
    """The newest CI votes (``consistent`` excluded: the builder casts it), newest first."""
    stmt = (
        select(
            CIVote.commit_id,
            CIVote.ci_name,
            CIVote.ci_url,
            CIVote.ci_vote,
            CIVote.ci_in_progress,
            CIVote.timestamp,
            Commit.project_name,
            Commit.commit_hash,
            Commit.distro_hash,
        )
        .join(Commit, Commit.id == CIVote.commit_id)
        .where(CIVote.ci_name != "consistent")
        .order_by(CIVote.timestamp.desc(), CIVote.id.desc())
        .limit(RECENT_VOTES)
    )
    rows = list(session.connection().execute(stmt))
    pipelines: dict[str, tuple[str, ...]] = {}
    for name, jobs in sorted(rules.items()):
        for job in jobs:
            pipelines[job] = (*pipelines.get(job, ()), name)
    started: dict[tuple[int, str], int] = {}
    for v in rows:
        if v.ci_in_progress:
            key = (v.commit_id, v.ci_name)
            started[key] = min(started.get(key, v.timestamp), v.timestamp)
    out = []
    for v in rows:
        begin = started.get((v.commit_id, v.ci_name))
        done = not v.ci_in_progress
        out.append(
            JobRun(
                timestamp=v.timestamp,
                job=v.ci_name,
                url=v.ci_url,
                result="in progress" if not done else "success" if v.ci_vote else "failure",
                duration=v.timestamp - begin if done and begin is not None else None,
                pipelines=pipelines.get(v.ci_name, ()),
                project=v.project_name,
                commit_hash=v.commit_hash,
                distro_hash=v.distro_hash,
            )
        )
    return out


def rule_waits(session: Session, settings: Settings) -> list[RuleWait]:
    """For each ``[promotion] rules`` entry, the jobs the newest successful build lacks."""
    rules = settings.promotion.rules
    if not rules:
        return []
    candidate = session.scalars(
        select(Commit)
        .where(Commit.status == BuildStatus.SUCCESS)
        .order_by(Commit.dt_build.desc(), Commit.id.desc())
        .limit(1)
    ).first()
    out = []
    for name, jobs in sorted(rules.items()):
        if candidate is None:
            out.append(RuleWait(name, jobs, None, jobs))
            continue
        waiting = tuple(j for j in jobs if not rules_met(session, candidate, (j,)))
        label = f"{candidate.project_name} {candidate.commit_hash[:8]}_{candidate.distro_hash[:8]}"
        out.append(RuleWait(name, jobs, label, waiting))
    return out


def activity_key(session: Session) -> tuple[Any, ...]:
    """Newest build, vote and promotion ids: the page changes only when one moves."""
    row = session.execute(
        select(
            select(func.max(Commit.id)).scalar_subquery(),
            select(func.max(CIVote.id)).scalar_subquery(),
            select(func.max(Promotion.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def promotion_names(session: Session, settings: Settings, *, limit: int = 50) -> list[str]:
    """Every promotion name used or configured, sorted."""
    stmt = select(Promotion.promotion_name).distinct().limit(limit)
    return sorted(set(session.scalars(stmt)) | set(settings.promotion.rules))
