"""The outbox: messages exist iff their transaction committed; delivery retries with backoff."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from trunkline.db.engine import open_database, session_factory, session_scope
from trunkline.db.models import OutboxAttempt, OutboxMessage, OutboxState
from trunkline.errors import DeliveryError, InputError
from trunkline.outbox.dispatch import Envelope, RetryPolicy, deliver_due
from trunkline.outbox.store import enqueue, pending_count


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


class FlakySender:
    """Fails the first ``failures`` attempts, then records what it was sent."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.sent: list[Envelope] = []

    def send(self, envelope: Envelope) -> str:
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("421 try again later")
        self.sent.append(envelope)
        return "250 ok"


@pytest.fixture
def factory(tmp_path: Path) -> sessionmaker[Session]:
    return session_factory(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"))


def test_a_rolled_back_change_leaves_no_message(factory: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), session_scope(factory) as session:
        enqueue(session, channel="mail", topic="ftbfs.opened", payload={"p": 1}, now=10)
        raise RuntimeError("the build record failed")
    with session_scope(factory) as session:
        assert pending_count(session) == 0


def test_delivery_retries_with_backoff_then_succeeds_once(
    factory: sessionmaker[Session],
) -> None:
    clock = Clock(1000)
    with session_scope(factory) as session:
        mid = enqueue(session, channel="mail", topic="ftbfs.opened", payload={"pkg": "nova"})
        session.flush()
        session.execute(select(OutboxMessage)).scalar_one().next_attempt_at = 1000
    sender = FlakySender(failures=2)
    policy = RetryPolicy(base_seconds=30, cap_seconds=3600, max_attempts=5)

    first = deliver_due(factory, {"mail": sender}, policy=policy, clock=clock)
    assert (first.delivered, first.failed) == (0, 1)
    # not due again before the backoff has passed
    clock.now = 1029
    assert deliver_due(factory, {"mail": sender}, policy=policy, clock=clock).failed == 0
    clock.now = 1030
    assert deliver_due(factory, {"mail": sender}, policy=policy, clock=clock).failed == 1
    clock.now = 1030 + 59  # second delay is 60 s
    assert deliver_due(factory, {"mail": sender}, policy=policy, clock=clock).delivered == 0
    clock.now = 1030 + 60
    assert deliver_due(factory, {"mail": sender}, policy=policy, clock=clock).delivered == 1
    clock.now = 99999
    assert deliver_due(factory, {"mail": sender}, policy=policy, clock=clock).delivered == 0

    assert [e.message_id for e in sender.sent] == [mid]
    assert sender.sent[0].payload == {"pkg": "nova"}
    assert sender.sent[0].attempt == 3
    with session_scope(factory) as session:
        row = session.execute(select(OutboxMessage)).scalar_one()
        assert row.state == OutboxState.DELIVERED and row.attempts == 3
        log = session.scalars(select(OutboxAttempt).order_by(OutboxAttempt.id)).all()
        assert [(a.ok, a.detail) for a in log] == [
            (False, "421 try again later"),
            (False, "421 try again later"),
            (True, "250 ok"),
        ]


def test_a_channel_without_sender_waits_and_a_dead_letter_is_kept(
    factory: sessionmaker[Session],
) -> None:
    clock = Clock(50)
    with session_scope(factory) as session:
        enqueue(session, channel="amqp", topic="build.finished", payload={}, now=50)
        enqueue(session, channel="webhook:ci", topic="build.finished", payload={}, now=50)
    never = FlakySender(failures=100)
    policy = RetryPolicy(base_seconds=1, cap_seconds=1, max_attempts=2)
    deliver_due(factory, {"webhook:ci": never}, policy=policy, clock=clock)
    clock.now = 51
    result = deliver_due(factory, {"webhook:ci": never}, policy=policy, clock=clock)
    assert result.dead == 1
    with session_scope(factory) as session:
        rows = session.execute(select(OutboxMessage.channel, OutboxMessage.state))
        states = {str(channel): state for channel, state in rows}
    assert states == {"amqp": OutboxState.PENDING, "webhook:ci": OutboxState.DEAD}


def test_a_sender_bug_is_recorded_and_does_not_stop_the_others(
    factory: sessionmaker[Session],
) -> None:
    class Broken:
        def send(self, envelope: Envelope) -> str:
            raise KeyError("payload field")

    ok = FlakySender()
    with session_scope(factory) as session:
        enqueue(session, channel="broken", topic="t", payload={}, now=1)
        enqueue(session, channel="mail", topic="t", payload={}, now=1)
    result = deliver_due(factory, {"broken": Broken(), "mail": ok}, clock=Clock(1))
    assert (result.delivered, result.failed) == (1, 1)
    assert "KeyError" in result.errors[0]


@pytest.mark.parametrize(
    ("channel", "topic", "payload"),
    [("", "t", {}), ("mail", "", {}), ("x" * 129, "t", {}), ("mail", "t", {"s": {1, 2}})],
)
def test_bad_messages_are_refused_in_one_line(
    factory: sessionmaker[Session], channel: str, topic: str, payload: dict[str, object]
) -> None:
    with session_scope(factory) as session, pytest.raises(InputError) as err:
        enqueue(session, channel=channel, topic=topic, payload=payload)
    assert "\n" not in str(err.value)


def test_the_router_fans_an_event_out_to_every_channel_that_wants_it(
    factory: sessionmaker[Session],
) -> None:
    from trunkline.outbox.routing import Route, Router

    router = Router(
        [
            Route("mail", ("ftbfs.*",)),
            Route("review", ("ftbfs.opened", "ftbfs.fixed")),
            Route("amqp", ("*",)),
            Route("mail", ("build.*",)),
        ]
    )
    assert router.channels("ftbfs.culprit") == ["mail", "amqp"]
    assert router.channels("build.finished") == ["amqp", "mail"]
    assert Router().channels("build.finished") == []
    with session_scope(factory) as session:
        ids = router.emit(session, "ftbfs.opened", {"package": "nova"}, now=5)
        assert Router([Route("mail", ("ftbfs.*",))]).emit(session, "build.finished", {}) == []
    assert len(ids) == 3 and len(set(ids)) == 3
    with session_scope(factory) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        event_ids = {r.payload for r in rows if r.topic == "ftbfs.opened"}
    assert len(event_ids) == 1  # the same body, event_id included, on every channel


def test_stop_during_a_pass_still_delivers_what_was_enqueued_meanwhile(
    factory: sessionmaker[Session],
) -> None:
    """The last pass comes after the stop: a message committed while a pass ran goes out."""
    import threading

    from trunkline.outbox.dispatch import OutboxWorker

    in_pass = threading.Event()
    release = threading.Event()

    class Slow(FlakySender):
        def send(self, envelope: Envelope) -> str:
            if envelope.topic == "first":
                in_pass.set()
                assert release.wait(10)
            return super().send(envelope)

    sender = Slow()
    with session_scope(factory) as session:
        enqueue(session, channel="mail", topic="first", payload={})
    worker = OutboxWorker(factory, {"mail": sender}, interval=3600)
    worker.start()
    worker.wake()
    assert in_pass.wait(10)
    with session_scope(factory) as session:  # committed while the first pass runs
        enqueue(session, channel="mail", topic="second", payload={})
    stopper = threading.Thread(target=worker.stop, kwargs={"timeout": 10})
    stopper.start()
    release.set()
    stopper.join(15)
    assert [e.topic for e in sender.sent] == ["first", "second"]
    assert worker.passes == 2
