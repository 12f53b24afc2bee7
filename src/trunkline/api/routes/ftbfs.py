"""``GET /api/ftbfs``: the packages in FTBFS (and, with ``closed=1``, past periods).

The answer is ``ftbfs/listing.py``'s shape, the same as ``trunkline ftbfs list
--json``: package, component, opened_at, age_seconds, culprit (+ state), review
id/url/state, attempts, last failing NVR and log URL, fix.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from trunkline.api.deps import DB, Ctx, reader
from trunkline.ftbfs.listing import periods

router = APIRouter(prefix="/api", tags=["ftbfs"])


@router.get("/ftbfs", dependencies=[Depends(reader)])
def ftbfs(
    ctx: Ctx,
    session: DB,
    closed: Annotated[bool, Query(description="Closed periods too (1/true).")] = False,
    package: Annotated[str | None, Query(max_length=255)] = None,
) -> list[dict[str, Any]]:
    """Open FTBFS periods, oldest first; ``closed=1`` adds the closed ones."""
    return periods(session, ctx.settings, now=int(time.time()), closed=closed, package=package)
