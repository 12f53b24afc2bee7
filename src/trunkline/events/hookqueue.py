"""From a verified push to queued packages: match the repo to the package list, bound the queue.

A push names its repo by several URLs (clone, web, ssh); each is reduced to
``host/path`` (scheme, credentials, port, ``.git`` and trailing ``/`` dropped; an
scp-like ``git@host:path`` read as ``host/path``; a local path or ``file://``
URL to its absolute path) and compared with the package list's upstream and
distgit URLs reduced the same way. A package is queued when the push is to the
branch it follows there (``source_branch`` upstream, ``distro_branch`` distgit)
or is a tag push to its upstream (tags are versions and pins).

The queue is the ``hook_requests`` table (the API and the builder may be
separate processes): at most ``[hooks] queue_size`` pending rows; a push that
would pass the bound is refused whole (:class:`QueueFullError`, HTTP 429).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from trunkline.db.models import HookRequest
from trunkline.errors import TrunklineError
from trunkline.events.forges import Push
from trunkline.metadata.sources import FollowedPackage

_SCP = re.compile(r"^(?:[^@/]+@)?([^:/]+):(?!//)(.+)$")


class UnknownRepoError(TrunklineError):
    """No followed package has the pushed repo as its upstream or distgit (HTTP 404)."""


class QueueFullError(TrunklineError):
    """The hook queue is at ``[hooks] queue_size`` (HTTP 429)."""


def repo_key(url: str) -> str:
    """``url`` reduced to ``host/path`` (or an absolute local path) for comparison."""
    url = url.strip()
    if url.startswith("/"):
        path = url
    elif url.startswith("file://"):
        path = urlsplit(url).path
    elif "://" in url:
        parts = urlsplit(url)
        path = f"{(parts.hostname or '').lower()}/{parts.path.lstrip('/')}"
    elif m := _SCP.match(url):
        path = f"{m.group(1).lower()}/{m.group(2).lstrip('/')}"
    else:
        path = url
    path = path.rstrip("/")
    return path.removesuffix(".git").rstrip("/")


@dataclass(frozen=True)
class Follow:
    """One side of a package: the branch it follows on a repo."""

    package: str
    side: str  # "upstream" or "distgit"
    branch: str


class PackageIndex:
    """The package list by repo key, for matching pushes."""

    def __init__(self, packages: Iterable[FollowedPackage]) -> None:
        self.by_repo: dict[str, list[Follow]] = {}
        for pkg in packages:
            if pkg.upstream:
                self._add(pkg.upstream, Follow(pkg.name, "upstream", pkg.source_branch))
            self._add(pkg.distgit, Follow(pkg.name, "distgit", pkg.distro_branch))

    def _add(self, url: str, follow: Follow) -> None:
        self.by_repo.setdefault(repo_key(url), []).append(follow)

    def match(self, push: Push) -> tuple[str, list[str]]:
        """The repo URL matched and the packages this push concerns (maybe none).

        Raises:
            UnknownRepoError: no package follows any of the push's URLs.
        """
        for url in push.urls:
            follows = self.by_repo.get(repo_key(url))
            if follows:
                return url, sorted({f.package for f in follows if _wanted(f, push.ref)})
        raise UnknownRepoError(f"{', '.join(push.urls)}: no followed package has this repo")


def _wanted(follow: Follow, ref: str) -> bool:
    if ref.startswith("refs/tags/"):
        return follow.side == "upstream"
    return ref.removeprefix("refs/heads/") == follow.branch


def enqueue(
    session: Session,
    *,
    forge: str,
    push: Push,
    repo_url: str,
    packages: list[str],
    queue_size: int,
    now: int | None = None,
) -> None:
    """Queue ``packages`` for the builder (the caller commits).

    Raises:
        QueueFullError: the pending rows plus these would pass ``queue_size``.
    """
    pending = int(session.scalar(select(func.count(HookRequest.id))) or 0)
    if pending + len(packages) > queue_size:
        raise QueueFullError(f"hook queue full ({pending} of {queue_size} pending); retry later")
    when = int(time.time()) if now is None else now
    for name in packages:
        session.add(
            HookRequest(
                forge=forge,
                package=name,
                repo_url=repo_url[:1024],
                ref=push.ref[:256],
                delivery=push.delivery,
                received_at=when,
            )
        )


def take(session: Session, limit: int = 1000) -> list[str]:
    """Remove up to ``limit`` pending requests, oldest first; their package names, each once.

    The caller commits; a builder killed before its cycle loses nothing a full
    cycle (the service's first, and every ``poll_interval``) would not redo.
    """
    rows = list(
        session.execute(
            select(HookRequest.id, HookRequest.package).order_by(HookRequest.id).limit(limit)
        )
    )
    if not rows:
        return []
    session.execute(delete(HookRequest).where(HookRequest.id.in_([r.id for r in rows])))
    return list(dict.fromkeys(r.package for r in rows))
