"""``versions.csv``: the newest good build of every package, as DLRN writes it.

One row per package with DLRN's header, so downstream builders (DLRN's
``downstream`` driver, trunkline's import) and humans can see exactly which
upstream and distgit commits a repo holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

HEADER = (
    "Project",
    "Source Repo",
    "Source Sha",
    "Dist Repo",
    "Dist Sha",
    "Status",
    "Last Success Timestamp",
    "Component",
    "Extended Sha",
    "Pkg NVR",
)


@dataclass(frozen=True)
class VersionsRow:
    """One package's line."""

    project: str
    source_repo: str
    source_sha: str
    dist_repo: str
    dist_sha: str
    status: str
    last_success_ts: int
    component: str | None
    extended_sha: str | None
    pkg_nvr: str


def render_versions_csv(rows: Iterable[VersionsRow]) -> str:
    """The CSV text (header first, rows in the given order)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow(
            [
                r.project,
                r.source_repo,
                r.source_sha,
                r.dist_repo,
                r.dist_sha,
                r.status,
                r.last_success_ts,
                r.component or "None",
                r.extended_sha or "None",
                r.pkg_nvr,
            ]
        )
    return out.getvalue()


def parse_versions_csv(text: str) -> list[dict[str, str]]:
    """Rows of a versions.csv as dicts keyed by DLRN's header names."""
    return list(csv.DictReader(io.StringIO(text)))
