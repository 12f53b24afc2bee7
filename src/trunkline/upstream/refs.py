"""In-process reading of git refs and commits (libgit2 through pygit2): the cheap check.

A poll of 700 packages touches 1,400 repositories; with the git CLI, even a
no-op costs several processes per repository (``fetch``, ``rev-parse``,
``log``). Here the same questions — "did the remote's refs move since our
mirror fetched?", "what commit does this branch point at?" — are answered by
reading the repositories in-process, in well under a millisecond each. The git
CLI (:mod:`trunkline.gitcmd`) stays in charge of everything that changes a repository (clone, fetch,
archive) and of remotes that are not local paths (``ls-remote`` would cost as
much as the fetch it would save).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pygit2

_REF_PREFIXES = ("refs/heads/", "refs/tags/")
# Written beside a mirror's config when it is cloned: reading git's config through libgit2
# also loads the global and system configs, ten times the cost of the whole ref check.
ORIGIN_FILE = "trunkline-origin"


@dataclass(frozen=True)
class CommitInfo:
    """One git commit as the builder needs it."""

    commit_hash: str
    dt_commit: int  # committer time, UTC epoch
    subject: str
    author: str = ""


def local_path(url: str) -> Path | None:
    """The filesystem path of a local remote (``file://`` URL or plain path), else None."""
    if url.startswith("file://"):
        return Path(unquote(urlparse(url).path))
    if "://" in url or (":" in url.split("/", 1)[0] and not url.startswith("/")):
        return None  # http(s)://, ssh://, git://, or scp-like host:path
    return Path(url)


# Opening a repository is most of a check's cost, and one package's poll asks about the same
# four repositories several times: each thread keeps its few most recent ones open (libgit2
# objects are not shared between threads; refs and packs are re-read from disk as they change).
# A handle leaving the cache is freed at once (``Repository.free``): a pygit2 Repository
# refers to itself (its ``references``/``branches`` helpers), so dropping it leaves its
# libgit2 memory (odb, pack indexes and windows, ref cache; ~10 kB-100 kB a repository) to
# Python's cyclic collector, which runs rarely here: a poll of 1,400 repositories grew the
# builder by 15-35 MB that way.
_local = threading.local()
CACHE_SIZE = 8


def _cache() -> OrderedDict[str, pygit2.Repository]:
    cache: OrderedDict[str, pygit2.Repository] | None = getattr(_local, "repos", None)
    if cache is None:
        cache = _local.repos = OrderedDict()
    return cache


def _open(path: Path) -> pygit2.Repository | None:
    key = str(path)
    cache = _cache()
    repo = cache.get(key)
    if repo is not None:
        cache.move_to_end(key)
        return repo
    try:
        repo = pygit2.Repository(key)
    except (pygit2.GitError, KeyError, ValueError):
        return None
    cache[key] = repo
    if len(cache) > CACHE_SIZE:
        cache.popitem(last=False)[1].free()
    return repo


def forget(path: Path) -> None:
    """Drop this thread's open handle on ``path`` (after the directory was replaced)."""
    repo = _cache().pop(str(path), None)
    if repo is not None:
        repo.free()


def release() -> None:
    """Free every repository this thread holds open (when its package is done).

    Call it where a unit of work ends in a pool thread: the handles of a thread that
    exits are otherwise left to the cyclic collector (see above).
    """
    cache = _cache()
    while cache:
        cache.popitem()[1].free()


def ref_targets(path: Path) -> dict[str, str] | None:
    """Every branch and tag of the repository at ``path`` -> the object it points at."""
    repo = _open(path)
    if repo is None:
        return None
    refs: dict[str, str] = {}
    for name in repo.references:
        if name.startswith(_REF_PREFIXES):
            ref = repo.references[name].resolve()
            refs[name] = str(ref.target)
    return refs


def remote_unchanged(url: str, mirror: Path) -> bool:
    """True when ``url`` is local and its branches and tags equal the mirror's (no fetch needed)."""
    path = local_path(url)
    if path is None:
        return False
    if origin_url(mirror) != url:
        return False
    remote = ref_targets(path)
    return remote is not None and remote == ref_targets(mirror)


def origin_url(mirror: Path) -> str | None:
    """The URL a mirror was cloned from: its ``ORIGIN_FILE`` (cheap), else its git config."""
    try:
        return (mirror / ORIGIN_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        pass
    repo = _open(mirror)
    if repo is None:
        return None
    try:
        return str(repo.config["remote.origin.url"])
    except KeyError:
        return None


def resolve_commit(mirror: Path, name: str) -> str | None:
    """The commit a branch, tag or hash ``name`` designates in ``mirror``, or None."""
    repo = _open(mirror)
    if repo is None:
        return None
    for full in (f"refs/heads/{name}", f"refs/tags/{name}"):
        ref = repo.references.get(full)
        if ref is not None:
            try:
                return str(ref.peel(pygit2.Commit).id)
            except (pygit2.GitError, ValueError):
                return None
    try:
        obj = repo.revparse_single(name)
        return str(obj.peel(pygit2.Commit).id)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        return None


def resolve_full_ref(mirror: Path, full: str) -> str | None:
    """The commit the fully qualified ref ``full`` (``refs/tags/2024.2-eol``) peels to, or None.

    Unlike :func:`resolve_commit`, nothing else is tried: a branch is not taken for a
    tag of the same name, and a name is never read as a commit hash.
    """
    repo = _open(mirror)
    if repo is None:
        return None
    ref = repo.references.get(full)
    if ref is None:
        return None
    try:
        return str(ref.peel(pygit2.Commit).id)
    except (pygit2.GitError, ValueError):
        return None


def commit_info(mirror: Path, sha: str) -> CommitInfo | None:
    """Hash, committer time, subject and author of commit ``sha``, or None."""
    repo = _open(mirror)
    if repo is None:
        return None
    try:
        commit = repo[sha].peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        return None
    subject = commit.message.split("\n", 1)[0]
    return CommitInfo(str(commit.id), int(commit.commit_time), subject, commit.author.name)
