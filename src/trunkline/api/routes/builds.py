"""Build-level writes and lists: remote import, recheck of a package, components."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trunkline.api.deps import DB, Ctx, Writer, decode_json, reader, require_json, required
from trunkline.api.schemas import inputs, outputs
from trunkline.builder.lock import BuilderLock
from trunkline.db import api_queries
from trunkline.db.models import BuildStatus, Promotion
from trunkline.errors import InputError
from trunkline.promotion.remote import import_repo

router = APIRouter(prefix="/api", tags=["builds"])
MAX_COMPONENTS = 10_000


@router.post("/remote/import", status_code=201, dependencies=[Depends(require_json)])
def remote_import(ctx: Ctx, session: DB, user: Writer, p: inputs.ImportBody) -> outputs.Imported:
    """Import the build(s) of another builder's hashed repo (DLRN's ``dlrn-remote``).

    Every RPM the remote ``commit.yaml`` lists is downloaded and checked first; if
    one is missing or damaged, or a SUCCESS lists none, the call fails (500, the
    reason in ``message``) and nothing is recorded or published. The import
    publishes and moves ``current`` as a build cycle does, so it holds the builder
    lock as ``trunkline remote-import`` does: while a cycle runs it fails at once
    with 409 and the lock holder in ``message`` (retry later), never interleaving
    with the cycle's publications. DLRN locks neither.
    """
    del user
    if not p.repo_url:
        raise InputError("Missing parameters")
    with BuilderLock(ctx.settings.builder.data_dir):
        import_repo(session, ctx.settings, p.repo_url)
        session.commit()
    return outputs.Imported(repo_url=p.repo_url)


@router.post("/recheck_package", status_code=201)
async def recheck_package(
    request: Request,
    user: Writer,
    session: DB,
    package_name: Annotated[str | None, Query(max_length=255)] = None,
) -> outputs.Recheck:
    """Have the next build cycle rebuild a package's last failed build.

    ``package_name`` comes from the query string, as DLRN's ``dlrnapi
    recheck-package`` sends it, or from a JSON body; the body's content type is
    not checked (DLRN does not either). Unlike DLRN, which deletes the row, the
    build is kept and marked RETRY: the builder's "already processed" lookups
    skip RETRY rows, so the pair is built again.
    """
    del user
    name: object = package_name
    if name is None:
        body = await _json_object(request)
        if "package_name" in body and body["package_name"] is None:
            raise InputError("Errors detected: 1 {'package_name': 'none is not an allowed value'}")
        name = body.get("package_name")
    required({"package_name": name})
    if not isinstance(name, str):
        raise InputError("Errors detected: 1 {'package_name': 'str type expected'}")
    return await run_in_threadpool(_recheck, session, name)


async def _json_object(request: Request) -> dict[str, Any]:
    """The body's JSON object; {} for an empty body or another JSON value (as DLRN)."""
    data = decode_json(await request.body())
    return data if isinstance(data, dict) else {}


def _recheck(session: Session, name: str) -> outputs.Recheck:
    build = api_queries.last_processed_build(session, name)
    if build is None:
        raise InputError(
            f"Error while rechecking {name}. There are no existing commits or the commit "
            "to be rechecked is already marked as RETRY."
        )
    if build.status is BuildStatus.SUCCESS:
        raise HTTPException(
            409, f"Error while rechecking {name}. It's not possible to recheck a successful commit"
        )
    build.status = BuildStatus.RETRY
    session.commit()
    return outputs.Recheck(result="ok")


@router.get("/components", dependencies=[Depends(reader)])
async def components(session: DB) -> outputs.Components:
    """The components that have promotions, sorted, as DLRN's ``{"components": [...]}``.

    DLRN (``getComponents``, af74de88) reads them from the promotions table, not
    from the builds: a component appears once one of its builds was promoted.
    """
    stmt = (
        select(Promotion.component)
        .where(Promotion.component.is_not(None))
        .distinct()
        .order_by(Promotion.component)
        .limit(MAX_COMPONENTS)
    )
    return outputs.Components(components=[c for c in session.scalars(stmt) if c])
