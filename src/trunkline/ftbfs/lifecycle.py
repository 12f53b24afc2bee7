"""Opening, attaching to and closing FTBFS periods with the build record, in its transaction.

Rules (issue #13), applied by :meth:`FtbfsLifecycle.on_recorded` to every non-RETRY
build :class:`~trunkline.publish.record.BuildRecorder` records, before it commits:

* a FAILED build of a package with no open period opens one (``ftbfs`` row; the
  package's first build failing, or its newest build failing after a success) and
  emits ``ftbfs.opened`` through the router — the outbox rows commit with the build
  row or not at all;
* a FAILED build of a package with an open period is attached to it (``attempts``,
  ``last_failed_commit_id``); nothing is emitted;
* a SUCCESS of a package with an open period closes it (``closed_at``,
  ``fix_commit_id``, ``fixed_by``) and emits ``ftbfs.fixed``;
* RETRY is not a failure: it is not seen here.

Cost: the open periods are read once per cycle (one query, on the first recorded
build); a SUCCESS of a package not in FTBFS then costs no query at all.

History is never announced: :func:`replay_history` (run by ``dlrn import-db``) makes
the rows of imported builds without emitting, and a failure that continues a
failing streak recorded before the lifecycle existed (a DB older than migration
0004) opens its period silently. A ``--dev`` build (a developer's local checkout)
keeps the periods but announces nothing, and so does a build imported from another
builder (``remote-import``: that builder announced it). Crash recovery
(``publish/recover.py``) records no build, so it opens and closes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.db.models import BuildStatus, Commit, Ftbfs
from trunkline.errors import TrunklineError
from trunkline.ftbfs.culprit import (
    BISECTING,
    CommitRef,
    Culprit,
    Sides,
    describe,
    find_culprit,
)
from trunkline.ftbfs.excerpt import best_log
from trunkline.outbox.routing import Router
from trunkline.publish.finished import FinishedBuild

log = logging.getLogger(__name__)

OPENED = "ftbfs.opened"
CULPRIT = "ftbfs.culprit"
FIXED = "ftbfs.fixed"


@dataclass(frozen=True)
class PackageInfo:
    """What the payloads say about a package beyond its build row."""

    maintainers: tuple[str, ...] = ()
    distgit_branch: str = ""
    review_origin: str | None = None
    sides: Sides = field(default_factory=lambda: Sides(None, None, None, None))


@dataclass
class OpenedNow:
    """A period opened in this cycle whose culprit is still to bisect."""

    ftbfs_id: int
    project: str
    commits: list[str]


def build_url(
    settings: Settings, relpath: PurePosixPath | str | None, name: str = ""
) -> str | None:
    """The URL of a build dir (or a file in it): ``builder.baseurl`` or a file:// URI."""
    if not relpath:
        return None
    base = settings.builder.baseurl.rstrip("/")
    tail = f"{relpath}/{name}" if name else f"{relpath}/"
    if base:
        return f"{base}/{tail}"
    return (settings.builder.repos_path.resolve() / tail).as_uri() + ("" if name else "/")


def nvr_of(settings: Settings, row: Commit) -> str:
    """The source NVR of a build row (``name-version-release<dist>``)."""
    if row.version and row.release:
        return f"{row.project_name}-{row.version}-{row.release}{settings.builder.dist}"
    return f"{row.project_name}-{row.commit_hash[:8]}"


