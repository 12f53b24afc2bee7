"""The dashboard's web application: read-only pages over every builder of a site.

``create_web_app(site)`` is the only constructor. Every route is GET (HEAD);
any other method is 405, and each builder's database is opened read-only, so
no page can change anything. Pages are Jinja2 templates with autoescaping
always on (commit messages, job names, URLs and package names are untrusted),
served with a Content-Security-Policy that allows scripts and styles from this
origin only: no inline ``<script>``, no ``on*=`` handlers, no CDN.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from trunkline import __version__
from trunkline.db.models import BuildStatus
from trunkline.errors import InputError, TrunklineError
from trunkline.reports.views import commit_url, repo_href
from trunkline.web import pages
from trunkline.web.builds import BuildFilter, Cursor, parse_day
from trunkline.web.metadata import MetadataCache
from trunkline.web.site import Site

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC = HERE / "static"
PAGE_SIZE = 50
MAX_PARAM = 256
LOG_FILES = frozenset({"rpmbuild.log", "build.log", "root.log", "versions.csv"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
NAV = (
    ("/", "Overview"),
    ("/builds", "Builds"),
    ("/ftbfs", "FTBFS"),
    ("/promotions", "Promotions & CI"),
    ("/uc", "Upper constraints"),
)


def when(epoch: int | None) -> str:
    """UTC ``YYYY-MM-DD HH:MM`` (empty when unknown)."""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(epoch)) if epoch else ""


def duration(seconds: float | None) -> str:
    """``2d 3h``, ``3h 12m``, ``4m 10s`` or ``9s`` (empty when unknown)."""
    if seconds is None:
        return ""
    s = max(0, int(seconds))
    d, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    if d:
        return f"{d}d {h}h"
    if h:
        return f"{h}h {m}m"
    return f"{m}m {sec}s" if m else f"{sec}s"


def ago(epoch: int | None) -> str:
    """How long ago ``epoch`` was: ``3h 12m ago`` (empty when unknown)."""
    if not epoch:
        return ""
    return f"{duration(time.time() - epoch)} ago"


def chart_script() -> str | None:
    """The URL of the vendored Chart.js (``make bootstrap`` copies it from npm), or None.

    Without it the Overview still shows every chart's data as a table.
    """
    found = sorted((STATIC / "vendor").glob("chart-*.umd.js"))
    if not found:
        log.warning("%s: no chart-*.umd.js (run make bootstrap); charts show as tables", STATIC)
        return None
    return f"/static/vendor/{found[-1].name}"


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
    )
    env.filters["when"] = when
    env.filters["duration"] = duration
    env.filters["ago"] = ago
    env.filters["repo_href"] = repo_href
    env.globals["commit_url"] = commit_url
    env.globals["nav"] = NAV
    env.globals["version"] = __version__
    env.globals["chart_js"] = chart_script()
    return env


class _Headers(BaseHTTPMiddleware):
    """Security headers on every response, and the server time of HTML pages."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        return response


