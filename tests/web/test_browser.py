"""The dashboard in headless Chromium: every page, its charts, filters and links.

A console error, a page error or a failed request (a 4xx/5xx answer or a
network failure, e.g. a script blocked by the CSP) fails the test. Each page's
screenshot is saved under the test's tmp dir and must not be blank; the
Overview's screenshot also becomes ``docs/dashboard.png`` when
``TRUNKLINE_SCREENSHOT=1`` (how the README's picture is made).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import LiveSite

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("/", "/builds", "/ftbfs", "/packages/openstack-cinder", "/promotions", "/uc")


class Watch:
    """Console errors, page errors and failed requests of one page."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text} at {m.location}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _failed(self, request: Any) -> None:
        # a navigation cancels the icon fetch of the page it leaves: not a failure
        if request.url.endswith("/favicon.svg") and "ERR_ABORTED" in (request.failure or ""):
            return
        self.problems.append(f"failed: {request.url} {request.failure}")


@pytest.fixture
def watched(page: Any) -> Iterator[tuple[Any, Watch]]:
    """The page and its watcher; any problem fails the test at teardown."""
    watch = Watch(page)
    yield page, watch
    assert watch.problems == []


def _not_blank(png: bytes) -> None:
    """A screenshot with more than a handful of distinct byte values is not blank."""
    assert len(png) > 5_000
    assert len(set(png[2000:6000])) > 64


def test_every_page_renders_and_every_chart_is_drawn(
    live_site: LiveSite, watched: tuple[Any, Watch], tmp_path: Path
) -> None:
    page, _ = watched
    page.set_viewport_size({"width": 1400, "height": 1000})
    for path in PAGES:
        page.goto(live_site.url + path)
        assert page.locator("main h1").inner_text().strip()
        if path == "/":
            figures = page.locator("figure.chart")
            assert figures.count() == 4
            page.wait_for_function(
                "document.querySelectorAll('figure.chart[data-drawn]').length === 4"
            )
            for i in range(4):
                fig = figures.nth(i)
                assert int(fig.get_attribute("data-drawn")) > 0  # points drawn
                box = fig.locator("canvas").bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100
                assert fig.locator("details table.chart-data tbody tr").count() > 0
            # the canvas is not empty: some pixel is painted
            painted = page.evaluate(
                """() => [...document.querySelectorAll('figure.chart canvas')].map(c => {
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })"""
            )
            assert all(n > 500 for n in painted), painted
        shot = page.screenshot(full_page=True)
        (tmp_path / f"{path.strip('/').replace('/', '_') or 'overview'}.png").write_bytes(shot)
        _not_blank(shot)
        if path == "/" and os.environ.get("TRUNKLINE_SCREENSHOT") == "1":
            page.set_viewport_size({"width": 1400, "height": 900})
            (ROOT / "docs").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "docs" / "dashboard.png"), type="png")
            page.set_viewport_size({"width": 1400, "height": 1000})


def test_builds_filters_in_the_browser(live_site: LiveSite, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    page.goto(live_site.url + "/builds")
    page.select_option("select[name=builder]", "centos9-master-head")
    page.fill("input[name=component]", "glance")
    page.click("#build-filter button[type=submit]")
    page.wait_for_url("**/builds?*component=glance*")
    cells = page.locator("table#builds tbody tr td:nth-child(4)").all_inner_texts()
    head = live_site.worlds[1]
    assert cells == ["glance"] * sum(1 for c in head.builds if c.component == "glance")
    page.select_option("select[name=status]", "FAILED")
    page.click("#build-filter button[type=submit]")
    page.wait_for_url("**status=FAILED*")
    assert page.locator("table#builds tbody tr").first.inner_text().count("No build") == 1


def test_ftbfs_filter_box_with_and_without_javascript(
    live_site: LiveSite, watched: tuple[Any, Watch], browser: Any
) -> None:
    page, _ = watched
    page.goto(live_site.url + "/ftbfs")
    rows = page.locator("table#ftbfs tbody tr:not(.empty)")
    assert rows.count() == 1
    page.fill("#ftbfs-q", "nova")  # typing filters at once (filter.js)
    assert rows.locator("visible=true").count() == 0
    assert page.locator("#ftbfs-count").inner_text() == "0 of 1 open"
    page.fill("#ftbfs-q", "EPOXY")
    assert rows.locator("visible=true").count() == 1
    # the same box is a GET form: without JavaScript the server filters
    context = browser.new_context(java_script_enabled=False)
    try:
        nojs = context.new_page()
        nojs.goto(live_site.url + "/ftbfs")
        nojs.fill("#ftbfs-q", "nova")
        nojs.press("#ftbfs-q", "Enter")
        nojs.wait_for_url("**/ftbfs?q=nova")
        assert nojs.locator("table#ftbfs tbody tr.empty").count() == 1
        nojs.goto(live_site.url + "/")
        assert nojs.locator("figure.chart table.chart-data").count() == 4  # data without JS
    finally:
        context.close()


def test_every_link_of_every_page_answers(live_site: LiveSite, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    seen: set[str] = set()
    for path in PAGES:
        page.goto(live_site.url + path)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != live_site.url:
                continue  # CI and review links leave the dashboard
            seen.add(href)
    assert len(seen) > 20
    kinds: set[str] = set()
    for href in sorted(seen):
        kind = urlsplit(href).path.split("/")[1]
        if kind not in kinds:  # one of each kind opened as a page (console watched)
            kinds.add(kind)
            response = page.goto(href)
        else:  # the others fetched by the browser
            response = page.request.get(href)
        assert response is not None and response.status == 200, href
    assert kinds >= {"", "builds", "ftbfs", "packages", "promotions", "uc", "repos"}
