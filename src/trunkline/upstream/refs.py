"""Reading git refs in-process, and commits through git: the cheap check.

A poll of 700 packages touches 1,400 repositories; with the git CLI, even a
no-op costs several processes per repository (``fetch``, ``rev-parse``,
``log``). Here the questions a no-change poll asks — "did the remote's refs move
since our mirror fetched?", "what commit does this branch point at?" — are
answered by reading the refs where git keeps them, in well under a millisecond a
repository, with no git library loaded (libgit2 through pygit2 cost the builder
13 MB of resident memory, a second OpenSSL included: issue #10).

The refs are git's "files" backend (``gitrepository-layout(5)``): a loose ref is
the file ``refs/heads/<name>`` holding a hash or ``ref: <other ref>``; packed refs
are the lines ``<hash> <name>`` of ``packed-refs``, an annotated tag followed by
``^<peeled hash>``; a loose ref wins over a packed one. A repository on another
backend (a ``reftable/`` directory, git >= 2.45) is read with ``git for-each-ref``.
Everything that needs objects — peeling a loose annotated tag, a commit's time
and subject, a revision that is not a ref name — asks git itself (:mod:`trunkline.gitcmd`),
which stays in charge of every change to a repository (clone, fetch, archive) and
of remotes that are not local paths. The planner asks for commit details only
for packages whose heads moved (``poll.plan_package``), so a no-change poll runs
no process.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from trunkline import gitcmd

_REF_PREFIXES = ("refs/heads/", "refs/tags/")
# Written beside a mirror's config when it is cloned: the URL without reading git's config.
ORIGIN_FILE = "trunkline-origin"
_SYMREF = "ref: "
_MAX_SYMREF_DEPTH = 5  # git's own limit is 5 levels of symbolic refs
_FIELD = "\x1f"
_HEX = re.compile(r"[0-9a-fA-F]{4,64}")  # what git may read as an abbreviated or full hash
_BAD_REF_CHAR = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


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


@dataclass(frozen=True)
class _GitDirs:
    """Where a repository keeps HEAD (``own``) and its shared refs (``common``)."""

    own: Path
    common: Path


def _git_dirs(path: Path) -> _GitDirs | None:
    """The git directories of a bare repository, a work tree, or a linked work tree.

    A work tree's ``.git`` is a directory, or a file ``gitdir: <dir>`` (linked work
    trees, submodules) whose ``commondir`` names the directory holding the refs.
    """
    dotgit = path / ".git"
    try:
        if dotgit.is_dir():
            own = dotgit
        elif dotgit.is_file():
            text = dotgit.read_text(encoding="utf-8").strip()
            if not text.startswith("gitdir:"):
                return None
            own = path / text.removeprefix("gitdir:").strip()
        elif (path / "HEAD").is_file():
            own = path
        else:
            return None
        common = own
        if (own / "commondir").is_file():
            common = own / (own / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not (common / "objects").is_dir() or not (common / "refs").is_dir():
        return None
    return _GitDirs(own, common)


def _packed(common: Path) -> tuple[dict[str, str], dict[str, str]]:
    """``packed-refs``: name -> hash, and name -> peeled hash of its annotated tags."""
    try:
        text = (common / "packed-refs").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, {}
    refs: dict[str, str] = {}
    peeled: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("^"):
            if last:
                peeled[last] = line[1:].strip()
            continue
        sha, _, name = line.partition(" ")
        refs[name] = sha
        last = name
    return refs, peeled


def _loose_value(common: Path, name: str) -> str | None:
    """What the loose ref file ``name`` holds (a hash, or ``ref: <name>``), or None."""
    try:
        return (common / name).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _loose_under(common: Path, prefix: str, out: dict[str, str]) -> None:
    """Every loose ref under ``prefix`` (``refs/heads/``) into ``out``: name -> value."""
    try:
        entries = list(os.scandir(common / prefix))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            _loose_under(common, name + "/", out)
        elif not entry.name.endswith(".lock"):  # a ref being written by git
            value = _loose_value(common, name)
            if value is not None:
                out[name] = value


def _by_git(path: Path) -> dict[str, str] | None:
    """Branches and tags as ``git for-each-ref`` lists them (another ref backend)."""
    result = gitcmd.at(path).run(
        "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/tags/",
        check=False, timeout=60,
    )  # fmt: skip
    if not result.ok:
        return None
    pairs = (line.partition(" ") for line in result.stdout.splitlines() if line)
    return {name: sha for sha, _, name in pairs}


def _resolve_value(dirs: _GitDirs, value: str, packed: dict[str, str]) -> str | None:
    """Follow ``ref: <name>`` values to a hash (at most git's depth), or None."""
    for _ in range(_MAX_SYMREF_DEPTH):
        if not value.startswith(_SYMREF):
            return value
        name = value.removeprefix(_SYMREF).strip()
        found = _loose_value(dirs.common, name) or packed.get(name)
        if found is None:
            return None
        value = found
    return None


def ref_targets(path: Path) -> dict[str, str] | None:
    """Every branch and tag of the repository at ``path`` -> the object it points at.

    An annotated tag maps to the tag object, as git's ``for-each-ref`` lists it.
    None when ``path`` is not a git repository.
    """
    dirs = _git_dirs(path)
    if dirs is None:
        return None
    if (dirs.common / "reftable").is_dir():
        return _by_git(path)
    packed, _ = _packed(dirs.common)
    values = {n: s for n, s in packed.items() if n.startswith(_REF_PREFIXES)}
    for prefix in _REF_PREFIXES:
        _loose_under(dirs.common, prefix, values)
    targets = {}
    for name, value in values.items():
        sha = _resolve_value(dirs, value, packed)
        if sha is not None:
            targets[name] = sha
    return targets


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
    if _git_dirs(mirror) is None:
        return None
    result = gitcmd.at(mirror).run("config", "--get", "remote.origin.url", check=False)
    return result.stdout.strip() if result.ok and result.stdout.strip() else None


def _peel_by_git(path: Path, revision: str) -> str | None:
    """The commit ``revision`` designates, as ``git rev-parse REV^{commit}`` says, or None."""
    result = gitcmd.at(path).run(
        "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}",
        check=False, timeout=60,
    )  # fmt: skip
    sha = result.stdout.strip()
    return sha if result.ok and sha else None


def _ref_commit(
    path: Path, dirs: _GitDirs, full: str, packed_refs: tuple[dict[str, str], dict[str, str]]
) -> str | None:
    """The commit the ref ``full`` peels to; None when it does not exist or is no commit.

    ``packed_refs`` is :func:`_packed`'s answer for ``dirs`` (read once by the caller).
    A branch points at a commit (git's porcelain keeps it so) and is taken as is; a
    tag is peeled from ``packed-refs`` when packed, by git when loose (an annotated
    tag's object must be read).
    """
    packed, peeled = packed_refs
    loose = _loose_value(dirs.common, full)
    value = loose if loose is not None else packed.get(full)
    if value is None:
        return None
    sha = _resolve_value(dirs, value, packed)
    if sha is None:
        return None
    if full.startswith("refs/heads/"):
        return sha
    if loose is None and full in peeled:
        return peeled[full]
    return _peel_by_git(path, full)


def resolve_commit(mirror: Path, name: str) -> str | None:
    """The commit a branch, tag, ``HEAD`` or hash ``name`` designates in ``mirror``, or None.

    A branch wins over a tag of the same name, and both over anything else git
    would read ``name`` as (a hash, ``HEAD~2``): what these answers came from before,
    libgit2's lookup. On another ref backend, git's own order decides.
    """
    dirs = _git_dirs(mirror)
    if dirs is None:
        return None
    if not (dirs.common / "reftable").is_dir():
        packed_refs = _packed(dirs.common)
        for full in (f"refs/heads/{name}", f"refs/tags/{name}"):
            if full in packed_refs[0] or _loose_value(dirs.common, full) is not None:
                return _ref_commit(mirror, dirs, full, packed_refs)
        if name == "HEAD":
            head = _loose_value(dirs.own, "HEAD")
            if head is not None and head.startswith(_SYMREF):
                target = head.removeprefix(_SYMREF).strip()
                return _ref_commit(mirror, dirs, target, packed_refs)
        if not _HEX.fullmatch(name) and valid_ref_name(f"refs/heads/{name}"):
            return None  # a ref name that is not there (a retired branch): no process
    return _peel_by_git(mirror, name)


def valid_ref_name(full: str) -> bool:
    """Whether ``full`` (``refs/heads/stable/2024.1``) is a well-formed ref name.

    The rules of ``git-check-ref-format(1)``: no component starting with ``.`` or
    ending with ``.lock``; no ``..``, ``@{``, ``//``, ASCII control character, space,
    ``~ ^ : ? * [ \\``; not starting or ending with ``/``, not ending with ``.``;
    not ``@``.
    """
    if full == "@" or full.startswith("/") or full.endswith(("/", ".")):
        return False
    if ".." in full or "@{" in full or "//" in full or _BAD_REF_CHAR.search(full):
        return False
    return all(
        part and not part.startswith(".") and not part.endswith(".lock") for part in full.split("/")
    )


def resolve_full_ref(mirror: Path, full: str) -> str | None:
    """The commit the fully qualified ref ``full`` (``refs/tags/2024.2-eol``) peels to, or None.

    Unlike :func:`resolve_commit`, nothing else is tried: a branch is not taken for a
    tag of the same name, and a name is never read as a commit hash.
    """
    dirs = _git_dirs(mirror)
    if dirs is None:
        return None
    if (dirs.common / "reftable").is_dir():
        return _peel_by_git(mirror, full)
    return _ref_commit(mirror, dirs, full, _packed(dirs.common))


def commit_info(mirror: Path, sha: str) -> CommitInfo | None:
    """Hash, committer time, subject and author of commit ``sha`` (git ``log -1``), or None."""
    if _git_dirs(mirror) is None:
        return None
    result = gitcmd.at(mirror).run(
        "log", "-1", "--no-walk", f"--format=%H{_FIELD}%ct{_FIELD}%s{_FIELD}%an",
        "--end-of-options", sha, "--",
        check=False, timeout=60,
    )  # fmt: skip
    parts = result.stdout.rstrip("\n").split(_FIELD)
    if not result.ok or len(parts) != 4:
        return None
    return CommitInfo(parts[0], int(parts[1]), parts[2], parts[3])
