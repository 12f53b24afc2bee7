"""Build-level writes and lists: remote import, recheck of a package, components."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from trunkline.api.deps import DB, Ctx, Writer, reader, require_json
from trunkline.api.schemas import inputs, outputs
from trunkline.db import api_queries, queries
from trunkline.db.models import BuildStatus
from trunkline.errors import InputError
from trunkline.promotion.remote import import_repo

router = APIRouter(prefix="/api", tags=["builds"])


@router.post("/remote/import", status_code=201, dependencies=[Depends(require_json)])
def remote_import(ctx: Ctx, session: DB, user: Writer, p: inputs.ImportBody) -> outputs.Imported:
    """Import the build(s) of another builder's hashed repo (DLRN's ``dlrn-remote``).

    Every RPM the remote ``commit.yaml`` lists is downloaded and checked first; if
    one is missing or damaged, or a SUCCESS lists none, the call fails (500, the
    reason in ``message``) and nothing is recorded or published.
    """
    del user
    if not p.repo_url:
        raise InputError("Missing parameters")
    import_repo(session, ctx.settings, p.repo_url)
    session.commit()
    return outputs.Imported(repo_url=p.repo_url)


@router.post("/recheck_package", status_code=201, dependencies=[Depends(require_json)])
def recheck_package(
    session: DB,
    user: Writer,
    p: inputs.RecheckBody | None = None,
    package_name: Annotated[str | None, Query(max_length=255)] = None,
) -> outputs.Recheck:
    """Have the next build cycle rebuild a package's last failed build.

    ``package_name`` comes from the query string (as DLRN's clients send it,
    with an empty JSON body) or from the JSON body. Unlike DLRN, which deletes
    the row, the build is kept and marked RETRY: the builder's "already
    processed" lookups skip RETRY rows, so the pair is built again.
    """
    del user
    name = package_name or (p.package_name if p is not None else None)
    if not name:
        raise InputError("Missing parameters")
    build = api_queries.last_processed_build(session, name)
    if build is None:
        raise InputError(f"There are no existing commits for package_name {name!r}")
    if build.status is BuildStatus.SUCCESS:
        raise HTTPException(409, "It's not possible to recheck a successful commit")
    build.status = BuildStatus.RETRY
    session.commit()
    return outputs.Recheck(result="ok")


@router.get("/components", dependencies=[Depends(reader)])
async def components(session: DB) -> list[str]:
    """The components that have builds."""
    return queries.components(session)
