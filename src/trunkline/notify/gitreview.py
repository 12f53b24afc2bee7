"""The ``git`` review driver: a review is a ref pushed to a plain git remote, no review server.

For a ``review-origin`` that is plain git (DLRN's ``submit_review.sh`` only pushes;
teams without Gerrit review pushed refs). The review of an FTBFS lives at
``refs/for/<branch>`` of that remote:

* **open**: the ``gerrit`` driver's creation (:mod:`.reviewpush`, one
  implementation): fetch the distgit branch, commit the REMOVEME line with the
  change's message, push to ``refs/for/<branch>`` itself (a plain remote has no
  push options: the ``gerrit`` driver's ``%topic=<topic>`` would become part of the
  ref's name), with the topic kept as a ``Topic:`` trailer before the
  ``Change-Id``. A ``refs/for/<branch>`` already holding a commit with the
  Change-Id is reused, not pushed again (a resend). Pushing replaces whatever
  ``refs/for/<branch>`` held (``+HEAD:``), as a new patch set would.
* **URL**: ``<remote>#refs/for/<branch>`` (:func:`review_url`), what a human needs
  to fetch it, and what :func:`parse_review_url` reads the remote and branch back
  from for state and abandon.
* **state**: ``merged`` when the newest :data:`MERGED_SEARCH` commits of the
  branch carry a ``Change-Id`` trailer with ours (someone amended the fix into the
  review commit and pushed it to the branch; the fix that closes an FTBFS is
  recent, so the bound only misses a merge more than that many commits before the
  ``ftbfs.fixed`` delivery); else ``open`` while ``refs/for/<branch>`` holds a
  commit with our Change-Id; else ``abandoned`` (deleted, or replaced by someone
  else's change). Merged is asked first: a merged change stays merged even when
  its ref was left behind.
* **abandon**: delete ``refs/for/<branch>`` with
  ``git push --force-with-lease=<ref>:<sha> <remote> :<ref>``, where ``<sha>`` is
  the commit just seen holding our Change-Id, so a newer change someone pushed
  there meanwhile is never deleted (the lease fails and the ref is left alone). A
  plain git remote has nowhere to keep the abandon comment: it is logged and
  returned, so the ``review`` channel's delivery result (``outbox_attempts``)
  records it.

``[notify.gerrit] topic`` and ``author`` apply (the topic trailer, the commit's
author): they describe the review commit, which both drivers make with the same
code; the Gerrit REST keys (``url``, ``user``, ``password_*``) are refused with
``review = "git"`` (:class:`~trunkline.config.NotifySettings`).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from trunkline import gitcmd
from trunkline.errors import CommandError, DeliveryError
from trunkline.notify.review import ReviewChange, ReviewRef, ReviewState
from trunkline.notify.reviewpush import change_ids, holder, push_change, scratch

log = logging.getLogger(__name__)

MERGED_SEARCH = 200  # commits of the distgit branch searched for a merged change
_FOR = "#refs/for/"


def review_url(remote: str, branch: str) -> str:
    """The URL of the review of ``branch`` on ``remote``: ``<remote>#refs/for/<branch>``."""
    return f"{remote}{_FOR}{branch}"


def parse_review_url(url: str) -> tuple[str, str]:
    """``(remote, branch)`` of a :func:`review_url` (split at its last ``#refs/for/``).

    Raises:
        DeliveryError: ``url`` is not ``<remote>#refs/for/<branch>`` (a review
            recorded by another driver).
    """
    remote, sep, branch = url.rpartition(_FOR)
    if not sep or not remote or not branch:
        raise DeliveryError(f"review URL {url!r} is not <remote>{_FOR}<branch> (git driver)")
    return remote, branch


def with_topic(message: str, topic: str) -> str:
    """``message`` with a ``Topic: <topic>`` trailer just before its ``Change-Id`` trailer."""
    lines = message.rstrip("\n").split("\n")
    at = max((i for i, ln in enumerate(lines) if ln.startswith("Change-Id: ")), default=None)
    if at is None:
        return "\n".join([*lines, "", f"Topic: {topic}"]) + "\n"
    return "\n".join([*lines[:at], f"Topic: {topic}", *lines[at:]]) + "\n"


