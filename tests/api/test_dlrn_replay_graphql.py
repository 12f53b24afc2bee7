"""DLRN's own GraphQL tests (dlrn/tests/test_graphql.py, 60269d3d), replayed as a table.

Same data (DLRN's commits_2.yaml), same ``GET /api/graphql?query=...``, DLRN's
asserted status and row count (and, for the multi-field rows, the first row).
Not replayed: packageStatus rows that need rdoinfo's package list (a NO_BUILD
package, the list's order); trunkline derives packages from its builds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import LiveApi, start_live
from tests.api.dlrn_sample import load_sample

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def sample_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """A server on DLRN's commits_2.yaml (nothing here writes)."""
    for live in start_live(request, tmp_path_factory.mktemp("api"), "sqlite"):
        load_sample(live, "commits_2")
        yield live


# (DLRN test, query, status, root field, rows, first row's fields)
CASES: list[tuple[str, str, int, str, int, dict[str, Any]]] = [
    ("TestBasic.test_failed_query", "{ foo { id } }", 400, "", 0, {}),
    ("TestCommitsQuery.test_basic_query", "{ commits { id } }", 200, "commits", 5, {}),
    ("commits.test_filtered_query", 'commits(projectName: "python-alembic")', 200, "commits",
     2, {}),
    ("commits.test_filtered_query_commitHash",
     'commits(commitHash: "1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edc")', 200, "commits", 1, {}),
    ("commits.test_filtered_query_distroHash",
     'commits(distroHash: "008678d7b0e20fbae185f2bb1bd0d9d167586211")', 200, "commits", 2, {}),
    ("commits.test_filtered_query_extendedHash_full",
     'commits(extendedHash: "1234567890_1234567890")', 200, "commits", 1, {}),
    ("commits.test_filtered_query_extendedHash_wildcard",
     'commits(extendedHash: "1234567890_%")', 200, "commits", 1, {}),
    ("commits.test_filtered_query_extendedHash_wildcard_noresult",
     'commits(extendedHash: "abcdef%")', 200, "commits", 0, {}),
    ("commits.test_filtered_query_component", 'commits(component: "tripleo")', 200, "commits",
     3, {}),
    ("commits.test_badfiltered_query", 'commits(projectFoo: "python-alembic")', 400, "", 0, {}),
    ("commits.test_non_existing_filtered_query", 'commits(projectName: "python-bar")', 200,
     "commits", 0, {}),
    ("commits.test_get_multiple_fields",
     'commits(projectName: "puppet-stdlib") { status component commitHash }', 200, "commits",
     2, {"status": "SUCCESS", "component": "tripleo",
         "commitHash": "93eee77657978547f5fad1cb8cd30b570da83e68"}),
    ("commits.test_get_limit", 'commits(projectName: "python-alembic", limit: 1)', 200,
     "commits", 1, {}),
    ("commits.test_get_offset", "commits(offset: 2)", 200, "commits", 3, {}),
    ("civote.test_basic_query", "{ civote { id } }", 200, "civote", 5, {}),
    ("civote.test_get_offset", "civote(offset: 2)", 200, "civote", 3, {}),
    ("civote.test_get_limit", "civote(limit: 2)", 200, "civote", 2, {}),
    ("civote.test_filtered_query", "civote(commitId: 5627)", 200, "civote", 2, {}),
    ("civote.test_filtered_query_component", 'civote(ciName: "another-ci")', 200, "civote", 1,
     {}),
    ("civote.test_filtered_query_civote_true", "civote(ciVote: true)", 200, "civote", 4, {}),
    ("civote.test_filtered_query_civote_false", "civote(ciVote: false)", 200, "civote", 1, {}),
    ("civote.test_filtered_query_inprogress_true", "civote(ciInProgress: true)", 200, "civote",
     1, {}),
    ("civote.test_filtered_query_inprogress_false", "civote(ciInProgress: false)", 200,
     "civote", 4, {}),
    ("civote.test_badfiltered_query", 'civote(commitId: "TextnotInt")', 400, "", 0, {}),
    ("civote.test_get_multiple_fields",
     "civote(commitId: 5627) { commitId ciName ciVote ciInProgress timestamp user }", 200,
     "civote", 2, {"commitId": 5627, "ciName": "current-passed-ci", "ciVote": False,
                   "ciInProgress": True, "timestamp": 1441635090, "user": "foo"}),
    ("civote.test_where_timestamp_gt_lt",
     "civote(where: {timestamp: {gt: 1441635089, lt: 1441635095}})", 200, "civote", 1, {}),
    ("civote.test_where_timestamp_gte_lte",
     "civote(where: {timestamp: {gte: 1441635089, lte: 1441635095}})", 200, "civote", 3, {}),
    ("civote.test_where_timestamp_eq", "civote(where: {timestamp: {eq: 1441635095}})", 200,
     "civote", 1, {}),
    ("civote.test_empty_where", "civote(where: {})", 200, "civote", 5, {}),
    ("civote.test_empty_where_timestamp", "civote(where: {timestamp: {}})", 200, "civote", 5,
     {}),
    ("civoteAgg.test_basic_query", "{ civoteAgg { id } }", 200, "civoteAgg", 3, {}),
    ("civoteAgg.test_get_offset", "civoteAgg(offset: 2)", 200, "civoteAgg", 1, {}),
    ("civoteAgg.test_get_limit", "civoteAgg(limit: 2)", 200, "civoteAgg", 2, {}),
    ("civoteAgg.test_filtered_query", 'civoteAgg(refHash: "12345678")', 200, "civoteAgg", 2,
     {}),
    ("civoteAgg.test_filtered_civote_true", "civoteAgg(ciVote: true)", 200, "civoteAgg", 2, {}),
    ("civoteAgg.test_filtered_civote_false", "civoteAgg(ciVote: false)", 200, "civoteAgg", 1,
     {}),
    ("civoteAgg.test_filtered_last_refhash_true", "civoteAgg(lastRefHash: true)", 200,
     "civoteAgg", 2, {}),
    ("civoteAgg.test_filtered_last_refhash_false", "civoteAgg(lastRefHash: false)", 200,
     "civoteAgg", 3, {}),
    ("civoteAgg.test_filtered_ciinprogress_false", "civoteAgg(ciInProgress: false)", 200,
     "civoteAgg", 3, {}),
    ("civoteAgg.test_filtered_ciinprogress_true", "civoteAgg(ciInProgress: true)", 200,
     "civoteAgg", 0, {}),
    ("civoteAgg.test_badfiltered_query", 'civoteAgg(commit_id: "TextnotInt")', 400, "", 0, {}),
    ("civoteAgg.test_get_multiple_fields",
     'civoteAgg(refHash: "12345678") { id refHash ciName ciUrl ciVote ciInProgress timestamp '
     "notes }", 200, "civoteAgg", 2,
     {"refHash": "12345678", "ciName": "phase2-ci",
      "ciUrl": "http://dummyci.example.com/phase2-ci", "ciVote": False, "ciInProgress": False,
      "timestamp": 1441635195, "notes": ""}),
    ("civoteAgg.test_where_timestamp_gt_lt",
     "civoteAgg(where: {timestamp: {gt: 1441635095, lt: 1441635195}})", 200, "civoteAgg", 1,
     {}),
    ("civoteAgg.test_where_timestamp_gte_lte",
     "civoteAgg(where: {timestamp: {gte: 1441635095, lte: 1441635195}})", 200, "civoteAgg",
     3, {}),
    ("civoteAgg.test_where_timestamp_eq", "civoteAgg(where: {timestamp: {eq: 1441635095}})",
     200, "civoteAgg", 1, {}),
    ("civoteAgg.test_mix_where_and_other_filter",
     "civoteAgg(where: {timestamp: {gte: 1441635099}}, ciVote: true)", 200, "civoteAgg", 1,
     {}),
    ("civoteAgg.test_bad_where_filter", "civoteAgg(where: {doesntexist: {lt: 1234}})", 400, "",
     0, {}),
    ("civoteAgg.test_bad_gt_value", 'civoteAgg(where: {timestamp: {gt: "1234"}})', 400, "", 0,
     {}),
    ("civoteAgg.test_bad_timestamp_operator",
     "civoteAgg(where: {timestamp: {doesntexist: 1441635095}})", 400, "", 0, {}),
    ("civoteAgg.test_empty_where", "civoteAgg(where: {})", 200, "civoteAgg", 3, {}),
    ("civoteAgg.test_empty_where_timestamp", "civoteAgg(where: {timestamp: {}})", 200,
     "civoteAgg", 3, {}),
    ("packageStatus.test_filtered_query", 'packageStatus(projectName: "python-alembic")', 200,
     "packageStatus", 1, {}),
    ("packageStatus.test_filtered_query_missing", 'packageStatus(status: "FAILED")', 200,
     "packageStatus", 0, {}),
    ("packageStatus.test_badfiltered_query", 'packageStatus(statuserror: "RETRY")', 400, "", 0,
     {}),
    ("packageStatus.test_get_multiple_fields (count)",
     'packageStatus(status: "SUCCESS") { id projectName status lastSuccess }', 200,
     "packageStatus", 3, {"status": "SUCCESS", "lastSuccess": None}),
]  # fmt: skip


