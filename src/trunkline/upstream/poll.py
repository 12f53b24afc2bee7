"""Commit discovery: which (upstream commit, distgit commit) pairs of a package are new.

The rules are DLRN's, made precise:

* never built: only the head of the followed branch (a new package does not
  rebuild its whole history);
* built before on the same branch: every commit after the last processed one,
  oldest first (``git rev-list last..head``); if the last one is no longer an
  ancestor of the head (upstream was force-pushed, or the pin moved), only the head;
* the branch changed (a new pin): only the head;
* a new distgit commit with no new upstream commit: the last upstream commit is
  built again with the new distgit;
* ``head_only``: only the newest of the new commits;
* a pair that already has a non-RETRY build is skipped (``is_processed``).

Refs are resolved in the bare mirrors: a branch, then a tag, then a commit
hash; a missing branch falls back to ``master``/``main`` when the builder allows
it (``fallback_to_master``), as DLRN does for projects without a stable branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trunkline.errors import CommandError, SourceError
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.process import run
from trunkline.upstream.mirror import GIT_ENV, git_dir_args
from trunkline.upstream.refs import CommitInfo, commit_info, resolve_commit

FALLBACK_BRANCHES = ("master", "main")
_SEP = "\x1f"


@dataclass(frozen=True)
class LastBuild:
    """The package's last processed (non-RETRY) build, where polling starts from."""

    commit_hash: str
    distro_hash: str
    commit_branch: str


@dataclass(frozen=True)
class Candidate:
    """One pair to build: an upstream commit with the distgit commit to build it with."""

    package: FollowedPackage
    commit: CommitInfo
    distro: CommitInfo
    commit_branch: str


ProcessedFn = Callable[[str, str], bool]


def _git(repo: Path, *args: str, bare: bool = True) -> str:
    prefix = git_dir_args(repo) if bare else ["git", "-C", str(repo)]
    return run([*prefix, *args], timeout=600, env=GIT_ENV).stdout


def _commits(
    repo: Path, *rev_args: str, bare: bool = True, path: str | None = None
) -> list[CommitInfo]:
    fmt = _SEP.join(("%H", "%ct", "%s", "%an"))
    args = ["log", f"--format={fmt}", *rev_args]
    if path:
        args += ["--", path]
    out = _git(repo, *args, bare=bare)
    commits = []
    for line in out.splitlines():
        parts = line.split(_SEP)
        if len(parts) == 4:
            commits.append(CommitInfo(parts[0], int(parts[1]), parts[2], parts[3]))
    return commits


def resolve_ref(mirror: Path, ref: str, *, fallback: bool) -> tuple[str, str]:
    """Resolve ``ref`` in a bare mirror to (commit hash, the ref actually followed).

    Raises:
        SourceError: neither the ref nor (with ``fallback``) master/main exists.
    """
    candidates = [ref, *(b for b in FALLBACK_BRANCHES if fallback and b != ref)]
    for name in candidates:
        sha = resolve_commit(mirror, name)
        if sha is not None:
            return sha, name
    for name in candidates:  # what libgit2 cannot resolve, git itself may (odd refs)
        for full in (f"refs/heads/{name}", f"refs/tags/{name}", name):
            result = run(
                [*git_dir_args(mirror), "rev-parse", "--verify", "--quiet", f"{full}^{{commit}}"],
                check=False,
                timeout=60,
                env=GIT_ENV,
            )
            if result.ok and result.stdout.strip():
                return result.stdout.strip(), name
    tried = ", ".join(repr(c) for c in candidates)
    raise SourceError(f"{mirror.name}: no branch, tag or commit {tried}")


def _is_ancestor(mirror: Path, old: str, new: str) -> bool:
    result = run(
        [*git_dir_args(mirror), "merge-base", "--is-ancestor", old, new],
        check=False,
        timeout=60,
        env=GIT_ENV,
    )
    return result.returncode == 0


def distgit_head(pkg: FollowedPackage, distgit: Path, *, fallback: bool) -> CommitInfo:
    """The distgit commit to build with: the branch head (or a local checkout's HEAD).

    With ``distgit_path`` (one repo holding many packages) it is the last commit
    touching that directory, so another package's change does not rebuild this one.
    """
    if pkg.local_distgit:
        commits = _commits(distgit, "-1", "HEAD", bare=False)
    else:
        sha, _ = resolve_ref(distgit, pkg.distro_branch, fallback=fallback)
        info = None if pkg.distgit_path else commit_info(distgit, sha)
        commits = [info] if info else _commits(distgit, "-1", sha, path=pkg.distgit_path)
    if not commits:
        raise SourceError(f"{pkg.name}: distgit has no commit on {pkg.distro_branch!r}")
    return commits[0]


def upstream_commits(
    mirror: Path, head: str, last: LastBuild | None, branch: str
) -> list[CommitInfo]:
    """Upstream commits after ``last`` up to ``head``, oldest first (see module rules)."""
    if last is None or last.commit_branch != branch or last.commit_hash == head:
        info = commit_info(mirror, head)
        return [info] if info else _commits(mirror, "-1", head)
    try:
        if not _is_ancestor(mirror, last.commit_hash, head):
            return _commits(mirror, "-1", head)
        return list(reversed(_commits(mirror, f"{last.commit_hash}..{head}")))
    except CommandError:
        return _commits(mirror, "-1", head)


def plan_package(
    pkg: FollowedPackage,
    upstream: Path | None,
    distgit: Path,
    last: LastBuild | None,
    *,
    head_only: bool,
    fallback_to_master: bool,
    is_processed: ProcessedFn,
) -> list[Candidate]:
    """The new pairs of one package, oldest first.

    Raises:
        SourceError: a followed branch does not exist, or git cannot read a mirror.
    """
    try:
        distro = distgit_head(pkg, distgit, fallback=fallback_to_master)
        if upstream is None:
            # distgit-only package: its sources live in the distgit; the distgit commit is
            # both halves of the pair.
            commits, branch = [distro], pkg.distro_branch
        else:
            head, branch = resolve_ref(upstream, pkg.source_branch, fallback=fallback_to_master)
            commits = upstream_commits(upstream, head, last, branch)
    except CommandError as exc:
        raise SourceError(f"{pkg.name}: cannot read its repositories: {exc.detail}") from None
    if head_only:
        commits = commits[-1:]
    done = (last.commit_hash, last.distro_hash) if last is not None else None
    return [
        Candidate(pkg, c, distro, branch)
        for c in commits
        if (c.commit_hash, distro.commit_hash) != done
        and not is_processed(c.commit_hash, distro.commit_hash)
    ]
