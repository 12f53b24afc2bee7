"""The git side of a review: DLRN's REMOVEME commit on the distgit branch, pushed for review.

One implementation for the drivers that open a review with ``git push``: the
``gerrit`` driver pushes to ``refs/for/<branch>%topic=<topic>`` (Gerrit reads what
follows ``%`` as push options), the ``git`` driver to ``refs/for/<branch>`` of a
plain remote. :func:`push_change` does what ``git review`` does, each step a git
process in a throwaway repository: look for a ref already holding a commit with
the change's ``Change-Id`` (a resend after a kill between the push and its
record), else fetch the distgit branch (depth 1), commit the REMOVEME line with the
change's message and push it. :func:`holder` reads which commit a remote ref holds
and whether its ``Change-Id`` trailer is ours (git's own trailer parsing).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import CommandError, DeliveryError
from trunkline.notify.review import ReviewChange


@dataclass(frozen=True)
class Pushed:
    """What :func:`push_change` left on the remote.

    Attributes:
        ref: the remote ref holding the change (the one found, or the push target).
        sha: the change's commit (40 hex digits).
        said: ``git push``'s stdout and stderr (Gerrit's ``remote:`` lines); empty
            when an existing change was reused and nothing was pushed.
        reused: the remote already held the change: nothing was pushed.
    """

    ref: str
    sha: str
    said: str
    reused: bool


@contextmanager
def scratch(*, timeout: float) -> Iterator[Path]:
    """An empty repository in a temporary directory (removed on exit), to fetch into.

    Raises:
        CommandError: ``git init`` failed.
    """
    with tempfile.TemporaryDirectory(prefix="trunkline-review-") as tmp:
        gitcmd.NOWHERE.run("init", "-q", tmp, timeout=timeout)
        yield Path(tmp)


def change_ids(git: gitcmd.Git, rev: str, *, count: int = 1) -> set[str]:
    """The ``Change-Id`` trailers of the ``count`` newest commits of ``rev`` (fetched)."""
    out = git.output("log", f"-{count}", "--format=%(trailers:key=Change-Id,valueonly)", rev)
    return set(out.split())


def holder(git: gitcmd.Git, remote: str, ref: str, change_id: str, *, timeout: float) -> str | None:
    """The commit ``ref`` of ``remote`` holds if its ``Change-Id`` is ``change_id``, else None.

    None too when the remote has no such ref. ``git`` is a scratch repository.

    Raises:
        CommandError: the remote could not be listed or fetched.
    """
    listing = git.output("ls-remote", "--", remote, ref, timeout=timeout)
    # ls-remote matches patterns against the refs' tails: keep the exact name only
    sha = next(
        (ln.partition("\t")[0] for ln in listing.splitlines() if ln.endswith(f"\t{ref}")), ""
    )
    return sha if sha and _carries(git, remote, ref, change_id, timeout) else None


def _carries(git: gitcmd.Git, remote: str, ref: str, change_id: str, timeout: float) -> bool:
    git.run("fetch", "-q", "--no-tags", "--depth", "1", "--", remote, ref, timeout=timeout)
    return change_id in change_ids(git, "FETCH_HEAD")


def _existing(
    git: gitcmd.Git, change: ReviewChange, reuse: Callable[[str], bool], timeout: float
) -> Pushed | None:
    """The ref under ``refs/for/`` of the remote that ``reuse`` accepts and holds our change."""
    listing = git.output("ls-remote", "--", change.remote, "refs/for/*", timeout=timeout)
    for line in listing.splitlines():
        sha, _, ref = line.partition("\t")
        if reuse(ref) and _carries(git, change.remote, ref, change.change_id, timeout):
            return Pushed(ref, sha, "", reused=True)
    return None


def _commit(git: gitcmd.Git, work: Path, change: ReviewChange) -> None:
    """DLRN's commit: the REMOVEME line appended to the spec (an empty commit without one)."""
    specs = sorted(work.glob("*.spec"))
    if specs:
        text = specs[0].read_text(encoding="utf-8")
        sep = "" if text.endswith("\n") or not text else "\n"
        specs[0].write_text(f"{text}{sep}{change.spec_note}\n", encoding="utf-8")
        git.run("add", "--", specs[0].name)
        git.run("commit", "-q", "-F", "-", input_text=change.message)
    else:
        git.run("commit", "-q", "--allow-empty", "-F", "-", input_text=change.message)


def push_change(
    change: ReviewChange, *, target: str, reuse: Callable[[str], bool], timeout: float
) -> Pushed:
    """Push ``change`` as ``+HEAD:<target>`` to its remote, or find it already there.

    Args:
        change: what to commit, on which branch of which remote, as whom.
        target: the ref pushed to (``refs/for/<branch>`` and, for Gerrit, ``%topic=...``).
        reuse: which ``refs/for/...`` refs of a plain remote may hold an earlier push
            of the change (a ref that holds a commit with its Change-Id is reused).
        timeout: seconds per git fetch and push.

    Raises:
        DeliveryError: fetch, commit or push failed (git's ``fatal:``/``!`` line). A
            push Gerrit refuses with "no new changes" (the same commit) is no failure.
    """
    try:
        with scratch(timeout=timeout) as work:
            git = gitcmd.at(work).with_env(
                **gitcmd.identity(
                    change.author_name, change.author_email, date=f"@{change.date} +0000"
                )
            )
            existing = _existing(git, change, reuse, timeout)
            if existing is not None:
                return existing
            git.run(
                "fetch", "-q", "--no-tags", "--depth", "1", "--", change.remote,
                f"refs/heads/{change.branch}", timeout=timeout,
            )  # fmt: skip
            git.run("checkout", "-q", "--detach", "FETCH_HEAD")
            _commit(git, work, change)
            sha = git.output("rev-parse", "HEAD")
            pushed = git.run(
                "push", "--", change.remote, f"+HEAD:{target}", timeout=timeout, check=False
            )
    except CommandError as exc:
        raise DeliveryError(f"review {change.remote}: {exc.detail}") from None
    said = pushed.stdout + pushed.stderr
    if not pushed.ok and "no new changes" not in said:
        last = [ln for ln in said.splitlines() if ln.strip()][-1:] or ["push failed"]
        raise DeliveryError(f"review push to {change.remote}: {last[0].strip()}")
    return Pushed(target, sha, said, reused=False)
