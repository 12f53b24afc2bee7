"""Retention: remove old hashed repos without ever breaking a repo that stays.

A hashed repo is not self-contained: it holds its own RPMs and *relative
symlinks* to the RPMs of older repos (the newest good build of every other
package). Removing an old directory whole, as DLRN does, can leave dangling
links in a newer repo that is kept. So :func:`plan_purge` decides in three
steps, from the DB (which repos exist, how old, which is the last good build of
a package) and the disk (which links exist):

1. **Candidates**: directories whose every build row is older than the cutoff
   (``dt_build``), or already flagged purged while the directory is still there
   (leftovers of an earlier purge).
2. **Protected** candidates are kept whole and stay unflagged: the target of any
   symlink in the repo root or in a component directory (``current``,
   ``consistent``, promotion links), the repo of the newest ``promotions`` row of
   every name, and the last good (newest SUCCESS) build of every package -- new
   repos keep linking to its RPMs, so it must stay a usable, unflagged build.
3. The links of every directory that stays are read; a doomed directory that one
   of them points into is **stripped** (repodata first, so it stops being a repo,
   then everything but the linked files) instead of **removed**.

Crash safety -- filesystem first, DB second. :func:`apply_purge` renames a
doomed directory to a hidden ``.tmp-`` sibling (atomic: it is there whole or not
at all; a leftover temp is swept by the next build cycle), deletes it, and only
then sets ``FLAG_PURGED`` on its rows and commits. A kill at any point is
repaired by running the purge again: the plan is recomputed from the DB and the
disk, a row whose directory is already gone is simply marked, a half-stripped
directory is stripped again. A flagged row therefore always means "this build's
repo is gone" -- promotions and new repos never pick it.

The caller holds the builder lock (``trunkline purge`` does), so no build
publishes into the tree meanwhile.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trunkline.db import queries
from trunkline.db.models import FLAG_PURGED, BuildStatus, Commit, Promotion
from trunkline.errors import InputError, PublishError
from trunkline.publish.atomic import fsync_dir, temp_sibling
from trunkline.publish.layout import check_name

log = logging.getLogger(__name__)

DAY = 86_400


@dataclass(frozen=True)
class PurgeItem:
    """One directory that goes, and the build rows that are flagged with it.

    Attributes:
        relpath: the directory, relative to the repo tree.
        commit_ids: rows not yet flagged purged (flagged after the directory goes).
        projects: the packages of those rows (for listings).
        keep_files: names inside the directory that a kept repo links to; when not
            empty the directory is stripped down to them instead of removed.
        on_disk: False when an interrupted purge already removed the directory.
    """

    relpath: str
    commit_ids: tuple[int, ...]
    projects: tuple[str, ...]
    keep_files: tuple[str, ...]
    on_disk: bool

    @property
    def action(self) -> str:
        """``remove``, ``strip`` (keep linked files) or ``mark`` (already gone)."""
        if not self.on_disk:
            return "mark"
        return "strip" if self.keep_files else "remove"


@dataclass(frozen=True)
class KeptRepo:
    """An old repo that stays, and why."""

    relpath: str
    reason: str


@dataclass(frozen=True)
class PurgePlan:
    """What a purge removes, strips and keeps; computed by :func:`plan_purge`."""

    cutoff: int
    items: tuple[PurgeItem, ...]
    kept: tuple[KeptRepo, ...]


@dataclass(frozen=True)
class PurgeResult:
    """What :func:`apply_purge` did."""

    removed: int
    stripped: int
    flagged: int


@dataclass
class _Group:
    """The build rows that share one directory."""

    candidates: list[tuple[int, str]]  # (id, project) of unflagged old rows in scope
    flagged: int = 0  # rows already flagged purged (in scope)
    blocker: int | None = None  # a row that keeps the directory (new or out of scope)


def _groups(session: Session, cutoff: int, component: str | None) -> dict[str, _Group]:
    stmt = select(
        Commit.id,
        Commit.project_name,
        Commit.repo_dir,
        Commit.dt_build,
        Commit.flags,
        Commit.component,
    ).where(Commit.repo_dir != "")
    groups: dict[str, _Group] = {}
    for cid, project, repo_dir, dt_build, flags, comp in session.execute(stmt):
        group = groups.setdefault(repo_dir, _Group([]))
        in_scope = component is None or comp == component
        if in_scope and flags & FLAG_PURGED:
            group.flagged += 1
        elif in_scope and dt_build < cutoff:
            group.candidates.append((cid, project))
        else:
            group.blocker = cid
    return groups


def _link_dirs(repos: Path) -> list[tuple[Path, str]]:
    """The directories holding named links: the root and every component dir."""
    if not repos.is_dir():
        return []
    dirs = [(repos, "")]
    comp_root = repos / "component"
    if comp_root.is_dir() and not comp_root.is_symlink():
        for entry in sorted(os.scandir(comp_root), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                dirs.append((Path(entry.path), f"component/{entry.name}"))
    return dirs


def _target(base_rel: str, link_path: str, repos_abs: str) -> str | None:
    """A symlink's target as a repo-relative path (None when it leaves the tree)."""
    dest = os.readlink(link_path)
    if os.path.isabs(dest):
        rel = os.path.relpath(os.path.normpath(dest), repos_abs)
    else:
        rel = posixpath.normpath(posixpath.join(base_rel, dest))
    return None if rel == ".." or rel.startswith("../") else rel


