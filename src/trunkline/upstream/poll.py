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
* ``tags_only`` (rdoinfo ``build-tags-only``): the same, keeping only commits a
  tag points at, on the first-parent line (DLRN's ``git log --simplify-by-decoration
  --first-parent``); never built: the newest tagged commit, not the head;
* a pair that already has a non-RETRY build is skipped (``is_processed``).

The upstream ref is resolved through its retirement chain (``branches.py``):
``stable/X`` -> ``unmaintained/X`` -> ``X-eol`` -> ``X-eom`` -> master only with
``fallback_to_master``. Moving along the chain continues the same history (the
commits after the last build, not a restart), and a step that does not hold the
last build (``X-eom`` after ``unmaintained/X`` commits, or a commit the mirror no
longer has) builds nothing: a retired branch never publishes older code. A
distgit's missing ``*-rdo`` branch falls back to ``rpm-master`` only with
``fallback_to_master`` (DLRN).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import CommandError, SourceError
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.upstream.branches import FollowedRef, Step, distgit_chain, follow, tried
from trunkline.upstream.refs import CommitInfo, commit_info, resolve_commit

_SEP = "\x1f"
_FORMAT = _SEP.join(("%H", "%ct", "%s", "%an"))


@dataclass(frozen=True)
class LastBuild:
    """The package's last processed (non-RETRY) build, where polling starts from."""

    commit_hash: str
    distro_hash: str
    commit_branch: str


@dataclass(frozen=True)
class Candidate:
    """One pair to build: an upstream commit with the distgit commit to build it with.

    Attributes:
        commit_branch: the ref actually followed (DLRN's ``commit_branch``): after a
            retirement, ``unmaintained/X`` or ``X-eol`` rather than ``stable/X``.
        wanted_branch: the ref the metadata names (``source_branch``), recorded beside it.
    """

    package: FollowedPackage
    commit: CommitInfo
    distro: CommitInfo
    commit_branch: str
    wanted_branch: str = ""


@dataclass(frozen=True)
class PackagePlan:
    """What polling one package found: the pairs to build and the refs followed.

    ``followed`` (the upstream ref) is None for a distgit-only package.
    """

    candidates: list[Candidate] = field(default_factory=list)
    followed: FollowedRef | None = None
    distgit: FollowedRef | None = None


ProcessedFn = Callable[[str, str], bool]


def _parse(out: str, *, tagged_only: bool = False) -> list[CommitInfo]:
    commits = []
    for line in out.splitlines():
        parts = line.split(_SEP)
        if len(parts) < 4 or (tagged_only and "tag: " not in _SEP.join(parts[4:])):
            continue
        commits.append(CommitInfo(parts[0], int(parts[1]), parts[2], parts[3]))
    return commits


def _commits(
    repo: Path, *rev_args: str, bare: bool = True, path: str | None = None
) -> list[CommitInfo]:
    args = ["log", f"--format={_FORMAT}", *rev_args]
    if path:
        args += ["--", path]
    git = gitcmd.bare(repo) if bare else gitcmd.at(repo)
    return _parse(git.run(*args).stdout)


def _tagged_commits(mirror: Path, *rev_args: str) -> list[CommitInfo]:
    """Commits a tag points at on the first-parent line of ``rev_args``, newest first.

    ``--decorate-refs=refs/tags/`` keeps branch heads out of both the decoration and
    ``--simplify-by-decoration``; the ``tag: `` filter keeps the answer right on a git
    that applies the option to the decoration only.
    """
    out = (
        gitcmd.bare(mirror)
        .run(
            "log",
            "--first-parent",
            "--simplify-by-decoration",
            "--decorate-refs=refs/tags/",
            f"--format={_FORMAT}{_SEP}%D",
            *rev_args,
        )
        .stdout
    )
    return _parse(out, tagged_only=True)