@dataclass(frozen=True)
class GitReviewDriver:
    """Reviews as ``refs/for/<branch>`` of the package's plain git review remote.

    Attributes:
        git_timeout: seconds per git ls-remote, fetch and push.
    """

    git_timeout: float = 600.0

    def open(self, change: ReviewChange) -> ReviewRef:
        """Push ``change`` to ``refs/for/<branch>`` of its remote, or find it there.

        Raises:
            DeliveryError: fetch, commit or push failed (git's ``fatal:``/``!`` line).
        """
        target = f"refs/for/{change.branch}"
        push_change(
            dataclasses.replace(change, message=with_topic(change.message, change.topic)),
            target=target,
            reuse=lambda ref: ref == target,
            timeout=self.git_timeout,
        )
        return ReviewRef(change.change_id, review_url(change.remote, change.branch))

    def state(self, ref: ReviewRef) -> ReviewState:
        """``merged``, ``open`` or ``abandoned`` (see the module for the rules).

        Raises:
            DeliveryError: the remote could not be read, or the URL is not this driver's.
        """
        remote, branch = parse_review_url(ref.url)
        timeout = self.git_timeout
        try:
            with scratch(timeout=timeout) as tmp:
                git = gitcmd.at(tmp)
                git.run(
                    "fetch", "-q", "--no-tags", "--depth", str(MERGED_SEARCH), "--", remote,
                    f"refs/heads/{branch}", timeout=timeout,
                )  # fmt: skip
                if ref.id in change_ids(git, "FETCH_HEAD", count=MERGED_SEARCH):
                    return "merged"
                if holder(git, remote, f"refs/for/{branch}", ref.id, timeout=timeout):
                    return "open"
                return "abandoned"
        except CommandError as exc:
            raise DeliveryError(f"review {remote}: {exc.detail}") from None

    def abandon(self, ref: ReviewRef, comment: str) -> str:
        """Delete ``refs/for/<branch>`` if it still holds our change; the comment, for the record.

        Returns:
            What became of the review and its comment, for the delivery result.

        Raises:
            DeliveryError: the remote could not be read or refused the deletion.
        """
        remote, branch = parse_review_url(ref.url)
        target = f"refs/for/{branch}"
        try:
            with scratch(timeout=self.git_timeout) as tmp:
                git = gitcmd.at(tmp)
                sha = holder(git, remote, target, ref.id, timeout=self.git_timeout)
                if sha is None:
                    done = f"{target} no longer holds {ref.id}: nothing deleted"
                else:
                    done = self._delete(git, remote, target, sha)
        except CommandError as exc:
            raise DeliveryError(f"review {remote}: {exc.detail}") from None
        log.info("review %s on %s: %s; comment (a plain git remote keeps none): %s",
                 ref.id, remote, done, comment)  # fmt: skip
        return f"{done}; comment not stored by a plain git remote: {comment}"

    def _delete(self, git: gitcmd.Git, remote: str, target: str, sha: str) -> str:
        """Delete ``target`` on ``remote`` if it still points at ``sha``; what happened.

        Raises:
            DeliveryError: the push failed for another reason than a moved ref.
        """
        pushed = git.run(
            "push", "--porcelain", f"--force-with-lease={target}:{sha}", "--", remote,
            f":{target}", timeout=self.git_timeout, check=False,
        )  # fmt: skip
        said = pushed.stdout + pushed.stderr
        if pushed.ok:
            return f"deleted {target} ({sha[:12]})"
        if "stale info" in said:  # the lease: someone pushed another change there meanwhile
            return f"{target} moved away from {sha[:12]}: left alone"
        last = [ln for ln in said.splitlines() if ln.strip()][-1:] or ["push failed"]
        raise DeliveryError(f"review {remote}: deleting {target}: {last[0].strip()}")