def _owning_dir(path: str, dirs: dict[str, _Group]) -> str | None:
    """The repo directory that ``path`` is (or is inside of), if any."""
    while path and path != ".":
        if path in dirs:
            return path
        path = posixpath.dirname(path)
    return None


def _protected(session: Session, repos: Path, dirs: dict[str, _Group]) -> dict[str, str]:
    """Directories that named links or the newest promotions point at -> reason."""
    reasons: dict[str, str] = {}
    repos_abs = str(repos.resolve())
    for base, base_rel in _link_dirs(repos):
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            if not entry.is_symlink():
                continue
            target = _target(base_rel, entry.path, repos_abs)
            owner = _owning_dir(target, dirs) if target else None
            if owner is not None:
                name = posixpath.join(base_rel, entry.name) if base_rel else entry.name
                reasons.setdefault(owner, f"link '{name}' points at it")
    newest = (
        select(func.max(Promotion.id))
        .group_by(Promotion.promotion_name, Promotion.component)
        .scalar_subquery()
    )
    stmt = (
        select(Promotion.promotion_name, Commit.repo_dir)
        .join(Commit, Commit.id == Promotion.commit_id)
        .where(Promotion.id.in_(newest))
    )
    for name, repo_dir in session.execute(stmt):
        if repo_dir in dirs:
            reasons.setdefault(repo_dir, f"newest promotion '{name}' names it")
    return reasons


def _last_good(session: Session) -> dict[int, str]:
    """Row id of the newest SUCCESS build of every package -> package name."""
    latest = queries.latest_success_per_project(session)
    return {row.id: name for name, row in latest.items() if row.status is BuildStatus.SUCCESS}


def _linked_into(repos: Path, kept: Iterable[str], doomed: set[str]) -> dict[str, set[str]]:
    """Names inside doomed directories that symlinks of kept directories reach."""
    linked: dict[str, set[str]] = defaultdict(set)
    repos_abs = str(repos.resolve())
    readlink = os.readlink
    for rel in kept:
        try:
            entries = list(os.scandir(repos / rel))
        except (FileNotFoundError, NotADirectoryError):
            continue
        up = "../" * (rel.count("/") + 1)  # hashed repos link as ../../../<repo-relative path>
        for entry in entries:
            if not entry.is_symlink():
                continue
            dest = readlink(entry.path)
            if dest.startswith(up) and "/." not in dest[len(up) :]:
                target: str | None = dest[len(up) :]  # fast path, no normalisation needed
            else:
                target = _target(rel, entry.path, repos_abs)
            # follow a chain of links through doomed directories, keeping each hop
            while target is not None and (parent := target.rpartition("/")[0]) in doomed:
                name = target.rpartition("/")[2]
                if name in linked[parent]:
                    break
                linked[parent].add(name)
                hop = repos / target
                target = _target(parent, str(hop), repos_abs) if hop.is_symlink() else None
    return linked


