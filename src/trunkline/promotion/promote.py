"""Promotions: move named links to build repos, atomically and all-or-nothing.

A promotion checks every request first (safe name, not reserved, known SUCCESS
build, not purged, repo on disk), then swaps each link with an atomic rename
(never DLRN's delete-then-recreate), restoring the previous targets if a later
swap fails, and only then commits the Promotion rows, with one ``promotion.moved`` event each
in the outbox. With components, the
aggregate ``<reponame>.repo`` of the promotion name is rewritten under its own
hash (``<name>/<h[:2]>/<h[2:4]>/<h>/``) and the top-level files are swapped to it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from trunkline.config import RESERVED_LINK_NAMES, Settings
from trunkline.db import api_queries, queries
from trunkline.db.models import Commit, Promotion
from trunkline.errors import PublishError
from trunkline.events import payloads
from trunkline.outbox.wiring import build_router
from trunkline.promotion import PurgedBuildError, ReservedNameError, UnknownBuildError
from trunkline.publish import layout
from trunkline.publish.aggregate import write_aggregate as publish_aggregate
from trunkline.publish.atomic import swap_link
from trunkline.publish.links import link_target

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PromoteRequest:
    """Promote the build with these hashes to ``promote_name``."""

    commit_hash: str
    distro_hash: str
    promote_name: str
    extended_hash: str | None = None


@dataclass(frozen=True)
class Promoted:
    """One recorded promotion and its build."""

    commit: Commit
    promotion: Promotion


def check_promote_name(name: str) -> str:
    """Return ``name`` if it may be used as a promotion link.

    Raises:
        UnsafeNameError: not a safe path component (``..``, ``/``, control chars).
        ReservedNameError: ``current`` or ``consistent``.
    """
    layout.check_name(name, "promote_name")
    if name in RESERVED_LINK_NAMES:
        raise ReservedNameError(f"Invalid promote_name {name}")
    return name


def _resolve(session: Session, settings: Settings, req: PromoteRequest) -> Commit:
    check_promote_name(req.promote_name)
    commit = api_queries.find_success(
        session, req.commit_hash, req.distro_hash, req.extended_hash or None
    )
    if commit is None:
        raise UnknownBuildError(
            "commit_hash+distro_hash+extended_hash combination not found for "
            f"{req.commit_hash}_{req.distro_hash}_{req.extended_hash}"
        )
    if commit.is_purged:
        raise PurgedBuildError(
            f"commit_hash+distro_hash+extended_hash {req.commit_hash}_{req.distro_hash}_"
            f"{req.extended_hash} has been purged, cannot promote it"
        )
    repos = settings.builder.repos_path
    if not commit.repo_dir or not (repos / commit.repo_dir).is_dir():
        raise PurgedBuildError(
            f"{commit.repo_dir or commit.commit_hash}: repo not found in {repos}, cannot promote it"
        )
    return commit


def _component(settings: Settings, commit: Commit) -> str | None:
    return commit.component if settings.builder.use_components else None


def _swap_all(
    settings: Settings, plan: Sequence[tuple[Commit, str]]
) -> list[tuple[Path, str | None]]:
    """Swap every link; on failure put the previous targets back and re-raise."""
    repos = settings.builder.repos_path
    done: list[tuple[Path, str | None]] = []
    try:
        for commit, name in plan:
            component = _component(settings, commit)
            link = layout.link_dir(repos, component) / name
            previous = os.readlink(link) if link.is_symlink() else None
            target = link_target(repos, PurePosixPath(commit.repo_dir), component)
            swap_link(link, target)
            done.append((link, previous))
    except (OSError, PublishError) as exc:
        for link, previous in reversed(done):
            try:
                if previous is None:
                    link.unlink(missing_ok=True)
                else:
                    swap_link(link, previous)
            except (OSError, PublishError):
                log.exception("%s: could not restore link after failed promotion", link)
        if isinstance(exc, PublishError):
            raise
        raise PublishError(f"promotion failed, links restored: {exc}") from None
    return done


def write_aggregate(session: Session, settings: Settings, name: str) -> str:
    """Write the aggregate repo file of promotion ``name`` over all components.

    Returns:
        The aggregate's hash (md5 of the ``.repo`` content, as DLRN computes it).
    """
    return publish_aggregate(
        settings.builder.repos_path,
        settings.builder.reponame,
        name,
        queries.components(session),
    )


@contextlib.contextmanager
def _promotion_lock(repos: Path) -> Iterator[None]:
    """Serialize promotions on one repo tree (across API workers), so the link and the
    newest Promotion row always agree: last one wins, in both."""
    repos.mkdir(parents=True, exist_ok=True)
    with open(repos / ".promotions.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def promote(
    session: Session,
    settings: Settings,
    requests: Sequence[PromoteRequest],
    user: str | None,
    *,
    automatic: bool = False,
) -> list[Promoted]:
    """Promote one or several builds as one all-or-nothing operation; commit.

    Raises:
        UnsafeNameError, ReservedNameError, UnknownBuildError, PurgedBuildError:
            a request is refused; nothing changed.
        PublishError: a link could not be moved; links already moved were restored.
    """
    if not requests:
        raise UnknownBuildError("Missing parameters: no promotion requested")
    plan = [(_resolve(session, settings, req), req.promote_name) for req in requests]
    with _promotion_lock(settings.builder.repos_path):
        return _record(session, settings, plan, user, automatic)


def _record(
    session: Session,
    settings: Settings,
    plan: Sequence[tuple[Commit, str]],
    user: str | None,
    automatic: bool,
) -> list[Promoted]:
    _swap_all(settings, plan)
    now = int(time.time())
    rows = []
    for commit, name in plan:
        promotion = Promotion(
            commit_id=commit.id,
            promotion_name=name,
            timestamp=now,
            user=user,
            component=commit.component,
            aggregate_hash=None,
            automatic=automatic,
        )
        session.add(promotion)
        rows.append(Promoted(commit, promotion))
    if settings.builder.use_components:
        rows[-1].promotion.aggregate_hash = write_aggregate(session, settings, plan[-1][1])
    _emit(session, settings, rows, now)
    session.commit()
    return rows


def _emit(session: Session, settings: Settings, rows: Sequence[Promoted], now: int) -> None:
    """One ``promotion.moved`` per moved link, in the promotions' transaction."""
    router = build_router(settings)
    if not router.routes:
        return
    for done in rows:
        p = done.promotion
        router.emit(
            session,
            "promotion.moved",
            payloads.promotion_moved(
                settings,
                done.commit,
                name=p.promotion_name,
                by="rule" if p.automatic else "api",
                user=p.user,
                aggregate_hash=p.aggregate_hash,
                now=now,
            ),
        )


def repo_url(settings: Settings, commit: Commit) -> str:
    """The public URL of a build's repo (``baseurl/<repo_dir>``), as DLRN reports it."""
    return f"{settings.builder.baseurl.rstrip('/')}/{commit.repo_dir}"


def repo_hash(commit: Commit) -> str:
    """DLRN's ``repo_hash``: ``<commit_hash>_<distro_hash[:8]>``."""
    return f"{commit.commit_hash}_{commit.distro_hash[:8]}"
