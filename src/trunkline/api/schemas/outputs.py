"""Response models, with DLRN's JSON shapes (field names, nulls)."""

from __future__ import annotations

from pydantic import BaseModel


class Message(BaseModel):
    """An error, as DLRN returns it."""

    message: str


class Health(BaseModel):
    """``/api/health``."""

    result: str


class Repo(BaseModel):
    """A repo as returned by ``last_tested_repo``."""

    commit_hash: str
    distro_hash: str
    extended_hash: str | None
    timestamp: int
    job_id: str
    success: bool
    in_progress: bool
    user: str | None
    component: str | None


class Vote(BaseModel):
    """One CI vote on a build (``repo_status``, ``report_result``)."""

    timestamp: int
    commit_hash: str | None
    distro_hash: str | None
    extended_hash: str | None
    job_id: str
    success: bool
    in_progress: bool
    url: str
    notes: str
    user: str | None
    component: str | None


class ReportedVote(Vote):
    """``report_result``'s answer (also names the aggregate)."""

    aggregate_hash: str | None


class AggVote(BaseModel):
    """One CI vote on an aggregate."""

    timestamp: int
    aggregate_hash: str
    job_id: str
    success: bool
    in_progress: bool
    url: str
    notes: str
    user: str | None


class PromotionOut(BaseModel):
    """One promotion."""

    timestamp: int
    commit_hash: str
    distro_hash: str
    extended_hash: str | None
    aggregate_hash: str | None
    repo_hash: str
    repo_url: str
    promote_name: str
    component: str | None
    user: str | None


class BuildMetrics(BaseModel):
    """``/api/metrics/builds``."""

    succeeded: int
    failed: int
    total: int


class Imported(BaseModel):
    """``/api/remote/import``."""

    repo_url: str


class Recheck(BaseModel):
    """``/api/recheck_package``."""

    result: str


class Components(BaseModel):
    """``GET /api/components``: DLRN's object with one list."""

    components: list[str]
