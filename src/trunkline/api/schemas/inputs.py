"""Request models, with DLRN's field names.

Every field is optional at the schema level: like DLRN, a missing required
parameter is a 400 ``Missing parameters`` decided by the handler, and GET
parameters may come from the query string or (DLRN's deprecated way, still used
by ``dlrnapi-client``) from a JSON body. Booleans accept JSON booleans and the
strings DLRN's ``strtobool`` accepts (``"true"``, ``"False"``, ``"1"`` ...).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Hash = str
Name = str


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LastTestedParams(_In):
    """``GET /api/last_tested_repo``."""

    max_age: int | None = Field(default=None, ge=0, le=1_000_000)
    success: bool | None = None
    job_id: str | None = None
    sequential_mode: bool | None = None
    previous_job_id: str | None = None
    component: str | None = None


class LastTestedPost(LastTestedParams):
    """``POST /api/last_tested_repo``: also names the job that starts testing."""

    reporting_job_id: str | None = None


class RepoStatusParams(_In):
    """``GET /api/repo_status``."""

    commit_hash: Hash | None = None
    distro_hash: Hash | None = None
    extended_hash: Hash | None = None
    success: bool | None = None


class AggStatusParams(_In):
    """``GET /api/agg_status``."""

    aggregate_hash: Hash | None = None
    success: bool | None = None


class PromotionsParams(_In):
    """``GET /api/promotions`` (at most 100 rows per page, as documented by DLRN)."""

    commit_hash: Hash | None = None
    distro_hash: Hash | None = None
    extended_hash: Hash | None = None
    aggregate_hash: Hash | None = None
    promote_name: Name | None = None
    offset: int | None = Field(default=None, ge=0, le=10_000_000)
    limit: int | None = Field(default=None, ge=0, le=10_000_000)
    component: Name | None = None


class MetricsParams(_In):
    """``GET /api/metrics/builds``: dates as ``YYYY-mm-dd`` (UTC)."""

    start_date: str | None = None
    end_date: str | None = None
    package_name: str | None = None


class ReportResult(_In):
    """``POST /api/report_result``: hashes or ``aggregate_hash``."""

    job_id: str | None = None
    commit_hash: Hash | None = None
    distro_hash: Hash | None = None
    extended_hash: Hash | None = None
    aggregate_hash: Hash | None = None
    url: str | None = None
    timestamp: int | None = Field(default=None, ge=0, le=2**31 - 1)
    success: bool | None = None
    notes: str | None = None


class PromoteBody(_In):
    """``POST /api/promote`` and one item of ``/api/promote-batch``."""

    commit_hash: Hash | None = None
    distro_hash: Hash | None = None
    extended_hash: Hash | None = None
    promote_name: Name | None = None


class ImportBody(_In):
    """``POST /api/remote/import``."""

    repo_url: str | None = None


class RecheckBody(_In):
    """``POST /api/recheck_package``."""

    package_name: str | None = None
