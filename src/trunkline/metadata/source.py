"""Turn a metadata location (directory, git URL or path @ ref, tarball) into a local tree.

Every location ends up as a directory to read plus a *content identity* that the
cache keys on: for a plain directory (a work tree included, uncommitted edits
and all) the identity is the directory itself and freshness is checked with
file stats; for a git ref it is the ref's tree hash, so an unchanged tree is
never re-parsed and a changed one never served stale. Git work happens through
:mod:`trunkline.gitcmd` in a mirror under the cache directory. The modules
only git and tarball locations need (``gitcmd``, ``tarfile``, ``shutil``,
``tempfile``, ``hashlib``) are imported where used: a warm query pays for none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from trunkline.errors import CommandError, MetadataLoadError

TARBALL_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")
_SHA_RE = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class GitTree:
    """A git tree to read: the repository holding it and the resolved commit/tree.

    Attributes:
        repo: path of the repository (a work tree or a bare mirror).
        commit: the resolved commit hash.
        tree: the tree hash of that commit (the cache identity).
    """

    repo: Path
    commit: str
    tree: str


@contextmanager
def _failing_as_metadata(where: Path | str, what: str) -> Iterator[None]:
    """Turn git's failure into the loader's error: ``WHERE: git WHAT failed: REASON``."""
    try:
        yield
    except CommandError as exc:
        raise MetadataLoadError(f"{where}: git {what} failed: {exc.detail}") from None


def is_url(location: str) -> bool:
    """True for a remote git location (``scheme://`` or scp-like ``user@host:path``)."""
    return "://" in location or re.match(r"^[\w.-]+@[\w.-]+:", location) is not None


def split_ref(location: str) -> tuple[str, str | None]:
    """Split ``DIR|URL[@REF]`` into location and ref.

    The ``@`` of ``user@host`` (ssh URLs) is not a ref separator: a ref follows
    the path part of the URL.
    """
    base, sep, ref = location.rpartition("@")
    if not sep or not base or not ref:
        return location, None
    if Path(base).exists():
        return base, ref
    if "://" in base:
        after_scheme = base.split("://", 1)[1]
        return (base, ref) if "/" in after_scheme else (location, None)
    if re.match(r"^[\w.-]+@[\w.-]+:", base) or not re.match(r"^[\w.-]+@", location):
        return base, ref
    return location, None


def resolve_git(repo: Path, ref: str) -> GitTree:
    """Resolve ``ref`` in ``repo`` to its commit and tree.

    Raises:
        MetadataLoadError: the ref does not exist.
    """
    from trunkline import gitcmd  # here: a warm query runs no git

    try:
        out = gitcmd.at(repo).output("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", timeout=60)
    except CommandError:
        raise MetadataLoadError(
            f"{repo}: ref {ref!r} not found (expected a branch, tag or commit)"
        ) from None
    with _failing_as_metadata(repo, "rev-parse"):
        tree = gitcmd.at(repo).output("rev-parse", f"{out}^{{tree}}")
    return GitTree(repo, out, tree)


def mirror_remote(url: str, ref: str, cache_dir: Path) -> GitTree:
    """Clone or update a bare mirror of ``url`` under the cache and resolve ``ref``.

    A full commit hash already present is used without fetching; anything else
    (a branch, a tag, HEAD) is fetched first so it is never stale.
    """
    import hashlib
    import shutil
    import tempfile

    from trunkline import gitcmd

    mirror = cache_dir / "git" / (hashlib.sha256(url.encode()).hexdigest()[:16] + ".git")
    if not (mirror / "HEAD").exists():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="clone-", dir=mirror.parent))
        try:
            clone = ("clone", "--quiet", "--mirror", url, str(tmp / "m.git"))
            gitcmd.NOWHERE.run(*clone, timeout=1800)
        except CommandError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise MetadataLoadError(f"{url}: git clone failed: {exc.detail}") from None
        shutil.rmtree(mirror, ignore_errors=True)
        (tmp / "m.git").rename(mirror)
        shutil.rmtree(tmp, ignore_errors=True)
        return resolve_git(mirror, ref)
    if _SHA_RE.fullmatch(ref):
        try:
            return resolve_git(mirror, ref)
        except MetadataLoadError:
            pass
    git = gitcmd.at(mirror)
    with _failing_as_metadata(mirror, "remote"):
        git.run("remote", "set-url", "origin", url)
    with _failing_as_metadata(mirror, "fetch"):
        git.run("fetch", "--quiet", "--prune", "origin", timeout=1800)
    return resolve_git(mirror, ref)


@contextmanager
def checkout_tree(tree: GitTree, scratch: Path) -> Iterator[Path]:
    """Extract a commit into a temporary directory under ``scratch`` (removed afterwards)."""
    import shutil
    import tempfile

    from trunkline import gitcmd

    scratch.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="tree-", dir=scratch))
    try:
        archive = tmp / "tree.tar"
        with _failing_as_metadata(tree.repo, "archive"):
            gitcmd.at(tree.repo).run("archive", "--format=tar", "-o", str(archive), tree.commit)
        import tarfile

        with tarfile.open(archive) as tar:
            tar.extractall(tmp / "root", filter="data")
        yield tmp / "root"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def is_tarball(path: Path) -> bool:
    """True for a regular file named like a tarball."""
    return path.is_file() and path.name.endswith(TARBALL_SUFFIXES)


def extract_tarball(path: Path, cache_dir: Path, info_file: str) -> Path:
    """Extract a tarball once per content version and return the metadata root inside it.

    The extraction directory is named after (path, size, mtime), so a changed
    tarball is extracted again. A single top-level directory holding
    ``info_file`` is descended into (``rdoinfo-master/rdo.yml``).

    Raises:
        MetadataLoadError: not a readable tarball.
    """
    import hashlib
    import shutil
    import tarfile
    import tempfile

    st = path.stat()
    ident = f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}"
    dest = cache_dir / "tarballs" / hashlib.sha256(ident.encode()).hexdigest()[:24]
    if not dest.is_dir():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="x-", dir=dest.parent))
        try:
            with tarfile.open(path) as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise MetadataLoadError(f"{path}: cannot extract tarball: {exc}") from None
        try:
            tmp.rename(dest)
        except OSError:  # a concurrent extraction won
            shutil.rmtree(tmp, ignore_errors=True)
    if not (dest / info_file).exists():
        subdirs = [p for p in dest.iterdir() if p.is_dir()]
        if len(subdirs) == 1 and (subdirs[0] / info_file).exists():
            return subdirs[0]
    return dest
