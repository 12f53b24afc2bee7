"""``api.read_only = true``: every write is refused with a 403 and nothing changes.

DLRN refuses a user outside its read-write roles with a 403; a read-only
trunkline API answers every write POST (even with good credentials) that way,
before looking at the body. Reads, including GraphQL queries, keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.api import world
from tests.api.conftest import LiveApi, start_live
from trunkline.db.models import BuildStatus, CIVote, CIVoteAggregate, Commit, Promotion

pytestmark = pytest.mark.db

REFUSED = (403, {"message": "API is in read-only mode"})


@pytest.fixture(scope="module")
def live_ro(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """A live read-only API on SQLite."""
    yield from start_live(
        request, tmp_path_factory.mktemp("api"), "sqlite", api={"read_only": True}
    )


@pytest.fixture(scope="module")
def builds(live_ro: LiveApi) -> dict[str, world.Build]:
    """A good build with a vote, and a failed one."""
    with live_ro.sessions() as s:
        good = world.add_build(s, live_ro.repos, "pkg-a", 1)
        bad = world.add_build(s, live_ro.repos, "pkg-b", 2, BuildStatus.FAILED)
        world.add_vote(s, good, "job-a", True, 1000)
        s.commit()
    return {"good": good, "bad": bad}


def _snapshot(live: LiveApi) -> tuple[Any, ...]:
    """Row counts and statuses that any write would change, and the repo tree's names."""
    with live.sessions() as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(model))
            for model in (Commit, CIVote, CIVoteAggregate, Promotion)
        )
        statuses = tuple(s.scalars(select(Commit.status).order_by(Commit.id)))
    return counts, statuses, sorted(p.name for p in live.repos.iterdir())


def _writes(b: world.Build) -> list[tuple[str, Any]]:
    hashes = {"commit_hash": b.commit_hash, "distro_hash": b.distro_hash}
    return [
        ("/api/health", {}),
        ("/api/last_tested_repo", {"max_age": 0, "reporting_job_id": "job-x"}),
        (
            "/api/report_result",
            {**hashes, "job_id": "job-x", "url": "u", "timestamp": 1, "success": True},
        ),
        ("/api/promote", {**hashes, "promote_name": "current-passed-ci"}),
        ("/api/promote-batch", [{**hashes, "promote_name": "batch"}]),
        ("/api/remote/import", {"repo_url": "http://127.0.0.1:9/none"}),
        ("/api/recheck_package", {"package_name": "pkg-b"}),
    ]


@pytest.mark.parametrize("auth", [True, False], ids=["ci-user", "anonymous"])
def test_every_write_post_is_refused_and_changes_nothing(
    live_ro: LiveApi, builds: dict[str, world.Build], auth: bool
) -> None:
    before = _snapshot(live_ro)
    with live_ro.client(auth=auth) as c:
        for path, body in _writes(builds["good"]):
            r = c.post(path, json=body)
            assert (r.status_code, r.json()) == REFUSED, path
    assert _snapshot(live_ro) == before
    assert not (live_ro.repos / "current-passed-ci").exists()


def test_reads_and_graphql_queries_still_work(
    live_ro: LiveApi, builds: dict[str, world.Build]
) -> None:
    with live_ro.client(auth=False) as c:
        assert c.get("/api/health").json() == {"result": "ok"}
        r = c.get("/api/last_tested_repo", params={"max_age": 0})
        assert (r.status_code, r.json()["job_id"]) == (200, "job-a")
        r = c.post("/api/graphql", json={"query": '{ commits(projectName: "pkg-b") { status } }'})
        assert (r.status_code, r.json()) == (200, {"data": {"commits": [{"status": "FAILED"}]}})