def resolve_ref(mirror: Path, ref: str, *, fallback: bool, pinned: bool = False) -> tuple[str, str]:
    """Resolve ``ref`` in a bare mirror to (commit hash, the ref actually followed).

    The retirement chain of ``branches.py`` applies (``stable/X`` -> ``unmaintained/X``
    -> ``X-eol`` -> ``X-eom`` -> master/main with ``fallback``, never for a pin).

    Raises:
        SourceError: no step of the chain exists.
    """
    found = follow(mirror, ref, pinned=pinned, fallback_to_master=fallback)
    if found is None:
        raise SourceError(_missing(mirror.name, ref, pinned=pinned, fallback=fallback))
    return found.commit, found.ref


def _missing(where: str, ref: str, *, pinned: bool, fallback: bool) -> str:
    names = tried(ref, pinned=pinned, fallback_to_master=fallback)
    why = (
        " (a source-branch pin never falls back)"
        if pinned
        else ""
        if fallback
        else " (builder.fallback_to_master is off)"
    )
    return f"{where}: no branch, tag or commit {names}{why}"


def _is_ancestor(mirror: Path, old: str, new: str) -> bool:
    git = gitcmd.bare(mirror)
    return git.run("merge-base", "--is-ancestor", old, new, check=False, timeout=60).returncode == 0


def distgit_ref(pkg: FollowedPackage, distgit: Path, *, fallback: bool) -> FollowedRef:
    """The distgit branch followed and the commit it points at (refs only, for a mirror).

    The branch head (or a local checkout's HEAD). A missing ``*-rdo`` branch falls
    back to ``rpm-master`` only with ``fallback`` (DLRN).

    Raises:
        SourceError: the branch (and its fallback) does not exist, or has no commit.
    """
    if pkg.local_distgit:
        commits = _commits(distgit, "-1", "HEAD", bare=False)
        if not commits:
            raise SourceError(f"{pkg.name}: distgit has no commit on {pkg.distro_branch!r}")
        branch, sha = pkg.distro_branch, commits[0].commit_hash
    else:
        chain = distgit_chain(pkg.distro_branch, fallback_to_master=fallback)
        found = next(((b, s) for b in chain if (s := resolve_commit(distgit, b))), None)
        if found is None:
            names = ", ".join(repr(b) for b in chain)
            raise SourceError(f"{pkg.name}: distgit has no branch {names}")
        branch, sha = found
    step = Step.WANTED if branch == pkg.distro_branch else Step.MASTER
    return FollowedRef(pkg.distro_branch, branch, sha, step, (pkg.distro_branch,))


def distgit_commit(pkg: FollowedPackage, distgit: Path, ref: FollowedRef) -> CommitInfo:
    """The distgit commit to build with: the head of ``ref``, or with ``distgit_path``
    (one repo holding many packages) the last commit touching that directory, so
    another package's change does not rebuild this one.

    Raises:
        SourceError: no commit (``distgit_path`` never touched on that branch).
    """
    if pkg.local_distgit:
        commits = _commits(distgit, "-1", ref.commit, bare=False)
    elif pkg.distgit_path:
        commits = _commits(distgit, "-1", ref.commit, path=pkg.distgit_path)
    else:
        info = commit_info(distgit, ref.commit)
        commits = [info] if info else _commits(distgit, "-1", ref.commit)
    if not commits:
        raise SourceError(f"{pkg.name}: distgit has no commit on {pkg.distro_branch!r}")
    return commits[0]


def _nothing_new(
    pkg: FollowedPackage, last: LastBuild | None, followed: FollowedRef | None, dist: FollowedRef
) -> bool:
    """True when the heads are the last build's own pair: the plan is empty, no commit read.

    What :func:`plan_package` would find the long way (its only candidate would be
    the pair already built), known from the refs alone; not for the forms whose
    pair is not the two heads (``distgit_path``: the last commit touching a folder;
    ``tags_only``: the newest tag; a local checkout).
    """
    if last is None or pkg.distgit_path or pkg.tags_only or pkg.local_distgit:
        return False
    head = followed.commit if followed is not None else dist.commit
    return (last.commit_hash, last.distro_hash) == (head, dist.commit)


