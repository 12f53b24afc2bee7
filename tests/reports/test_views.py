"""Links, NVRs and pagination arithmetic of the reports (pure functions)."""

from __future__ import annotations

import pytest

from trunkline.reports.pages import MAX_PAGES, PagePlan, plan_pages
from trunkline.reports.views import commit_url, repo_href

HASH = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("upstream", "expected"),
    [
        ("https://github.com/openstack/nova", f"https://github.com/openstack/nova/commit/{HASH}"),
        (
            "https://opendev.org/openstack/nova.git",
            f"https://opendev.org/openstack/nova/commit/{HASH}",
        ),
        ("https://gitlab.com/a/b/", f"https://gitlab.com/a/b/-/commit/{HASH}"),
        ("https://git.example.org/nova", None),
        ("git://github.com/openstack/nova", None),
        ("javascript:alert(1)//github.com", None),
        ("https://github.com/a/../../b", None),
        ("", None),
        (None, None),
    ],
)
def test_commit_links_only_for_known_web_hosts(upstream: str | None, expected: str | None) -> None:
    assert commit_url(upstream, HASH) == expected


def test_commit_link_needs_a_hex_hash() -> None:
    assert commit_url("https://github.com/openstack/nova", 'abc"><x') is None


@pytest.mark.parametrize(
    ("repo_dir", "expected"),
    [
        ("ab/cd/abcd_12345678", "ab/cd/abcd_12345678/"),
        ("component/net work/ab/cd/x", "component/net%20work/ab/cd/x/"),
        ("", None),
        ("/etc", None),
        ("../x", None),
        ("a/./b", None),
        ("javascript:alert(1)", None),
    ],
)
def test_repo_links_are_relative_quoted_and_never_escape(
    repo_dir: str, expected: str | None
) -> None:
    assert repo_href(repo_dir) == expected


def test_pages_are_id_blocks_and_bounded() -> None:
    assert plan_pages(0) == [PagePlan(1, 1, 1, 0)]
    assert plan_pages(100) == [PagePlan(1, 1, 1, 100)]
    assert [(p.number, p.low, p.high) for p in plan_pages(101)] == [(1, 101, 200), (2, 1, 100)]
    many = plan_pages(150_001)
    assert len(many) == MAX_PAGES
    assert (many[0].low, many[0].high) == (150_001, 150_100)
    assert many[-1].filename == f"report-{MAX_PAGES}.html" and many[0].filename == "report.html"
