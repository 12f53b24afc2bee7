"""Webhooks: signed POSTs a receiver verifies, retries with backoff, the delivery log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builder.cycle_world import CycleWorld
from tests.events.conftest import Validators, check_valid
from tests.events.receiver import Receiver, start
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import settings_from_dict
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import OutboxAttempt, OutboxMessage, OutboxState
from trunkline.errors import ConfigError, DeliveryError
from trunkline.events.routes import event_routes, event_senders, retry_policy
from trunkline.outbox.dispatch import deliver_due

SECRET = "w3bh00k-secret"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(SECRET.encode(), fail_first=2)
    server = start(r)
    yield r
    server.shutdown()
    server.server_close()


def test_webhook_deliveries_are_signed_retried_and_logged(
    world: CycleWorld, receiver: Receiver, tmp_path: Path, validators: Validators
) -> None:
    secret_file = tmp_path / "hook.secret"
    secret_file.write_text(SECRET + "\n")
    raw = world.settings().to_dict()
    raw["events"] = {
        "webhooks": [
            {
                "name": "ci",
                "url": receiver.url,
                "secret_file": str(secret_file),
                "topics": ["build.finished"],
            },
        ],
        "retry_base": 60,
    }
    settings = settings_from_dict(raw)
    report = BuildCycle(settings).run(CycleOptions())
    assert len(report.outcomes) == 3  # the build never waited for the receiver

    factory = session_factory(open_database(settings.database_url))
    senders = event_senders(settings, factory)
    policy = retry_policy(settings)
    for _ in range(3):  # every due message tried once per pass; the receiver fails twice
        deliver_due(factory, senders, policy=policy, clock=lambda: 2**31)
    with factory() as session:
        rows = list(session.scalars(select(OutboxMessage)))
        log = list(session.scalars(select(OutboxAttempt)))
    assert {r.topic for r in rows} == {"build.finished"}  # only the subscribed topic
    assert {r.state for r in rows} == {OutboxState.DELIVERED}
    assert sorted(h["x-trunkline-delivery"] for h, _ in receiver.accepted) == sorted(
        r.message_id for r in rows
    )  # each once, after the failures
    assert receiver.refused == ["asked to fail", "asked to fail"]
    assert sum(not a.ok for a in log) == 2 and sum(a.ok for a in log) == len(rows)
    assert all("HTTP 500" in a.detail for a in log if not a.ok)
    for headers, body in receiver.accepted:
        assert headers["x-trunkline-event"] == "build.finished"
        assert headers["content-type"] == "application/json"
        check_valid(validators, "build.finished", body)
    assert {b["package"]: b["status"] for _, b in receiver.accepted} == {
        "alpha": "SUCCESS",
        "beta": "SUCCESS",
        "broken": "FAILED",
    }


def test_a_wrong_secret_is_refused_by_the_receiver(world: CycleWorld, receiver: Receiver) -> None:
    raw = world.settings().to_dict()
    raw["events"] = {"webhooks": [{"name": "ci", "url": receiver.url, "secret": "wrong"}]}
    settings = settings_from_dict(raw)
    BuildCycle(settings).run(CycleOptions(packages=("alpha",)))
    assert receiver.accepted == [] and set(receiver.refused) == {"bad signature"}


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ({"webhooks": [{"name": "x", "url": "ftp://h/"}]}, "events.webhooks.0.url"),
        ({"webhooks": [{"name": "x", "url": "http://h/"}]}, "exactly one of 'secret'"),
        ({"webhooks": [{"name": "a b", "url": "http://h/", "secret": "s"}]}, "webhooks.0.name"),
        ({"amqp_url": "http://h/"}, "events.amqp_url"),
        ({"exchange": "a b"}, "events.exchange"),
        ({"amqp_timeout": 0}, "events.amqp_timeout"),
        ({"retry_max_attempts": 0}, "events.retry_max_attempts"),
        ({"amqp_url": "amqp://h/", "topics": ["*"]}, "unknown key 'events.topics'"),
    ],
)
def test_bad_events_settings_are_one_line_errors(events: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("*", r"\*")) as err:
        settings_from_dict({"events": events})
    assert "\n" not in str(err.value)


def test_every_setting_acts_routes_and_policy(tmp_path: Path) -> None:
    s = settings_from_dict(
        {
            "events": {
                "amqp_url": "amqp://guest:guest@127.0.0.1:5672/",
                "webhooks": [
                    {"name": "ci", "url": "http://h/", "secret": "s", "topics": ["promotion.*"]}
                ],
                "retry_base": 5,
                "retry_cap": 7,
                "retry_max_attempts": 2,
            }
        }
    )
    routes = {r.channel: r for r in event_routes(s)}
    assert routes["amqp"].wants("vote.received") and routes["amqp"].wants("ftbfs.opened")
    assert routes["webhook:ci"].wants("promotion.moved")
    assert not routes["webhook:ci"].wants("build.finished")
    policy = retry_policy(s)
    assert [policy.delay(n) for n in (1, 2, 3)] == [5, 7, 7] and policy.max_attempts == 2
    missing = s.replace(
        events=s.events.replace(
            webhooks=(s.events.webhooks[0].replace(secret="", secret_file=tmp_path / "no"),)
        )
    )
    with pytest.raises(ConfigError, match="secret_file: cannot read"):
        event_senders(missing, session_factory(open_database(f"sqlite:///{tmp_path}/x.db")))


def test_a_receiver_that_never_answers_costs_webhook_timeout_then_a_retry(tmp_path: Path) -> None:
    import socket
    import time

    from trunkline.outbox.dispatch import Envelope

    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        s = settings_from_dict(
            {
                "events": {
                    "webhook_timeout": 0.5,
                    "webhooks": [
                        {"name": "slow", "url": f"http://127.0.0.1:{port}/", "secret": "s"}
                    ],
                }
            }
        )
        sender = event_senders(s, session_factory(open_database(f"sqlite:///{tmp_path}/x.db")))
        env = Envelope("m1", "webhook:slow", "build.finished", {"package": "a"}, 1, 1)
        start = time.monotonic()
        with pytest.raises(DeliveryError, match="Timeout"):
            sender["webhook:slow"].send(env)
        assert 0.4 < time.monotonic() - start < 5
