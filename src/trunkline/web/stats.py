"""The Overview page's figures of one builder, each from one bounded, indexed query.

Cycle durations are not recorded by the builder (neither ``builder/cycle.py``
nor the report state stores them), so they are derived from the build rows: the
newest builds are grouped into cycles wherever two builds start more than
``CYCLE_GAP`` seconds apart, and a cycle lasts from its first build's start
(``dt_build``) to its last build's end (``dt_build + build_seconds``). A poll
that built nothing leaves no row and so no cycle.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from trunkline.db.models import Commit, Ftbfs, Promotion
from trunkline.publish.links import read_link

DAY = 86_400
CYCLE_GAP = 900
CYCLE_ROWS = 1_000
MAX_FTBFS = 20_000


@dataclass(frozen=True, slots=True)
class LinkState:
    """A named link of the repo tree: where it points and since when (its mtime)."""

    name: str
    target: str | None
    since: int | None


@dataclass(frozen=True, slots=True)
class Cycle:
    """A derived build cycle: start and end (epoch s) and how many builds it made."""

    start: int
    end: int
    builds: int

    @property
    def seconds(self) -> int:
        """Its duration."""
        return self.end - self.start


def link_state(repos: Path, name: str) -> LinkState:
    """Where link ``name`` points (repo-relative) and its mtime, or nothing."""
    target = read_link(repos, name)
    if target is None:
        return LinkState(name, None, None)
    try:
        since = int(os.lstat(repos / name).st_mtime)
    except OSError:
        since = None
    return LinkState(name, str(target), since)


def fingerprint(session: Session) -> tuple[Any, ...]:
    """What changes whenever the Overview's figures may: newest ids and newest close.

    A build, an FTBFS opened or closed, a promotion each move one of these
    (five index lookups). A deleted build row (a recheck) moves none: its figures
    stay until the next change or the next day.
    """
    row = session.execute(
        select(
            select(func.max(Commit.id)).scalar_subquery(),
            select(func.max(Ftbfs.id)).scalar_subquery(),
            select(func.max(Ftbfs.closed_at)).scalar_subquery(),
            select(func.max(Promotion.id)).scalar_subquery(),
            select(func.count())
            .select_from(Ftbfs)
            .where(Ftbfs.closed_at.is_(None))
            .scalar_subquery(),
        )
    ).one()
    return tuple(row)


def package_count(session: Session) -> int:
    """How many packages have at least one build (the packages this builder follows)."""
    sub = select(Commit.project_name).distinct().subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def builds_since(session: Session, since: int) -> int:
    """How many builds were made at or after ``since``."""
    stmt = select(func.count()).select_from(Commit).where(Commit.dt_build >= since)
    return int(session.scalar(stmt) or 0)


def open_ftbfs_count(session: Session) -> int:
    """How many FTBFS periods are open."""
    stmt = select(func.count()).select_from(Ftbfs).where(Ftbfs.closed_at.is_(None))
    return int(session.scalar(stmt) or 0)


def newest_promotions(session: Session, *, limit: int = 50) -> list[tuple[str, int]]:
    """Each promotion name and the time of its newest promotion, newest first."""
    stmt = (
        select(Promotion.promotion_name, func.max(Promotion.timestamp))
        .group_by(Promotion.promotion_name)
        .order_by(func.max(Promotion.timestamp).desc())
        .limit(limit)
    )
    return [(str(n), int(t)) for n, t in session.execute(stmt)]


def builds_per_day(session: Session, since: int) -> dict[int, dict[str, int]]:
    """Day start (epoch s, UTC) -> status -> builds, for builds at or after ``since``."""
    day = (Commit.dt_build - Commit.dt_build % DAY).label("day")
    stmt = (
        select(day, Commit.status, func.count())
        .where(Commit.dt_build >= since)
        .group_by(day, Commit.status)
    )
    out: dict[int, dict[str, int]] = {}
    for d, status, n in session.connection().execute(stmt):
        out.setdefault(int(d), {})[str(status)] = int(n)
    return out


def ftbfs_periods(session: Session, since: int) -> list[tuple[int, int | None]]:
    """``(opened_at, closed_at)`` of every FTBFS open at any time at or after ``since``."""
    stmt = (
        select(Ftbfs.opened_at, Ftbfs.closed_at)
        .where(or_(Ftbfs.closed_at.is_(None), Ftbfs.closed_at >= since))
        .limit(MAX_FTBFS)
    )
    return [(o, c) for o, c in session.connection().execute(stmt)]


def open_over_time(periods: list[tuple[int, int | None]], days: list[int]) -> list[int]:
    """For each day start in ``days``, how many periods were open at that day's end."""
    out = []
    for d in days:
        end = d + DAY
        out.append(sum(1 for o, c in periods if o < end and (c is None or c >= end)))
    return out


def fix_times(session: Session, since: int) -> list[int]:
    """Seconds from opening to fix of every FTBFS closed at or after ``since``."""
    stmt = (
        select(Ftbfs.opened_at, Ftbfs.closed_at)
        .where(Ftbfs.closed_at >= since)
        .order_by(Ftbfs.closed_at.desc())
        .limit(MAX_FTBFS)
    )
    return sorted([c - o for o, c in session.connection().execute(stmt) if c is not None])


def percentile(sorted_values: list[int], pct: float) -> int | None:
    """Nearest-rank percentile of sorted values (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def recent_cycles(session: Session, *, limit: int = 20) -> list[Cycle]:
    """The newest derived cycles (see the module docstring), newest first."""
    stmt = (
        select(Commit.dt_build, Commit.build_seconds)
        .order_by(Commit.dt_build.desc())
        .limit(CYCLE_ROWS)
    )
    cycles: list[Cycle] = []
    start = end = prev = None
    count = 0
    for dt, secs in session.connection().execute(stmt):
        finish = int(dt + (secs or 0))
        if prev is not None and prev - dt > CYCLE_GAP:
            assert start is not None and end is not None
            cycles.append(Cycle(start, end, count))
            if len(cycles) >= limit:
                return cycles
            start = end = None
            count = 0
        start = dt
        end = finish if end is None else max(end, finish)
        count += 1
        prev = dt
    if start is not None and end is not None and count:
        cycles.append(Cycle(start, end, count))
    return cycles[:limit]


def today_start(now: float | None = None) -> int:
    """The start of today (UTC), epoch seconds."""
    t = int(time.time() if now is None else now)
    return t - t % DAY
