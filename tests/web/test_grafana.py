"""The Grafana dashboard asks only for metrics ``trunkline api`` exports, with their labels.

A live API on a seeded builder (builds with durations, FTBFS, votes, promotions,
an outbox message) is scraped; every panel query of
``contrib/grafana/trunkline-dashboard.json`` must name sample series found in
that scrape, and every label it matches or groups by must be on those series.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api import world as api_world
from tests.api.conftest import LiveApi, start_live
from trunkline.api.telemetry import METRICS
from trunkline.db.models import BuildStatus, Commit, Ftbfs, OutboxMessage, Promotion

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "contrib" / "grafana" / "trunkline-dashboard.json"
FUNCTIONS = {
    "sum", "by", "without", "rate", "increase", "histogram_quantile", "time", "label_values",
    "avg", "max", "min", "count", "irate", "delta", "on", "ignoring", "group_left",
}  # fmt: skip


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """A builder API with one of every kind of record the metrics count."""
    for api in start_live(request, tmp_path_factory.mktemp("graf"), "sqlite"):
        with api.sessions() as s:
            good = api_world.add_build(s, api.repos, "pkg-a", 1, dt=1_700_000_000)
            bad = api_world.add_build(s, api.repos, "pkg-b", 2, BuildStatus.FAILED)
            api_world.add_build(s, api.repos, "pkg-c", 3, BuildStatus.RETRY, dt=1_700_090_000)
            s.query(Commit).update({Commit.build_seconds: 120.0})
            api_world.add_vote(s, good, "job-a", True, 1_700_000_500)
            s.add(Promotion(commit_id=good.id, promotion_name="current-passed-ci",
                            timestamp=1_700_000_600))  # fmt: skip
            s.add(Ftbfs(project_name="pkg-b", opened_at=1_700_000_002,
                        first_failed_commit_id=bad.id, last_failed_commit_id=bad.id))  # fmt: skip
            s.add(OutboxMessage(message_id="m1", channel="mail", topic="ftbfs.opened",
                                payload="{}", created_at=1, next_attempt_at=1))  # fmt: skip
            s.commit()
        with api.client(auth=False) as c:
            assert c.get("/api/health").status_code == 200  # one timed request
        yield api


@pytest.fixture(scope="module")
def exported(live: LiveApi) -> dict[str, set[str]]:
    """Sample name -> the label names it carries, from a real scrape."""
    with live.client(auth=False) as c:
        text = c.get("/metrics").text
    out: dict[str, set[str]] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out.setdefault(s.name, set()).update(s.labels)
    return out


def queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every panel target and templating query."""
    dash = json.loads(DASHBOARD.read_text())
    out = [(p["title"], t["expr"]) for p in dash["panels"] for t in p["targets"]]
    for var in dash["templating"]["list"]:
        if var["type"] == "query":
            out.append((f"variable {var['name']}", var["definition"]))
    return out


def selectors(expr: str) -> list[tuple[str, set[str]]]:
    """Each metric the query names, with the labels it matches on or groups by."""
    grouped = set()
    for labels in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        grouped |= {x.strip() for x in labels.split(",") if x.strip()}
    bare = re.sub(r"\b(?:by|without)\s*\([^)]*\)", " ", expr)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)  # range selectors: [5m]
    found = []
    for m in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?", bare):
        name, matchers = m[1], m[2] or ""
        if name in FUNCTIONS or re.fullmatch(r"[0-9.e]+", name):
            continue
        if bare[m.end() :].lstrip().startswith("(") and not matchers:
            continue  # a function call
        labels = set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*[=!]~?", matchers))
        found.append((name, labels))
    # label_values(metric, label) names a label outside braces
    lv = re.fullmatch(r"label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*(\w+)\s*\)", expr)
    if lv:
        return [(lv[1], {lv[2]})]
    return [(n, labels | grouped) for n, labels in found]


QUERIES = queries()


def test_the_dashboard_has_a_panel_for_each_part_of_the_pipeline() -> None:
    families = {re.sub(r"_(total|bucket|sum|count)$", "", n) for _, q in QUERIES
                for n, _ in selectors(q)}  # fmt: skip
    assert families >= {
        "trunkline_builds", "trunkline_ftbfs_open", "trunkline_build_duration_seconds",
        "trunkline_cycle_duration_seconds", "trunkline_publish_latency_seconds",
        "trunkline_queue_depth", "trunkline_job_votes", "trunkline_promotions",
        "trunkline_api_request_duration_seconds",
    }  # fmt: skip


@pytest.mark.parametrize(("title", "expr"), QUERIES, ids=[q[0] for q in QUERIES])
def test_every_panel_query_names_exported_series_and_labels(
    exported: dict[str, set[str]], title: str, expr: str
) -> None:
    named = selectors(expr)
    assert named, f"{title}: no metric in {expr!r}"
    for name, labels in named:
        assert name in exported, f"{title}: {name} is not exported ({sorted(exported)})"
        family = re.sub(r"_(total|bucket|sum|count)$", "", name)
        assert family in METRICS, f"{title}: {family} missing from telemetry.METRICS"
        missing = labels - exported[name]
        assert not missing, f"{title}: {name} has no label(s) {missing}"


def test_metrics_catalogue_matches_the_scrape(exported: dict[str, set[str]]) -> None:
    for family, (kind, labels) in METRICS.items():
        sample = family + {"counter": "_total", "histogram": "_bucket"}.get(kind, "")
        assert sample in exported, family
        assert set(labels) <= exported[sample] - {"le"}, family


def test_histograms_count_the_builds(exported: dict[str, set[str]], live: LiveApi) -> None:
    with live.client(auth=False) as c:
        text = c.get("/metrics").text
    samples: dict[tuple[str, Any], float] = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }
    b = (("builder", "trunkline"),)
    # SUCCESS and FAILED count, RETRY does not; each took 120 s
    assert samples[("trunkline_build_duration_seconds_count", b)] == 2
    assert samples[("trunkline_build_duration_seconds_sum", b)] == 240
    # builds 1 and 2 (1 s apart) make one cycle, closed by build 3 a day later
    assert samples[("trunkline_cycle_duration_seconds_count", b)] == 1
    assert samples[("trunkline_ftbfs_open", b)] == 1
    assert samples[("trunkline_queue_depth", (*b, ("queue", "outbox:mail")))] == 1
    health = (("method", "GET"), ("route", "/api/health"), ("status", "200"))
    assert samples[("trunkline_api_request_duration_seconds_count", health)] >= 1
