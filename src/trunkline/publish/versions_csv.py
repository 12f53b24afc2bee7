"""``versions.csv``: what a hashed repo holds of every package, as DLRN writes it.

DLRN 0.26.1 (dlrn/shell.py ``post_build_rpm``, dlrn/utils.py ``dumpshas2file``)
writes, for every package of its package list in list order (only those of the
build's component in components mode):

* the package just built: its hashes, ``SUCCESS``, its ``dt_build``;
* another package with a SUCCESS build: the hashes, ``dt_build`` and NVR of that
  newest good build, but the ``Status`` of its newest build of any status
  (``FAILED`` while it is in FTBFS, ``RETRY`` too);
* a package that never succeeded: its newest build's hashes and status, NVR '';
* a package with no build at all: no row.

``Component`` is the built commit's component on every row (``None`` without
components), ``Pkg NVR`` is the SRPM file name of the row's artifacts minus
``.src.rpm`` -- with the dist tag (``getNVRfromlist``). Downstream builders
(DLRN's ``downstream`` driver) read this file back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from trunkline.db.queries import BuildSummary

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


def nvr_of(artifacts: Iterable[str]) -> str:
    """The SRPM's NVR among artifact paths (``a-1.0-1.el9``), '' without one (DLRN's rule)."""
    for path in artifacts:
        if path.endswith(".src.rpm"):
            return path.rsplit("/", 1)[-1].removesuffix(".src.rpm")
    return ""


def versions_rows(
    own: VersionsRow,
    success: Mapping[str, BuildSummary],
    newest: Mapping[str, BuildSummary],
    urls: Mapping[str, tuple[str, str]],
) -> list[VersionsRow]:
    """The rows DLRN writes for a build (see module doc).

    Args:
        own: the row of the package just built.
        success: newest SUCCESS build of every package in scope.
        newest: newest build (any status) of every package in scope.
        urls: the package list in its order: name -> (upstream URL, distgit URL).
            Packages with builds but not in the list follow, sorted by name (DLRN
            lists only its package list; trunkline's repo links them all).
    """
    names = [*urls, *sorted({*success, *newest, own.project} - set(urls))]
    rows = []
    for name in names:
        if name == own.project:
            rows.append(own)
            continue
        good, last = success.get(name), newest.get(name)
        shown = good or last
        if shown is None or last is None:
            continue
        upstream, distgit = urls.get(name, ("", ""))
        rows.append(
            VersionsRow(
                project=name,
                source_repo=upstream,
                source_sha=shown.commit_hash,
                dist_repo=distgit,
                dist_sha=shown.distro_hash,
                status=str(last.status),
                last_success_ts=shown.dt_build,
                component=own.component,
                extended_sha=shown.extended_hash,
                pkg_nvr=nvr_of(shown.artifact_list),
            )
        )
    return rows


def render_versions_csv(rows: Iterable[VersionsRow]) -> str:
    """The CSV text (header first, rows in the given order)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(
        (
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
        )
        for r in rows
    )
    return out.getvalue()


def parse_versions_csv(text: str) -> list[dict[str, str]]:
    """Rows of a versions.csv as dicts keyed by DLRN's header names."""
    return list(csv.DictReader(io.StringIO(text)))
