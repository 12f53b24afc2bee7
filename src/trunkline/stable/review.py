"""Proposals in a Gerrit-style review remote: their Change-Id, finding them, pushing them.

A proposal is one commit pushed to ``refs/for/<branch>%topic=<topic>`` (Gerrit's
magic ref; the ``%topic=`` suffix is Gerrit's way of setting the topic in the ref,
and a plain git remote keeps it as a ref of that name). Its ``Change-Id`` is derived
from (package, branch, version), so a second run makes the same one and finds the
first: a proposal is *open* when a ref under ``refs/for/`` or ``refs/changes/`` of
the review remote holds a commit with that Change-Id, and *merged* when the
distgit branch itself does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import CommandError, SourceError
from trunkline.releasetime.remote import push, remote_refs

REVIEW_PREFIXES = ("refs/for/", "refs/changes/")


def change_id(package: str, branch: str, version: str) -> str:
    """Gerrit's ``I<40 hex>`` for the update of ``package`` on ``branch`` to ``version``."""
    return "I" + hashlib.sha1(f"{package}\n{branch}\n{version}".encode()).hexdigest()  # noqa: S324


def topic(release: str, version: str) -> str:
    """The review topic of an update: ``<release>-update-<version>``."""
    return f"{release}-update-{version}"


def _has_change_id(clone: Path, rev: str, cid: str) -> bool:
    result = gitcmd.checkout(clone).run("log", "-1", "--format=%B", rev, check=False)
    return result.ok and f"Change-Id: {cid}" in result.stdout.splitlines()


def merged(clone: Path, cid: str) -> bool:
    """True when the checked-out branch's history has a commit with Change-Id ``cid``."""
    out = gitcmd.checkout(clone).output("log", "--format=%H", f"--grep=^Change-Id: {cid}$")
    return bool(out.strip())


def open_proposal(clone: Path, review_url: str, cid: str) -> str | None:
    """The review ref holding Change-Id ``cid``, or None when it was never proposed.

    Raises:
        SourceError: the review remote cannot be read.
    """
    refs = {
        name: sha
        for name, sha in remote_refs(review_url).items()
        if name.startswith(REVIEW_PREFIXES)
    }
    if not refs:
        return None
    try:
        gitcmd.checkout(clone).run(
            "fetch",
            "--quiet",
            review_url,
            *(f"+{name}:refs/review/{i}" for i, name in enumerate(refs)),
        )
    except CommandError as exc:
        raise SourceError(f"{review_url}: cannot fetch the review refs: {exc.detail}") from None
    for name, sha in sorted(refs.items()):
        if _has_change_id(clone, sha, cid):
            return name
    return None


def push_for_review(clone: Path, review_url: str, branch: str, topic_name: str) -> str:
    """Push HEAD of ``clone`` for review on ``branch``; returns the ref pushed to.

    Raises:
        SourceError: the push was refused.
    """
    ref = f"refs/for/{branch}%topic={topic_name}"
    push(clone, review_url, "HEAD", ref)
    return ref