class Dashboard:
    """The routes' shared state: the site, templates and caches."""

    def __init__(self, site: Site, metadata_cache: Path | None = None) -> None:
        self.site = site
        self.env = _templates()
        self.names = pages.NameCache()
        self.figures = pages.FigureCache()
        self.promotion_sections = pages.PromotionsCache()
        self.metadata = MetadataCache(metadata_cache)

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        html = self.env.get_template(template).render(
            path=request.url.path, builder_names=[b.name for b in self.site.builders], **values
        )
        return HTMLResponse(html, status_code=status)

    def _param(self, request: Request, name: str) -> str | None:
        value = request.query_params.get(name, "").strip()
        if len(value) > MAX_PARAM:
            raise InputError(f"{name}: longer than {MAX_PARAM} characters")
        return value or None

    def overview(self, request: Request) -> Response:
        return self.render(
            request, "overview.html.j2", title="Overview", **pages.overview(self.site, self.figures)
        )

    def _filter(self, request: Request) -> BuildFilter:
        p = self._param
        status = p(request, "status")
        if status is not None and status not in {s.value for s in BuildStatus}:
            raise InputError(f"status={status!r}: expected SUCCESS, FAILED or RETRY")
        builder = p(request, "builder")
        if builder is not None and self.site.builder(builder) is None:
            raise InputError(f"builder={builder!r}: not a builder of this site")
        since, until = p(request, "since"), p(request, "until")
        return BuildFilter(
            builder=builder,
            package=p(request, "package"),
            component=p(request, "component"),
            status=BuildStatus(status) if status else None,
            since=parse_day(since, "since") if since else None,
            until=parse_day(until, "until") + 86400 if until else None,
            text=p(request, "q"),
        )

    def builds(self, request: Request) -> Response:
        flt = self._filter(request)
        after_text = self._param(request, "after")
        after = Cursor.decode(after_text) if after_text else None
        rows, nxt = pages.builds(self.site, flt, after, PAGE_SIZE, self.names)
        keep = {k: v for k, v in request.query_params.items() if k != "after" and v.strip()}
        next_url = f"/builds?{urlencode({**keep, 'after': nxt.encode()})}" if nxt else None
        return self.render(
            request,
            "builds.html.j2",
            title="Builds",
            rows=rows,
            form=keep,
            statuses=[s.value for s in BuildStatus],
            next_url=next_url,
            first_url=f"/builds?{urlencode(keep)}" if after else None,
        )

    def ftbfs(self, request: Request) -> Response:
        needle = self._param(request, "q") or ""
        items, total = pages.ftbfs(self.site, needle)
        now = int(time.time())
        return self.render(
            request, "ftbfs.html.j2", title="FTBFS", items=items, total=total, q=needle, now=now
        )

    def package(self, request: Request) -> Response:
        name = str(request.path_params["name"])
        if len(name) > MAX_PARAM:
            raise InputError(f"package name: longer than {MAX_PARAM} characters")
        history = pages.package(self.site, name, self.metadata)
        status = 200 if history else 404
        return self.render(
            request, "package.html.j2", status, title=name, name=name, history=history
        )

    def promotions(self, request: Request) -> Response:
        return self.render(
            request,
            "promotions.html.j2",
            title="Promotions & CI",
            per_builder=pages.promotions(self.site, self.promotion_sections),
        )

    def uc(self, request: Request) -> Response:
        status = self._param(request, "status") or None
        return self.render(
            request,
            "uc.html.j2",
            title="Upper constraints",
            sections=pages.uc(self.site, status),
            chosen=status,
            statuses=pages.UC_STATUSES,
            now=int(time.time()),
        )

    def repo_file(self, request: Request) -> Response:
        """A log (or versions.csv) of a build's hashed repo, from the builder's tree."""
        builder = self.site.builder(str(request.path_params["builder"]))
        rel = str(request.path_params["path"])
        href = repo_href(rel.rsplit("/", 1)[0]) if "/" in rel else None
        fname = rel.rsplit("/", 1)[-1]
        if builder is None or href is None or fname not in LOG_FILES:
            raise HTTPException(404, "no such file")
        root = builder.repos.resolve()
        path = root / rel
        # no symlink on the way (links such as ``current`` are not build dirs)
        if path.resolve() != path or not path.is_file():
            raise HTTPException(404, "no such file")
        media = "text/csv" if fname.endswith(".csv") else "text/plain"
        return FileResponse(path, media_type=f"{media}; charset=utf-8")


def _favicon(_request: Request) -> Response:
    # browsers ask for it on pages without <link rel=icon> (a served log file)
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


def create_web_app(site: Site, *, metadata_cache: Path | None = None) -> Starlette:
    """The dashboard over ``site`` (its databases already opened read-only).

    Args:
        metadata_cache: where loaded rdoinfo metadata is cached (None: the user's cache).
    """
    dash = Dashboard(site, metadata_cache)

    async def _error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            status, message = exc.status_code, str(exc.detail)
        elif isinstance(exc, InputError):
            status, message = 400, str(exc)
        else:
            log.error("%s: %s", type(exc).__name__, exc)
            status, message = 500, f"{type(exc).__name__}: {exc}"
        return dash.render(request, "error.html.j2", status, title="Error", message=message)

    routes = [
        Route("/", dash.overview, methods=["GET"]),
        Route("/builds", dash.builds, methods=["GET"]),
        Route("/ftbfs", dash.ftbfs, methods=["GET"]),
        Route("/packages/{name:path}", dash.package, methods=["GET"]),
        Route("/promotions", dash.promotions, methods=["GET"]),
        Route("/uc", dash.uc, methods=["GET"]),
        Route("/favicon.ico", _favicon, methods=["GET"]),
        Route("/repos/{builder}/{path:path}", dash.repo_file, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _error, TrunklineError: _error, Exception: _error},
    )
    app.add_middleware(_Headers)
    app.state.site = site
    return app
