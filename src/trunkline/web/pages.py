"""What each dashboard page shows: one function per page, returning the template's values.

Each function reads every builder of the site with bounded queries (one
short read-only session per builder) and returns plain values; rendering and
HTTP are ``web/app.py``'s job.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from trunkline.db.uc_queries import StoredRow, StoredRun, latest_run
from trunkline.db.uc_queries import trend as uc_trend
from trunkline.errors import InputError
from trunkline.web import charts, stats
from trunkline.web.builds import (
    BuildFilter,
    BuildItem,
    Cursor,
    builds_page,
    distinct_names,
    merge_pages,
)
from trunkline.web.ftbfs import OpenFtbfs, matches, open_ftbfs
from trunkline.web.metadata import MetadataCache, MetadataRecord
from trunkline.web.package import PackageHistory, package_history
from trunkline.web.promotions import (
    activity_key,
    promotion_names,
    recent_jobs,
    rule_waits,
    timelines,
)
from trunkline.web.site import Site, SiteBuilder

CHART_DAYS = 14
FIX_WINDOW_DAYS = 90
CYCLES = 10
NAMES_TTL = 60.0


@dataclass(frozen=True, slots=True)
class BuilderSummary:
    """One builder's row of the Overview."""

    name: str
    current: stats.LinkState
    consistent: stats.LinkState
    packages: int
    builds_today: int
    ftbfs_open: int
    last_cycle: stats.Cycle | None
    promotions: list[tuple[str, int]]


class NameCache:
    """Each builder's distinct package names, re-read at most every ``NAMES_TTL`` seconds."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[float, list[str]]] = {}

    def get(self, b: SiteBuilder) -> list[str]:
        """The package names of builder ``b``."""
        now = time.monotonic()
        hit = self._names.get(b.name)
        if hit is not None and now - hit[0] < NAMES_TTL:
            return hit[1]
        with b.sessions() as s:
            names = distinct_names(s)
        self._names[b.name] = (now, names)
        return names


@dataclass(frozen=True, slots=True)
class BuilderFigures:
    """One builder's Overview figures from its DB, valid while its fingerprint holds."""

    fingerprint: tuple[Any, ...]
    packages: int
    builds_today: int
    ftbfs_open: int
    promotions: list[tuple[str, int]]
    per_day: dict[int, dict[str, int]]
    periods: list[tuple[int, int | None]]
    fixes: list[int]
    cycles: list[stats.Cycle]


class FigureCache:
    """Each builder's Overview figures, recomputed only when its DB changed.

    The fingerprint (``stats.fingerprint``: newest build, FTBFS and promotion ids,
    newest FTBFS close, and the day) is five index lookups; a builder that built
    nothing since the last request costs only those.
    """

    def __init__(self) -> None:
        self._figures: dict[str, BuilderFigures] = {}

    def get(self, b: SiteBuilder, session: Any, today: int, days: list[int]) -> BuilderFigures:
        """The figures of builder ``b`` (``session`` is its open read-only session)."""
        key = (*stats.fingerprint(session), today)
        hit = self._figures.get(b.name)
        if hit is not None and hit.fingerprint == key:
            return hit
        per_day = stats.builds_per_day(session, days[0])
        fig = BuilderFigures(
            fingerprint=key,
            packages=stats.package_count(session),
            builds_today=sum(per_day.get(today, {}).values()),
            ftbfs_open=stats.open_ftbfs_count(session),
            promotions=stats.newest_promotions(session),
            per_day=per_day,
            periods=stats.ftbfs_periods(session, days[0]),
            fixes=stats.fix_times(session, today - FIX_WINDOW_DAYS * stats.DAY),
            cycles=stats.recent_cycles(session, limit=CYCLES),
        )
        self._figures[b.name] = fig
        return fig


def overview(site: Site, cache: FigureCache, now: float | None = None) -> dict[str, Any]:
    """The Overview: a summary per builder and the four charts."""
    today = stats.today_start(now)
    days = charts.day_range(today, CHART_DAYS)
    summaries: list[BuilderSummary] = []
    per_day: dict[int, dict[str, int]] = {}
    figures: dict[str, BuilderFigures] = {}
    for b in site.builders:
        with b.sessions() as s:
            fig = figures[b.name] = cache.get(b, s, today, days)
        for d, counts in fig.per_day.items():
            acc = per_day.setdefault(d, {})
            for status, n in counts.items():
                acc[status] = acc.get(status, 0) + n
        summaries.append(
            BuilderSummary(
                name=b.name,
                current=stats.link_state(b.repos, "current"),
                consistent=stats.link_state(b.repos, "consistent"),
                packages=fig.packages,
                builds_today=fig.builds_today,
                ftbfs_open=fig.ftbfs_open,
                last_cycle=fig.cycles[0] if fig.cycles else None,
                promotions=fig.promotions,
            )
        )
    return {
        "builders": summaries,
        "charts": [
            charts.builds_chart(per_day, days),
            charts.ftbfs_chart({n: f.periods for n, f in figures.items()}, days),
            charts.fix_chart({n: f.fixes for n, f in figures.items()}),
            charts.cycle_chart({n: f.cycles for n, f in figures.items()}, CYCLES),
        ],
    }


