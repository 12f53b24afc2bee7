"""Prometheus metrics of one builder beyond DLRN's counters, for the Grafana dashboard.

Counters and gauges are read from the DB at each scrape with GROUP BY queries
on indexed columns. The three histograms (build duration, publish latency,
cycle duration) are kept by the API process and fed incrementally: each scrape
reads only the build rows above the highest id it has seen, so a scrape at 150k
builds costs what one at 15 costs. A restarted API re-reads the table once
(histograms are counters: Prometheus' ``rate()`` handles the reset).

Cycles are derived from build times as on the dashboard (``web.stats``): a gap
of more than ``CYCLE_GAP`` seconds between two builds ends a cycle; the open
cycle is observed once a later build shows it ended. Publish latency is from
the upstream commit's date to the end of its successful build (the repo is
published right after), so it includes the time the commit waited for a poll.

``METRICS`` lists every metric family this module and ``routes/metrics.py``
export, with its labels: ``contrib/grafana``'s test checks each panel against it
and against a real scrape.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trunkline.db.models import CIVote, Commit, Ftbfs, OutboxMessage, OutboxState, Promotion

CYCLE_GAP = 900  # seconds; the same rule as the dashboard's derived cycles
BUILD_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0)
LATENCY_BUCKETS = (300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0, 86400.0, 259200.0)
CYCLE_BUCKETS = (60.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0)
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CHUNK = 20_000

# name -> (type, labels): everything /metrics exports (histograms: the family name)
METRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dlrn_builds_succeeded": ("counter", ("baseurl",)),
    "dlrn_builds_failed": ("counter", ("baseurl",)),
    "dlrn_builds_retry": ("counter", ("baseurl",)),
    "dlrn_builds": ("counter", ("baseurl",)),
    "trunkline_ci_votes": ("counter", ("result",)),
    "trunkline_builds": ("counter", ("builder", "status")),
    "trunkline_ftbfs_open": ("gauge", ("builder",)),
    "trunkline_ftbfs_opened": ("counter", ("builder",)),
    "trunkline_ftbfs_closed": ("counter", ("builder",)),
    "trunkline_job_votes": ("counter", ("builder", "job", "result")),
    "trunkline_promotions": ("counter", ("builder", "promotion")),
    "trunkline_promotion_last_timestamp_seconds": ("gauge", ("builder", "promotion")),
    "trunkline_queue_depth": ("gauge", ("builder", "queue")),
    "trunkline_build_duration_seconds": ("histogram", ("builder",)),
    "trunkline_publish_latency_seconds": ("histogram", ("builder",)),
    "trunkline_cycle_duration_seconds": ("histogram", ("builder",)),
    "trunkline_api_request_duration_seconds": ("histogram", ("method", "route", "status")),
}


@dataclass
class _Hist:
    """Cumulative-bucket histogram state (counts per upper bound, sum)."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    n: int = 0

    def observe(self, value: float) -> None:
        if not self.counts:
            self.counts = [0] * len(self.bounds)
        for i, b in enumerate(self.bounds):
            if value <= b:
                self.counts[i] += 1
        self.total += value
        self.n += 1

    def family(self, name: str, doc: str, builder: str) -> HistogramMetricFamily:
        fam = HistogramMetricFamily(name, doc, labels=["builder"])
        counts = self.counts or [0] * len(self.bounds)
        buckets = [(repr(b), float(c)) for b, c in zip(self.bounds, counts, strict=True)]
        buckets.append(("+Inf", float(self.n)))
        fam.add_metric([builder], buckets, sum_value=self.total)
        return fam


