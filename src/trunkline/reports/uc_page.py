"""The upper-constraints pages of the builder's reports: ``uc.html`` and one per status.

``uc.html`` shows the newest stored run (``db.uc_queries``): counts per status
on top (each a link to ``uc-<status>.html``, the same table with only that
status, so filtering works without JavaScript), the rows with since when each
``lower`` module has been lower, and the counts of the last runs. ``uc.js``
(a static file, no inline script) sorts by a header click and filters in place.
Autoescaped like every report: module and package names come from outside.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from trunkline.constraints.report import UcStatus
from trunkline.db.uc_queries import StoredRow, latest_run, trend
from trunkline.publish.atomic import write_file_atomic

STATIC = ("report.css", "uc.js")


def _day(epoch: int | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


def render_uc_html(
    session: Session,
    *,
    project_name: str,
    release: str | None = None,
    status: str | None = None,
    baseurl: str = "",
) -> str:
    """The page (all rows, or only ``status``) for the newest run of ``release`` (any)."""
    from trunkline.reports.render import _environment

    found = latest_run(session, release)
    ctx: dict[str, Any] = {
        "project_name": project_name,
        "title": "Upper constraints" + (f": {status}" if status else ""),
        "baseurl": baseurl if baseurl.startswith(("http://", "https://")) else "",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d"),
        "run": None,
        "status": status,
    }
    if found is not None:
        run, rows = found
        shown: list[StoredRow] = [r for r in rows if status is None or r.row.status == status]
        ctx.update(
            run=run,
            run_date=_day(run.timestamp),
            total=len(rows),
            repos=", ".join(sorted({r.row.repo for r in rows if r.row.repo})) or "none",
            rows=[
                {"row": r.row, "lower_since": r.lower_since, "since": _day(r.lower_since)}
                for r in shown
            ],
            trend=[{"run": t, "date": _day(t.timestamp)} for t in trend(session, run.release)],
        )
    return str(_environment().get_template("uc.html.j2").render(**ctx))


def write_uc_pages(
    session: Session, repos: Path, *, project_name: str, baseurl: str = ""
) -> list[str]:
    """Write ``uc.html``, ``uc-<status>.html`` and the static files into ``repos``.

    Returns:
        the names written.
    """
    written: list[str] = []
    for name in STATIC:
        data = resources.files("trunkline.reports").joinpath("static", name).read_bytes()
        target = repos / name
        if not target.exists() or target.read_bytes() != data:
            write_file_atomic(target, data)
            written.append(name)
    pages: list[tuple[str, str | None]] = [("uc.html", None)]
    pages += [(f"uc-{s.value}.html", s.value) for s in UcStatus]
    for name, status in pages:
        html = render_uc_html(session, project_name=project_name, status=status, baseurl=baseurl)
        write_file_atomic(repos / name, html)
        written.append(name)
    return written
