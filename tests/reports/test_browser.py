"""The reports in a real browser: headless Chromium over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.httpdir import serve_directory
from tests.reports.builds import Builds
from trunkline.db.engine import open_database
from trunkline.db.models import BuildStatus
from trunkline.reports.render import generate_reports

pytestmark = pytest.mark.browser

HOSTILE_NOTES = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
HOSTILE_NAME = '<svg onload="window.__pwned = 3">'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A builder's repo tree with 250 builds (one hostile), its reports, served over HTTP."""
    root = tmp_path_factory.mktemp("site")
    repos = root / "repos"
    engine = open_database(f"sqlite:///{root / 'db.sqlite'}")
    with Session(engine) as session:
        b = Builds(session)
        b.many(248, ["python-nova", "python-glance", "python-swift"])
        b.add(HOSTILE_NAME, BuildStatus.FAILED, notes=HOSTILE_NOTES)
        b.add("python-nova", BuildStatus.FAILED, notes="error: <b>not bold</b>")
        session.commit()
        for row in b.rows:
            if row.repo_dir:
                build_dir = repos / row.repo_dir
                build_dir.mkdir(parents=True, exist_ok=True)
                (build_dir / "build.log").write_text(f"build log of {row.id}\n")
                (build_dir / "rpmbuild.log").write_text(f"rpmbuild log of {row.id}\n")
        generate_reports(session, repos, project_name="RDO", baseurl="")
    engine.dispose()
    with serve_directory(repos) as url:
        yield url


def test_report_shows_the_newest_builds_and_the_pager_walks_to_older_ones(
    site: str, page: Any
) -> None:
    page.goto(f"{site}/report.html")
    rows = page.locator("table.builds tbody tr")
    assert rows.count() == 50
    assert rows.first.get_attribute("id") == "build-250"
    assert "Page 1 of 3" in page.locator("p.summary").inner_text()

    page.locator("nav.pager").first.get_by_text("older →").click()
    page.wait_for_url(f"{site}/report-2.html")
    assert rows.count() == 100
    assert rows.first.get_attribute("id") == "build-200"

    page.locator("nav.pager").first.get_by_role("link", name="3").click()
    page.wait_for_url(f"{site}/report-3.html")
    assert rows.last.get_attribute("id") == "build-1"
    page.locator("nav.pager").first.get_by_role("link", name="1").click()
    page.wait_for_url(f"{site}/report.html")


def test_repo_and_log_links_resolve_and_the_stylesheet_loads(site: str, page: Any) -> None:
    page.goto(f"{site}/report.html")
    links = page.locator("table.builds tbody tr td.links a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 15))]
    assert len(hrefs) == 15
    for href in hrefs:
        response = page.request.get(f"{site}/{href}")
        assert response.status == 200, href
    log = page.request.get(f"{site}/{hrefs[1]}")
    assert log.text().startswith("build log of ")
    color = page.locator("td.status-SUCCESS").first.evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(26, 127, 55)"


def test_injected_markup_is_shown_as_text_and_never_runs(site: str, page: Any) -> None:
    for name in ("report.html", "status_report.html", "ftbfs.html"):
        page.goto(f"{site}/{name}")
        assert page.evaluate("typeof window.__pwned") == "undefined", name
        assert page.locator("script").count() == 0
        assert page.locator("tbody img, tbody svg, tbody b").count() == 0
        assert page.get_by_text(HOSTILE_NAME, exact=True).count() >= 1
    page.goto(f"{site}/report.html")
    assert page.locator("#build-249 td.notes").inner_text() == HOSTILE_NOTES


def test_status_and_ftbfs_pages_list_the_failing_packages(site: str, page: Any) -> None:
    page.goto(f"{site}/status_report.html")
    assert page.locator("table.status tbody tr").count() == 4
    page.get_by_role("link", name="FTBFS").click()
    page.wait_for_url(f"{site}/ftbfs.html")
    names = page.locator("table.status tbody td.pkg").all_inner_texts()
    assert names == sorted([HOSTILE_NAME, "python-nova"])
