"""Bounded, indexed queries behind the static reports.

The reports must stay fast at 150,000 builds, so nothing here loads "all rows":
pages of recent builds are primary-key ranges, the per-package summary is a
``max(id) ... GROUP BY project_name`` over the ``(project_name, type, status,
id)`` index (an index-only scan), and full rows are then fetched by primary key
in chunks. Rows come back as :class:`BuildRow` (plain columns, no ORM identity
map), which is several times cheaper than loading ``Commit`` objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, cast, func, select
from sqlalchemy.orm import Session, aliased

from trunkline.db.models import BuildStatus, Commit, InstallStatus

ID_CHUNK = 500
MAX_RANGE = 5000

_COLUMNS = (
    Commit.id,
    Commit.project_name,
    Commit.commit_hash,
    Commit.distro_hash,
    Commit.extended_hash,
    Commit.component,
    Commit.status,
    Commit.install_status,
    Commit.dt_commit,
    Commit.dt_build,
    Commit.repo_dir,
    Commit.version,
    Commit.release,
    Commit.notes,
    Commit.artifacts,
    Commit.flags,
    Commit.commit_branch,
    Commit.source_branch,
)


@dataclass(frozen=True, slots=True)
class BuildRow:
    """The columns of one build that the reports show."""

    id: int
    project_name: str
    commit_hash: str
    distro_hash: str
    extended_hash: str | None
    component: str | None
    status: str
    install_status: str
    dt_commit: int
    dt_build: int
    repo_dir: str
    version: str | None
    release: str | None
    notes: str
    artifacts: str | None
    flags: int
    commit_branch: str = ""  # the upstream ref actually built
    source_branch: str | None = None  # the ref the metadata named (None: not recorded)


def _row(values: Any) -> BuildRow:
    (
        id_,
        name,
        chash,
        dhash,
        ext,
        comp,
        status,
        inst,
        dtc,
        dtb,
        rdir,
        ver,
        rel,
        notes,
        arts,
        fl,
        branch,
        wanted,
    ) = values
    return BuildRow(
        id=int(id_),
        project_name=str(name),
        commit_hash=str(chash),
        distro_hash=str(dhash),
        extended_hash=None if ext is None else str(ext),
        component=None if comp is None else str(comp),
        status=str(getattr(status, "value", status)),
        install_status=str(getattr(inst, "value", inst)),
        dt_commit=int(dtc or 0),
        dt_build=int(dtb or 0),
        repo_dir=str(rdir or ""),
        version=None if ver is None else str(ver),
        release=None if rel is None else str(rel),
        notes=str(notes or ""),
        artifacts=None if arts is None else str(arts),
        flags=int(fl or 0),
        commit_branch=str(branch or ""),
        source_branch=None if wanted is None else str(wanted),
    )


def max_build_id(session: Session) -> int:
    """The highest build id (0 on an empty table); a primary-key lookup."""
    return int(session.scalar(select(func.max(Commit.id))) or 0)


def count_builds(session: Session, *, after_id: int = 0) -> int:
    """How many builds have an id above ``after_id`` (all builds by default)."""
    stmt = select(func.count(Commit.id))
    if after_id:
        stmt = stmt.where(Commit.id > after_id)
    return int(session.scalar(stmt) or 0)


def builds_in_id_range(session: Session, low: int, high: int) -> list[BuildRow]:
    """Builds with ``low <= id <= high``, newest first (a primary-key range scan).

    Raises:
        ValueError: the range is wider than ``MAX_RANGE`` ids (the bound of a page set).
    """
    if high - low + 1 > MAX_RANGE:
        raise ValueError(f"id range {low}..{high}: wider than {MAX_RANGE} ids")
    stmt = select(*_COLUMNS).where(Commit.id >= low, Commit.id <= high).order_by(Commit.id.desc())
    return [_row(r) for r in session.connection().execute(stmt)]


def page_marks(session: Session, low: int, high: int, size: int) -> dict[int, tuple[int, ...]]:
    """Per block of ``size`` ids in ``low..high``, aggregate change marks, computed by the DB.

    A build row is written once and later only updated in its outcome columns
    (status, install check, notes, purge flag, artifacts, repo dir), so a block's
    count, id bounds and sums over those columns (weighted by id, so that
    moving a value between rows shows) tell whether a page built from the block
    must be rendered again, without sending the rows themselves.

    Returns:
        block number (``(id - 1) // size``) -> marks.

    Raises:
        ValueError: the range is wider than ``MAX_RANGE`` ids.
    """
    if high - low + 1 > MAX_RANGE:
        raise ValueError(f"id range {low}..{high}: wider than {MAX_RANGE} ids")
    status = case(
        (Commit.status == BuildStatus.SUCCESS, 1),
        (Commit.status == BuildStatus.FAILED, 2),
        else_=3,
    )
    install = case(
        (Commit.install_status == InstallStatus.INSTALLABLE, 1),
        (Commit.install_status == InstallStatus.UNINSTALLABLE, 2),
        else_=3,
    )

    def length(col: Any) -> Any:
        return cast(func.coalesce(func.length(col), 0), BigInteger)

    changing = (
        cast(Commit.flags, BigInteger)
        + status * 4
        + install * 16
        + length(Commit.notes) * 64
        + length(Commit.artifacts) * 4096
        + length(Commit.repo_dir) * 262144
    )
    block = ((Commit.id - 1) // size).label("block")
    stmt = (
        select(
            block,
            func.count(Commit.id),
            func.min(Commit.id),
            func.max(Commit.id),
            func.sum(changing),
            func.sum(cast(Commit.id % 9973, BigInteger) * changing),
        )
        .where(Commit.id >= low, Commit.id <= high)
        .group_by(block)
    )
    return {
        int(r[0]): tuple(int(v or 0) for v in r[1:]) for r in session.connection().execute(stmt)
    }


def builds_by_id(session: Session, ids: Iterable[int]) -> dict[int, BuildRow]:
    """Fetch builds by primary key, in chunks of ``ID_CHUNK`` (portable IN-list sizes)."""
    wanted = sorted(set(ids))
    found: dict[int, BuildRow] = {}
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        for values in session.connection().execute(select(*_COLUMNS).where(Commit.id.in_(chunk))):
            row = _row(values)
            found[row.id] = row
    return found


def projects_built_after(session: Session, after_id: int, *, limit: int) -> list[str]:
    """Distinct packages among the (at most ``limit``) builds with an id above ``after_id``.

    A primary-key range scan: callers pass the number of new builds as ``limit``
    (and recompute everything when there are too many of them), so it never
    reads the rest of the table.
    """
    stmt = select(Commit.project_name).where(Commit.id > after_id).order_by(Commit.id).limit(limit)
    return sorted(set(session.connection().execute(stmt).scalars()))


def _chunks(projects: Sequence[str] | None) -> list[Sequence[str] | None]:
    if projects is None:
        return [None]
    return [projects[i : i + ID_CHUNK] for i in range(0, len(projects), ID_CHUNK)]


def latest_ids(
    session: Session,
    *,
    status: BuildStatus | None = None,
    projects: Sequence[str] | None = None,
    kind: str = "rpm",
) -> dict[str, int]:
    """Per package, the id of its newest build (of ``status`` if given).

    Args:
        session: an open session.
        status: only builds with this status (None: any status, RETRY included).
        projects: only these packages (None: every package).
        kind: the build type (DLRN's ``type`` column).

    Returns:
        package name -> build id; packages without such a build are absent.
    """
    found: dict[str, int] = {}
    for chunk in _chunks(projects):
        conds: list[ColumnElement[bool]] = [Commit.type == kind]
        if status is not None:
            conds.append(Commit.status == status)
        if chunk is not None:
            conds.append(Commit.project_name.in_(list(chunk)))
        stmt = select(Commit.project_name, func.max(Commit.id)).where(*conds)
        for name, id_ in session.connection().execute(stmt.group_by(Commit.project_name)):
            found[str(name)] = int(id_)
    return found


def first_failure_ids(
    session: Session, projects: Sequence[str], *, kind: str = "rpm"
) -> dict[str, int]:
    """Per package, its oldest FAILED build newer than its newest SUCCESS (the culprit).

    Packages that never succeeded get their oldest FAILED build. Meant for the
    few packages that are failing now; each is an index seek.
    """
    found: dict[str, int] = {}
    success = aliased(Commit)
    last_ok = (
        select(func.coalesce(func.max(success.id), 0))
        .where(
            success.project_name == Commit.project_name,
            success.type == kind,
            success.status == BuildStatus.SUCCESS,
        )
        .correlate(Commit)
        .scalar_subquery()
    )
    for chunk in _chunks(list(projects)):
        if not chunk:
            continue
        stmt = (
            select(Commit.project_name, func.min(Commit.id))
            .where(
                Commit.project_name.in_(list(chunk)),
                Commit.type == kind,
                Commit.status == BuildStatus.FAILED,
                Commit.id > last_ok,
            )
            .group_by(Commit.project_name)
        )
        for name, id_ in session.execute(stmt):
            found[str(name)] = int(id_)
    return found
