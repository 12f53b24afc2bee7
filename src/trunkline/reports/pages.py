"""Pagination of the recent-builds report into stable id blocks.

Build ids only grow, so pages are blocks of ``PAGE_SIZE`` consecutive ids:
page 1 (``report.html``) is the newest block, page 2 (``report-2.html``) the
one before, and so on for at most ``MAX_PAGES`` pages (the report is bounded:
old builds fall off the end, as in DLRN's "last 300"). A new build therefore
changes page 1 only, until its block is full and every page shifts by one; the
renderer compares fingerprints and rewrites only the pages that changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

PAGE_SIZE = 100
MAX_PAGES = 10


@dataclass(frozen=True, slots=True)
class PagePlan:
    """One page of the recent-builds report: its number and id block."""

    number: int
    total: int
    low: int
    high: int
    size: int = PAGE_SIZE

    @property
    def filename(self) -> str:
        """``report.html`` for page 1, ``report-<n>.html`` after."""
        return page_filename(self.number)


def page_filename(number: int) -> str:
    """The file name of page ``number`` (1-based)."""
    return "report.html" if number == 1 else f"report-{number}.html"


def plan_pages(
    max_id: int, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES
) -> list[PagePlan]:
    """The pages to publish when the newest build id is ``max_id`` (one empty page at 0)."""
    if max_id <= 0:
        return [PagePlan(1, 1, 1, 0, page_size)]
    top = (max_id - 1) // page_size
    blocks = list(range(top, max(top - max_pages, -1), -1))
    return [
        PagePlan(n, len(blocks), b * page_size + 1, (b + 1) * page_size, page_size)
        for n, b in enumerate(blocks, start=1)
    ]


def fingerprint(plan: PagePlan, marks: tuple[int, ...], *extra: str) -> str:
    """A digest of everything a page is rendered from; equal digests mean equal pages.

    Args:
        plan: the page (its number and the total number of pages show on it).
        marks: the DB's change marks of the page's block (``report_queries.page_marks``).
        extra: anything else the page shows (project name, base URL, URL map digest).
    """
    return hashlib.sha256(repr((plan, marks, extra)).encode()).hexdigest()


def block_of(plan: PagePlan) -> int:
    """The id block a page shows (``(id - 1) // size`` of its ids)."""
    return (plan.low - 1) // plan.size
