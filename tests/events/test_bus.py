"""Events on the real RabbitMQ: every event of a demo cycle, in order, valid; broker down."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.builder.cycle_world import CycleWorld
from tests.events.conftest import Validators, check_valid
from tests.events.rabbit import AMQP_URL, DOWN_URL, Consumer
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import Settings, load_settings, settings_from_dict
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import BuildStatus, OutboxAttempt, OutboxMessage, OutboxState
from trunkline.demo.world import generate_world
from trunkline.events.routes import event_senders
from trunkline.outbox.dispatch import deliver_due

# the lifecycle of one build, as a consumer must see it
ORDER = ("build.queued", "build.started", "build.finished", "repo.published", "promotion.moved")


def with_events(settings: Settings, **events: Any) -> Settings:
    raw = settings.to_dict()
    raw["events"] = events
    raw["install_check"]["enabled"] = False  # dnf is not the subject here
    return settings_from_dict(raw)


def outbox(settings: Settings) -> list[OutboxMessage]:
    factory = session_factory(open_database(settings.database_url))
    with factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_consumer_sees_every_event_of_a_demo_cycle_in_order(
    tmp_path: Path, bus: Consumer, validators: Validators
) -> None:
    world = generate_world(tmp_path / "demo")
    settings = with_events(
        load_settings(world.config_path), amqp_url=AMQP_URL, exchange=bus.exchange
    )
    report = BuildCycle(settings).run(CycleOptions())
    built = {o.package for o in report.outcomes if o.status is BuildStatus.SUCCESS}
    assert built == set(world.packages)

    rows = outbox(settings)
    assert {r.state for r in rows} == {OutboxState.DELIVERED}
    got = bus.drain(want=len(rows))
    assert len(got) == len(rows)  # each once
    assert [m.message_id for m in got] == [r.message_id for r in rows]  # commit order
    per_package: dict[str, list[str]] = defaultdict(list)
    for m in got:
        check_valid(validators, m.topic, m.body)
        assert m.routing_key == f"trunkline.demo-centos9-master.{m.topic}"
        assert (m.delivery_mode, m.content_type) == (2, "application/json")
        per_package[m.body["package"]].append(m.topic)
    for package in world.packages:
        topics = per_package[package]
        assert [t for t in ORDER if t in topics] == list(dict.fromkeys(topics)), package
        assert topics.count("build.finished") == 1
        mine = [m.body for m in got if m.body["package"] == package]
        moved = [b["name"] for b in mine if b["schema"].startswith("trunkline.promotion.moved/")]
        assert sorted(moved) == ["consistent", "current"]
    finished = [m.body for m in got if m.topic == "build.finished"]
    assert all(b["status"] == "SUCCESS" and b["nvr"] and b["repo_url"] for b in finished)


def test_broker_down_the_build_succeeds_and_messages_go_out_once_later(
    world: CycleWorld, bus: Consumer, validators: Validators
) -> None:
    down = with_events(world.settings(), amqp_url=DOWN_URL, exchange=bus.exchange)
    report = BuildCycle(down).run(CycleOptions())
    assert {o.package: o.status for o in report.outcomes} == {
        "alpha": BuildStatus.SUCCESS,
        "beta": BuildStatus.SUCCESS,
        "broken": BuildStatus.FAILED,
    }
    rows = outbox(down)
    assert rows and {r.state for r in rows} == {OutboxState.PENDING}
    assert all("127.0.0.1:1" in (r.last_error or "") for r in rows if r.attempts)

    up = with_events(world.settings(), amqp_url=AMQP_URL, exchange=bus.exchange)
    factory = session_factory(open_database(up.database_url))
    senders = event_senders(up, factory)
    result = deliver_due(factory, senders, clock=lambda: 2**31)  # past every backoff
    assert result.delivered == len(rows)
    again = deliver_due(factory, senders, clock=lambda: 2**31)
    senders["amqp"].close()  # type: ignore[attr-defined]
    assert again.delivered == 0
    got = bus.drain(want=len(rows))
    assert sorted(m.message_id for m in got) == sorted(r.message_id for r in rows)
    for m in got:
        check_valid(validators, m.topic, m.body)
    failed = [m.body for m in got if m.topic == "build.finished" and m.body["status"] == "FAILED"]
    assert [b["package"] for b in failed] == ["broken"]
    with factory() as session:
        log = list(session.scalars(select(OutboxAttempt).order_by(OutboxAttempt.id)))
    assert [a.ok for a in log if a.ok] and any(not a.ok for a in log)