@dataclass
class BuildHistograms:
    """The three build-time histograms, fed from build rows above ``last_id``."""

    last_id: int = 0
    build: _Hist = field(default_factory=lambda: _Hist(BUILD_BUCKETS))
    latency: _Hist = field(default_factory=lambda: _Hist(LATENCY_BUCKETS))
    cycle: _Hist = field(default_factory=lambda: _Hist(CYCLE_BUCKETS))
    _cycle_start: int | None = None
    _cycle_end: int = 0
    _last_dt: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, session: Session) -> None:
        """Observe every build row added since the last call."""
        with self._lock:
            while True:
                stmt = (
                    select(
                        Commit.id,
                        Commit.dt_commit,
                        Commit.dt_build,
                        Commit.build_seconds,
                        Commit.status,
                    )
                    .where(Commit.id > self.last_id)
                    .order_by(Commit.id)
                    .limit(CHUNK)
                )
                rows = session.connection().execute(stmt).all()
                for row_id, dt_commit, dt_build, seconds, status in rows:
                    self._observe(dt_commit, dt_build, float(seconds or 0.0), str(status))
                    self.last_id = row_id
                if len(rows) < CHUNK:
                    return

    def _observe(self, dt_commit: int, dt_build: int, seconds: float, status: str) -> None:
        if status != "RETRY":
            self.build.observe(seconds)
        if status == "SUCCESS" and dt_commit:
            self.latency.observe(max(0.0, dt_build + seconds - dt_commit))
        if self._cycle_start is not None and dt_build - self._last_dt > CYCLE_GAP:
            self.cycle.observe(self._cycle_end - self._cycle_start)
            self._cycle_start = None
        if self._cycle_start is None:
            self._cycle_start, self._cycle_end = dt_build, dt_build
        self._cycle_end = max(self._cycle_end, int(dt_build + seconds))
        self._last_dt = max(self._last_dt, dt_build)

    def families(self, builder: str) -> list[Metric]:
        """The histograms as metric families."""
        with self._lock:
            return [
                self.build.family(
                    "trunkline_build_duration_seconds", "Build duration (s)", builder
                ),
                self.latency.family(
                    "trunkline_publish_latency_seconds",
                    "Upstream commit to its published build (s)",
                    builder,
                ),
                self.cycle.family(
                    "trunkline_cycle_duration_seconds",
                    "Build cycle duration, derived from build times (s)",
                    builder,
                ),
            ]


def db_families(session: Session, builder: str) -> list[Metric]:
    """Counters and gauges read from the DB (GROUP BY on indexed columns)."""
    builds = CounterMetricFamily(
        "trunkline_builds", "Builds by status", labels=["builder", "status"]
    )
    for status, n in session.execute(select(Commit.status, func.count()).group_by(Commit.status)):
        builds.add_metric([builder, str(status)], int(n))
    open_now = session.scalar(select(func.count()).where(Ftbfs.closed_at.is_(None))) or 0
    opened = session.scalar(select(func.count()).select_from(Ftbfs)) or 0
    ftbfs_open = GaugeMetricFamily("trunkline_ftbfs_open", "Open FTBFS", labels=["builder"])
    ftbfs_open.add_metric([builder], int(open_now))
    ftbfs_opened = CounterMetricFamily(
        "trunkline_ftbfs_opened", "FTBFS periods opened", labels=["builder"]
    )
    ftbfs_opened.add_metric([builder], int(opened))
    ftbfs_closed = CounterMetricFamily(
        "trunkline_ftbfs_closed", "FTBFS periods fixed", labels=["builder"]
    )
    ftbfs_closed.add_metric([builder], int(opened) - int(open_now))
    votes = CounterMetricFamily(
        "trunkline_job_votes", "Finished CI votes by job", labels=["builder", "job", "result"]
    )
    vote_rows = session.execute(
        select(CIVote.ci_name, CIVote.ci_vote, func.count())
        .where(CIVote.ci_in_progress.is_(False))
        .group_by(CIVote.ci_name, CIVote.ci_vote)
    )
    for job, ok, n in vote_rows:
        votes.add_metric([builder, str(job), "success" if ok else "failure"], int(n))
    promos = CounterMetricFamily(
        "trunkline_promotions", "Promotions by name", labels=["builder", "promotion"]
    )
    last = GaugeMetricFamily(
        "trunkline_promotion_last_timestamp_seconds",
        "Time of the newest promotion (epoch s)",
        labels=["builder", "promotion"],
    )
    promo_rows = session.execute(
        select(Promotion.promotion_name, func.count(), func.max(Promotion.timestamp)).group_by(
            Promotion.promotion_name
        )
    )
    for name, n, ts in promo_rows:
        promos.add_metric([builder, str(name)], int(n))
        last.add_metric([builder, str(name)], float(ts))
    queue = GaugeMetricFamily(
        "trunkline_queue_depth",
        "Messages waiting in the outbox, per channel (queue=outbox:<channel>)",
        labels=["builder", "queue"],
    )
    queue_rows = session.execute(
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.state == OutboxState.PENDING)
        .group_by(OutboxMessage.channel)
    )
    for channel, n in queue_rows:
        queue.add_metric([builder, f"outbox:{channel}"], int(n))
    return [builds, ftbfs_open, ftbfs_opened, ftbfs_closed, votes, promos, last, queue]


class RequestTimer:
    """API request latency by method, route template and status, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.histogram = Histogram(
            "trunkline_api_request_duration_seconds",
            "API request duration (s)",
            ["method", "route", "status"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )


class TimingMiddleware:
    """A plain ASGI middleware (no per-request task or body wrapping) feeding a RequestTimer."""

    def __init__(self, app: ASGIApp, timer: RequestTimer) -> None:
        self.app = app
        self.timer = timer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # the router put the matched route in the scope: its template, not the raw path
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            self.timer.histogram.labels(scope["method"], template, str(status[0])).observe(
                time.perf_counter() - start
            )