def plan_purge(
    session: Session,
    repos: Path,
    *,
    older_than_days: float,
    now: int,
    component: str | None = None,
) -> PurgePlan:
    """Decide which hashed repos a purge removes, strips or keeps (see module doc).

    Args:
        session: a session on the builder's DB.
        repos: the repo tree.
        older_than_days: builds whose ``dt_build`` is older than this go.
        now: the current time (epoch seconds), so callers and tests control it.
        component: only purge builds of this component.

    Returns:
        The plan; nothing is changed.

    Raises:
        InputError: ``older_than_days`` is negative.
        UnsafeNameError: ``component`` is not a safe name.
    """
    if older_than_days < 0:
        raise InputError(f"--older-than {older_than_days}: expected a number of days >= 0")
    if component is not None:
        check_name(component, "component")
    cutoff = int(now - older_than_days * DAY)
    groups = _groups(session, cutoff, component)
    protected = _protected(session, repos, groups)
    last_good = _last_good(session)
    doomed: dict[str, _Group] = {}
    kept: list[KeptRepo] = []
    for rel in sorted(groups):
        group = groups[rel]
        if not group.candidates and not group.flagged:
            continue
        good = sorted(last_good[cid] for cid, _ in group.candidates if cid in last_good)
        reason = None
        if group.blocker is not None:
            reason = f"also the repo of build #{group.blocker}"
        elif rel in protected:
            reason = protected[rel]
        elif good:
            reason = f"last good build of {', '.join(good)}"
        if reason is None and (group.candidates or os.path.lexists(repos / rel)):
            doomed[rel] = group
        elif reason is not None and group.candidates:
            kept.append(KeptRepo(rel, reason))
    staying = [rel for rel in groups if rel not in doomed]
    linked = _linked_into(repos, staying, set(doomed))
    items = []
    for rel, group in doomed.items():
        keep = linked.get(rel, set())
        if not group.candidates and keep and set(os.listdir(repos / rel)) <= keep:
            continue  # an earlier purge's leftover, still linked: nothing more to do
        items.append(
            PurgeItem(
                relpath=rel,
                commit_ids=tuple(sorted(cid for cid, _ in group.candidates)),
                projects=tuple(sorted({p for _, p in group.candidates})),
                keep_files=tuple(sorted(keep)),
                on_disk=os.path.lexists(repos / rel),
            )
        )
    return PurgePlan(cutoff=cutoff, items=tuple(items), kept=tuple(kept))


def _remove_dir(path: Path) -> None:
    """Make ``path`` vanish at once (rename aside), then delete it."""
    hidden = temp_sibling(path)
    try:
        path.rename(hidden)
    except OSError as exc:
        raise PublishError(f"{path}: cannot remove: {exc.strerror}") from None
    fsync_dir(path.parent)
    shutil.rmtree(hidden, ignore_errors=True)


def _strip_dir(path: Path, keep: Sequence[str]) -> None:
    """Remove everything in ``path`` but ``keep``; the repodata goes first."""
    if (path / "repodata").is_dir():
        _remove_dir(path / "repodata")
    wanted = set(keep)
    for entry in os.scandir(path):
        if entry.name in wanted:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError as exc:
            raise PublishError(f"{entry.path}: cannot remove: {exc.strerror}") from None


def _prune_shards(path: Path, repos: Path) -> None:
    """Remove the now-empty ``ab/cd`` shard directories above a removed repo."""
    for parent in (path.parent, path.parent.parent):
        if parent == repos or parent.name == "component" or not parent.is_relative_to(repos):
            return
        try:
            parent.rmdir()
        except OSError:
            return


def _flag(session: Session, ids: Sequence[int]) -> int:
    rows = session.scalars(select(Commit).where(Commit.id.in_(list(ids))))
    count = 0
    for row in rows:
        row.flags = (row.flags or 0) | FLAG_PURGED
        count += 1
    session.commit()
    return count


def apply_purge(session: Session, repos: Path, plan: PurgePlan) -> PurgeResult:
    """Carry out a plan: filesystem first, then flag the rows, one directory at a time.

    Args:
        session: a session on the builder's DB; committed after each directory.
        repos: the repo tree the plan was made for.
        plan: from :func:`plan_purge`, made under the same builder lock.

    Returns:
        Counts of what was removed, stripped and flagged.

    Raises:
        PublishError: a directory or file cannot be removed; the rows of the
            directories done so far are flagged, the rest are not.
    """
    removed = stripped = flagged = 0
    for item in plan.items:
        path = repos / item.relpath
        if item.action == "remove":
            _remove_dir(path)
            _prune_shards(path, repos)
            removed += 1
        elif item.action == "strip":
            _strip_dir(path, item.keep_files)
            stripped += 1
        if item.commit_ids:
            flagged += _flag(session, item.commit_ids)
        log.info("purge: %s %s", item.action, item.relpath)
    return PurgeResult(removed=removed, stripped=stripped, flagged=flagged)
