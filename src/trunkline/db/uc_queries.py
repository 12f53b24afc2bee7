"""History of upper-constraints reports: store a run, read the latest one and the trend.

A run costs two bounded reads (the previous run of the release, its rows) and
one insert batch; ``lower_since`` is carried over from the previous run, so
reading "since when lower" never scans history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.constraints.report import UcRow, UcStatus, counts
from trunkline.db.models import UcRow as UcRowModel
from trunkline.db.models import UcRun

TREND_LIMIT = 60


@dataclass(frozen=True)
class StoredRow:
    """A row of a stored run, with since when it has been ``lower`` (epoch seconds)."""

    row: UcRow
    lower_since: int | None


@dataclass(frozen=True)
class StoredRun:
    """A stored run: its id, release, Python, source, time (epoch seconds) and counts."""

    id: int
    release: str
    python: str
    source: str
    timestamp: int
    counts: dict[str, int]


def _run(run: UcRun) -> StoredRun:
    return StoredRun(
        id=run.id,
        release=run.release,
        python=run.python,
        source=run.source,
        timestamp=run.timestamp,
        counts={
            "equal": run.equal,
            "lower": run.lower,
            "greater": run.greater,
            "missing": run.missing,
        },
    )


def _latest(session: Session, release: str | None) -> UcRun | None:
    stmt = select(UcRun).order_by(UcRun.id.desc()).limit(1)
    if release is not None:
        stmt = stmt.where(UcRun.release == release)
    return session.scalars(stmt).first()


def record_run(
    session: Session,
    rows: Sequence[UcRow],
    *,
    release: str,
    python: str,
    source: str,
    now: int,
) -> StoredRun:
    """Store a report run (the caller commits) and return it.

    Args:
        rows: the report's rows.
        release, python, source: what was compared.
        now: the run's time, epoch seconds.
    """
    prev = _latest(session, release)
    since: dict[str, int | None] = {}
    if prev is not None:
        stmt = select(UcRowModel.module, UcRowModel.lower_since).where(
            UcRowModel.run_id == prev.id, UcRowModel.status == UcStatus.LOWER.value
        )
        since = {str(m): s for m, s in session.execute(stmt.limit(100_000))}
    c = counts(rows)
    run = UcRun(
        release=release,
        python=python,
        source=source[:1024],
        timestamp=now,
        equal=c["equal"],
        lower=c["lower"],
        greater=c["greater"],
        missing=c["missing"],
    )
    session.add(run)
    session.flush()
    session.add_all(
        UcRowModel(
            run_id=run.id,
            module=r.module,
            uc_version=r.uc_version,
            package=r.package,
            packaged=r.packaged,
            repo=r.repo,
            also=",".join(r.also),
            mapped_by=r.mapped_by,
            status=r.status.value,
            lower_since=(since.get(r.module) or now) if r.status is UcStatus.LOWER else None,
        )
        for r in rows
    )
    session.flush()
    return _run(run)


def latest_run(
    session: Session, release: str | None = None, *, limit: int = 10_000
) -> tuple[StoredRun, list[StoredRow]] | None:
    """The newest run (of ``release``, or of any release) and its rows, or None."""
    run = _latest(session, release)
    if run is None:
        return None
    stmt = (
        select(UcRowModel).where(UcRowModel.run_id == run.id).order_by(UcRowModel.id).limit(limit)
    )
    rows = [
        StoredRow(
            UcRow(
                release=run.release,
                module=m.module,
                uc_version=m.uc_version,
                package=m.package,
                packaged=m.packaged,
                repo=m.repo,
                also=tuple(a for a in m.also.split(",") if a),
                mapped_by=m.mapped_by,
                status=UcStatus(m.status),
            ),
            m.lower_since,
        )
        for m in session.scalars(stmt)
    ]
    return _run(run), rows


def trend(session: Session, release: str, *, limit: int = TREND_LIMIT) -> list[StoredRun]:
    """The last ``limit`` runs of ``release``, oldest first (counts per status over time)."""
    stmt = select(UcRun).where(UcRun.release == release).order_by(UcRun.id.desc()).limit(limit)
    return [_run(r) for r in reversed(list(session.scalars(stmt)))]
