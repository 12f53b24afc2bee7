"""Write the builder's static reports into the repo tree, redoing only what changed.

After each build cycle :func:`render_reports` writes, next to the hashed repos:

- ``report.html``, ``report-2.html`` …: recent builds, newest first, in id
  blocks (``reports.pages``), at most ``MAX_PAGES`` pages;
- ``status_report.html``: per package, the last build, FTBFS since when with
  the culprit commit, the last success and the days since;
- ``ftbfs.html``: the same rows, failing packages only;
- ``status_report.csv``: DLRN's columns;
- ``report.css``: the one stylesheet (no CDN, no script at all).

Work is bounded and incremental: the DB is asked only about builds newer than
the last run (``reports.state``); a page is fetched and rendered only if the
DB's change marks of its id block differ from last time; a status row is
rendered only if its package's summary changed (or the day did, for "days
since"); every file is replaced atomically, so a web server never serves half
a page. Templates run with autoescape on: commit messages, notes and package
names are untrusted.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy.orm import Session

from trunkline import __version__
from trunkline.db import report_queries as rq
from trunkline.publish.atomic import write_chunks_atomic
from trunkline.reports.pages import block_of, fingerprint, page_filename, plan_pages
from trunkline.reports.state import PackageEntry, ReportState, load_state, save_state
from trunkline.reports.status import (
    PackageSummary,
    csv_line,
    package_view,
    status_csv,
    summarize,
    summary_digest,
)
from trunkline.reports.views import build_view, upstream_urls

log = logging.getLogger(__name__)

CSS_NAME = "report.css"
INCREMENTAL_MAX_NEW_BUILDS = 5000
STATUS_FILES = ("status_report.html", "ftbfs.html", "status_report.csv")


@dataclass(frozen=True)
class ReportResult:
    """What one regeneration did.

    Attributes:
        full: every package summary was recomputed (no usable state, or rows deleted).
        pages_total: how many recent-builds pages exist.
        written: the files (re)written, in order.
        rows_rendered: how many package status rows were rendered.
        seconds: wall time.
    """

    full: bool
    pages_total: int
    written: tuple[str, ...]
    rows_rendered: int
    seconds: float


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("trunkline.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["page_filename"] = page_filename
    return env


def _safe_baseurl(baseurl: str) -> str:
    return baseurl if baseurl.startswith(("https://", "http://")) else ""


class _Writer:
    """Writes files atomically under the repo root and remembers which."""

    def __init__(self, repos: Path) -> None:
        self.repos = repos
        self.written: list[str] = []

    def write(self, name: str, content: str | bytes) -> None:
        self.write_chunks(name, (content,))

    def write_chunks(self, name: str, chunks: Iterable[str | bytes]) -> None:
        write_chunks_atomic(self.repos / name, chunks)
        self.written.append(name)

    def missing(self, *names: str) -> bool:
        return not all((self.repos / n).exists() for n in names)


def _changed_summaries(
    session: Session, state: ReportState | None, key: str
) -> tuple[ReportState, dict[str, PackageSummary], bool]:
    """Bring the state up to the newest build and return the summaries that may have changed.

    Returns:
        (state, package -> fresh summary for every package asked again, all were asked).
    """
    max_id = rq.max_build_id(session)
    if state is not None and max_id >= state.max_id:
        added = rq.count_builds(session, after_id=state.max_id) if max_id > state.max_id else 0
        count = state.count + added
        if added <= INCREMENTAL_MAX_NEW_BUILDS and rq.count_builds(session) == count:
            names = rq.projects_built_after(session, state.max_id, limit=added) if added else []
            state.max_id, state.count = max_id, count
            return state, summarize(session, names) if names else {}, False
    if state is not None:
        log.info("many new builds, or builds removed, since the last report: recomputing all")
    new = ReportState(key=key, max_id=max_id, count=rq.count_builds(session))
    fresh = summarize(session)
    if state is not None:
        new.pages, new.status_key = state.pages, state.status_key
        new.packages = {n: e for n, e in state.packages.items() if n in fresh}
    return new, fresh, True


def _render_pages(
    session: Session,
    state: ReportState,
    out: _Writer,
    urls: dict[str, str],
    extra: tuple[str, ...],
) -> int:
    """Recent-builds pages; a page is fetched and rendered only if its block's marks changed."""
    plans = plan_pages(state.max_id)
    marks = (
        rq.page_marks(session, plans[-1].low, plans[0].high, plans[0].size) if state.max_id else {}
    )
    template = _environment().get_template("report.html.j2")
    for plan in plans:
        digest = fingerprint(plan, marks.get(block_of(plan), ()), *extra)
        if state.pages.get(plan.filename) == digest and not out.missing(plan.filename):
            continue
        rows = rq.builds_in_id_range(session, plan.low, plan.high) if state.max_id else []
        html = template.render(
            title=f"recent builds (page {plan.number})",
            page=plan,
            rows=[build_view(r, urls) for r in rows],
            project_name=extra[0],
            baseurl=extra[1],
            generated="",
        )
        out.write(plan.filename, html)
        state.pages[plan.filename] = digest
    wanted = {p.filename for p in plans}
    for stale in out.repos.glob("report-*.html"):
        if stale.name not in wanted:
            stale.unlink(missing_ok=True)
            state.pages.pop(stale.name, None)
    return len(plans)


