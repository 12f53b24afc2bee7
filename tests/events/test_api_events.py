"""The API's state changes emit events in their transaction: CI votes and promotions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.api import world as api_world
from tests.api.conftest import LiveApi, start_live
from tests.events.conftest import Validators, check_valid
from trunkline.db.models import OutboxMessage

EVENTS = {"amqp_url": "amqp://guest:guest@127.0.0.1:5672/"}


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    yield from start_live(
        request,
        tmp_path_factory.mktemp("api"),
        "sqlite",
        events=EVENTS,
        promotion={"rules": {"tested": ["job-a"]}},
    )


def events(live: LiveApi, topic: str) -> list[dict[str, object]]:
    with live.sessions() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == topic))
        return [json.loads(r.payload) for r in rows]


def test_votes_and_promotions_through_the_api_emit_valid_events(
    live: LiveApi, validators: Validators
) -> None:
    with live.sessions() as session:
        build = api_world.add_build(session, live.repos, "python-foo", 1)
        session.commit()
    hashes = {"commit_hash": build.commit_hash, "distro_hash": build.distro_hash}
    with live.client() as client:
        vote = {
            **hashes,
            "job_id": "job-a",
            "url": "http://ci/1",
            "timestamp": 1_700_000_100,
            "success": True,
            "notes": "all green",
        }
        assert client.post("/api/report_result", json=vote).status_code == 201
        promo = {**hashes, "promote_name": "by-hand"}
        assert client.post("/api/promote", json=promo).status_code == 201
    votes = events(live, "vote.received")
    assert [(v["job_id"], v["success"], v["package"], v["user"]) for v in votes] == [
        ("job-a", True, "python-foo", api_world.USER)
    ]
    moved = events(live, "promotion.moved")
    assert sorted((m["name"], m["by"]) for m in moved) == [("by-hand", "api"), ("tested", "rule")]
    for body in votes:
        check_valid(validators, "vote.received", body)
    for body in moved:
        check_valid(validators, "promotion.moved", body)
        assert body["repo_url"] == f"http://repos.example/repos/{body['repo_path']}"


def test_a_refused_vote_emits_nothing(live: LiveApi, tmp_path: Path) -> None:
    before = len(events(live, "vote.received"))
    with live.client() as client:
        vote = {
            "commit_hash": "ff" * 20,
            "distro_hash": "ee" * 20,
            "job_id": "j",
            "url": "u",
            "timestamp": 1,
            "success": True,
        }
        assert client.post("/api/report_result", json=vote).status_code == 400
    assert len(events(live, "vote.received")) == before
