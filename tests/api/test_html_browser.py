"""The API's HTML views in headless Chromium: rows shown, links followed, hostile text inert.

CI jobs choose their own job names, URLs and notes, so every vote field is
untrusted: a ``<script>`` in ``notes`` or ``ci_url`` must show as text and never
run, on every page.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import world
from tests.api.conftest import LiveApi
from trunkline.db.models import BuildStatus, CIVote, CIVoteAggregate

pytestmark = [pytest.mark.browser, pytest.mark.db]

HOSTILE_NOTES = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
HOSTILE_URL = 'http://ci/"><script>window.__pwned = 3</script>'
HOSTILE_JOB = '<svg onload="window.__pwned = 4">'
PAGES = ("civotes.html", "civotes_agg.html", "report.html")


@pytest.fixture(scope="module")
def seeded(live_sqlite: LiveApi) -> dict[str, world.Build]:
    """Two voted builds (one vote hostile), a failed build, and aggregate votes."""
    with live_sqlite.sessions() as s:
        a = world.add_build(s, live_sqlite.repos, "pkg-a", 1)
        b = world.add_build(s, live_sqlite.repos, "pkg-b", 2)
        world.add_build(s, live_sqlite.repos, "pkg-c", 3, BuildStatus.FAILED)
        world.add_vote(s, a, "job-a", True, 1_700_000_100)
        world.add_vote(s, a, "job-b", False, 1_700_000_200)
        world.add_vote(s, b, "job-a", True, 1_700_000_300)
        s.add(
            CIVote(
                commit_id=b.id,
                ci_name=HOSTILE_JOB,
                ci_url=HOSTILE_URL,
                ci_vote=False,
                timestamp=1_700_000_400,
                notes=HOSTILE_NOTES,
            )
        )
        for job, ok in (("agg-job", True), ("agg-job-2", False)):
            s.add(
                CIVoteAggregate(
                    ref_hash="0123456789abcdef0123456789abcdef",
                    ci_name=job,
                    ci_url=HOSTILE_URL,
                    ci_vote=ok,
                    timestamp=1_700_000_500,
                    notes=HOSTILE_NOTES,
                )
            )
        s.commit()
    return {"a": a, "b": b}


def cells(page: Any, table: str) -> list[list[str]]:
    """The text of every data row of ``table#<table>``."""
    rows = page.locator(f"table#{table} tr")
    return [
        [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(1, rows.count())
    ]


def test_civotes_lists_each_voted_repo_with_its_counts(
    live_sqlite: LiveApi, seeded: dict[str, world.Build], page: Any
) -> None:
    page.goto(f"{live_sqlite.url}/api/civotes.html")
    a, b = seeded["a"], seeded["b"]
    got = [(r[0], r[1], r[4], r[5]) for r in cells(page, "repos")]
    assert got == [
        (b.commit_hash, b.distro_hash[:8], "1", "1"),
        (a.commit_hash, a.distro_hash[:8], "1", "1"),
    ]


def test_a_repo_link_opens_its_votes_and_a_job_link_opens_that_jobs_votes(
    live_sqlite: LiveApi, seeded: dict[str, world.Build], page: Any
) -> None:
    a = seeded["a"]
    page.goto(f"{live_sqlite.url}/api/civotes.html")
    page.get_by_role("link", name=a.commit_hash).click()
    page.wait_for_url("**/api/civotes_detail.html?commit_hash=*")
    assert sorted((r[3], r[5]) for r in cells(page, "votes")) == [
        ("job-a", "success"),
        ("job-b", "failure"),
    ]
    page.get_by_role("link", name="job-a").click()
    page.wait_for_url("**/api/civotes_detail.html?ci_name=job-a")
    assert sorted(r[0] for r in cells(page, "votes")) == sorted(
        [a.commit_hash, seeded["b"].commit_hash]
    )


def test_aggregate_votes_link_to_their_detail(
    live_sqlite: LiveApi, seeded: dict[str, world.Build], page: Any
) -> None:
    page.goto(f"{live_sqlite.url}/api/civotes_agg.html")
    assert [(r[0], r[2], r[3]) for r in cells(page, "aggregates")] == [
        ("0123456789abcdef0123456789abcdef", "1", "1")
    ]
    page.get_by_role("link", name="0123456789abcdef0123456789abcdef").click()
    page.wait_for_url("**/api/civotes_agg_detail.html?ref_hash=*")
    assert sorted((r[1], r[3]) for r in cells(page, "votes")) == [
        ("agg-job", "success"),
        ("agg-job-2", "failure"),
    ]


def test_report_shows_the_newest_builds_first_with_repo_links(
    live_sqlite: LiveApi, seeded: dict[str, world.Build], page: Any
) -> None:
    page.goto(f"{live_sqlite.url}/api/report.html")
    rows = cells(page, "builds")
    assert [(r[1], r[5]) for r in rows] == [
        ("pkg-c", "FAILED"),
        ("pkg-b", "SUCCESS"),
        ("pkg-a", "SUCCESS"),
    ]
    href = page.locator("table#builds tr").nth(2).locator("a").get_attribute("href")
    b = seeded["b"]
    assert href == f"http://repos.example/repos/{b.commit_hash[:2]}/{b.commit_hash[2:4]}/" + (
        f"{b.commit_hash}_{b.distro_hash[:8]}/"
    )
    page.get_by_role("link", name="older").click()
    page.wait_for_url("**/api/report.html?offset=100")
    assert cells(page, "builds") == []


def test_hostile_job_names_urls_and_notes_show_as_text_and_never_run(
    live_sqlite: LiveApi, seeded: dict[str, world.Build], page: Any
) -> None:
    b = seeded["b"]
    details = (
        f"civotes_detail.html?commit_hash={b.commit_hash}&distro_hash={b.distro_hash}",
        "civotes_agg_detail.html?ref_hash=0123456789abcdef0123456789abcdef",
    )
    for name in (*PAGES, *details):
        page.goto(f"{live_sqlite.url}/api/{name}")
        assert page.evaluate("typeof window.__pwned") == "undefined", name
        assert page.locator("script").count() == 0, name
        assert page.locator("td img, td svg").count() == 0, name
    page.goto(f"{live_sqlite.url}/api/{details[0]}")
    hostile = [r for r in cells(page, "votes") if r[3] == HOSTILE_JOB]
    assert [(r[7], r[9]) for r in hostile] == [(HOSTILE_URL, HOSTILE_NOTES)]
    page.get_by_role("link", name=HOSTILE_JOB).click()
    page.wait_for_url("**/api/civotes_detail.html?ci_name=*")
    assert [r[3] for r in cells(page, "votes")] == [HOSTILE_JOB]
