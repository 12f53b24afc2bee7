"""The REST API application: DLRN's routes on trunkline's database and repo tree.

``create_app(settings)`` is the only constructor: it opens the database once
(one engine per process), builds the authenticator and the templates, includes
one router per resource group, and maps every error class to one HTTP status
here, in one place, with DLRN's ``{"message": ...}`` body.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from trunkline import __version__
from trunkline.api.auth import Authenticator
from trunkline.api.deps import ApiContext, describe, unauthorized
from trunkline.api.negotiate import Negotiator
from trunkline.api.routes import (
    builds,
    ftbfs,
    graphql,
    health,
    hooks,
    html,
    metrics,
    promotions,
    uc,
    votes,
)
from trunkline.api.telemetry import BuildHistograms, RequestTimer, TimingMiddleware
from trunkline.config import Settings
from trunkline.db.engine import open_database, session_factory
from trunkline.errors import (
    CommandError,
    DatabaseError,
    InputError,
    LockedError,
    PublishError,
    SourceError,
    TrunklineError,
)
from trunkline.events.forges import HookAuthError, UnknownForgeError
from trunkline.events.hookqueue import QueueFullError, UnknownRepoError
from trunkline.promotion import (
    NoVoteError,
    PurgedBuildError,
    ReservedNameError,
    UnknownBuildError,
)

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"

# Error class -> HTTP status, most specific first (DLRN's codes where it has one).
STATUS: tuple[tuple[type[TrunklineError], int], ...] = (
    (HookAuthError, 401),
    (UnknownForgeError, 404),
    (UnknownRepoError, 404),
    (QueueFullError, 429),
    (ReservedNameError, 403),
    (PurgedBuildError, 410),
    (UnknownBuildError, 400),
    (NoVoteError, 400),
    (InputError, 400),
    (LockedError, 409),
    (SourceError, 500),
    (CommandError, 500),
    (PublishError, 500),
    (DatabaseError, 503),
)


def status_of(exc: TrunklineError) -> int:
    """The HTTP status an error class maps to."""
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def _strftime(value: int, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return time.strftime(fmt, time.gmtime(value))


_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]*")


def _urlencode(value: object) -> str:
    """URL-quote a value for a query string (hashes and job names pass as they are)."""
    text = str(value)
    return text if _URL_SAFE.fullmatch(text) else quote(text, safe="")


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        auto_reload=False,
    )
    env.filters["strftime"] = _strftime
    env.filters["urlencode"] = _urlencode
    return env


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(TrunklineError)
    async def _trunkline(_req: Request, exc: TrunklineError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
        return JSONResponse({"message": str(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(req: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if (
            errors
            and errors[0].get("type") == "json_invalid"
            and req.method == "POST"
            and "authorization" not in req.headers
        ):
            # FastAPI parses a JSON body before any dependency runs; every POST that
            # takes one is a write, and DLRN asks for credentials first: 401.
            denied = unauthorized(req.app.state.ctx)
            return JSONResponse({"message": denied.detail}, status_code=401, headers=denied.headers)
        message = "Missing parameters"
        if errors:
            first = errors[0]
            loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query")]
            if first.get("type") == "json_invalid":
                message = "request body: malformed JSON"
            elif first.get("type") != "missing" or loc:
                message = f"Invalid parameter {'.'.join(loc) or 'body'}: {first.get('msg')}"
        return JSONResponse({"message": message}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"message": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(SQLAlchemyError)
    async def _db(_req: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database error: %s", exc)
        return JSONResponse({"message": "database error"}, status_code=503)


def create_app(settings: Settings) -> FastAPI:
    """Build the API for one builder.

    Raises:
        DatabaseError: the database cannot be opened or migrated.
        ConfigError: ``[api] kerberos_keytab`` is set but unusable.
    """
    engine = open_database(settings.database_url)
    app = FastAPI(
        title="trunkline API",
        version=__version__,
        description="DLRN-compatible API: CI votes, promotions, build metrics.",
    )
    api = settings.api
    negotiator = None
    if api.kerberos_keytab is not None:
        negotiator = Negotiator(api.kerberos_keytab, api.kerberos_principal)
    app.state.ctx = ApiContext(
        settings=settings,
        sessions=session_factory(engine),
        auth=Authenticator(),
        templates=_templates(),
        negotiator=negotiator,
    )
    app.state.engine = engine
    app.state.histograms = BuildHistograms()
    app.state.request_timer = RequestTimer()
    app.add_middleware(TimingMiddleware, timer=app.state.request_timer)
    _install_handlers(app)
    for module in (health, votes, promotions, metrics, builds, html, graphql, uc, ftbfs, hooks):
        app.include_router(module.router)
    return app


__all__ = ["create_app", "describe", "status_of"]
