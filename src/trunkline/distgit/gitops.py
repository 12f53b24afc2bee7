"""The git operations the distgit tools share, all through the git CLI.

A distgit checkout carries remotes named as rdopkg names them (``upstream``,
``patches``, ``review-origin``, ``review-patches``); the patches live on a
branch ``<distgit-branch>-patches`` of the ``patches`` remote (or a local one).
Everything here runs ``git`` in the packager's checkout through
:func:`trunkline.gitcmd.checkout` (no editor, no terminal prompt), so errors
become one-line :class:`~trunkline.errors.CommandError`\\ s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import InputError, SourceError
from trunkline.rpmspec.adapter import SpecInfo


def rev_parse(repo: Path, ref: str) -> str | None:
    """The commit a ref points to, or None when it does not exist."""
    result = gitcmd.checkout(repo).run(
        "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False
    )
    return result.stdout.strip() if result.ok else None


def current_branch(repo: Path) -> str:
    """The checked-out branch.

    Raises:
        InputError: HEAD is detached.
    """
    result = gitcmd.checkout(repo).run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if not result.ok:
        raise InputError(f"{repo}: HEAD is detached; check out the distgit branch first")
    return result.stdout.strip()


def is_clean(repo: Path) -> bool:
    """True when tracked files have no changes (untracked files are ignored)."""
    return not gitcmd.checkout(repo).output("status", "--porcelain", "--untracked-files=no")


def ensure_clean(repo: Path) -> None:
    """Refuse to start on a distgit with uncommitted changes.

    Raises:
        InputError: tracked files are modified.
    """
    if not is_clean(repo):
        raise InputError(
            f"{repo}: the distgit has uncommitted changes; commit or discard them first"
        )


def remotes(repo: Path) -> list[str]:
    """Names of the configured remotes."""
    return gitcmd.checkout(repo).output("remote").split()


def config_value(repo: Path, key: str) -> str | None:
    """A git config value, or None when unset."""
    result = gitcmd.checkout(repo).run("config", "--get", key, check=False)
    return result.stdout.strip() if result.ok else None


def identity(repo: Path) -> tuple[str, str]:
    """The packager as git knows them (``user.name``, ``user.email``).

    Raises:
        InputError: either is unset.
    """
    name = config_value(repo, "user.name")
    email = config_value(repo, "user.email")
    if not name or not email:
        raise InputError(f"{repo}: git user.name and user.email must be set for the changelog")
    return name, email


def fetch(repo: Path, remote: str, *, tags: bool = False) -> None:
    """Fetch a remote (and its tags); a missing remote is not an error here.

    Raises:
        SourceError: the remote exists but cannot be fetched.
    """
    if remote not in remotes(repo):
        return
    args = ["fetch", "--quiet", remote]
    if tags:
        args.append("--tags")
    result = gitcmd.checkout(repo).run(*args, check=False)
    if not result.ok:
        lines = result.stderr.strip().splitlines() or ["no output"]
        raise SourceError(f"{repo}: cannot fetch remote '{remote}': {lines[-1]}")


@dataclass(frozen=True)
class Commit:
    """One commit of a patches branch."""

    sha: str
    subject: str


def commits(repo: Path, base: str, head: str) -> list[Commit]:
    """Commits in ``base..head``, oldest first, merges excluded."""
    out = gitcmd.checkout(repo).output(
        "log", "--reverse", "--no-merges", "--format=%H %s", f"{base}..{head}"
    )
    result = []
    for line in out.splitlines():
        sha, _, subject = line.partition(" ")
        result.append(Commit(sha, subject))
    return result


def version_tag(repo: Path, version: str) -> str:
    """The tag of an upstream version: ``VERSION``, ``vVERSION`` or ``VVERSION`` (rdopkg's
    ``version_tag_style`` order).

    Raises:
        InputError: no such tag.
    """
    for candidate in (version, f"v{version}", f"V{version}"):
        if rev_parse(repo, f"refs/tags/{candidate}"):
            return candidate
    raise InputError(
        f"{repo}: no upstream tag '{version}' or 'v{version}' (fetch the 'upstream' remote)"
    )


UPSTREAM_HEADS = ("upstream/master", "upstream/main", "upstream/HEAD")


def spec_upstream_ref(repo: Path, info: SpecInfo) -> str:
    """The upstream ref a spec packages, the way the spec itself says it.

    The version is the spec's ``%{upstream_version}`` when it defines one (RDO:
    ``%{version}%{?milestone}``, so ``10.0.0`` with ``%global milestone .0rc1`` is
    ``10.0.0.0rc1``), else Version + ``%{?milestone}``, as rdopkg's
    ``patches_base_ref``; its tag is ``V``, ``vV`` or ``VV`` (:func:`version_tag`).
    An RDO master distgit (``Version: XXX``) packages the upstream branch head.

    Raises:
        InputError: no such tag (or, on a master distgit, no upstream branch).
    """
    if info.placeholder:
        for head in UPSTREAM_HEADS:
            if rev_parse(repo, head):
                return head
        raise InputError(
            f"{info.path}: Version is DLRN's placeholder '{info.raw_version}' and the "
            "distgit has no upstream branch (fetch the 'upstream' remote or give a ref)"
        )
    version = info.upstream_version or info.version
    try:
        return version_tag(repo, version)
    except InputError:
        how = "%{upstream_version}" if version != info.version else "Version"
        raise InputError(
            f"{info.path}: no upstream tag '{version}' or 'v{version}' for the spec's "
            f"{how} (fetch the 'upstream' remote)"
        ) from None


def patches_branch_candidates(branch: str) -> list[str]:
    """``rpm-master`` → ``rpm-master-patches``, then ``rpm-patches`` (rdopkg's search order)."""
    parts = branch.split("-")
    return ["-".join(parts[:n]) + "-patches" for n in range(len(parts), 0, -1)]


def find_patches_ref(repo: Path, branch: str, *, local: bool, remote: str = "patches") -> str:
    """The patches branch of a distgit branch.

    Args:
        repo: the distgit.
        branch: the distgit branch (e.g. ``rpm-master``).
        local: use the local ``<branch>-patches`` instead of the remote one.
        remote: the patches remote name.

    Raises:
        InputError: no patches branch exists.
    """
    names = patches_branch_candidates(branch)
    for name in names:
        ref = f"refs/heads/{name}" if local else f"refs/remotes/{remote}/{name}"
        if rev_parse(repo, ref):
            return name if local else f"{remote}/{name}"
    where = "local branch" if local else f"remote '{remote}' branch"
    raise InputError(f"{repo}: no patches branch found (tried {where} {', '.join(names)})")