def builds(
    site: Site, flt: BuildFilter, after: Cursor | None, limit: int, names: NameCache
) -> tuple[list[BuildItem], Cursor | None]:
    """One page of the Builds table and the cursor of the next page (None at the end)."""
    pages = []
    for b in site.builders:
        if flt.builder and b.name != flt.builder:
            continue
        with b.sessions() as s:
            pages.append(
                builds_page(
                    s,
                    b.name,
                    flt,
                    after=after,
                    limit=limit + 1,
                    names=names.get(b) if flt.text else None,
                )
            )
    rows = merge_pages(pages, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].cursor if more and rows else None)


def ftbfs(site: Site, needle: str) -> tuple[list[OpenFtbfs], int]:
    """Open FTBFS of every builder that match the filter box, and how many are open."""
    items: list[OpenFtbfs] = []
    for b in site.builders:
        with b.sessions() as s:
            items.extend(open_ftbfs(s, b.name))
    items.sort(key=lambda f: (f.opened_at, f.builder, f.id))
    return [f for f in items if matches(f, needle)], len(items)


def package(
    site: Site, name: str, metadata: MetadataCache
) -> list[tuple[PackageHistory, MetadataRecord]]:
    """The package's history and metadata record on every builder that has built it."""
    out = []
    for b in site.builders:
        with b.sessions() as s:
            links = ["current", "consistent", *promotion_names(s, b.settings)]
            hist = package_history(s, b.name, b.repos, name, links)
        if hist.builds or hist.ftbfs:
            out.append((hist, metadata.record(b, name)))
    return out


class PromotionsCache:
    """Each builder's Promotions & CI section, recomputed when a build, vote or promotion came."""

    def __init__(self) -> None:
        self._sections: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def get(self, b: SiteBuilder, session: Any) -> dict[str, Any]:
        """The section of builder ``b`` (``session``: its open read-only session)."""
        key = activity_key(session)
        hit = self._sections.get(b.name)
        if hit is not None and hit[0] == key:
            return hit[1]
        names = promotion_names(session, b.settings)
        section = {
            "builder": b.name,
            "timelines": timelines(session, names),
            "jobs": recent_jobs(session, b.settings.promotion.rules),
            "waits": rule_waits(session, b.settings),
        }
        self._sections[b.name] = (key, section)
        return section


def promotions(site: Site, cache: PromotionsCache) -> list[dict[str, Any]]:
    """Per builder: promotion timelines, recent CI jobs, and rule waits."""
    out = []
    for b in site.builders:
        with b.sessions() as s:
            out.append(cache.get(b, s))
    return out


@dataclass(frozen=True)
class UcSection:
    """One builder's newest upper-constraints run and its rows (filtered by status)."""

    builder: str
    run: StoredRun
    rows: list[StoredRow]
    trend: list[StoredRun]


UC_STATUSES = ("lower", "greater", "missing", "equal")


def uc(site: Site, status: str | None) -> list[UcSection]:
    """Every builder's newest ``trunkline uc report`` run (``db/uc_queries.py``), worst first.

    Raises:
        InputError: ``status`` is not one of :data:`UC_STATUSES`.
    """
    if status is not None and status not in UC_STATUSES:
        raise InputError(f"status {status!r}: expected one of {', '.join(UC_STATUSES)}")
    rank = {s: i for i, s in enumerate(UC_STATUSES)}
    out = []
    for b in site.builders:
        with b.sessions() as s:
            latest = latest_run(s)
            if latest is None:
                continue
            run, rows = latest
            history = uc_trend(s, run.release)
        chosen = [r for r in rows if status is None or r.row.status.value == status]
        chosen.sort(key=lambda r: (rank[r.row.status.value], r.row.module.lower()))
        out.append(UcSection(b.name, run, chosen, history))
    return out
