"""Promotions: list them, promote one repo, promote a batch all-or-nothing."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from trunkline.api.deps import DB, JSON, Body, Ctx, JsonWriter, merged, reader, required
from trunkline.api.schemas import inputs, outputs
from trunkline.config import Settings
from trunkline.db import api_queries
from trunkline.db.models import Commit, Promotion
from trunkline.errors import InputError, UnsafeNameError
from trunkline.promotion import PurgedBuildError, ReservedNameError, UnknownBuildError
from trunkline.promotion.promote import (
    PromoteRequest,
    check_promote_name,
    promote,
    repo_hash,
    repo_url,
)

router = APIRouter(prefix="/api", tags=["promotions"])
PAGE = 100


def _out(settings: Settings, p: Promotion, c: Commit) -> outputs.PromotionOut:
    return outputs.PromotionOut(
        timestamp=p.timestamp,
        commit_hash=c.commit_hash,
        distro_hash=c.distro_hash,
        extended_hash=c.extended_hash,
        aggregate_hash=p.aggregate_hash,
        repo_hash=repo_hash(c),
        repo_url=repo_url(settings, c),
        promote_name=p.promotion_name,
        component=p.component,
        user=p.user,
    )


def _json(baseurl: str, rows: list[api_queries.PromotionRow]) -> bytes:
    """The promotions as DLRN's JSON list, built directly from the row columns."""
    return json.dumps(
        [
            {
                "timestamp": r.timestamp,
                "commit_hash": r.commit_hash,
                "distro_hash": r.distro_hash,
                "extended_hash": r.extended_hash,
                "aggregate_hash": r.aggregate_hash,
                "repo_hash": f"{r.commit_hash}_{r.distro_hash[:8]}",
                "repo_url": f"{baseurl}/{r.repo_dir}",
                "promote_name": r.promote_name,
                "component": r.component,
                "user": r.user,
            }
            for r in rows
        ],
        separators=(",", ":"),
    ).encode()


@router.get(
    "/promotions",
    dependencies=[Depends(reader)],
    response_model=list[outputs.PromotionOut],
    response_class=Response,
)
async def promotions(
    ctx: Ctx, session: DB, q: Annotated[inputs.PromotionsParams, Query()], body: Body
) -> Response:
    """Promotions, newest first, 100 per page at most (``offset`` pages further).

    Runs on the event loop (one bounded, indexed query) and serializes the plain
    row columns itself: the response model only documents the shape.
    """
    p = merged(inputs.PromotionsParams, q, body)
    if bool(p.commit_hash) != bool(p.distro_hash):
        raise InputError("Both commit_hash and distro_hash must be specified if any of them is.")
    commit_id = None
    if p.commit_hash and p.distro_hash:
        commit = api_queries.find_success(session, p.commit_hash, p.distro_hash, p.extended_hash)
        if commit is None:
            raise UnknownBuildError("commit_hash+distro_hash+extended_hash combination not found")
        commit_id = commit.id
    limit = PAGE if p.limit is None else min(p.limit, PAGE)
    f = api_queries.PromotionFilter(commit_id, p.promote_name, p.aggregate_hash, p.component)
    rows = api_queries.promotions(session, f, offset=p.offset or 0, limit=limit)
    return Response(_json(ctx.settings.builder.baseurl.rstrip("/"), rows), media_type=JSON)


def _request(body: inputs.PromoteBody, batch: bool = False) -> PromoteRequest:
    """A promotion request, checked as DLRN's ``PromoteInput`` does.

    Order: ``promote_name`` (a field validator), then the hashes (a root
    validator), then a missing ``promote_name``. A reserved name (``current``,
    ``consistent``) or one that is not a single path component (``../consistent``)
    is DLRN's 403 ``Invalid promote_name <name>`` (``... for hash <c>_<d>`` in a batch).
    """
    name = body.promote_name
    if name is not None:
        try:
            check_promote_name(name)
        except (UnsafeNameError, ReservedNameError):
            where = f" for hash {body.commit_hash}_{body.distro_hash}" if batch else ""
            raise ReservedNameError(f"Invalid promote_name {name}{where}") from None
    if not body.commit_hash or not body.distro_hash:
        raise InputError("Both commit_hash and distro_hash must be specified.")
    required({"promote_name": name})
    assert name is not None
    return PromoteRequest(body.commit_hash, body.distro_hash, name, body.extended_hash)


def _check_single(session: Session, req: PromoteRequest) -> None:
    """DLRN's messages for one promotion (a batch names the hashes in them)."""
    commit = api_queries.find_success(
        session, req.commit_hash, req.distro_hash, req.extended_hash or None
    )
    if commit is None:
        raise UnknownBuildError("commit_hash+distro_hash+extended_hash combination not found")
    if commit.is_purged:
        raise PurgedBuildError(
            "commit_hash+distro_hash+extended_hash has been purged, cannot promote it"
        )


@router.post("/promote", status_code=201)
def promote_one(
    ctx: Ctx, session: DB, user: JsonWriter, p: inputs.PromoteBody
) -> outputs.PromotionOut:
    """Point the link ``promote_name`` at a build's repo."""
    req = _request(p)
    _check_single(session, req)
    done = promote(session, ctx.settings, [req], user.username)
    last = done[-1]
    return _out(ctx.settings, last.promotion, last.commit)


@router.post("/promote-batch", status_code=201)
def promote_batch(
    ctx: Ctx, session: DB, user: JsonWriter, p: list[inputs.PromoteBody]
) -> outputs.PromotionOut:
    """Promote several repos at once: every link moves, or none does."""
    done = promote(session, ctx.settings, [_request(b, batch=True) for b in p], user.username)
    last = done[-1]
    return _out(ctx.settings, last.promotion, last.commit)
