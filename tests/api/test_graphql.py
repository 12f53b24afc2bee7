"""DLRN's GraphQL queries at ``/api/graphql``: commits, civote, civoteAgg, promotions,
packageStatus, with DLRN's camelCase arguments and fields and 100-row pages.

DLRN's report pages and external dashboards send these exact query shapes
(``{ commits(projectName: ..., offset: ..., limit: ...) { commitHash ... } }``).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api import world
from tests.api.conftest import LiveApi
from trunkline.api.routes import graphql
from trunkline.db.models import BuildStatus, CIVoteAggregate, Promotion

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def seeded(live_sqlite: LiveApi) -> dict[str, world.Build]:
    """pkg-a: good; pkg-b: good then failed; 120 builds of pkg-many; votes; promotions."""
    with live_sqlite.sessions() as s:
        a = world.add_build(s, live_sqlite.repos, "pkg-a", 1, component="network")
        b_ok = world.add_build(s, live_sqlite.repos, "pkg-b", 2)
        b_bad = world.add_build(s, live_sqlite.repos, "pkg-b", 3, BuildStatus.FAILED)
        for n in range(10, 130):
            world.add_build(s, live_sqlite.repos, "pkg-many", n)
        world.add_vote(s, a, "job-a", True, 1000)
        world.add_vote(s, a, "job-b", False, 1100)
        world.add_vote(s, b_ok, "job-a", True, 1200)
        s.add(CIVoteAggregate(ref_hash="agg1", ci_name="agg-job", ci_vote=True, timestamp=1300))
        s.add(Promotion(commit_id=a.id, promotion_name="current-passed-ci", timestamp=1400))
        s.add(Promotion(commit_id=b_ok.id, promotion_name="tripleo-ci-testing", timestamp=1500))
        s.commit()
    return {"a": a, "b_ok": b_ok, "b_bad": b_bad}


def gql(live: LiveApi, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    """POST a GraphQL query (as DLRN's JavaScript does)."""
    with live.client(auth=False) as c:
        return c.post("/api/graphql", json={"query": query, "variables": variables})


def data(live: LiveApi, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The ``data`` of a query that must succeed."""
    r = gql(live, query, variables)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return body["data"]


def test_commits_filters_by_project_and_status(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    got = data(
        live_sqlite,
        '{ commits(projectName: "pkg-b", status: "FAILED") '
        "{ commitHash distroHash projectName status component } }",
    )
    bad = seeded["b_bad"]
    assert got["commits"] == [
        {
            "commitHash": bad.commit_hash,
            "distroHash": bad.distro_hash,
            "projectName": "pkg-b",
            "status": "FAILED",
            "component": None,
        }
    ]


def test_commits_by_component_and_hash(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    a = seeded["a"]
    by_comp = data(live_sqlite, '{ commits(component: "network") { projectName } }')
    assert by_comp["commits"] == [{"projectName": "pkg-a"}]
    by_hash = data(
        live_sqlite,
        "query($h: String) { commits(commitHash: $h) { id projectName } }",
        {"h": a.commit_hash},
    )
    assert by_hash["commits"] == [{"id": a.id, "projectName": "pkg-a"}]


def test_commits_pages_are_capped_at_100_and_offset_pages_further(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    big = data(live_sqlite, '{ commits(projectName: "pkg-many", limit: 500) { id } }')["commits"]
    assert len(big) == 100
    rest = data(live_sqlite, '{ commits(projectName: "pkg-many", offset: 100) { id } }')
    assert len(rest["commits"]) == 20
    assert not {c["id"] for c in big} & {c["id"] for c in rest["commits"]}


def test_civote_filters_by_job_and_result(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    got = data(
        live_sqlite,
        '{ civote(ciName: "job-a", ciVote: true) '
        "{ commitId ciName ciVote ciInProgress timestamp ciUrl component } }",
    )
    assert sorted((v["commitId"], v["timestamp"]) for v in got["civote"]) == [
        (seeded["a"].id, 1000),
        (seeded["b_ok"].id, 1200),
    ]
    assert all(v["ciUrl"] == "http://ci.example/job-a" for v in got["civote"])
    by_commit = data(live_sqlite, f"{{ civote(commitId: {seeded['a'].id}) {{ ciName }} }}")
    assert sorted(v["ciName"] for v in by_commit["civote"]) == ["job-a", "job-b"]


def test_civote_agg_filters_by_ref_hash(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    got = data(live_sqlite, '{ civoteAgg(refHash: "agg1") { refHash ciName ciVote timestamp } }')
    assert got["civoteAgg"] == [
        {"refHash": "agg1", "ciName": "agg-job", "ciVote": True, "timestamp": 1300}
    ]
    assert data(live_sqlite, '{ civoteAgg(refHash: "nope") { refHash } }') == {"civoteAgg": []}


def test_promotions_filter_by_name(live_sqlite: LiveApi, seeded: dict[str, world.Build]) -> None:
    got = data(
        live_sqlite,
        '{ promotions(promotionName: "tripleo-ci-testing") '
        "{ commitId promotionName timestamp automatic } }",
    )
    assert got["promotions"] == [
        {
            "commitId": seeded["b_ok"].id,
            "promotionName": "tripleo-ci-testing",
            "timestamp": 1500,
            "automatic": False,
        }
    ]


def test_package_status_reports_the_failing_package_with_its_last_success(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    got = data(
        live_sqlite,
        '{ packageStatus(status: "FAILED") { projectName status lastSuccess firstFailureCommit } }',
    )
    assert got["packageStatus"] == [
        {
            "projectName": "pkg-b",
            "status": "FAILED",
            "lastSuccess": 1_700_000_002,
            "firstFailureCommit": seeded["b_bad"].commit_hash,
        }
    ]
    one = data(live_sqlite, '{ packageStatus(projectName: "pkg-a") { projectName status } }')
    assert one["packageStatus"] == [{"projectName": "pkg-a", "status": "SUCCESS"}]


def test_get_with_query_string_works_like_post(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    with live_sqlite.client(auth=False) as c:
        r = c.get("/api/graphql", params={"query": '{ commits(projectName: "pkg-a") { status } }'})
    assert (r.status_code, r.json()) == (200, {"data": {"commits": [{"status": "SUCCESS"}]}})


def test_an_unknown_field_is_a_400_naming_it(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    r = gql(live_sqlite, "{ commits { password } }")
    assert r.status_code == 400
    assert r.json()["errors"] == [{"message": "Cannot query field 'password' on type 'Commit'."}]


def test_mutations_do_not_exist(live_sqlite: LiveApi, seeded: dict[str, world.Build]) -> None:
    r = gql(live_sqlite, 'mutation { promote(name: "x") { id } }')
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"message": "The mutation operation is not supported by the schema."}
    ]


def test_a_body_without_query_is_a_400(live_sqlite: LiveApi) -> None:
    with live_sqlite.client(auth=False) as c:
        r = c.post("/api/graphql", json={"variables": {}})
    assert (r.status_code, r.json()) == (
        400,
        {"message": 'request body: expected {"query": "..."}'},
    )


def test_the_schema_is_query_only() -> None:
    assert graphql.SCHEMA.mutation_type is None
    assert graphql.SCHEMA.subscription_type is None


def test_a_mutation_sent_by_get_is_rejected_too(
    live_sqlite: LiveApi, seeded: dict[str, world.Build]
) -> None:
    with live_sqlite.client(auth=False) as c:
        r = c.get("/api/graphql", params={"query": 'mutation { promote(name: "x") { id } }'})
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"message": "The mutation operation is not supported by the schema."}
    ]
