"""The demo's look at the FTBFS review: the ref the ``git`` review driver pushed, then deleted.

The demo sets ``[notify] review = "git"``: on the FTBFS the builder's ``review``
channel pushes DLRN's REMOVEME commit to ``refs/for/<branch>`` of the package's
review remote (the bare repo ``demo/review/<project>.git``); on the fix it deletes
it. Delivery is the outbox worker's (a thread, stopped after a last pass at the
end of each cycle, that pass bounded by the senders' timeouts), so
:func:`await_review` polls the FTBFS row until the review is recorded, for at most
:data:`WAIT_SECONDS`, and fails at once with the delivery's error when the outbox
records one. What it finds is checked against the bare repo itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from trunkline.db.models import OutboxAttempt, OutboxMessage, OutboxState
from trunkline.demo.errors import DemoError
from trunkline.demo.world import git
from trunkline.errors import DeliveryError
from trunkline.notify.gitreview import parse_review_url

WAIT_SECONDS = 60.0  # for the review channel's delivery (each git call is local and quick)
POLL_SECONDS = 0.2

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoReview:
    """The FTBFS review as the review remote holds it.

    Attributes:
        url: the recorded review URL, ``<remote>#refs/for/<branch>``.
        ref: ``refs/for/<branch>``.
        commit: the commit the ref held when pushed (40 hex digits).
        subject: its subject line.
        change_id: its ``Change-Id`` trailer (the FTBFS row's ``review_id``).
        note: the line it appended to the spec (DLRN's ``# REMOVEME: ...``).
        closed: after the fix, the delivery result of the abandon (empty before).
    """

    url: str
    ref: str
    commit: str
    subject: str
    change_id: str
    note: str
    closed: str = ""


def _delivery(sessions: sessionmaker[Session], topic: str) -> tuple[str, str]:
    """The state and newest attempt's detail of the newest ``review`` message of ``topic``."""
    with sessions() as session:
        msg = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "review", OutboxMessage.topic == topic)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        ).first()
        if msg is None:
            return "", ""
        detail = session.scalars(
            select(OutboxAttempt.detail)
            .where(OutboxAttempt.outbox_id == msg.id)
            .order_by(OutboxAttempt.id.desc())
            .limit(1)
        ).first()
        return str(msg.state), detail or ""


def await_review(
    period: Callable[[], dict[str, Any]],
    sessions: sessionmaker[Session],
    topic: str,
    done: Callable[[dict[str, Any]], bool],
) -> tuple[dict[str, Any], str]:
    """The FTBFS's ``review`` object once ``done`` accepts it, and the delivery's detail.

    Args:
        period: reads the FTBFS period (``trunkline.ftbfs.listing`` shape).
        sessions: the builder's database.
        topic: the ``ftbfs.*`` message whose ``review`` delivery is awaited.
        done: whether the period's review shows that delivery.

    Raises:
        DemoError: the delivery failed (the outbox's error), or nothing within WAIT_SECONDS.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        review: dict[str, Any] = period()["review"]
        state, detail = _delivery(sessions, topic)
        if state == OutboxState.DELIVERED:  # the sender records the row before returning
            if done(review):
                return review, detail
            raise DemoError(f"the review channel delivered {topic} as {detail!r}; review {review}")
        if detail:
            raise DemoError(f"the review channel could not deliver {topic}: {detail}")
        if time.monotonic() > deadline:
            raise DemoError(
                f"the review channel delivered no {topic} within {WAIT_SECONDS:.0f} s "
                f"(outbox state {state or 'no message'}; review {review})"
            )
        time.sleep(POLL_SECONDS)


def _ref_target(bare: Path, ref: str) -> str:
    return git(bare, "for-each-ref", "--format=%(objectname)", ref)


def pushed_review(bare: Path, review: dict[str, Any], spec: str) -> DemoReview:
    """Check that the bare review remote ``bare`` holds the recorded review.

    Raises:
        DemoError: the URL names another remote, the ref is missing, or its commit is
            not the review (Change-Id, REMOVEME line in ``spec``).
    """
    url = str(review["url"] or "")
    try:
        remote, branch = parse_review_url(url)
    except DeliveryError as exc:
        raise DemoError(f"the FTBFS review is not the git driver's: {exc}") from None
    if remote != bare.as_uri():
        raise DemoError(f"the review was pushed to {remote}, not to the review remote {bare}")
    ref = f"refs/for/{branch}"
    commit = _ref_target(bare, ref)
    if not commit:
        raise DemoError(f"{bare} has no {ref}: the review was recorded but not pushed")
    cid = git(bare, "log", "-1", "--format=%(trailers:key=Change-Id,valueonly)", commit)
    if cid != review["id"]:
        raise DemoError(f"{bare} {ref} holds Change-Id {cid!r}, not the review's {review['id']}")
    last = git(bare, "show", f"{commit}:{spec}").splitlines()[-1]
    if not last.startswith("# REMOVEME: error caused by commit "):
        raise DemoError(f"{bare} {ref}: {spec} does not end with DLRN's REMOVEME line: {last!r}")
    subject = git(bare, "log", "-1", "--format=%s", commit)
    return DemoReview(url, ref, commit, subject, cid, last)


def deleted_review(bare: Path, seen: DemoReview, review: dict[str, Any]) -> None:
    """Check that the fix abandoned the review: the ref is gone and the row says so.

    Raises:
        DemoError: the recorded state is not ``abandoned`` or the ref is still there.
    """
    if review["state"] != "abandoned":
        raise DemoError(f"after the fix the review should be abandoned, not {review['state']}")
    if _ref_target(bare, seen.ref):
        raise DemoError(f"the review was abandoned but {bare} still has {seen.ref}")


def say_review(say: Say, seen: DemoReview) -> None:
    """Print the review as the demo prints a mail."""
    say('review pushed by the builder\'s review channel ([notify] review = "git"):')
    for name, value in (
        ("URL", seen.url),
        ("ref", seen.ref),
        ("commit", seen.commit),
        ("subject", seen.subject),
        ("Change-Id", seen.change_id),
        ("spec", seen.note),
    ):
        say(f"  | {name}: {value}")
