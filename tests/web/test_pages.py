"""The dashboard's pages over HTTP: every page, its security headers, filters and paging.

The expected rows are computed here from the world's own records (the rows the
fixture inserted), not by the dashboard's code.
"""

from __future__ import annotations

import html
import re
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.web import world
from tests.web.conftest import LiveSite
from trunkline.db.models import BuildStatus, Commit

PAGES = (
    "/",
    "/builds",
    "/ftbfs",
    "/packages/openstack-cinder",
    f"/packages/{quote(world.HOSTILE_NAME, safe='')}",
    "/promotions",
    "/uc",
)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the table rows of ``table#<id>``."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def parse(html: str) -> _Tags:
    """The page's tags."""
    p = _Tags()
    p.feed(html)
    return p


def rows(html: str, table: str) -> list[list[str]]:
    """Cell texts of ``table#<table>``'s body rows."""
    body = re.search(rf'<table id="{table}"[^>]*>.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table#{table}"
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        out.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return out


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_read_only_html_without_inline_script(live_site: LiveSite, path: str) -> None:
    r = httpx.get(live_site.url + path)
    assert r.status_code == 200, r.text[:500]
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    tags = parse(r.text)
    scripts = [a for t, a in tags.tags if t == "script"]
    assert all(a.get("src", "").startswith("/static/") for a in scripts)
    assert tags.script_text == []
    handlers = [(t, k) for t, a in tags.tags for k in a if k.startswith("on")]
    assert handlers == []
    hrefs = [a.get("href") or "" for _, a in tags.tags]
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    # every form asks with GET: nothing on these pages writes
    assert all(a.get("method") == "get" for t, a in tags.tags if t == "form")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/", "/builds", "/ftbfs", "/packages/x"])
def test_other_methods_are_refused(live_site: LiveSite, method: str, path: str) -> None:
    assert httpx.request(method, live_site.url + path).status_code == 405


@pytest.mark.parametrize(
    ("path", "raw", "escaped"),
    [
        ("/builds?builder=centos9-master", "<script>alert(1)</script>", "&lt;script&gt;alert(1)"),
        ("/builds", world.HOSTILE_NAME, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("/promotions", world.HOSTILE_JOB, "&lt;svg onload=&#34;alert(2)&#34;&gt;"),
        (f"/packages/{quote(world.HOSTILE_NAME, safe='')}", "<img src=x", "&lt;img src=x"),
        ("/builds?q=%3Cscript%3E", "<script>", "&lt;script&gt;"),
    ],
)
def test_hostile_text_is_shown_escaped(
    live_site: LiveSite, path: str, raw: str, escaped: str
) -> None:
    html = httpx.get(live_site.url + path).text
    assert escaped in html
    assert raw not in html


def test_a_hostile_ci_url_gets_no_link(live_site: LiveSite) -> None:
    html = httpx.get(live_site.url + "/promotions").text
    assert "periodic-weirdo" in html
    assert "javascript:" not in html.split("<main>")[1].split("periodic-weirdo")[0][-200:]


def _builds(live: LiveSite) -> list[tuple[str, Commit]]:
    return [(w.name, c) for w in live.worlds for c in w.builds]


def _expected(live: LiveSite, keep: Any) -> list[tuple[str, str, str]]:
    """(builder, package, status) of the builds ``keep`` accepts, in the page's order."""
    picked = [(b, c) for b, c in _builds(live) if keep(b, c)]
    picked.sort(key=lambda bc: (-bc[1].dt_build, bc[0], -bc[1].id))
    return [(b, c.project_name, str(c.status)) for b, c in picked]


def _day(epoch: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


FILTERS: list[tuple[str, Any]] = [
    ("builder=centos9-epoxy", lambda b, c: b == "centos9-epoxy"),
    ("package=openstack-cinder", lambda b, c: c.project_name == "openstack-cinder"),
    ("component=glance", lambda b, c: c.component == "glance"),
    ("status=FAILED", lambda b, c: c.status is BuildStatus.FAILED),
    ("status=RETRY&builder=centos9-master", lambda b, c: c.status is BuildStatus.RETRY),
    ("q=CLIENT", lambda b, c: "client" in c.project_name),
    ("q=nova&status=SUCCESS", lambda b, c: "nova" in c.project_name and c.status == "SUCCESS"),
]


@pytest.mark.parametrize(("query", "keep"), FILTERS, ids=[f[0] for f in FILTERS])
def test_builds_filters_keep_exactly_the_matching_builds(
    live_site: LiveSite, query: str, keep: Any
) -> None:
    got = _all_pages(live_site, f"/builds?{query}")
    assert got == _expected(live_site, keep)
    assert got


def test_builds_date_range_and_hash_prefix(live_site: LiveSite) -> None:
    target = live_site.worlds[2].builds[4]
    day = _day(target.dt_build)
    got = _all_pages(live_site, f"/builds?since={day}&until={day}")
    assert got == _expected(live_site, lambda b, c: _day(c.dt_build) == day)
    by_hash = _all_pages(live_site, f"/builds?q={target.commit_hash[:8]}")
    assert by_hash == [("centos9-epoxy", target.project_name, str(target.status))]


def _all_pages(live: LiveSite, first: str) -> list[tuple[str, str, str]]:
    """Follow the "older" links to the end; every page's rows."""
    out: list[tuple[str, str, str]] = []
    url: str | None = first
    while url:
        html = httpx.get(live.url + url).text
        for r in rows(html, "builds"):
            if len(r) > 4:
                out.append((r[1], _unescape(r[2]), r[4]))
        m = re.search(r'id="next-page" href="([^"]+)"', html)
        url = _unescape(m[1]) if m else None
    return out


def _unescape(text: str) -> str:

    return html.unescape(text)


def test_builds_pages_by_keyset_without_gaps_or_repeats(live_site: LiveSite) -> None:
    got = _all_pages(live_site, "/builds")
    assert len(got) == len(_builds(live_site)) > 50  # more than one page
    assert got == _expected(live_site, lambda b, c: True)


def test_ftbfs_page_has_the_seed_columns_and_the_open_ftbfs(live_site: LiveSite) -> None:
    html = httpx.get(live_site.url + "/ftbfs").text
    head = re.search(r'<table id="ftbfs".*?<thead>(.*?)</thead>', html, re.S)
    assert head
    columns = re.findall(r"<th>(.*?)</th>", head[1])
    assert columns[:7] == [
        "Project", "Component", "Status", "Release", "Review", "Logs", "Date of FTBFS",
    ]  # fmt: skip
    assert columns[7:] == ["Age", "Culprit", "Attempts"]
    (row,) = rows(html, "ftbfs")
    stable = live_site.worlds[2]
    first_fail = next(c for c in stable.builds if c.status is BuildStatus.FAILED)
    assert row[:7] == [
        "openstack-cinder", "", "FAILED", "centos9-epoxy", "93412 NEW", "rpmbuild.log",
        time.strftime("%Y-%m-%d %H:%M", time.gmtime(first_fail.dt_build)),
    ]  # fmt: skip
    assert row[8].startswith("single") and row[9] == "2"


@pytest.mark.parametrize(("q", "count"), [("epoxy", 1), ("cinder", 1), ("nova", 0), ("", 1)])
def test_ftbfs_filter_works_without_javascript(live_site: LiveSite, q: str, count: int) -> None:
    html = httpx.get(live_site.url + "/ftbfs", params={"q": q}).text
    found = [r for r in rows(html, "ftbfs") if len(r) == 10]
    assert len(found) == count


def test_ftbfs_log_link_serves_the_build_log(live_site: LiveSite) -> None:
    html = httpx.get(live_site.url + "/ftbfs").text
    m = re.search(r'href="(/repos/[^"]+rpmbuild\.log)"', html)
    assert m
    r = httpx.get(live_site.url + m[1])
    assert r.status_code == 200 and "error: openstack-cinder failed" in r.text


@pytest.mark.parametrize(
    "path",
    [
        "/repos/centos9-epoxy/../../etc/passwd",
        "/repos/centos9-epoxy/%2e%2e/trunkline.toml",
        "/repos/centos9-epoxy/current/versions.csv",  # a symlink, not a build dir
        "/repos/nobody/ab/cd/x/rpmbuild.log",
        "/repos/centos9-epoxy/trunkline.sqlite",
    ],
)
def test_repo_files_outside_build_logs_are_not_served(live_site: LiveSite, path: str) -> None:
    assert httpx.get(live_site.url + path).status_code == 404


def test_package_page_shows_history_repos_votes_and_ftbfs(live_site: LiveSite) -> None:
    html = httpx.get(live_site.url + "/packages/python-oslo-config").text
    master = live_site.worlds[0]
    newest = [c for c in master.builds if c.project_name == "python-oslo-config"][-1]
    # current and current-passed-ci ship the newest build; its votes are listed
    held = re.findall(r"<tr><td>([a-z-]+)</td><td><code>([^<]+)</code>", html)
    assert ("current", newest.repo_dir) in held
    assert ("current-passed-ci", newest.repo_dir) in held
    assert "tripleo-ci-centos-9" in html and newest.commit_hash[:10] in html
    cinder = httpx.get(live_site.url + "/packages/python-cinderclient").text
    assert "distgit" in cinder and "Never failed" not in cinder  # its fixed FTBFS period


def test_package_page_shows_the_metadata_record(live_site: LiveSite) -> None:
    html = httpx.get(live_site.url + "/packages/openstack-cinder").text
    record = re.search(r'<table class="grid metadata">(.*?)</table>', html, re.S)
    assert record  # centos9-epoxy's metadata has it; the other builders have no record
    fields = dict(re.findall(r"<th scope=\"row\">(.*?)</th><td><code>(.*?)</code>", record[1]))
    assert fields["upstream"] == "https://opendev.org/openstack/cinder"
    assert "cinder-core@example.com" in fields["maintainers"]
    assert "&lt;script&gt;alert(5)" in fields["maintainers"]
    oslo = httpx.get(live_site.url + "/packages/python-oslo-config").text
    assert "no rdoinfo metadata configured ([packages] path)" in oslo


def test_unknown_package_is_404_with_the_nav(live_site: LiveSite) -> None:
    r = httpx.get(live_site.url + "/packages/no-such-package")
    assert r.status_code == 404 and 'href="/builds"' in r.text


def test_promotions_page_says_what_the_rule_waits_for(live_site: LiveSite) -> None:
    html = httpx.get(live_site.url + "/promotions").text
    waits = re.search(r'<table class="grid waits">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert waits
    # tripleo-ci-centos-9 passed on the newest build; tempest-full never reported
    assert "tempest-full</span>" in waits[1]
    assert "tripleo-ci-centos-9</span>" not in waits[1]
    # the job that reported in progress first has a duration: 6600 - 3000 s = 1h 0m
    assert re.search(r"tripleo-ci-centos-9</a></td>\s*<td[^>]*>success</td><td[^>]*>1h 0m", html)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=BROKEN", "status=&#39;BROKEN&#39;: expected SUCCESS, FAILED or RETRY"),
        ("builder=nope", "builder=&#39;nope&#39;: not a builder of this site"),
        ("since=yesterday", "since=&#39;yesterday&#39;: expected a date YYYY-MM-DD"),
        ("after=12", "after=&#39;12&#39;: expected &lt;dt_build&gt;.&lt;id&gt;.&lt;builder&gt;"),
    ],
)
def test_bad_filters_are_one_line_400(live_site: LiveSite, query: str, message: str) -> None:
    r = httpx.get(f"{live_site.url}/builds?{query}")
    assert r.status_code == 400 and message in r.text


def test_chart_library_is_served_from_the_package_with_its_license(live_site: LiveSite) -> None:
    html = httpx.get(live_site.url + "/").text
    (src,) = re.findall(r'<script src="(/static/vendor/chart-[0-9.]+\.umd\.js)"', html)
    js = httpx.get(live_site.url + src)
    assert js.status_code == 200 and "Chart.js" in js.text[:500]
    lic = httpx.get(live_site.url + "/static/vendor/chart.js-LICENSE.md").text
    assert "MIT" in lic or "Permission is hereby granted" in lic
    assert "//" not in html.split("<script", 1)[1].split(">", 1)[0]  # no CDN URL


def test_the_uc_page_shows_the_newest_run_filtered_and_escaped(live_site: LiveSite) -> None:
    """The newest ``uc report`` run of each builder, worst first; the status filter keeps
    those rows only; a hostile module name stays text."""
    with httpx.Client(base_url=live_site.url) as client:
        page = client.get("/uc")
        lower = client.get("/uc", params={"status": "lower"})
        bad = client.get("/uc", params={"status": "nope"})
    assert page.status_code == 200 and "uc-placeholder" not in page.text
    modules = re.findall(r'<tr class="uc-(\w+)">\s*<td>([^<]*)</td>', page.text)
    assert [st for st, _ in modules] == ["lower", "greater", "missing", "equal"]
    assert (
        "missing",
        world.HOSTILE_NAME.replace('"', "&#34;").replace(">", "&gt;").replace("<", "&lt;"),
    ) in modules
    assert "<img src=x" not in page.text
    assert "Counts per status over the last 2 runs" in page.text
    assert re.findall(r'<tr class="uc-(\w+)">', lower.text) == ["lower"]
    assert bad.status_code == 400 and "expected one of lower" in bad.text