class FtbfsLifecycle:
    """The FTBFS state of one builder's packages, kept in step with its build records.

    Args:
        settings: the builder's settings (name, baseurl, dist).
        router: where ``ftbfs.*`` events go (``outbox/wiring.build_router``).
        packages: name -> :class:`PackageInfo` of the followed packages.
        emit: False to make the rows without announcing them (history imports).
    """

    def __init__(
        self,
        settings: Settings,
        router: Router,
        packages: Mapping[str, PackageInfo] | None = None,
        *,
        emit: bool = True,
    ) -> None:
        self.settings = settings
        self.router = router
        self.packages = dict(packages or {})
        self.emit = emit
        self._open: dict[str, int] | None = None  # project -> open ftbfs id
        self.bisecting: list[int] = []  # ftbfs ids whose culprit is to bisect
        self.emitted = 0  # events emitted (for the builder to wake its outbox)

    # --- the per-cycle cache ------------------------------------------------------------
    def _open_periods(self, session: Session) -> dict[str, int]:
        if self._open is None:
            rows = session.execute(
                select(Ftbfs.project_name, Ftbfs.id, Ftbfs.culprit_state).where(
                    Ftbfs.closed_at.is_(None)
                )
            ).all()
            self._open = {name: fid for name, fid, _ in rows}
            self.bisecting.extend(fid for _, fid, state in rows if state == BISECTING)
        return self._open

    def load(self, session: Session) -> None:
        """Read the open periods now if no build has yet (a cycle that built nothing still
        picks up a bisection a killed run left ``bisecting``): one query per cycle in all."""
        self._open_periods(session)

    def forget(self) -> None:
        """Drop the cache (the recorder's transaction rolled back): re-read on next use."""
        self._open = None

    # --- the rules ----------------------------------------------------------------------
    def on_recorded(
        self,
        session: Session,
        row: Commit,
        build: FinishedBuild,
        relpath: PurePosixPath | None,
    ) -> None:
        """Apply the rules to a build row just flushed (its transaction still open)."""
        if build.status is BuildStatus.RETRY:
            return
        open_periods = self._open_periods(session)
        fid = open_periods.get(row.project_name)
        if build.status is BuildStatus.SUCCESS:
            if fid is not None:
                self._close(session, session.get_one(Ftbfs, fid), row)
                del open_periods[row.project_name]
            return
        if fid is not None:
            period = session.get_one(Ftbfs, fid)
            period.attempts += 1
            period.last_failed_commit_id = row.id
            return
        period = self._open_period(session, row, build, relpath)
        open_periods[row.project_name] = period.id

    def _open_period(
        self,
        session: Session,
        row: Commit,
        build: FinishedBuild,
        relpath: PurePosixPath | None,
    ) -> Ftbfs:
        good = session.scalars(
            select(Commit)
            .where(
                Commit.project_name == row.project_name,
                Commit.status == BuildStatus.SUCCESS,
                Commit.id < row.id,
            )
            .order_by(Commit.id.desc())
            .limit(1)
        ).first()
        earlier = select(func.min(Commit.id), func.count(Commit.id)).where(
            Commit.project_name == row.project_name,
            Commit.status == BuildStatus.FAILED,
            Commit.id < row.id,
        )
        if good is not None:
            earlier = earlier.where(Commit.id > good.id)
        first_failed, streak = session.execute(earlier).one()
        info = self.packages.get(row.project_name, PackageInfo())
        commits: list[str] = []
        if first_failed is not None:
            # a failing streak recorded before the lifecycle existed: history, no event
            culprit = Culprit("unknown")
        else:
            culprit, commits = find_culprit(
                info.sides,
                (good.commit_hash, good.distro_hash) if good is not None else None,
                (row.commit_hash, row.distro_hash),
            )
        period = Ftbfs(
            project_name=row.project_name,
            component=row.component,
            opened_at=row.dt_build,
            first_failed_commit_id=first_failed if first_failed is not None else row.id,
            last_failed_commit_id=row.id,
            last_good_commit_id=good.id if good is not None else None,
            attempts=int(streak) + 1,
            culprit_commit_hash=culprit.upstream.hash if culprit.upstream else None,
            culprit_distro_hash=culprit.distgit.hash if culprit.distgit else None,
            culprit_state=culprit.state,
        )
        session.add(period)
        session.flush()
        if first_failed is not None or not self.emit:
            return period
        if commits:
            self.bisecting.append(period.id)
        log_path, lines = _excerpt(build)
        payload = {
            **self.common(period, row, info, relpath, log_path),
            "culprit": culprit.as_json(),
            "log_excerpt": lines,
            "attempts": period.attempts,
        }
        self.router.emit(session, OPENED, payload, now=row.dt_build)
        self.emitted += 1
        return period

    def _close(self, session: Session, period: Ftbfs, row: Commit) -> None:
        failing = session.get_one(Commit, period.last_failed_commit_id)
        up = row.commit_hash != failing.commit_hash
        dg = row.distro_hash != failing.distro_hash
        # neither changed: the same pair built again after its environment was fixed
        fixed_by = "both" if up and dg else "distgit" if dg else "upstream"
        period.closed_at = row.dt_build
        period.fix_commit_id = row.id
        period.fixed_by = fixed_by
        if not self.emit:
            return
        info = self.packages.get(row.project_name, PackageInfo())
        sides = info.sides
        fix: CommitRef = (
            describe(sides.distgit_mirror, row.distro_hash, sides.distgit_url)
            if dg
            else describe(sides.upstream_mirror, row.commit_hash, sides.upstream_url)
        )
        payload = {
            **self.common(period, row, info, PurePosixPath(row.repo_dir) if row.repo_dir else None),
            "fixed_by": fixed_by,
            "fix": fix.as_json(),
            "closed_at": row.dt_build,
            "duration_seconds": max(0, row.dt_build - period.opened_at),
            "review_id": period.review_id,
            "review_url": period.review_url,
        }
        self.router.emit(session, FIXED, payload, now=row.dt_build)
        self.emitted += 1

    def common(
        self,
        period: Ftbfs,
        row: Commit,
        info: PackageInfo,
        relpath: PurePosixPath | None,
        log_path: Path | None = None,
    ) -> dict[str, Any]:
        """The fields every ``ftbfs.*`` payload has (see the contract)."""
        return {
            "ftbfs_id": period.id,
            "builder": self.settings.builder.name,
            "package": row.project_name,
            "component": row.component,
            "maintainers": list(info.maintainers),
            "opened_at": period.opened_at,
            "nvr": nvr_of(self.settings, row),
            "distgit_branch": info.distgit_branch,
            "upstream_branch": row.commit_branch,
            "distgit_url": info.sides.distgit_url,
            "upstream_url": info.sides.upstream_url,
            "review_origin": info.review_origin,
            "log_url": build_url(self.settings, relpath, log_path.name) if log_path else None,
            "repo_url": build_url(self.settings, relpath),
            "commit_id": row.id,
        }


