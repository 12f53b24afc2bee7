"""The Overview's charts as data: one table per chart, drawn by ``static/charts.js``.

Every chart is rendered as an HTML ``<table>`` first (its data, readable without
JavaScript); ``charts.js`` reads that table and draws it with the vendored
Chart.js. Series values are numbers or None (no data).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from trunkline.web.stats import DAY, Cycle, open_over_time, percentile


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: x labels and named series of the same length.

    Attributes:
        id: the figure's HTML id.
        kind: ``bar`` or ``line``.
        stacked: bars stacked per label.
        x_label, y_label: axis titles (the y unit included).
    """

    id: str
    title: str
    kind: str
    stacked: bool
    x_label: str
    y_label: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]]

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The table's rows: one per x label."""
        return [(lab, [s[i] for _, s in self.series]) for i, lab in enumerate(self.labels)]

    @property
    def has_data(self) -> bool:
        """True when any value is non-zero."""
        return any(v for _, s in self.series for v in s)


def day_label(day: int) -> str:
    """``MM-DD`` of a day start."""
    return time.strftime("%m-%d", time.gmtime(day))


def builds_chart(per_day: dict[int, dict[str, int]], days: list[int]) -> Chart:
    """Builds per day, stacked by status (every builder summed)."""
    statuses = ("SUCCESS", "FAILED", "RETRY")
    series: list[tuple[str, list[float | None]]] = [
        (s, [float(per_day.get(d, {}).get(s, 0)) for d in days]) for s in statuses
    ]
    return Chart(
        "builds-per-day",
        "Builds per day by status",
        "bar",
        True,
        "Day (UTC)",
        "Builds",
        [day_label(d) for d in days],
        series,
    )


def ftbfs_chart(periods: dict[str, list[tuple[int, int | None]]], days: list[int]) -> Chart:
    """Open FTBFS at the end of each day, one line per builder."""
    series: list[tuple[str, list[float | None]]] = [
        (b, [float(n) for n in open_over_time(p, days)]) for b, p in periods.items()
    ]
    return Chart(
        "open-ftbfs",
        "Open FTBFS over time",
        "line",
        False,
        "Day (UTC)",
        "Open FTBFS",
        [day_label(d) for d in days],
        series,
    )


def fix_chart(fix_times: dict[str, list[int]]) -> Chart:
    """Median and p90 time to fix an FTBFS, per builder, in hours."""

    def hours(v: int | None) -> float | None:
        return None if v is None else round(v / 3600, 1)

    builders = list(fix_times)
    return Chart(
        "time-to-fix",
        "Time to fix an FTBFS (last 90 days)",
        "bar",
        False,
        "Builder",
        "Hours",
        builders,
        [
            ("median", [hours(percentile(fix_times[b], 50)) for b in builders]),
            ("p90", [hours(percentile(fix_times[b], 90)) for b in builders]),
        ],
    )


def cycle_chart(cycles: dict[str, list[Cycle]], count: int) -> Chart:
    """Duration of each builder's newest cycles, oldest to newest, in minutes."""
    labels = [str(i - count + 1) if i < count - 1 else "last" for i in range(count)]
    series: list[tuple[str, list[float | None]]] = []
    for b, cs in cycles.items():
        newest_first = [round(c.seconds / 60, 1) for c in cs[:count]]
        values: list[float | None] = [None] * (count - len(newest_first))
        values += list(reversed(newest_first))
        series.append((b, values))
    return Chart(
        "cycle-duration",
        "Cycle duration (derived from build times)",
        "line",
        False,
        "Cycle (relative to the last)",
        "Minutes",
        labels,
        series,
    )


def day_range(today: int, days: int) -> list[int]:
    """The starts of the last ``days`` days, oldest first, today included."""
    return [today - DAY * i for i in range(days - 1, -1, -1)]