def _query(text: str) -> str:
    """DLRN's tests write ``field(args)`` inside ``query { ... { id } }``."""
    if text.startswith("{"):
        return text
    return "query { " + (text + " { id }" if text.endswith(")") else text) + " }"


@pytest.mark.parametrize(
    ("query", "status", "root", "rows", "first"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_dlrn_graphql_test(
    sample_live: LiveApi, query: str, status: int, root: str, rows: int, first: dict[str, Any]
) -> None:
    with httpx.Client(base_url=sample_live.url, timeout=30) as c:
        r = c.get("/api/graphql", params={"query": _query(query)})
    assert r.status_code == status, r.text
    if status != 200:
        assert r.json()["errors"]
        return
    got = r.json()["data"][root]
    assert len(got) == rows
    for key, value in first.items():
        assert got[0][key] == value, key
    if first:  # only the fields asked for, as DLRN checks
        assert set(got[0]) == set(query.rsplit("{", 1)[1].rstrip("} ").split())


def test_last_ref_hash_with_ref_hash_is_dlrns_error(sample_live: LiveApi) -> None:
    query = '{ civoteAgg(lastRefHash: true, refHash: "12345678") { id } }'
    with httpx.Client(base_url=sample_live.url, timeout=30) as c:
        body = c.get("/api/graphql", params={"query": query}).json()
    assert body["errors"][0]["message"] == (
        "refHash/timestamp/where.timestamp and last_ref_hash cannot be provided in the same query"
    )
