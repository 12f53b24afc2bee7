"""Promotions: list them, promote one repo, promote a batch all-or-nothing."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from trunkline.api.deps import DB, JSON, Body, Ctx, Writer, merged, reader, require_json
from trunkline.api.schemas import inputs, outputs
from trunkline.config import Settings
from trunkline.db import api_queries
from trunkline.db.models import Commit, Promotion
from trunkline.errors import InputError
from trunkline.promotion import UnknownBuildError
from trunkline.promotion.promote import PromoteRequest, promote, repo_hash, repo_url

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


def _request(body: inputs.PromoteBody) -> PromoteRequest:
    if body.commit_hash is None or body.distro_hash is None or body.promote_name is None:
        raise InputError("Missing parameters")
    return PromoteRequest(body.commit_hash, body.distro_hash, body.promote_name, body.extended_hash)


@router.post("/promote", status_code=201, dependencies=[Depends(require_json)])
def promote_one(ctx: Ctx, session: DB, user: Writer, p: inputs.PromoteBody) -> outputs.PromotionOut:
    """Point the link ``promote_name`` at a build's repo."""
    done = promote(session, ctx.settings, [_request(p)], user.username)
    last = done[-1]
    return _out(ctx.settings, last.promotion, last.commit)


@router.post("/promote-batch", status_code=201, dependencies=[Depends(require_json)])
def promote_batch(
    ctx: Ctx, session: DB, user: Writer, p: list[inputs.PromoteBody]
) -> outputs.PromotionOut:
    """Promote several repos at once: every link moves, or none does."""
    done = promote(session, ctx.settings, [_request(b) for b in p], user.username)
    last = done[-1]
    return _out(ctx.settings, last.promotion, last.commit)
