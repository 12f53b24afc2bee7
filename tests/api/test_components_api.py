"""A components builder through the API: aggregates, votes on them, promotion filters.

Promoting component builds writes an aggregate with its own hash; CI reports on
that hash (``report_result`` by ``aggregate_hash``) and reads the votes back
(``agg-status``, with the real ``dlrnapi-client``). ``/api/promotions`` filters
by component and aggregate hash and returns 100 rows when no limit is given
(DLRN returns every row). ``last_tested_repo`` keeps its component filter in
every fallback step (DLRN's second step drops it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.api import world
from tests.api.conftest import API_BACKENDS, LiveApi, start_live
from tests.api.test_dlrnapi_client import ok
from trunkline.db.models import CIVoteAggregate, Promotion

pytestmark = pytest.mark.db

BULK = 120  # promotions of one build, more than a page


@pytest.fixture(scope="module", params=API_BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """A live API of a builder in components mode, on SQLite and PostgreSQL."""
    yield from start_live(
        request,
        tmp_path_factory.mktemp("api"),
        request.param,
        builder={"use_components": True},
    )


@pytest.fixture(scope="module")
def world_(live: LiveApi) -> dict[str, Any]:
    """Three component builds with votes, an aggregate promoted through the API, and
    ``BULK`` older promotions of the storage build."""
    with live.sessions() as s:
        net = world.add_build(s, live.repos, "pkg-net", 1, component="network")
        comp = world.add_build(s, live.repos, "pkg-comp", 2, component="compute")
        sto = world.add_build(s, live.repos, "pkg-sto", 3, component="storage")
        world.add_vote(s, net, "consistent", True, 500)
        world.add_vote(s, net, "job-a", True, 1000)
        world.add_vote(s, comp, "job-b", True, 2000)
        world.add_vote(s, comp, "consistent", True, 3000)
        world.add_vote(s, sto, "consistent", True, 400)
        s.add_all(
            Promotion(
                commit_id=sto.id, promotion_name="bulk", timestamp=100 + i, component="storage"
            )
            for i in range(BULK)
        )
        s.commit()
    with live.client() as c:
        for b in (net, comp):
            body = {"commit_hash": b.commit_hash, "distro_hash": b.distro_hash}
            r = c.post("/api/promote", json={**body, "promote_name": "tested"})
            assert r.status_code == 201, r.text
    agg = r.json()["aggregate_hash"]
    assert isinstance(agg, str) and len(agg) == 32
    return {"net": net, "comp": comp, "sto": sto, "agg": agg}


def _get(live: LiveApi, path: str, **params: Any) -> Any:
    with live.client(auth=False) as c:
        r = c.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_promotions_without_limit_return_one_page_of_100_newest_first(
    live: LiveApi, world_: dict[str, Any]
) -> None:
    rows = _get(live, "/api/promotions")
    assert len(rows) == 100
    assert [r["promote_name"] for r in rows[:2]] == ["tested", "tested"]
    bulk = [r["timestamp"] for r in rows if r["promote_name"] == "bulk"]
    assert bulk == sorted(bulk, reverse=True) and bulk[0] == 100 + BULK - 1
    assert len(_get(live, "/api/promotions", limit=1000)) == 100
    rest = _get(live, "/api/promotions", offset=100)
    assert len(rest) == BULK + 2 - 100
    assert {r["timestamp"] for r in rest}.isdisjoint({r["timestamp"] for r in rows[2:]})


def test_promotions_filter_by_component(live: LiveApi, world_: dict[str, Any]) -> None:
    rows = _get(live, "/api/promotions", component="network")
    net = world_["net"]
    assert [(r["component"], r["commit_hash"], r["promote_name"]) for r in rows] == [
        ("network", net.commit_hash, "tested")
    ]
    assert _get(live, "/api/promotions", component="no-such") == []


def test_promotions_filter_by_aggregate_hash(live: LiveApi, world_: dict[str, Any]) -> None:
    rows = _get(live, "/api/promotions", aggregate_hash=world_["agg"])
    assert rows and all(r["aggregate_hash"] == world_["agg"] for r in rows)
    assert {r["component"] for r in rows} <= {"network", "compute"}
    assert rows[0]["commit_hash"] == world_["comp"].commit_hash
    with live.sessions() as s:
        count = s.scalar(select(func.count()).where(Promotion.aggregate_hash == world_["agg"]))
    assert len(rows) == count
    assert _get(live, "/api/promotions", aggregate_hash="0" * 32) == []


def test_report_result_on_an_aggregate_records_the_vote(
    live: LiveApi, world_: dict[str, Any]
) -> None:
    body = {
        "job_id": "agg-job",
        "aggregate_hash": world_["agg"],
        "url": "http://ci/agg",
        "timestamp": 5000,
        "success": True,
        "notes": "all components pass",
    }
    with live.client() as c:
        r = c.post("/api/report_result", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["aggregate_hash"], out["job_id"], out["success"], out["user"]) == (
        world_["agg"],
        "agg-job",
        True,
        world.USER,
    )
    assert out["commit_hash"] is None and out["in_progress"] is False
    with live.sessions() as s:
        rows = s.scalars(
            select(CIVoteAggregate).where(CIVoteAggregate.ref_hash == world_["agg"])
        ).all()
    assert [(v.ci_name, v.ci_vote, v.ci_url, v.notes, v.user) for v in rows] == [
        ("agg-job", True, "http://ci/agg", "all components pass", world.USER)
    ]


def test_agg_status_through_the_client_lists_the_aggregates_votes(
    dlrnapi: Path, live: LiveApi, world_: dict[str, Any]
) -> None:
    agg = world_["agg"]
    ok(
        dlrnapi,
        live,
        "report-result",
        "--job-id",
        "agg-failing",
        "--agg-hash",
        agg,
        "--info-url",
        "http://ci/f",
        "--timestamp",
        "6000",
        "--success",
        "false",
    )
    votes = ok(dlrnapi, live, "agg-status", "--agg-hash", agg)
    assert [(v["job_id"], v["success"], v["aggregate_hash"]) for v in votes][-1] == (
        "agg-failing",
        False,
        agg,
    )
    assert {v["job_id"] for v in votes} >= {"agg-failing"}
    failing = ok(dlrnapi, live, "agg-status", "--agg-hash", agg, "--success", "false")
    assert [(v["job_id"], v["url"], v["timestamp"]) for v in failing] == [
        ("agg-failing", "http://ci/f", 6000)
    ]


def test_last_tested_repo_fallback_keeps_the_component_filter(
    live: LiveApi, world_: dict[str, Any]
) -> None:
    # No vote of this job: the fallback takes the newest real CI vote *of network*
    # (DLRN's would take compute's newer job-b vote).
    out = _get(live, "/api/last_tested_repo", max_age=0, job_id="no-such", component="network")
    assert (out["commit_hash"], out["job_id"], out["component"]) == (
        world_["net"].commit_hash,
        "job-a",
        "network",
    )
    # storage has only the builder's consistent vote: the last fallback stays on storage.
    out = _get(live, "/api/last_tested_repo", max_age=0, job_id="no-such", component="storage")
    assert (out["commit_hash"], out["job_id"], out["component"]) == (
        world_["sto"].commit_hash,
        "consistent",
        "storage",
    )


def test_last_tested_repo_of_a_component_without_votes_is_no_vote_found(
    live: LiveApi, world_: dict[str, Any]
) -> None:
    with live.client(auth=False) as c:
        r = c.get("/api/last_tested_repo", params={"max_age": 0, "component": "no-such"})
    assert (r.status_code, r.json()) == (400, {"message": "No vote found"})
