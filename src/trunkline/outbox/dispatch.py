"""Delivering outbox messages after commit: senders, retries, backoff, the delivery log.

Each message is sent outside any transaction, then its attempt is recorded in its
own short transaction (``outbox_attempts`` row; ``delivered``, or the next attempt
time by :class:`RetryPolicy`). A receiver that is down only delays its messages;
it never fails or blocks the caller (``deliver_due`` returns, the background
:class:`OutboxWorker` keeps trying).

Delivery is at least once: a kill after a send and before its record sends that
message again on restart, with the same ``message_id`` (mail ``Message-ID``, AMQP
``message_id``, webhook header) so the receiver drops the copy. A kill before the
send (the case of a kill between the build record and the mail) sends it exactly once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from trunkline.db.engine import session_scope
from trunkline.db.models import OutboxAttempt, OutboxMessage, OutboxState
from trunkline.errors import DeliveryError
from trunkline.outbox.store import due_ids

log = logging.getLogger(__name__)

MAX_DETAIL = 2000


@dataclass(frozen=True)
class Envelope:
    """One message as a sender sees it (never the ORM row)."""

    message_id: str
    channel: str
    topic: str
    payload: dict[str, Any]
    created_at: int  # epoch seconds
    attempt: int  # 1 for the first try


class Sender(Protocol):
    """Delivers the messages of one channel (SMTP, review remote, AMQP, one webhook)."""

    def send(self, envelope: Envelope) -> str:
        """Deliver ``envelope``; return what the receiver said (for the delivery log).

        Raises:
            DeliveryError: this attempt failed (the dispatcher retries later).
        """
        ...


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``base * 2**(attempts-1)`` seconds, capped, then given up.

    The defaults keep trying for about a day (30 s, 1 min, 2 min … 1 h, 1 h …) before
    a message is marked ``dead`` (kept, with its attempts, in the delivery log).
    """

    base_seconds: int = 30
    cap_seconds: int = 3600
    max_attempts: int = 30

    def delay(self, attempts: int) -> int:
        """Seconds to wait after the ``attempts``-th failed attempt (attempts >= 1)."""
        return int(min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1)))


@dataclass
class DeliveryPass:
    """What one :func:`deliver_due` pass did: counts of messages by outcome."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def _load(session: Session, msg_id: int) -> Envelope | None:
    row = session.get(OutboxMessage, msg_id)
    if row is None or row.state != OutboxState.PENDING:
        return None
    return Envelope(
        message_id=row.message_id,
        channel=row.channel,
        topic=row.topic,
        payload=json.loads(row.payload),
        created_at=row.created_at,
        attempt=row.attempts + 1,
    )


def _record(
    factory: sessionmaker[Session],
    msg_id: int,
    *,
    ok: bool,
    detail: str,
    now: int,
    policy: RetryPolicy,
) -> OutboxState:
    detail = " ".join(detail.split())[:MAX_DETAIL]
    with session_scope(factory) as session:
        row = session.get(OutboxMessage, msg_id)
        if row is None:
            return OutboxState.DEAD
        row.attempts += 1
        session.add(OutboxAttempt(outbox_id=msg_id, attempted_at=now, ok=ok, detail=detail))
        if ok:
            row.state = OutboxState.DELIVERED
            row.delivered_at = now
            row.last_error = None
        else:
            row.last_error = detail
            if row.attempts >= policy.max_attempts:
                row.state = OutboxState.DEAD
            else:
                row.next_attempt_at = now + policy.delay(row.attempts)
        return row.state


def deliver_due(
    factory: sessionmaker[Session],
    senders: Mapping[str, Sender],
    *,
    policy: RetryPolicy | None = None,
    clock: Callable[[], float] = time.time,
    limit: int = 100,
) -> DeliveryPass:
    """Send every due message of the channels in ``senders`` once; record each attempt.

    Messages of channels without a sender stay pending (a builder without
    ``[events]`` leaves nothing half-sent). A sender raising anything but
    :class:`DeliveryError` is a bug in it: the attempt is recorded as failed with
    the exception's type, so one bad message cannot stop the others.
    """
    policy = policy or RetryPolicy()
    result = DeliveryPass()
    with session_scope(factory) as session:
        ids = due_ids(session, channels=senders.keys(), now=int(clock()), limit=limit)
    for msg_id in ids:
        with session_scope(factory) as session:
            envelope = _load(session, msg_id)
        if envelope is None:
            continue
        try:
            detail = senders[envelope.channel].send(envelope)
            ok = True
        except DeliveryError as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # a sender bug must not stop the others
            log.exception("outbox sender for %s failed unexpectedly", envelope.channel)
            detail, ok = f"{type(exc).__name__}: {exc}", False
        state = _record(factory, msg_id, ok=ok, detail=detail, now=int(clock()), policy=policy)
        if ok:
            result.delivered += 1
        elif state == OutboxState.DEAD:
            result.dead += 1
            result.errors.append(f"{envelope.channel} {envelope.topic}: {detail}")
        else:
            result.failed += 1
            result.errors.append(f"{envelope.channel} {envelope.topic}: {detail}")
            log.warning(
                "outbox: %s %s not delivered (attempt %d): %s",
                envelope.channel,
                envelope.topic,
                envelope.attempt,
                detail,
            )
    return result


class OutboxWorker:
    """A background thread that delivers due messages every ``interval`` seconds or on wake.

    The builder starts one and calls :meth:`wake` after each commit that enqueued
    something; :meth:`stop` finishes the pass under way (bounded by the senders'
    own timeouts) and returns. Delivery never runs on the build's thread.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        senders: Mapping[str, Sender],
        *,
        policy: RetryPolicy | None = None,
        interval: float = 30.0,
    ) -> None:
        self._factory = factory
        self._senders = dict(senders)
        self._policy = policy or RetryPolicy()
        self._interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0

    def start(self) -> None:
        """Start the thread (idempotent)."""
        if self._thread is None and self._senders:
            self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask for a pass now (something was just enqueued and committed)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Do one last pass, stop the thread, then close the senders that hold a connection."""
        if self._thread is None:
            return
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout)
        self._thread = None
        for sender in self._senders.values():
            close = getattr(sender, "close", None)
            if callable(close):
                close()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            # read before the pass: a stop asked during it (after what it enqueued was
            # committed) finds the wake set and gets a pass of its own, the last one
            last = self._stopping.is_set()
            try:
                deliver_due(self._factory, self._senders, policy=self._policy)
            except Exception:  # a DB hiccup must not kill the thread
                log.exception("outbox: delivery pass failed; retrying later")
            self.passes += 1
            if last:
                return


class OutboxWorkers:
    """Several :class:`OutboxWorker` s behind one ``start``/``wake``/``stop``.

    Each feature delivers its channels with its own backoff (``[notify]``'s for mail
    and review, ``[events]``'s for the bus and webhooks), so the builder runs one
    worker per feature; an empty group does nothing.
    """

    def __init__(self, workers: list[OutboxWorker]) -> None:
        self.workers = list(workers)

    def start(self) -> None:
        """Start every worker."""
        for worker in self.workers:
            worker.start()

    def wake(self) -> None:
        """Ask every worker for a pass now."""
        for worker in self.workers:
            worker.wake()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every worker (each gets ``timeout`` seconds for its last pass)."""
        for worker in self.workers:
            worker.stop(timeout)
