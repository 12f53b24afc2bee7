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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from trunkline.db import report_queries as rq
from trunkline.db.models import BuildStatus
from trunkline.db.report_queries import BuildRow
from trunkline.reports.views import BuildView, build_view, fmt_time

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


def summarize(session: Session, projects: Sequence[str] | None = None) -> dict[str, PackageSummary]:
    """Summaries of ``projects`` (None: every package with at least one build)."""
    last = rq.latest_ids(session, projects=projects)
    ok = rq.latest_ids(session, status=BuildStatus.SUCCESS, projects=projects)
    rows = rq.builds_by_id(session, [*last.values(), *ok.values()])
    not_ok = sorted(n for n, i in last.items() if rows[i].status != BuildStatus.SUCCESS.value)
    culprits = rq.first_failure_ids(session, not_ok) if not_ok else {}
    rows.update(rq.builds_by_id(session, culprits.values()))
    return {
        name: PackageSummary(
            name=name,
            last=rows[last_id],
            last_success=rows[ok[name]] if name in ok else None,
            first_failure=rows[culprits[name]] if name in culprits else None,
        )
        for name, last_id in last.items()
    }


def summary_digest(summary: PackageSummary) -> str:
    """A digest of every column of a summary: equal digests render equal rows."""
    parts = [summary.last, summary.last_success, summary.first_failure]
    values = [None if r is None else [getattr(r, f) for f in ROW_FIELDS] for r in parts]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


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


def status_csv(lines: Iterable[str]) -> str:
    """The whole ``status_report.csv`` from per-package lines (see :func:`csv_line`)."""
    return ",".join(CSV_HEADER) + "\n" + "".join(lines)
