"""The HTML views of CI votes and builds, rendered on the server with bounded queries.

DLRN's pages are shells filled by JavaScript (or, for ``civotes.html``, built with
three queries per repo); here each page is one or two indexed queries and a
Jinja2 template with autoescaping (commit data and notes are untrusted).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from trunkline.api.deps import DB, ApiContext, Ctx, reader
from trunkline.db import api_page_queries, api_queries
from trunkline.errors import InputError
from trunkline.ftbfs.listing import age_text, periods

router = APIRouter(prefix="/api", tags=["html"], dependencies=[Depends(reader)])
PAGE = 100
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Opt = Annotated[str | None, Query(max_length=256)]


def _page(ctx: ApiContext, template: str, title: str, **values: Any) -> HTMLResponse:
    tpl = ctx.templates.get_template(template)
    html = tpl.render(
        title=title,
        project=ctx.settings.builder.project_name,
        target=ctx.settings.builder.target,
        limit=PAGE,
        **values,
    )
    return HTMLResponse(html)


@router.get("/civotes.html", response_class=HTMLResponse)
async def civotes(ctx: Ctx, session: DB, offset: Offset = 0) -> HTMLResponse:
    """Repos with recent CI votes and their success/failure counts."""
    repos = api_page_queries.recent_repo_votes(session, offset=offset, limit=PAGE)
    return _page(
        ctx, "votes_general.html.j2", "CI votes", repos=repos, count=len(repos), offset=offset
    )


@router.get("/civotes_detail.html", response_class=HTMLResponse)
async def civotes_detail(
    ctx: Ctx,
    session: DB,
    commit_hash: Opt = None,
    distro_hash: Opt = None,
    component: Opt = None,
    ci_name: Opt = None,
) -> HTMLResponse:
    """Every vote on one repo, of one job, or of one component (newest first)."""
    commit_id = None
    if commit_hash and distro_hash:
        commit = api_queries.find_success(session, commit_hash, distro_hash)
        commit_id = commit.id if commit else -1
    elif not ci_name and not component:
        raise InputError(
            "Please specify either commit_hash+distro_hash, component or ci_name as parameters."
        )
    votes = api_page_queries.vote_details(
        session, commit_id=commit_id, ci_name=ci_name, component=component, limit=1000
    )
    return _page(ctx, "votes_detail.html.j2", "CI votes detail", votes=votes)


@router.get("/civotes_agg.html", response_class=HTMLResponse)
async def civotes_agg(ctx: Ctx, session: DB, offset: Offset = 0) -> HTMLResponse:
    """Aggregates with recent CI votes and their counts."""
    aggs = api_page_queries.recent_aggregate_votes(session, offset=offset, limit=PAGE)
    return _page(
        ctx, "votes_general_agg.html.j2", "CI votes on aggregates", aggs=aggs, offset=offset
    )


@router.get("/civotes_agg_detail.html", response_class=HTMLResponse)
async def civotes_agg_detail(
    ctx: Ctx, session: DB, ref_hash: Opt = None, ci_name: Opt = None
) -> HTMLResponse:
    """Every vote on one aggregate or of one job."""
    if not ref_hash and not ci_name:
        raise InputError("Please specify either ref_hash or ci_name as parameters.")
    votes = api_page_queries.aggregate_vote_details(
        session, ref_hash=ref_hash, ci_name=ci_name, limit=1000
    )
    return _page(ctx, "votes_agg_detail.html.j2", "CI votes on aggregate", votes=votes)


@router.get("/report.html", response_class=HTMLResponse)
async def report(
    ctx: Ctx, session: DB, offset: Offset = 0, package: Opt = None, component: Opt = None
) -> HTMLResponse:
    """The newest builds (100 per page), optionally of one package or component.

    A package's page starts with its FTBFS history: each period's open and close
    times, culprit (and how it was found), review and fix.
    """
    commits = api_page_queries.commits_page(
        session, project=package, component=component, offset=offset, limit=PAGE
    )
    history = []
    if package:
        history = periods(session, ctx.settings, now=int(time.time()), closed=True, package=package)
    return _page(
        ctx,
        "report.html.j2",
        "Detailed build report",
        commits=commits,
        offset=offset,
        baseurl=ctx.settings.builder.baseurl.rstrip("/"),
        package=package,
        ftbfs=history,
        age_text=age_text,
    )
