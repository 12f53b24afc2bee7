"""``/metrics``: Prometheus text with DLRN's build counters and trunkline's vote counters.

DLRN exports ``dlrn_builds_succeeded_total``, ``dlrn_builds_failed_total``,
``dlrn_builds_retry_total`` and ``dlrn_builds_total``, labelled with the
builder's ``baseurl``; dashboards and alerts keyed on those names keep working.
Votes are counted per result, without the builder's own ``consistent`` vote.
"""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api import world
from tests.api.conftest import LiveApi
from trunkline.db.models import BuildStatus

pytestmark = pytest.mark.db

BASEURL = "http://repos.example/repos"


@pytest.fixture(scope="module")
def seeded(live_sqlite: LiveApi) -> world.Build:
    """3 good builds, 2 failed, 1 retry; 2 CI votes (1 success) and 1 consistent vote."""
    with live_sqlite.sessions() as s:
        good = [world.add_build(s, live_sqlite.repos, f"ok-{n}", n) for n in (1, 2, 3)]
        world.add_build(s, live_sqlite.repos, "bad-1", 4, BuildStatus.FAILED)
        world.add_build(s, live_sqlite.repos, "bad-2", 5, BuildStatus.FAILED)
        world.add_build(s, live_sqlite.repos, "retry", 6, BuildStatus.RETRY)
        world.add_vote(s, good[0], "consistent", True, 100)
        world.add_vote(s, good[0], "job-a", True, 200)
        world.add_vote(s, good[1], "job-a", False, 300)
        s.commit()
    return good[2]


def scrape(live: LiveApi) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``/metrics`` by (name, sorted labels)."""
    with live.client(auth=False) as c:
        r = c.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(r.text)
        for s in fam.samples
    }


def test_build_counters_have_dlrn_names_and_the_baseurl_label(
    live_sqlite: LiveApi, seeded: world.Build
) -> None:
    samples = scrape(live_sqlite)
    label = (("baseurl", BASEURL),)
    assert samples[("dlrn_builds_succeeded_total", label)] == 3
    assert samples[("dlrn_builds_failed_total", label)] == 2
    assert samples[("dlrn_builds_retry_total", label)] == 1
    assert samples[("dlrn_builds_total", label)] == 6


def test_text_exposition_declares_counters(live_sqlite: LiveApi, seeded: world.Build) -> None:
    with live_sqlite.client(auth=False) as c:
        text = c.get("/metrics").text
    assert "# TYPE dlrn_builds_succeeded_total counter" in text
    assert f'dlrn_builds_total{{baseurl="{BASEURL}"}} 6.0' in text


def test_vote_counters_skip_consistent_and_grow_with_reports(
    live_sqlite: LiveApi, seeded: world.Build
) -> None:
    before = scrape(live_sqlite)
    success = ("trunkline_ci_votes_total", (("result", "success"),))
    failure = ("trunkline_ci_votes_total", (("result", "failure"),))
    assert (before[success], before[failure]) == (1, 1)
    body = {
        "commit_hash": seeded.commit_hash,
        "distro_hash": seeded.distro_hash,
        "job_id": "job-b",
        "url": "http://ci/b",
        "timestamp": 400,
        "success": True,
    }
    with live_sqlite.client() as c:
        assert c.post("/api/report_result", json=body).status_code == 201
    after = scrape(live_sqlite)
    assert (after[success], after[failure]) == (2, 1)
