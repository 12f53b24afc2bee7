"""Push hooks in: ``POST /api/hooks/<forge>`` queues a poll and build of the pushed packages.

Order of checks: the forge is known (404), the credentials match its scheme
(401), the body is its push event (400; other events such as GitHub's ``ping``
answer 200 with nothing queued), a followed package has that repo (404), the
queue has room (429). Every refusal is logged. The matched packages go to the
``hook_requests`` table in one transaction; ``trunkline build --serve`` takes them
(see ``trunkline.events.hookqueue``).
"""

from __future__ import annotations

import logging
import threading
import time

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from trunkline.api.deps import Ctx
from trunkline.config import Settings
from trunkline.errors import ConfigError, TrunklineError
from trunkline.events import forges, hookqueue
from trunkline.events.routes import read_secret
from trunkline.metadata.sources import make_source

router = APIRouter(prefix="/api/hooks", tags=["hooks"])
log = logging.getLogger(__name__)


class _Packages:
    """The package list as a :class:`~trunkline.events.hookqueue.PackageIndex`, kept for
    ``[hooks] package_cache`` seconds (loading rdoinfo per push would be wasteful)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._index: hookqueue.PackageIndex | None = None
        self._at = 0.0

    def index(self) -> hookqueue.PackageIndex:
        with self._lock:
            age = time.monotonic() - self._at
            if self._index is None or age > self.settings.hooks.package_cache:
                self._index = hookqueue.PackageIndex(make_source(self.settings).packages())
                self._at = time.monotonic()
            return self._index


def _packages(request: Request, settings: Settings) -> _Packages:
    found: _Packages | None = getattr(request.app.state, "hook_packages", None)
    if found is None:
        found = request.app.state.hook_packages = _Packages(settings)
    return found


def _secret(settings: Settings, forge: str) -> str:
    conf = forges.forge_settings(settings.hooks, forge)
    if forge == "gerrit" and (conf.secret or conf.secret_file) and not conf.url:
        raise ConfigError("hooks.gerrit.url: the Gerrit's git base URL is needed")
    return read_secret(conf.secret, conf.secret_file, f"hooks.{forge}.secret_file")


@router.post("/{forge}")
async def hook(forge: str, request: Request, ctx: Ctx) -> dict[str, object]:
    """Take one push event; answer what was queued (403 in read-only mode: it writes)."""
    if ctx.settings.api.read_only:
        raise HTTPException(403, "API is in read-only mode")
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    client = request.client.host if request.client else "?"
    try:
        conf = forges.forge_settings(ctx.settings.hooks, forge)
        forges.verify(forge, conf, _secret(ctx.settings, forge), headers, body)
        push = forges.parse(forge, conf, headers, body)
        if push is None:
            return {"queued": [], "message": "not a push event; ignored"}
        packages = _packages(request, ctx.settings)
        index = await run_in_threadpool(packages.index)
        repo_url, names = index.match(push)
        if names:
            await run_in_threadpool(_enqueue, ctx, forge, push, repo_url, names)
    except TrunklineError as exc:
        log.warning("hook %s from %s refused: %s", forge, client, exc)
        raise
    log.info("hook %s %s %s: queued %s", forge, repo_url, push.ref, ", ".join(names) or "nothing")
    return {"queued": names, "repo": repo_url, "ref": push.ref}


def _enqueue(ctx: Ctx, forge: str, push: forges.Push, repo_url: str, names: list[str]) -> None:
    with ctx.sessions() as session:
        hookqueue.enqueue(
            session,
            forge=forge,
            push=push,
            repo_url=repo_url,
            packages=names,
            queue_size=ctx.settings.hooks.queue_size,
        )
        session.commit()
