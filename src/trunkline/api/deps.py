"""Request plumbing shared by the routes: DB session, authentication, parameters.

Handlers receive a session, the authenticated user for writes, and their
parameters already merged from the query string and (DLRN's deprecated way,
which ``dlrnapi-client`` still uses) a JSON body on GET.

The plumbing dependencies are ``async``: FastAPI runs every *sync* dependency in
the thread pool, and a hop there and back costs more than a whole indexed query.
Opening a session does no I/O (it connects on first use); closing it returns
the connection to the pool. Handlers that do slow work (password checks,
promotions, imports) stay sync and run in threads; the bounded read handlers
(one or two indexed statements) are ``async`` and run on the event loop.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, Response
from jinja2 import Environment
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from trunkline.api.auth import Authenticator, Identity
from trunkline.api.negotiate import Negotiator
from trunkline.config import Settings
from trunkline.db.models import User, UserRole
from trunkline.errors import InputError

M = TypeVar("M", bound=BaseModel)
JSON = "application/json"


@dataclass(frozen=True)
class ApiContext:
    """What the app holds for its handlers (``app.state.ctx``)."""

    settings: Settings
    sessions: sessionmaker[Session]
    auth: Authenticator
    templates: Environment
    negotiator: Negotiator | None = None  # Kerberos, when [api] kerberos_keytab is set


async def context(request: Request) -> ApiContext:
    """The app's context."""
    ctx: ApiContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ApiContext, Depends(context)]


async def db_session(ctx: Ctx) -> AsyncIterator[Session]:
    """A session for one request, closed (and rolled back if uncommitted) after it."""
    session = ctx.sessions()
    try:
        yield session
    finally:
        session.close()


DB = Annotated[Session, Depends(db_session)]


def unauthorized(ctx: ApiContext, message: str = "Unauthorized access") -> HTTPException:
    """401 with one challenge per enabled scheme (RFC 7235 allows a list in one header)."""
    challenge = 'Basic realm="trunkline"'
    if ctx.negotiator is not None:
        challenge = "Negotiate, " + challenge
    return HTTPException(401, message, headers={"WWW-Authenticate": challenge})


def _credentials(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _negotiate(
    ctx: ApiContext, session: Session, value: str, response: Response | None
) -> Identity:
    """The trunkline user of a Kerberos principal (DLRN's name mapping: up to ``@``)."""
    if ctx.negotiator is None:
        raise unauthorized(ctx)
    try:
        token = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise unauthorized(ctx) from None
    accepted = ctx.negotiator.accept(token)
    if accepted is None:
        raise unauthorized(ctx)
    user = session.get(User, accepted.username)
    if user is None:
        raise HTTPException(
            403, f"Kerberos principal {accepted.principal!r} is not a trunkline user"
        )
    if response is not None and accepted.reply:
        response.headers["WWW-Authenticate"] = "Negotiate " + base64.b64encode(
            accepted.reply
        ).decode("ascii")
    return Identity(user.username, user.role)


def authenticate(
    request: Request, ctx: ApiContext, session: Session, response: Response | None = None
) -> Identity:
    """The user of HTTP Basic credentials or of a Kerberos ``Negotiate`` token.

    A completed Negotiate exchange puts the server's token in ``response``'s
    ``WWW-Authenticate`` header (mutual authentication).

    Raises:
        HTTPException: 401 without valid credentials (challenging every enabled
            scheme); 403 for a Kerberos principal that names no trunkline user.
    """
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "negotiate" and value:
        return _negotiate(ctx, session, value, response)
    creds = _credentials(value) if scheme.lower() == "basic" and value else None
    if creds is None:
        raise unauthorized(ctx)
    identity = ctx.auth.verify(session, *creds, rehash=not ctx.settings.api.read_only)
    if identity is None:
        raise unauthorized(ctx)
    return identity


def writer(request: Request, response: Response, ctx: Ctx, session: DB) -> Identity:
    """The authenticated user of a write request.

    Raises:
        HTTPException: 403 in read-only mode or for a read-only user; 401 without
            valid credentials.
    """
    if ctx.settings.api.read_only:
        raise HTTPException(403, "API is in read-only mode")
    identity = authenticate(request, ctx, session, response)
    if identity.role is UserRole.READ_ONLY:
        raise HTTPException(403, f"user {identity.username!r} is read-only")
    return identity


Writer = Annotated[Identity, Depends(writer)]


async def json_writer(request: Request, user: Writer) -> Identity:
    """The authenticated user of a write whose body must be JSON.

    Credentials are checked first, as DLRN's ``login_required`` wraps its
    ``_json_media_type`` check: a request without them is a 401 whatever its body.

    Raises:
        HTTPException: 401/403 as :func:`writer`; 415 when the body is not JSON.
    """
    _check_json(request)
    return user


JsonWriter = Annotated[Identity, Depends(json_writer)]


async def reader(request: Request, response: Response, ctx: Ctx, session: DB) -> None:
    """Let a read through, asking for credentials if read endpoints are protected.

    Raises:
        HTTPException: 401 when protected and no valid credentials were given.
    """
    if ctx.settings.api.protect_read_endpoints:
        await run_in_threadpool(authenticate, request, ctx, session, response)


async def require_json(request: Request) -> None:
    """Refuse a write whose body is not JSON (before authentication: prefer :data:`JsonWriter`).

    Raises:
        HTTPException: 415.
    """
    _check_json(request)


def _check_json(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != JSON:
        raise HTTPException(415, "Unsupported Media Type, use JSON")


def required(values: dict[str, object]) -> None:
    """Refuse missing required fields with DLRN's message (pydantic v1 through
    flask-container-scaffold's ``parse_input``), fields in DLRN's model order:
    ``Errors detected: 2 {'commit_hash': 'field required', 'distro_hash': 'field required'}``.

    Raises:
        InputError: one of ``values`` (field name -> value) is None.
    """
    missing = {name: "field required" for name, value in values.items() if value is None}
    if missing:
        raise InputError(f"Errors detected: {len(missing)} {missing!r}")


def decode_json(raw: bytes) -> object | None:
    """A request body decoded as JSON; None for an empty body.

    Raises:
        InputError: the body is not valid JSON.
    """
    if not raw.strip():
        return None
    try:
        data: object = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError("request body: malformed JSON") from None
    return data


async def json_body(request: Request) -> dict[str, Any]:
    """The JSON object sent as the body of a GET (empty if none).

    Raises:
        InputError: the body is JSON but malformed or not an object.
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != JSON:
        return {}
    data = decode_json(await request.body())
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("request body: expected a JSON object")
    return data


Body = Annotated[dict[str, Any], Depends(json_body)]


def merged(model: type[M], query: M, body: dict[str, Any]) -> M:
    """Query parameters, completed by the JSON body for those not in the query.

    Raises:
        InputError: a body value has the wrong type; names the field.
    """
    if not body:
        return query
    values = {**body, **query.model_dump(exclude_unset=True)}
    try:
        return model.model_validate(values)
    except ValidationError as err:
        raise InputError(describe(err)) from None


def describe(err: ValidationError) -> str:
    """One line naming the first invalid field and what was expected."""
    first = err.errors()[0]
    loc = [str(p) for p in first["loc"] if p not in ("body", "query")]
    field = ".".join(loc) or "request body"
    if first["type"] == "json_invalid":
        return "request body: malformed JSON"
    return f"Invalid parameter {field}: {first['msg']}"
