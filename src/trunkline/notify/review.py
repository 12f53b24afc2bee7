"""The ``review`` channel: a review on the distgit for each FTBFS, abandoned when fixed.

What RDO's DLRN does (``scripts/submit_review.sh``): on FTBFS it commits a
``# REMOVEME: error caused by commit <url>`` line to the spec file on the distgit
branch, with the failure in the message, and pushes it for review with the
builder's topic; maintainers amend it into the fix. Here the commit is made by a
:class:`ReviewDriver` (``gerrit``: ``git push`` to ``refs/for/<branch>%topic=...``,
state and abandon over Gerrit's REST, :mod:`.gerrit`; ``git``: the same push to
``refs/for/<branch>`` of a plain git remote, state and abandon by reading and
deleting that ref, :mod:`.gitreview`), its state read and the change abandoned
through the same driver.

Idempotence: the ``Change-Id`` is derived from the builder's name and the FTBFS
id (:func:`change_id`), so a resend after a kill between the push and the record
updates the same change (or finds it already there) instead of opening a second
review; and a row that already has a ``review_id`` is never pushed again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session, sessionmaker

from trunkline.db.engine import session_scope
from trunkline.db.models import Ftbfs
from trunkline.outbox.dispatch import Envelope

log = logging.getLogger(__name__)

ReviewState = Literal["open", "merged", "abandoned"]
MAX_EXCERPT = 50  # log lines in the commit message (the payload has at most 50)


@dataclass(frozen=True)
class ReviewRef:
    """A review as recorded with the FTBFS: its id (the Change-Id) and its URL."""

    id: str
    url: str


@dataclass(frozen=True)
class ReviewChange:
    """What to put up for review.

    Attributes:
        change_id: ``I`` + 40 hex digits (:func:`change_id`), the commit's trailer.
        remote: the review remote's URL (metadata ``review-origin``).
        branch: the distgit branch the change targets.
        topic: the review topic (``[notify.gerrit] topic``, default the builder's name).
        message: the whole commit message, ``Change-Id`` trailer included.
        spec_note: the line appended to the spec file (DLRN's ``# REMOVEME`` line).
        author_name, author_email: the commit's author and committer.
        date: epoch seconds of the commit (the FTBFS opening), so a resend is identical.
    """

    change_id: str
    remote: str
    branch: str
    topic: str
    message: str
    spec_note: str
    author_name: str
    author_email: str
    date: int


class ReviewDriver(Protocol):
    """Opens, reads and abandons reviews on one review system."""

    def open(self, change: ReviewChange) -> ReviewRef:
        """Put ``change`` up for review (or find it already there).

        Raises:
            DeliveryError: the review system could not be reached or refused it.
        """
        ...

    def state(self, ref: ReviewRef) -> ReviewState:
        """Whether the review is still open, merged or abandoned.

        Raises:
            DeliveryError: the review system could not be reached or does not know it.
        """
        ...

    def abandon(self, ref: ReviewRef, comment: str) -> str | None:
        """Abandon the review with ``comment`` (an already abandoned one is fine).

        Returns:
            None when the review system keeps the comment with the review (Gerrit);
            else a note for the delivery result saying what was done and carrying
            the comment (a plain git remote keeps none).

        Raises:
            DeliveryError: the review system could not be reached or refused it.
        """
        ...


def change_id(builder: str, ftbfs_id: int) -> str:
    """The Change-Id of the review of FTBFS ``ftbfs_id`` of ``builder``: ``I`` + 40 hex.

    Deterministic, so every resend of one FTBFS names the same change.
    """
    digest = hashlib.sha1(f"trunkline-ftbfs:{builder}:{ftbfs_id}".encode(), usedforsecurity=False)
    return "I" + digest.hexdigest()


def _culprit_text(p: dict[str, Any]) -> str:
    culprit = p.get("culprit") or {}
    found = culprit.get("upstream") or culprit.get("distgit")
    if not found:
        return f"an unknown commit ({culprit.get('state') or 'unknown'})"
    return str(found.get("url") or found.get("hash"))


def change_for(p: dict[str, Any], *, topic: str, author: tuple[str, str]) -> ReviewChange:
    """The review of an ``ftbfs.opened`` payload ``p`` (DLRN's message, plus the log excerpt)."""
    cid = change_id(str(p["builder"]), int(p["ftbfs_id"]))
    culprit = _culprit_text(p)
    excerpt = [f"    {line}" for line in (p.get("log_excerpt") or [])[:MAX_EXCERPT]]
    lines = [
        f"{p['package']}: failed to build {p.get('nvr') or ''} on {p['builder']}".rstrip(),
        "",
        f"Need to fix the build error caused by {culprit}",
    ]
    if p.get("log_url"):
        lines.append(f"See the logs at {p['log_url']}")
    if excerpt:
        lines += ["", "Build log (the error lines and their context):", *excerpt]
    lines += [
        "",
        f"FTBFS #{p['ftbfs_id']} of the builder {p['builder']}. This change only adds a",
        "REMOVEME line to the spec: amend it with the fix, or let the builder abandon it.",
        "",
        f"Change-Id: {cid}",
    ]
    return ReviewChange(
        change_id=cid,
        remote=str(p["review_origin"]),
        branch=str(p["distgit_branch"]),
        topic=topic,
        message="\n".join(lines) + "\n",
        spec_note=f"# REMOVEME: error caused by commit {culprit}",
        author_name=author[0],
        author_email=author[1],
        date=int(p.get("opened_at") or 0),
    )


class NoReview:
    """The ``none`` driver: no review system; opens, reads and abandons nothing."""

    def open(self, change: ReviewChange) -> ReviewRef:
        """Never called (``none`` routes nothing to ``review``); opens nothing."""
        return ReviewRef(id="", url="")

    def state(self, ref: ReviewRef) -> ReviewState:
        """Nothing was opened, so nothing is open."""
        return "abandoned"

    def abandon(self, ref: ReviewRef, comment: str) -> None:
        """Nothing to abandon."""


@dataclass(frozen=True)
class ReviewSender:
    """The outbox sender of the ``review`` channel (``ftbfs.opened`` and ``ftbfs.fixed``)."""

    driver: ReviewDriver
    factory: sessionmaker[Session]
    topic: str
    author: tuple[str, str]  # name, email of the review commits

    def send(self, envelope: Envelope) -> str:
        """Open the review of an opened FTBFS, or close the review of a fixed one.

        Raises:
            DeliveryError: the driver failed (the dispatcher retries).
        """
        if envelope.topic == "ftbfs.opened":
            return self._open(envelope.payload)
        if envelope.topic == "ftbfs.fixed":
            return self._close(envelope.payload)
        return f"{envelope.topic} has no review action: nothing done"

    def _row(self, session: Session, ftbfs_id: int) -> Ftbfs | None:
        return session.get(Ftbfs, ftbfs_id)

    def _open(self, p: dict[str, Any]) -> str:
        fid = int(p["ftbfs_id"])
        with session_scope(self.factory) as session:
            row = self._row(session, fid)
            if row is None:
                return f"FTBFS #{fid} is not in the database: no review"
            if row.review_id:
                return f"FTBFS #{fid} already has review {row.review_id}: nothing pushed"
            if row.closed_at is not None:
                return f"FTBFS #{fid} was fixed before its review was pushed: no review"
        if not p.get("review_origin"):
            return f"{p['package']} has no review-origin in the metadata: no review"
        ref = self.driver.open(change_for(p, topic=self.topic, author=self.author))
        with session_scope(self.factory) as session:
            row = self._row(session, fid)
            if row is not None and not row.review_id:
                row.review_id, row.review_url, row.review_state = ref.id, ref.url, "open"
        return f"review {ref.id} {ref.url}".strip()

    def _close(self, p: dict[str, Any]) -> str:
        fid = int(p["ftbfs_id"])
        with session_scope(self.factory) as session:
            row = self._row(session, fid)
            rid = (row.review_id if row is not None else None) or p.get("review_id")
            url = (row.review_url if row is not None else None) or p.get("review_url") or ""
        if not rid:
            return f"FTBFS #{fid} has no review: nothing to abandon"
        ref = ReviewRef(id=str(rid), url=str(url))
        state = self.driver.state(ref)
        if state == "open":
            fix = p.get("fix") or {}
            fixed = " ".join(
                f"the {p.get('fixed_by') or 'unknown'} commit {str(fix.get('hash') or '')[:12]} "
                f"{fix.get('subject') or ''} {fix.get('url') or ''}".split()
            )
            comment = (
                f"{p['package']} builds again on {p['builder']} ({p.get('nvr') or ''}), "
                f"fixed by {fixed}: this review is no longer needed."
            )
            note = self.driver.abandon(ref, comment)
            state = "abandoned"
        else:
            note = None
        with session_scope(self.factory) as session:
            row = self._row(session, fid)
            if row is not None:
                row.review_state = state
        return f"review {ref.id}: {state}" + (f" ({note})" if note else "")
