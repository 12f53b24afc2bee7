"""``uc report`` as one call: read the constraints and the repos, compare, return rows.

The repositories are the builder's ``<repos_dir>/current`` (repo id
``builder.reponame``, when ``[uc] current`` is on and it has repodata), then
``[uc] repos`` in their order, then the sections of ``[uc] repo_files``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trunkline.config import Settings
from trunkline.constraints.repofiles import repos_of
from trunkline.constraints.report import UcRow, build_rows
from trunkline.constraints.repos import RepoIndex, read_repo
from trunkline.constraints.ucfile import check_python, parse_constraints, read_source
from trunkline.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class UcReport:
    """A computed report: what was compared and the rows.

    Attributes:
        release: the Release column.
        python: the target Python.
        source: where the constraints came from.
        repos: the repo ids read, in priority order.
        rows: one per module that applies to ``python``.
    """

    release: str
    python: str
    source: str
    repos: tuple[str, ...]
    rows: list[UcRow]


def repo_list(settings: Settings) -> list[tuple[str, str]]:
    """``(repo id, baseurl)`` of every repository the report reads, in priority order."""
    out: list[tuple[str, str]] = []
    current = settings.builder.repos_path / "current"
    if settings.uc.current and (current / "repodata" / "repomd.xml").is_file():
        out.append((settings.builder.reponame, str(current.resolve())))
    out.extend(settings.uc.repos.items())
    for url in settings.uc.repo_files:
        out.extend(repos_of(url))
    seen: set[str] = set()
    for rid, _ in out:
        if rid in seen:
            raise InputError(f"[uc]: repo id {rid!r} given twice (expected unique repo ids)")
        seen.add(rid)
    return out


def cache_dir(settings: Settings) -> Path:
    """Where repository indexes are cached (under the builder's data dir)."""
    return settings.builder.data_dir / "cache" / "uc"


def compute_report(
    settings: Settings,
    *,
    uc: str | None = None,
    release: str | None = None,
    python: str | None = None,
) -> UcReport:
    """Run the comparison (see the module docstring).

    Args:
        settings: the builder's settings (``[uc]`` gives the defaults).
        uc: the constraints source (default ``[uc] source``).
        release: the Release column (default ``[uc] release``).
        python: the target Python (default ``[uc] python``).

    Raises:
        InputError: no source, or a source, a line or a repository cannot be read.
    """
    source = uc or settings.uc.source
    if not source:
        raise InputError("--uc: no upper-constraints source (pass --uc or set [uc] source)")
    py = check_python(python or settings.uc.python)
    text, label = read_source(source)
    constraints = parse_constraints(text, py, source=label)
    cdir = cache_dir(settings)
    repos = repo_list(settings)
    indexes: list[RepoIndex] = [read_repo(rid, url, cdir) for rid, url in repos]
    rel = release or settings.uc.release
    rows = build_rows(constraints, indexes, release=rel, python=py)
    return UcReport(rel, py, label, tuple(r for r, _ in repos), rows)


def store_report(session: Session, settings: Settings, report: UcReport, *, now: int) -> None:
    """Store a report run (``uc_runs``/``uc_rows``) and rewrite the builder's ``uc*.html``.

    The caller commits ``session``; ``now`` is the run's time (epoch seconds).
    """
    from trunkline.db.uc_queries import record_run
    from trunkline.reports.uc_page import write_uc_pages

    record_run(
        session,
        report.rows,
        release=report.release,
        python=report.python,
        source=report.source,
        now=now,
    )
    b = settings.builder
    b.repos_path.mkdir(parents=True, exist_ok=True)
    write_uc_pages(session, b.repos_path, project_name=b.project_name, baseurl=b.baseurl)
