"""CI votes: last tested repo, votes on a repo or aggregate, reporting a result."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from trunkline.api.deps import DB, Body, Ctx, JsonWriter, merged, reader, required
from trunkline.api.schemas import inputs, outputs
from trunkline.db import api_queries
from trunkline.errors import InputError
from trunkline.promotion import UnknownBuildError, votes

router = APIRouter(prefix="/api", tags=["votes"])
MAX_VOTES = 10_000


def _since(max_age: int) -> int:
    return 0 if max_age == 0 else int(time.time()) - max_age * 3600


def _query(p: inputs.LastTestedParams) -> tuple[api_queries.VoteQuery, bool]:
    """The vote lookup; DLRN's checks in its order: the sequential rule (a root
    validator) wins over missing fields (``reporting_job_id`` for a POST)."""
    sequential = bool(p.sequential_mode)
    if sequential and p.previous_job_id is None:
        raise InputError("Missing parameter previous_job_id")
    fields: dict[str, object] = {"max_age": p.max_age}
    if isinstance(p, inputs.LastTestedPost):
        fields["reporting_job_id"] = p.reporting_job_id
    required(fields)
    assert p.max_age is not None  # checked just above
    job = p.previous_job_id if sequential else p.job_id
    q = api_queries.VoteQuery(_since(p.max_age), p.success, job, p.component)
    return q, sequential


def _repo(t: api_queries.TestedRepo) -> outputs.Repo:
    return outputs.Repo(
        commit_hash=t.commit_hash,
        distro_hash=t.distro_hash,
        extended_hash=t.extended_hash,
        timestamp=t.timestamp,
        job_id=t.job_id,
        success=t.success,
        in_progress=t.in_progress,
        user=t.user,
        component=t.component,
    )


@router.get("/last_tested_repo", dependencies=[Depends(reader)])
async def last_tested_repo(
    session: DB, q: Annotated[inputs.LastTestedParams, Query()], body: Body
) -> outputs.Repo:
    """The newest repo with a CI vote matching the filters.

    Runs on the event loop: it is at most three indexed one-row statements.
    """
    p = merged(inputs.LastTestedParams, q, body)
    query, sequential = _query(p)
    return _repo(votes.find_last_tested(session, query, sequential=sequential))


@router.post("/last_tested_repo", status_code=201)
def use_last_tested_repo(session: DB, user: JsonWriter, p: inputs.LastTestedPost) -> outputs.Repo:
    """Like GET, and record that ``reporting_job_id`` now tests that repo."""
    query, sequential = _query(p)
    assert p.reporting_job_id is not None  # checked by _query
    return _repo(
        votes.start_testing(
            session, query, sequential=sequential, job_id=p.reporting_job_id, user=user.username
        )
    )


@router.get("/repo_status", dependencies=[Depends(reader)])
async def repo_status(
    session: DB, q: Annotated[inputs.RepoStatusParams, Query()], body: Body
) -> list[outputs.Vote]:
    """Every CI vote on one build's repo."""
    p = merged(inputs.RepoStatusParams, q, body)
    required({"commit_hash": p.commit_hash, "distro_hash": p.distro_hash})
    assert p.commit_hash is not None and p.distro_hash is not None
    commit = api_queries.find_success(session, p.commit_hash, p.distro_hash, p.extended_hash)
    if commit is None:
        raise UnknownBuildError("commit_hash+distro_hash+extended_hash combination not found")
    return [
        outputs.Vote(
            timestamp=v.timestamp,
            commit_hash=commit.commit_hash,
            distro_hash=commit.distro_hash,
            extended_hash=commit.extended_hash,
            job_id=v.ci_name,
            success=v.ci_vote,
            in_progress=v.ci_in_progress,
            url=v.ci_url,
            notes=v.notes,
            user=v.user,
            component=v.component,
        )
        for v in api_queries.votes_of_commit(session, commit.id, p.success, limit=MAX_VOTES)
    ]


@router.get("/agg_status", dependencies=[Depends(reader)])
async def agg_status(
    session: DB, q: Annotated[inputs.AggStatusParams, Query()], body: Body
) -> list[outputs.AggVote]:
    """Every CI vote on one aggregate."""
    p = merged(inputs.AggStatusParams, q, body)
    required({"aggregate_hash": p.aggregate_hash})
    assert p.aggregate_hash is not None
    return [
        outputs.AggVote(
            timestamp=v.timestamp,
            aggregate_hash=v.ref_hash,
            job_id=v.ci_name,
            success=v.ci_vote,
            in_progress=v.ci_in_progress,
            url=v.ci_url,
            notes=v.notes,
            user=v.user,
        )
        for v in api_queries.votes_of_aggregate(
            session, p.aggregate_hash, p.success, limit=MAX_VOTES
        )
    ]


def _vote_input(p: inputs.ReportResult) -> votes.VoteInput:
    """DLRN's checks in its order: the hash rules (a root validator) win over
    missing fields."""
    if not p.commit_hash and not p.distro_hash and not p.aggregate_hash:
        raise InputError(
            '"Either the aggregate hash or both commit_hash and distro_hash must be provided"'
        )
    if p.commit_hash and not p.distro_hash:
        raise InputError("If commit_hash is provided, distro_hash must be provided too")
    if p.distro_hash and not p.commit_hash:
        raise InputError("If distro_hash is provided, commit_hash must be provided too")
    if p.aggregate_hash and (p.commit_hash or p.distro_hash):
        raise InputError("aggregate_hash and commit/distro_hash cannot be combined")
    required({"timestamp": p.timestamp, "success": p.success, "job_id": p.job_id, "url": p.url})
    assert p.job_id is not None and p.url is not None
    assert p.timestamp is not None and p.success is not None
    return votes.VoteInput(
        job_id=p.job_id,
        url=p.url,
        timestamp=p.timestamp,
        success=p.success,
        notes=p.notes or "",
        commit_hash=p.commit_hash,
        distro_hash=p.distro_hash,
        extended_hash=p.extended_hash,
        aggregate_hash=p.aggregate_hash,
    )


@router.post("/report_result", status_code=201)
def report_result(
    ctx: Ctx, session: DB, user: JsonWriter, p: inputs.ReportResult
) -> outputs.ReportedVote:
    """Record a CI job's result on a repo or an aggregate (may trigger promotion rules)."""
    vote = _vote_input(p)
    result = votes.report_result(session, ctx.settings, vote, user.username)
    return outputs.ReportedVote(
        timestamp=vote.timestamp,
        commit_hash=vote.commit_hash,
        distro_hash=vote.distro_hash,
        extended_hash=result.commit.extended_hash if result.commit else None,
        aggregate_hash=vote.aggregate_hash,
        job_id=vote.job_id,
        success=vote.success,
        in_progress=False,
        url=vote.url,
        notes=vote.notes,
        user=user.username,
        component=result.component,
    )
