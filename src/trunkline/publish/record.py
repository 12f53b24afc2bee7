"""The one service that records a finished build: DB row, hashed repo, links, mirrors.

Every way a build ends up in a builder goes through :class:`BuildRecorder`: a
local build (``builder/cycle.py``), an imported one (``promotion/remote.py``),
the links of builds a crash left behind (:meth:`BuildRecorder.reconcile_links`,
in ``publish/recover.py``) and old builds that are purged
(:meth:`BuildRecorder.purge`). Rules about a recorded build are written here
once: :func:`~trunkline.publish.finished.check_finished` (a SUCCESS brings its
RPMs) runs before anything of a build is written.

The order is what makes a kill at any moment harmless:

1. insert the build row and flush (the transaction is still open); open, attach to
   or close the package's FTBFS period and enqueue its events (``ftbfs/lifecycle.py``)
   in the same transaction;
2. publish the hashed repo (staged in a temp dir, then renamed: never half-visible);
3. commit the transaction (the build now exists for everyone, and so do its
   events in the outbox: ``build.finished``, ``repo.published``, the
   ``promotion.moved`` of the links step 4 moves);
4. move ``current`` (and ``consistent``) atomically.

A kill before 3 leaves, at worst, a complete repo dir without a DB row: the
build is redone next run and the dir replaced whole. A kill between 3 and 4
leaves links one build behind: :meth:`BuildRecorder.reconcile_links` (run at the
start of every cycle) points them at what the DB says. ``consistent`` is
recorded in the DB as DLRN does, with a CI vote named ``consistent``, so it can
be recomputed the same way.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.db import queries
from trunkline.db.models import FLAG_UNINDEXED, BuildStatus, CIVote, Commit, InstallStatus
from trunkline.db.queries import BuildSummary
from trunkline.errors import PublishError
from trunkline.events import payloads
from trunkline.ftbfs.lifecycle import FtbfsLifecycle
from trunkline.outbox.routing import Router
from trunkline.outbox.wiring import build_router
from trunkline.publish import layout, purge, recover
from trunkline.publish.aggregate import write_aggregate
from trunkline.publish.commitfile import ExtraFacts, commit_yaml_document, extra_yaml_document
from trunkline.publish.finished import FinishedBuild, check_finished
from trunkline.publish.installcheck import InstallCheck, check_installable
from trunkline.publish.links import move_link
from trunkline.publish.repo import (
    PublishRequest,
    StagedLinks,
    own_artifacts,
    publish_build,
    publish_failure,
    publish_unindexed,
    stage_links,
)
from trunkline.publish.repodata import RepodataWriter, make_writer
from trunkline.publish.sync import replicate_all, replicate_build
from trunkline.publish.versions_csv import VersionsRow, nvr_of, render_versions_csv, versions_rows

log = logging.getLogger(__name__)

CONSISTENT_VOTE = recover.CONSISTENT_VOTE


@dataclass(frozen=True)
class Recorded:
    """A build as recorded: its row id, repo dir and what moved."""

    commit_id: int
    status: BuildStatus
    relpath: PurePosixPath | None
    moved_current: bool
    moved_consistent: bool
    install_status: InstallStatus


class BuildRecorder:
    """Records the finished builds of one builder into its DB and repo tree."""

    def __init__(
        self,
        settings: Settings,
        urls: Mapping[str, tuple[str, str]] | None = None,
        lifecycle: FtbfsLifecycle | None = None,
        *,
        index: bool = True,
        router: Router | None = None,
    ):
        """Args:
        settings: the builder's settings.
        urls: the package list in order: name -> (upstream URL, distgit URL), for
            versions.csv.
        lifecycle: opens/closes FTBFS periods (and emits their events) in each
            build's transaction (``ftbfs/lifecycle.py``); None records builds only.
        index: False for ``build --no-repo``: a successful build's directory gets
            its own RPMs but no repodata and no links, and ``current`` and
            ``consistent`` stay where they are (DLRN moves them onto that
            directory, leaving every consumer of ``current`` without a repo).
        router: where the events of a record go (default: the configured channels);
            they are enqueued in the transaction that records the build.
        """
        self.index = index
        self.settings = settings
        self.lifecycle = lifecycle
        self.router = router if router is not None else build_router(settings)
        self.repos = settings.builder.repos_path
        self.urls = dict(urls or {})
        self._repodata: RepodataWriter | None = None

    @property
    def repodata(self) -> RepodataWriter:
        """One writer for the recorder's life: its package-XML cache makes later publications
        of a cycle cheap."""
        if self._repodata is None:
            self._repodata = make_writer(self.settings.builder.repodata)
        return self._repodata

    def prepare(self, session: Session, components: Iterable[str | None]) -> None:
        """Have the repodata writer get ready for builds of these components, now.

        A builder calls this once it knows it will publish: the writer's helper starts
        and loads the metadata of each component's newest indexed repo (the
        ``previous`` of its next publication) while the first builds run, not in
        the first publication. Nothing for ``build --no-repo``. A hint: a helper that
        cannot start is logged, and the first publication tries again (and fails).
        """
        if not self.index:
            return
        wanted = {self._component(c) for c in components}
        for component in sorted(wanted, key=lambda c: c or ""):
            previous = queries.newest_success(session, component=component, indexed_only=True)
            if previous is None or not previous.repo_dir:
                continue
            path = self.repos / previous.repo_dir
            if not (path / "repodata" / "repomd.xml").is_file():
                continue
            try:
                self.repodata.prepare(path)
            except PublishError as exc:
                log.warning("repodata writer not prepared: %s", exc)
                return

    def close(self) -> None:
        """Free the repodata writer (its helper process); a later publication starts another."""
        writer, self._repodata = self._repodata, None
        if writer is not None:
            writer.close()

    def _component(self, component: str | None) -> str | None:
        return component if self.settings.builder.use_components else None

    def relpath_of(
        self,
        component: str | None,
        commit_hash: str,
        distro_hash: str,
        extended_hash: str | None = None,
    ) -> PurePosixPath:
        """Where a build of these hashes is published (the one place that decides it)."""
        return layout.build_relpath(
            commit_hash, distro_hash, extended_hash, self._component(component)
        )

    # --- recording ----------------------------------------------------------------------
    def record(
        self, session: Session, build: FinishedBuild, staged: StagedLinks | None = None
    ) -> Recorded:
        """Record one finished build (any status) and publish what it produced.

        The session must be fresh; this function commits it. ``staged`` is what
        :meth:`prestage` prepared for this build, if anything.

        Raises:
            PublishError: the build breaks :func:`check_finished` (nothing is
                recorded) or its repo cannot be written (the row is not committed).
        """
        if staged is not None and build.status is not BuildStatus.SUCCESS:
            shutil.rmtree(staged.path, ignore_errors=True)
            staged = None
        check_finished(build)
        relpath = None
        if build.status is not BuildStatus.RETRY:
            relpath = self.relpath_of(
                build.component, build.commit_hash, build.distro_hash, build.extended_hash
            )
        row = _new_row(build, relpath)
        session.add(row)
        session.flush()
        if self.lifecycle is None:
            return self._record_row(session, row, relpath, build, staged)
        try:
            self.lifecycle.on_recorded(session, row, build, relpath)
            return self._record_row(session, row, relpath, build, staged)
        except BaseException:
            self.lifecycle.forget()  # its cache may hold what was rolled back
            raise

    def _record_row(
        self,
        session: Session,
        row: Commit,
        relpath: PurePosixPath | None,
        build: FinishedBuild,
        staged: StagedLinks | None,
    ) -> Recorded:
        if build.status is BuildStatus.RETRY or relpath is None:
            self._emit_finished(session, row)
            session.commit()
            return Recorded(row.id, row.status, None, False, False, row.install_status)
        if build.status is BuildStatus.FAILED:
            publish_failure(self._request(session, row, relpath, build, link_others=False))
            self._emit_finished(session, row)
            session.commit()
            self._replicate(relpath, (), self._component(row.component))
            return Recorded(row.id, row.status, relpath, False, False, row.install_status)
        return self._record_success(session, row, relpath, build, staged)

    def prestage(
        self, session: Session, project: str, component: str | None, relpath: PurePosixPath
    ) -> StagedLinks:
        """Link the other packages' newest RPMs into the build dir's temp sibling, early.

        Runs in a build worker while other builds are published; :meth:`record` then
        only corrects the links that changed meanwhile, so the serialized part of a
        publication does not grow with the number of packages' links.
        """
        latest = queries.latest_success_summaries(session, component=self._component(component))
        return stage_links(self.repos, relpath, _linked(latest, project))

    def _record_success(
        self,
        session: Session,
        row: Commit,
        relpath: PurePosixPath,
        build: FinishedBuild,
        staged: StagedLinks | None,
    ) -> Recorded:
        component = self._component(row.component)
        row.artifacts = ",".join(own_artifacts(relpath, build.rpms))
        if not self.index:
            if staged is not None:
                shutil.rmtree(staged.path, ignore_errors=True)
            row.flags = (row.flags or 0) | FLAG_UNINDEXED
            # versions.csv as DLRN writes it with --no-repo; the links are not made
            publish_unindexed(self._request(session, row, relpath, build, link_others=True))
            self._emit_finished(session, row)
            session.commit()
            self._replicate(relpath, (), component)
            return Recorded(row.id, row.status, relpath, False, False, row.install_status)
        req = self._request(session, row, relpath, build, link_others=True)
        if staged is not None and staged.path.parent != (self.repos / relpath).parent:
            shutil.rmtree(staged.path, ignore_errors=True)
            staged = None
        path = publish_build(req, staged, self.repodata)
        install = self._install_check(path, row)
        row.install_status = install.status
        if install.status is InstallStatus.UNINSTALLABLE:
            row.notes = (row.notes + "\n" if row.notes else "") + install.detail
        blocked = (
            install.status is InstallStatus.UNINSTALLABLE
            and self.settings.install_check.policy == "block-current"
        )
        consistent = not blocked and not queries.failing_projects(session, component=component)
        if consistent:
            session.add(
                CIVote(
                    commit_id=row.id,
                    ci_name=CONSISTENT_VOTE,
                    ci_url="",
                    ci_vote=True,
                    ci_in_progress=False,
                    timestamp=row.dt_build,
                    notes="",
                    component=row.component,
                )
            )
        moved = [n for n, ok in (("current", not blocked), ("consistent", consistent)) if ok]
        self._emit_published(session, row, moved)
        session.commit()
        for name in moved:
            move_link(self.repos, name, relpath, component)
        if component is not None and moved:
            self._aggregate(session, moved)
        self._replicate(relpath, moved, component)
        return Recorded(row.id, row.status, relpath, not blocked, consistent, install.status)

    def _emit_finished(self, session: Session, row: Commit) -> None:
        if self.router.routes:
            self.router.emit(session, "build.finished", payloads.build_finished(self.settings, row))

    def _emit_published(self, session: Session, row: Commit, moved: Sequence[str]) -> None:
        """build.finished, repo.published and one promotion.moved per link the commit moves."""
        if not self.router.routes:
            return
        now = int(time.time())
        self._emit_finished(session, row)
        self.router.emit(
            session, "repo.published", payloads.repo_published(self.settings, row, now=now)
        )
        for name in moved:
            self.router.emit(
                session,
                "promotion.moved",
                payloads.promotion_moved(
                    self.settings,
                    row,
                    name=name,
                    by="builder",
                    user=None,
                    aggregate_hash=None,
                    now=now,
                ),
            )

    def _request(
        self,
        session: Session,
        row: Commit,
        relpath: PurePosixPath,
        build: FinishedBuild,
        *,
        link_others: bool,
    ) -> PublishRequest:
        component = self._component(row.component)
        linked: tuple[str, ...] = ()
        versions: str | Callable[[], str] = ""
        if link_others:  # (a failed build's directory links nothing and has no versions.csv)
            latest, newest = queries.latest_success_and_build_summaries(
                session, component=component
            )
            latest.pop(row.project_name, None)
            linked = _linked(latest, row.project_name)
            # made by publish_build while the repodata is written
            versions = partial(self._versions_csv, row, latest, newest)
        previous = queries.newest_success(
            session, component=component, before_id=row.id, indexed_only=True
        )
        prev_path = None
        if previous is not None and previous.repo_dir:
            candidate = self.repos / previous.repo_dir
            prev_path = candidate if (candidate / "repodata").is_dir() else None
        return PublishRequest(
            repos_root=self.repos,
            relpath=relpath,
            files=build.rpms,
            logs=build.logs,
            linked=linked,
            commit_yaml=commit_yaml_document(row, component),
            extra_yaml=extra_yaml_document(
                ExtraFacts(
                    version=row.version,
                    release=row.release,
                    unmet_buildrequires=row.unmet_buildrequires,
                    retries=row.retries,
                    build_seconds=row.build_seconds,
                    origin=str(build.origin),
                )
            ),
            versions_csv=versions,
            reponame=self.settings.builder.reponame,
            repo_id=repo_id(self.settings.builder.reponame, component),
            baseurl=self.settings.builder.baseurl,
            include_srpm=self.settings.builder.include_srpm_in_repo,
            previous=prev_path,
        )

    def _versions_csv(
        self,
        row: Commit,
        success: Mapping[str, BuildSummary],
        newest: Mapping[str, BuildSummary],
    ) -> str:
        return render_versions_csv(self._versions(row, success, newest))

    def _versions(
        self,
        row: Commit,
        success: Mapping[str, BuildSummary],
        newest: Mapping[str, BuildSummary],
    ) -> list[VersionsRow]:
        upstream, distgit = self.urls.get(row.project_name, ("", ""))
        own = VersionsRow(
            project=row.project_name,
            source_repo=upstream,
            source_sha=row.commit_hash,
            dist_repo=distgit,
            dist_sha=row.distro_hash,
            status=str(BuildStatus.SUCCESS),
            last_success_ts=row.dt_build,
            component=self._component(row.component),
            extended_sha=row.extended_hash,
            pkg_nvr=nvr_of(row.artifact_list),
        )
        return versions_rows(own, success, newest, self.urls)

    def _replicate(
        self, relpath: PurePosixPath, links: Sequence[str], component: str | None
    ) -> None:
        """Push the new repo, then its moved links, to the mirrors (if any are configured).

        A failed push does not undo the build (DLRN turns it into a FAILED build):
        the mirror stays one build behind and ``trunkline sync`` brings it back.
        """
        if not self.settings.replication.targets:
            return
        try:
            replicate_build(self.settings, relpath, links, component)
        except PublishError as exc:
            log.error("replication: %s (run 'trunkline sync' once the mirror is back)", exc)

    def _aggregate(self, session: Session, names: Sequence[str]) -> None:
        """Rewrite the top-level aggregate of each moved link (components only)."""
        comps = queries.components(session)
        for name in names:
            write_aggregate(self.repos, self.settings.builder.reponame, name, comps)

    def _install_check(self, path: Path, row: Commit) -> InstallCheck:
        cfg = self.settings.install_check
        if not cfg.enabled:
            return InstallCheck(InstallStatus.UNCHECKED, "")
        own = [a for a in row.artifact_list if a.endswith(".rpm") and not a.endswith(".src.rpm")]
        return check_installable(
            path,
            [Path(self.repos / a) for a in own],
            cfg.base_repos,
            work_dir=self.settings.builder.data_dir / "work" / "installcheck",
            log_path=path / "installcheck.log",
        )

    # --- imports, crash recovery, purge ---------------------------------------------------
    def recorded_id(self, session: Session, build: FinishedBuild) -> int | None:
        """The row of this (package, upstream, distgit) build if it is already recorded."""
        return session.scalars(
            select(Commit.id)
            .where(
                Commit.project_name == build.project,
                Commit.commit_hash == build.commit_hash,
                Commit.distro_hash == build.distro_hash,
                Commit.status != BuildStatus.RETRY,
            )
            .limit(1)
        ).first()

    def reconcile_links(self, session: Session) -> list[str]:
        """Point ``current``/``consistent`` at what the DB says (after a crash).

        Returns:
            The links that were moved (``current``, ``<component>/consistent``...).
        """
        moved = recover.reconcile_links(
            session, self.repos, use_components=self.settings.builder.use_components
        )
        if self.settings.builder.use_components and queries.components(session):
            # a kill between a component link move and its aggregate: rewrite both aggregates
            self._aggregate(session, ["current", "consistent"])
        return moved

    def plan_purge(
        self, session: Session, *, older_than_days: float, now: int, component: str | None = None
    ) -> purge.PurgePlan:
        """What a purge of builds older than ``older_than_days`` removes and keeps."""
        return purge.plan_purge(
            session, self.repos, older_than_days=older_than_days, now=now, component=component
        )

    def purge(self, session: Session, plan: purge.PurgePlan) -> tuple[purge.PurgeResult, list[str]]:
        """Carry out a purge plan, then resync the mirrors (they lose the purged repos too).

        Returns:
            What was removed, and the replication targets resynced.
        """
        result = purge.apply_purge(session, self.repos, plan)
        done = replicate_all(self.settings) if self.settings.replication.targets else []
        return result, done


def _new_row(build: FinishedBuild, relpath: PurePosixPath | None) -> Commit:
    return Commit(
        dt_commit=build.dt_commit,
        dt_distro=build.dt_distro,
        dt_build=build.dt_build,
        project_name=build.project,
        repo_dir=str(relpath) if relpath else "",
        distgit_dir="",
        commit_hash=build.commit_hash,
        distro_hash=build.distro_hash,
        extended_hash=build.extended_hash,
        commit_branch=build.commit_branch,
        source_branch=build.source_branch,
        status=build.status,
        component=build.component,
        notes=build.notes,
        version=build.version,
        release=build.release,
        retries=build.retries,
        unmet_buildrequires=" ".join(build.unmet_buildrequires),
        build_seconds=build.build_seconds,
    )


def _linked(latest: Mapping[str, BuildSummary], project: str) -> tuple[str, ...]:
    linked: list[str] = []
    for name, other in sorted(latest.items()):
        if name == project or other.is_purged:
            continue
        linked.extend(a for a in other.artifact_list if a.endswith(".rpm"))
    return tuple(linked)


def repo_id(reponame: str, component: str | None) -> str:
    """The dnf repo id of a build's ``.repo`` file, as DLRN names it."""
    return f"{reponame}-component-{component}" if component else reponame
