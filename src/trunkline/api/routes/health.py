"""Health checks (GET open, POST authenticated: CI uses it to test its credentials)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from trunkline.api.deps import DB, Writer, reader
from trunkline.api.schemas import outputs
from trunkline.db import api_queries

router = APIRouter(prefix="/api", tags=["health"])


def _health(session: DB) -> outputs.Health:
    ok = api_queries.any_commit(session)
    return outputs.Health(result="ok" if ok else "ok, no commits in DB")


@router.get("/health", dependencies=[Depends(reader)])
async def health(session: DB) -> outputs.Health:
    """The database answers."""
    return _health(session)


@router.post("/health")
def health_post(session: DB, user: Writer) -> outputs.Health:
    """The database answers and the credentials are good."""
    del user
    return _health(session)
