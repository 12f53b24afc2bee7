"""Build metrics: ``/api/metrics/builds`` (JSON) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

import calendar
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from trunkline.api.deps import DB, Body, Ctx, merged, reader
from trunkline.api.schemas import inputs, outputs
from trunkline.api.telemetry import BuildHistograms, RequestTimer, db_families
from trunkline.db import api_queries
from trunkline.errors import InputError

router = APIRouter(tags=["metrics"])


def _day(value: str) -> int:
    try:
        return calendar.timegm(time.strptime(value, "%Y-%m-%d"))
    except ValueError:
        raise InputError("Invalid date format, it must be YYYY-mm-dd") from None


@router.get("/api/metrics/builds", dependencies=[Depends(reader)])
async def build_metrics(
    session: DB, q: Annotated[inputs.MetricsParams, Query()], body: Body
) -> outputs.BuildMetrics:
    """Successful and failed builds between two dates (start inclusive, end exclusive)."""
    p = merged(inputs.MetricsParams, q, body)
    if p.start_date is None or p.end_date is None:
        raise InputError("Missing parameters")
    counts = api_queries.build_counts(session, _day(p.start_date), _day(p.end_date), p.package_name)
    return outputs.BuildMetrics(
        succeeded=counts.succeeded, failed=counts.failed, total=counts.succeeded + counts.failed
    )


class _Snapshot(Collector):
    """Counters computed from the DB for one scrape (two GROUP BY queries)."""

    def __init__(
        self, baseurl: str, builds: dict[str, int], votes: dict[bool, int], more: list[Metric]
    ) -> None:
        self.baseurl = baseurl
        self.builds = builds
        self.votes = votes
        self.more = more

    def collect(self) -> list[Metric]:
        labels = ["baseurl"]
        out = []
        for name, doc, value in (
            ("dlrn_builds_succeeded", "Total number of successful builds", "SUCCESS"),
            ("dlrn_builds_failed", "Total number of failed builds", "FAILED"),
            ("dlrn_builds_retry", "Total number of builds in retry state", "RETRY"),
        ):
            fam = CounterMetricFamily(name, doc, labels=labels)
            fam.add_metric([self.baseurl], self.builds.get(value, 0))
            out.append(fam)
        total = CounterMetricFamily("dlrn_builds", "Total number of builds", labels=labels)
        total.add_metric([self.baseurl], sum(self.builds.values()))
        out.append(total)
        votes = CounterMetricFamily(
            "trunkline_ci_votes", "CI votes reported (without consistent)", labels=["result"]
        )
        votes.add_metric(["success"], self.votes[True])
        votes.add_metric(["failure"], self.votes[False])
        out.append(votes)
        return [*out, *self.more]


@router.get("/metrics", response_class=PlainTextResponse, dependencies=[Depends(reader)])
async def prometheus(ctx: Ctx, session: DB, request: Request) -> PlainTextResponse:
    """DLRN's build counters and trunkline's metrics (``api/telemetry.py``), Prometheus text."""
    builder = ctx.settings.builder.name
    hists: BuildHistograms = request.app.state.histograms
    hists.update(session)
    registry = CollectorRegistry(auto_describe=False)
    snap = _Snapshot(
        ctx.settings.builder.baseurl,
        api_queries.status_totals(session),
        api_queries.vote_totals(session),
        [*db_families(session, builder), *hists.families(builder)],
    )
    registry.register(snap)
    timer: RequestTimer = request.app.state.request_timer
    text = generate_latest(registry).decode() + generate_latest(timer.registry).decode()
    return PlainTextResponse(text, media_type="text/plain")