def _render_status(
    state: ReportState,
    fresh: dict[str, PackageSummary],
    out: _Writer,
    urls: dict[str, str],
    common: dict[str, str],
    today: date,
) -> int:
    """Status pages and CSV; only rows whose summary (or the day) changed are rendered.

    Returns:
        how many package rows were rendered.
    """
    todo = {n: s for n, s in fresh.items() if n not in state.packages}
    for name, summary in fresh.items():
        if name in state.packages and state.packages[name].digest != summary_digest(summary):
            todo[name] = summary
    if not todo and not out.missing(*STATUS_FILES):
        return 0
    row_template = _environment().get_template("status_row.html.j2")
    for name, summary in todo.items():
        view = package_view(summary, urls, today)
        state.packages[name] = PackageEntry(
            summary_digest(summary), view.failing, row_template.render(p=view), csv_line(summary)
        )
    order = sorted(state.packages)
    failing = [n for n in order if state.packages[n].failing]
    page = _environment().get_template("status.html.j2")
    for filename, title, names, failing_count in (
        ("status_report.html", "package status", order, len(failing)),
        ("ftbfs.html", "failing to build (FTBFS)", failing, None),
    ):
        # rows already rendered with autoescape (status_row.html.j2), streamed to the file
        rows = (Markup(state.packages[n].html) for n in names)  # noqa: S704
        out.write_chunks(
            filename,
            page.generate(
                title=title, rows=rows, count=len(names), failing=failing_count, **common
            ),
        )
    out.write_chunks("status_report.csv", status_csv(state.packages[n].csv for n in order))
    return len(todo)


def _copy_css(out: _Writer) -> None:
    css = resources.files("trunkline.reports").joinpath("static", CSS_NAME).read_bytes()
    target = out.repos / CSS_NAME
    if not target.exists() or target.read_bytes() != css:
        out.write(CSS_NAME, css)


def generate_reports(
    session: Session,
    repos: Path,
    *,
    project_name: str,
    baseurl: str,
    full: bool = False,
    now: float | None = None,
) -> ReportResult:
    """Regenerate the reports of ``repos`` from the DB (see the module docstring).

    Args:
        session: a session on the builder's DB (only read).
        repos: the repo tree root; the reports are written at its top.
        project_name: shown in titles.
        baseurl: public URL of ``repos`` (linked from the header if http/https).
        full: ignore the saved state: ask the DB about every package, render every file.
        now: the epoch used for "days since" and the footer (default: the clock).

    Returns:
        what was done, for the CLI and the benchmarks.
    """
    start = time.perf_counter()
    repos.mkdir(parents=True, exist_ok=True)
    key = f"{__version__}|{project_name}|{baseurl}"
    previous = None if full else load_state(repos, key)
    state, fresh, was_full = _changed_summaries(session, previous, key)
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    out = _Writer(repos)
    _copy_css(out)
    urls = upstream_urls(repos)
    urls_digest = hashlib.sha256(repr(sorted(urls.items())).encode()).hexdigest()
    extra = (project_name, _safe_baseurl(baseurl), urls_digest)
    total = _render_pages(session, state, out, urls, extra)
    common = {
        "project_name": project_name,
        "baseurl": _safe_baseurl(baseurl),
        "generated": moment.strftime("%Y-%m-%d"),
    }
    status_key = hashlib.sha256(repr((moment.date(), common, urls_digest)).encode()).hexdigest()
    if status_key != state.status_key:
        # a new day ("days since") or new upstream URLs: every row must be rendered again
        if not was_full:
            fresh = summarize(session)
        state.status_key, state.packages = status_key, {}
    rendered = _render_status(state, fresh, out, urls, common, moment.date())
    if out.written or was_full or fresh:
        save_state(repos, state)
    return ReportResult(
        full=was_full,
        pages_total=total,
        written=tuple(out.written),
        rows_rendered=rendered,
        seconds=time.perf_counter() - start,
    )


def render_reports(session: Session, repos: Path, *, project_name: str, baseurl: str) -> None:
    """Regenerate the reports incrementally after a build cycle (see :func:`generate_reports`)."""
    result = generate_reports(session, repos, project_name=project_name, baseurl=baseurl)
    if not (repos / "uc.html").exists():  # the nav links it: "no report yet" until `uc report`
        from trunkline.reports.uc_page import write_uc_pages

        write_uc_pages(session, repos, project_name=project_name, baseurl=baseurl)
    log.info(
        "reports: %d file(s) written, %d status row(s) rendered in %.3fs",
        len(result.written),
        result.rows_rendered,
        result.seconds,
    )
