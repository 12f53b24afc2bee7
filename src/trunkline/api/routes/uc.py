"""``GET /api/uc``: the newest upper-constraints report (the data of ``uc.html``), as JSON.

Read-only, one bounded query pair (``db.uc_queries.latest_run``): the run, its
counts per status, the counts of the last runs, and its rows (optionally one
status only), each with since when it has been ``lower``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from trunkline.api.deps import DB, reader
from trunkline.db.uc_queries import latest_run, trend

router = APIRouter(prefix="/api", tags=["uc"])


class UcRowOut(BaseModel):
    """One module: constrained version, shipping package and where it comes from."""

    release: str
    module: str
    uc_version: str
    package: str
    packaged: str
    repo: str
    also: list[str]
    mapped_by: str
    status: str
    lower_since: int | None = Field(description="epoch seconds; set when status is lower")


class UcRunOut(BaseModel):
    """A stored run and its counts per status."""

    id: int
    release: str
    python: str
    source: str
    timestamp: int
    counts: dict[str, int]


class UcReportOut(BaseModel):
    """The newest run (null when there is none), the last runs' counts and the rows."""

    run: UcRunOut | None
    trend: list[UcRunOut]
    rows: list[UcRowOut]


@router.get("/uc", dependencies=[Depends(reader)])
def uc_report(
    session: DB,
    release: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[Literal["equal", "lower", "greater", "missing"] | None, Query()] = None,
) -> UcReportOut:
    """The newest upper-constraints report (of ``release``, else of any release)."""
    found = latest_run(session, release)
    if found is None:
        return UcReportOut(run=None, trend=[], rows=[])
    run, rows = found

    def _run(r: object) -> UcRunOut:
        return UcRunOut.model_validate(r, from_attributes=True)

    return UcReportOut(
        run=_run(run),
        trend=[_run(t) for t in trend(session, run.release)],
        rows=[
            UcRowOut(**r.row.as_dict(), lower_since=r.lower_since)  # type: ignore[arg-type]
            for r in rows
            if status is None or r.row.status.value == status
        ],
    )
