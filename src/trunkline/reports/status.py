"""Per-package status: last build, last success, and since when (and why) it fails.

:func:`summarize` answers, for every package or only the ones that changed, the
questions of DLRN's status report with four indexed queries in total (not
three per package): the newest build, the newest success, the first failure
after that success (the culprit commit), then the rows themselves by primary
key. Only digests of the summaries are cached between runs (see
``reports.state``), so after a build only the packages it touched are asked
again and rendered again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from trunkline.db import report_queries as rq
from trunkline.db.models import BuildStatus
from trunkline.db.report_queries import BuildRow
from trunkline.ftbfs.listing import OpenPeriod, open_periods
from trunkline.reports.views import BuildView, Link, build_view, commit_url, fmt_time

ROW_FIELDS = tuple(f.name for f in fields(BuildRow))
CSV_HEADER = (
    "Project",
    "Source Sha",
    "Dist Sha",
    "Extended Sha",
    "Component",
    "Status",
    "Timestamp",
    "Packages",
)


@dataclass(frozen=True, slots=True)
class PackageSummary:
    """What the status report knows about one package."""

    name: str
    last: BuildRow
    last_success: BuildRow | None
    first_failure: BuildRow | None
    period: OpenPeriod | None = None  # the open FTBFS period (ftbfs/lifecycle.py)

    @property
    def failing(self) -> bool:
        """True if the newest build did not succeed (FAILED, or RETRY after a failure)."""
        return self.last.status != BuildStatus.SUCCESS.value and (
            self.last.status == BuildStatus.FAILED.value or self.first_failure is not None
        )


@dataclass(frozen=True, slots=True)
class PackageView:
    """One package as a status report row shows it."""

    name: str
    last: BuildView
    failing: bool
    ftbfs_since: BuildView | None
    last_success: str
    days: str
    period: PeriodView | None = None


@dataclass(frozen=True, slots=True)
class PeriodView:
    """An open FTBFS period as a status row shows it: age, culprit and how it was found,
    the review opened for it, attempts."""

    age: str
    culprit_state: str
    culprit: Link | None
    review: Link | None
    review_state: str
    attempts: int


def summarize(session: Session, projects: Sequence[str] | None = None) -> dict[str, PackageSummary]:
    """Summaries of ``projects`` (None: every package with at least one build)."""
    last = rq.latest_ids(session, projects=projects)
    ok = rq.latest_ids(session, status=BuildStatus.SUCCESS, projects=projects)
    rows = rq.builds_by_id(session, [*last.values(), *ok.values()])
    not_ok = sorted(n for n, i in last.items() if rows[i].status != BuildStatus.SUCCESS.value)
    culprits = rq.first_failure_ids(session, not_ok) if not_ok else {}
    rows.update(rq.builds_by_id(session, culprits.values()))
    periods = open_periods(session, not_ok)
    return {
        name: PackageSummary(
            name=name,
            last=rows[last_id],
            last_success=rows[ok[name]] if name in ok else None,
            first_failure=rows[culprits[name]] if name in culprits else None,
            period=periods.get(name),
        )
        for name, last_id in last.items()
    }


def summary_digest(summary: PackageSummary) -> str:
    """A digest of every column of a summary: equal digests render equal rows."""
    parts = [summary.last, summary.last_success, summary.first_failure]
    values: list[Any] = [None if r is None else [getattr(r, f) for f in ROW_FIELDS] for r in parts]
    period = summary.period
    values.append(None if period is None else [getattr(period, f.name) for f in fields(period)])
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def period_view(period: OpenPeriod, upstream: str | None, today: date) -> PeriodView:
    """The FTBFS cell's extra lines: age in whole UTC days, culprit, review."""
    opened = datetime.fromtimestamp(period.opened_at, UTC).date()
    days = (today - opened).days
    culprit = None
    if period.culprit_hash:
        culprit = Link(period.culprit_hash[:10], commit_url(upstream, period.culprit_hash) or "")
    elif period.culprit_distro_hash:
        culprit = Link(f"distgit {period.culprit_distro_hash[:10]}", "")
    review = None
    if period.review_id or period.review_url:
        url = period.review_url or ""
        review = Link(period.review_id or "review", url if url.startswith("http") else "")
    return PeriodView(
        age=f"{days} day{'' if days == 1 else 's'}",
        culprit_state=period.culprit_state,
        culprit=culprit,
        review=review,
        review_state=period.review_state or "",
        attempts=period.attempts,
    )


def package_view(summary: PackageSummary, urls: Mapping[str, str], today: date) -> PackageView:
    """The status row of a package; ``days`` counts whole UTC days since the last success."""
    ok = summary.last_success
    if ok is None:
        days = "Never"
    else:
        built = datetime.fromtimestamp(ok.dt_build, UTC).date()
        days = str((today - built).days)
    culprit = summary.first_failure if summary.failing else None
    return PackageView(
        name=summary.name,
        last=build_view(summary.last, urls),
        failing=summary.failing,
        ftbfs_since=build_view(culprit, urls) if culprit is not None else None,
        last_success=fmt_time(ok.dt_build) if ok is not None else "",
        days=days,
        period=period_view(summary.period, urls.get(summary.name), today)
        if summary.period is not None and summary.failing
        else None,
    )


def csv_line(summary: PackageSummary) -> str:
    """The ``status_report.csv`` line of a package (DLRN's columns, real CSV quoting)."""
    b = summary.last
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(
        (
            summary.name,
            b.commit_hash,
            b.distro_hash,
            b.extended_hash if b.extended_hash is not None else "None",
            b.component if b.component is not None else "None",
            b.status,
            b.dt_build,
            (b.artifacts or "").replace(",", "|"),
        )
    )
    return out.getvalue()


def status_csv(lines: Iterable[str]) -> Iterator[str]:
    """``status_report.csv``, header first, from per-package lines (see :func:`csv_line`)."""
    yield ",".join(CSV_HEADER) + "\n"
    yield from lines