def _head(mirror: Path, head: str, *, tags_only: bool) -> list[CommitInfo]:
    if tags_only:
        return _tagged_commits(mirror, head)[:1]
    info = commit_info(mirror, head)
    return [info] if info else _commits(mirror, "-1", head)


def upstream_commits(
    mirror: Path,
    followed: FollowedRef,
    last: LastBuild | None,
    *,
    tags_only: bool = False,
) -> list[CommitInfo]:
    """Upstream commits after ``last`` up to the followed ref's head, oldest first.

    See the module rules; a retirement step continues the history of the ref it
    replaces, and one that does not hold the last build yields nothing.
    """
    head = followed.commit
    if last is None or last.commit_hash == head:
        return _head(mirror, head, tags_only=tags_only)
    same_line = last.commit_branch == followed.ref or (
        followed.ref in followed.line and last.commit_branch in followed.line
    )
    if not same_line:
        return _head(mirror, head, tags_only=tags_only)
    try:
        if not _is_ancestor(mirror, last.commit_hash, head):
            if followed.retired:
                return []  # a retired line that does not hold the last build is not newer
            return _head(mirror, head, tags_only=tags_only)
        span = f"{last.commit_hash}..{head}"
        if not tags_only:
            return list(reversed(_commits(mirror, span)))
        tagged = list(reversed(_tagged_commits(mirror, span)))
        # no new tag: the last build again, which a new distgit commit rebuilds
        return tagged or _head(mirror, last.commit_hash, tags_only=False)
    except CommandError:
        return _head(mirror, head, tags_only=tags_only)


def plan_package(
    pkg: FollowedPackage,
    upstream: Path | None,
    distgit: Path,
    last: LastBuild | None,
    *,
    head_only: bool,
    fallback_to_master: bool,
    is_processed: ProcessedFn,
) -> PackagePlan:
    """The new pairs of one package, oldest first, and the upstream ref followed.

    Raises:
        SourceError: a followed ref (and every step of its chain) does not exist, or
            git cannot read a mirror.
    """
    followed: FollowedRef | None = None
    try:
        dist_ref = distgit_ref(pkg, distgit, fallback=fallback_to_master)
        if upstream is not None:
            followed = follow(
                upstream,
                pkg.source_branch,
                pinned=pkg.source_pinned,
                fallback_to_master=fallback_to_master,
            )
            if followed is None:
                raise SourceError(
                    _missing(
                        f"{pkg.name}: upstream",
                        pkg.source_branch,
                        pinned=pkg.source_pinned,
                        fallback=fallback_to_master,
                    )
                )
        if _nothing_new(pkg, last, followed, dist_ref):
            return PackagePlan([], followed, dist_ref)
        distro = distgit_commit(pkg, distgit, dist_ref)
        if followed is None:
            # distgit-only package: its sources live in the distgit; the distgit commit is
            # both halves of the pair.
            commits, branch, wanted = [distro], dist_ref.ref, dist_ref.wanted
        else:
            assert upstream is not None
            commits = upstream_commits(upstream, followed, last, tags_only=pkg.tags_only)
            branch, wanted = followed.ref, followed.wanted
    except CommandError as exc:
        raise SourceError(f"{pkg.name}: cannot read its repositories: {exc.detail}") from None
    if head_only:
        commits = commits[-1:]
    done = (last.commit_hash, last.distro_hash) if last is not None else None
    candidates = [
        Candidate(pkg, c, distro, branch, wanted)
        for c in commits
        if (c.commit_hash, distro.commit_hash) != done
        and not is_processed(c.commit_hash, distro.commit_hash)
    ]
    return PackagePlan(candidates, followed, dist_ref)
