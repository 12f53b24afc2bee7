"""What release time and stable proposals ask of remote git repositories, through gitcmd.

Remote state is read with ``git ls-remote`` (no clone); commits are pushed from a
local repository that has them (the builder's bare mirrors, a scratch clone).
Every failure is one line: :class:`~trunkline.errors.SourceError` naming the URL.
"""

from __future__ import annotations

from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import CommandError, SourceError

TIMEOUT = 300.0  # seconds for one ls-remote or push


def _url(url: str) -> str:
    if not url or url.startswith("-"):
        raise SourceError(f"{url!r}: not a git URL")
    return url


def remote_refs(url: str, *patterns: str) -> dict[str, str]:
    """``ref name -> commit`` of the remote refs matching ``patterns`` (all refs without).

    Annotated tags are given by the commit they point to (the peeled ``^{}`` line).

    Raises:
        SourceError: the remote cannot be read.
    """
    try:
        out = gitcmd.NOWHERE.output("ls-remote", _url(url), *patterns, timeout=TIMEOUT)
    except CommandError as exc:
        raise SourceError(f"{url}: cannot list refs: {exc.detail}") from None
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        if name.endswith("^{}"):
            refs[name[:-3]] = sha  # the peeled commit wins over the tag object
        else:
            refs.setdefault(name, sha)
    return refs


def branch_head(url: str, branch: str) -> str | None:
    """The commit ``branch`` points to on the remote, or None when it has no such branch.

    Raises:
        SourceError: the remote cannot be read.
    """
    return remote_refs(url, f"refs/heads/{branch}").get(f"refs/heads/{branch}")


def push(repo: Path, url: str, source: str, target_ref: str) -> None:
    """Push ``source`` (a commit or ref of the local ``repo``) to ``target_ref`` of ``url``.

    Raises:
        SourceError: the push was refused or the remote cannot be reached (git's reason).
    """
    try:
        gitcmd.at(repo).run("push", "--quiet", _url(url), f"{source}:{target_ref}", timeout=TIMEOUT)
    except CommandError as exc:
        raise SourceError(f"{url}: cannot push {target_ref}: {exc.detail}") from None


def fetch_commit(repo: Path, url: str, branch: str, sha: str) -> None:
    """Bring ``sha`` (the head of ``branch`` at ``url``) into ``repo`` when it lacks it.

    Fetched into ``FETCH_HEAD`` only: no ref of ``repo`` moves (a builder's mirror stays
    as its builder left it). A failure is not raised: the caller then finds no ancestry.
    """
    git = gitcmd.at(repo)
    if git.run("cat-file", "-e", f"{sha}^{{commit}}", check=False, timeout=TIMEOUT).ok:
        return
    git.run("fetch", "--quiet", _url(url), f"refs/heads/{branch}", check=False, timeout=TIMEOUT)


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    """True when both commits are in ``repo`` and ``ancestor`` is reachable from ``descendant``."""
    result = gitcmd.at(repo).run(
        "merge-base", "--is-ancestor", ancestor, descendant, check=False, timeout=TIMEOUT
    )
    return result.ok


def default_branch(url: str) -> str | None:
    """The branch the remote's HEAD names (``master``, ``main``), or None when it names none.

    Raises:
        SourceError: the remote cannot be read.
    """
    try:
        out = gitcmd.NOWHERE.output("ls-remote", "--symref", _url(url), "HEAD", timeout=TIMEOUT)
    except CommandError as exc:
        raise SourceError(f"{url}: cannot list refs: {exc.detail}") from None
    for line in out.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            return line.removeprefix("ref: refs/heads/").removesuffix("\tHEAD")
    return None