def _excerpt(build: FinishedBuild) -> tuple[Path | None, list[str]]:
    try:
        return best_log(build.logs)
    except (OSError, TrunklineError) as exc:  # a log we cannot read must not fail the record
        log.warning("%s: no log excerpt: %s", build.project, exc)
        return None, []


def replay_history(session: Session) -> int:
    """Make the ``ftbfs`` rows of builds recorded without the lifecycle; emit nothing.

    Walks every package's non-RETRY builds in id order (what ``dlrn import-db``
    brings) and opens/attaches/closes periods by the module's rules, for packages
    that have no period yet. The caller commits.

    Returns:
        How many periods were made.
    """
    known = set(session.scalars(select(Ftbfs.project_name).distinct()))
    rows = session.execute(
        select(
            Commit.id,
            Commit.project_name,
            Commit.component,
            Commit.status,
            Commit.dt_build,
            Commit.commit_hash,
            Commit.distro_hash,
        )
        .where(Commit.status.in_([BuildStatus.SUCCESS, BuildStatus.FAILED]), Commit.type == "rpm")
        .order_by(Commit.id)
    ).all()
    made = 0
    open_now: dict[str, Ftbfs] = {}
    last_good: dict[str, int] = {}
    last_fail: dict[str, tuple[str, str]] = {}
    for cid, name, component, status, dt_build, chash, dhash in rows:
        if name in known:
            continue
        period = open_now.get(name)
        if status == BuildStatus.SUCCESS:
            if period is not None:
                up, dg = (chash, dhash)[0] != last_fail[name][0], dhash != last_fail[name][1]
                period.closed_at = dt_build
                period.fix_commit_id = cid
                period.fixed_by = "both" if up and dg else "distgit" if dg else "upstream"
                del open_now[name]
            last_good[name] = cid
            continue
        last_fail[name] = (chash, dhash)
        if period is not None:
            period.attempts += 1
            period.last_failed_commit_id = cid
            continue
        period = Ftbfs(
            project_name=name,
            component=component,
            opened_at=dt_build,
            first_failed_commit_id=cid,
            last_failed_commit_id=cid,
            last_good_commit_id=last_good.get(name),
            attempts=1,
            culprit_state="unknown",
        )
        session.add(period)
        open_now[name] = period
        made += 1
    session.flush()
    return made
