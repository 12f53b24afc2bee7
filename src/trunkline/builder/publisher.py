"""Recording a finished build: DB row, hashed repo, links — in a crash-safe order.

The order is what makes a kill at any moment harmless:

1. insert the build row and flush (the transaction is still open);
2. publish the hashed repo (staged in a temp dir, then renamed: never half-visible);
3. commit the transaction (the build now exists for everyone);
4. move ``current`` (and ``consistent``) atomically.

A kill before 3 leaves, at worst, a complete repo dir without a DB row: the
build is redone next run and the dir replaced whole. A kill between 3 and 4
leaves links one build behind: :func:`reconcile_links` (run at the start of
every cycle) points them at what the DB says. ``consistent`` is recorded in
the DB as DLRN does, with a CI vote named ``consistent``, so it can be
recomputed the same way.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.db import queries
from trunkline.db.models import BuildStatus, CIVote, Commit, InstallStatus
from trunkline.db.queries import BuildSummary
from trunkline.errors import InputError, PublishError
from trunkline.publish import layout
from trunkline.publish.aggregate import write_aggregate
from trunkline.publish.commitfile import commit_yaml_document
from trunkline.publish.installcheck import InstallCheck, check_installable
from trunkline.publish.links import move_link
from trunkline.publish.repo import (
    PublishedRepo,
    PublishRequest,
    StagedLinks,
    publish_build,
    publish_failure,
    stage_links,
)
from trunkline.publish.repodata import make_writer
from trunkline.publish.sync import replicate_build
from trunkline.publish.versions_csv import VersionsRow, render_versions_csv

log = logging.getLogger(__name__)

CONSISTENT_VOTE = "consistent"


@dataclass(frozen=True)
class BuildRecord:
    """What is known about one finished build, before it is recorded."""

    project: str
    commit_hash: str
    distro_hash: str
    commit_branch: str  # the upstream ref actually built (unmaintained/X, X-eol, ...)
    dt_commit: int
    dt_distro: int
    dt_build: int
    status: BuildStatus
    component: str | None = None
    extended_hash: str | None = None
    notes: str = ""
    version: str | None = None
    release: str | None = None
    unmet_buildrequires: tuple[str, ...] = ()
    build_seconds: float = 0.0
    retries: int = 0
    source_branch: str | None = None  # the ref the metadata named, when it is known


@dataclass(frozen=True)
class RecordedBuild:
    """A build as recorded: its row id, repo dir and what moved."""

    commit_id: int
    status: BuildStatus
    relpath: PurePosixPath | None
    moved_current: bool
    moved_consistent: bool
    install_status: InstallStatus


class Publisher:
    """Records builds of one builder into its DB and repo tree."""

    def __init__(self, settings: Settings, urls: Mapping[str, tuple[str, str]] | None = None):
        """Args:
        settings: the builder's settings.
        urls: package name -> (upstream URL, distgit URL), for versions.csv.
        """
        self.settings = settings
        self.repos = settings.builder.repos_path
        self.urls = dict(urls or {})
        # One writer for the Publisher's life: its cache of package XML is what makes
        # the second and later publications of a cycle cheap.
        self.repodata = make_writer(settings.builder.repodata)

    # --- helpers --------------------------------------------------------------------
    def _component(self, rec_component: str | None) -> str | None:
        return rec_component if self.settings.builder.use_components else None

    def _new_row(self, rec: BuildRecord, relpath: PurePosixPath | None) -> Commit:
        return Commit(
            dt_commit=rec.dt_commit,
            dt_distro=rec.dt_distro,
            dt_build=rec.dt_build,
            project_name=rec.project,
            repo_dir=str(relpath) if relpath else "",
            distgit_dir="",
            commit_hash=rec.commit_hash,
            distro_hash=rec.distro_hash,
            extended_hash=rec.extended_hash,
            commit_branch=rec.commit_branch,
            source_branch=rec.source_branch,
            status=rec.status,
            component=rec.component,
            notes=rec.notes,
            version=rec.version,
            release=rec.release,
            retries=rec.retries,
            unmet_buildrequires=" ".join(rec.unmet_buildrequires),
            build_seconds=rec.build_seconds,
        )

    def _versions_rows(
        self, latest: Mapping[str, BuildSummary], row: BuildSummary
    ) -> list[VersionsRow]:
        rows = []
        for name in sorted({*latest, row.project_name}):
            c = row if name == row.project_name else latest[name]
            upstream, distgit = self.urls.get(name, ("", ""))
            nvr = f"{name}-{c.version}-{c.release}" if c.version else ""
            rows.append(
                VersionsRow(
                    project=name,
                    source_repo=upstream,
                    source_sha=c.commit_hash,
                    dist_repo=distgit,
                    dist_sha=c.distro_hash,
                    status=str(c.status),
                    last_success_ts=c.dt_build,
                    component=c.component,
                    extended_sha=c.extended_hash,
                    pkg_nvr=nvr,
                )
            )
        return rows

    @staticmethod
    def _linked(latest: Mapping[str, BuildSummary], project: str) -> tuple[str, ...]:
        linked: list[str] = []
        for name, other in sorted(latest.items()):
            if name == project or other.is_purged:
                continue
            linked.extend(a for a in other.artifact_list if a.endswith(".rpm"))
        return tuple(linked)

    def _request(
        self,
        session: Session,
        row: Commit,
        relpath: PurePosixPath,
        files: Sequence[Path],
        logs: Sequence[Path],
        *,
        link_others: bool,
    ) -> PublishRequest:
        component = self._component(row.component)
        latest = queries.latest_success_summaries(session, component=component)
        latest.pop(row.project_name, None)
        previous = queries.newest_success(session, component=component, before_id=row.id)
        prev_path = None
        if previous is not None and previous.repo_dir:
            candidate = self.repos / previous.repo_dir
            prev_path = candidate if (candidate / "repodata").is_dir() else None
        return PublishRequest(
            repos_root=self.repos,
            relpath=relpath,
            files=tuple(files),
            logs=tuple(logs),
            linked=self._linked(latest, row.project_name) if link_others else (),
            commit_yaml=commit_yaml_document([row]),
            versions_csv=render_versions_csv(self._versions_rows(latest, BuildSummary.of(row))),
            reponame=self.settings.builder.reponame,
            repo_id=repo_id(self.settings.builder.reponame, component),
            baseurl=self.settings.builder.baseurl,
            include_srpm=self.settings.builder.include_srpm_in_repo,
            previous=prev_path,
        )

    # --- recording --------------------------------------------------------------------
    def record(
        self,
        session: Session,
        rec: BuildRecord,
        files: Sequence[Path] = (),
        logs: Sequence[Path] = (),
        staged: StagedLinks | None = None,
    ) -> RecordedBuild:
        """Record one finished build (any status) and publish what it produced.

        The session must be fresh; this function commits it. ``staged`` is what
        :meth:`prestage` prepared for this build, if anything.
        """
        if staged is not None and rec.status is not BuildStatus.SUCCESS:
            shutil.rmtree(staged.path, ignore_errors=True)
            staged = None
        component = self._component(rec.component)
        relpath = None
        if rec.status is not BuildStatus.RETRY:
            relpath = self.relpath_of(
                rec.component, rec.commit_hash, rec.distro_hash, rec.extended_hash
            )
        row = self._new_row(rec, relpath)
        session.add(row)
        session.flush()
        if rec.status is BuildStatus.RETRY or relpath is None:
            session.commit()
            return RecordedBuild(row.id, row.status, None, False, False, row.install_status)
        if rec.status is BuildStatus.FAILED:
            req = self._request(session, row, relpath, files, logs, link_others=False)
            published = publish_failure(req)
            row.artifacts = ",".join(published.artifacts) or None
            session.commit()
            self._replicate(relpath, (), component)
            return RecordedBuild(row.id, row.status, relpath, False, False, row.install_status)
        return self._record_success(session, row, relpath, files, logs, staged)

    def prestage(
        self, session: Session, project: str, component: str | None, relpath: PurePosixPath
    ) -> StagedLinks:
        """Link the other packages' newest RPMs into the build dir's temp sibling, early.

        Runs in a build worker while other builds are published; :meth:`record` then
        only corrects the links that changed meanwhile, so the serialized part of a
        publication does not grow with the number of packages' links.
        """
        latest = queries.latest_success_summaries(session, component=self._component(component))
        return stage_links(self.repos, relpath, self._linked(latest, project))

    def relpath_of(
        self,
        rec_component: str | None,
        commit_hash: str,
        distro_hash: str,
        extended_hash: str | None = None,
    ) -> PurePosixPath:
        """Where a build of these hashes is published (the one place that decides it)."""
        return layout.build_relpath(
            commit_hash, distro_hash, extended_hash, self._component(rec_component)
        )

    def _record_success(
        self,
        session: Session,
        row: Commit,
        relpath: PurePosixPath,
        files: Sequence[Path],
        logs: Sequence[Path],
        staged: StagedLinks | None = None,
    ) -> RecordedBuild:
        component = self._component(row.component)
        req = self._request(session, row, relpath, files, logs, link_others=True)
        if staged is not None and staged.path.parent != (self.repos / relpath).parent:
            shutil.rmtree(staged.path, ignore_errors=True)
            staged = None
        published: PublishedRepo = publish_build(req, staged, self.repodata)
        row.artifacts = ",".join(published.artifacts)
        install = self._install_check(published, row)
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
        session.commit()
        moved = [n for n, ok in (("current", not blocked), ("consistent", consistent)) if ok]
        for name in moved:
            move_link(self.repos, name, relpath, component)
        if component is not None and moved:
            self._aggregate(session, moved)
        self._replicate(relpath, moved, component)
        return RecordedBuild(row.id, row.status, relpath, not blocked, consistent, install.status)

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

    def _install_check(self, published: PublishedRepo, row: Commit) -> InstallCheck:
        cfg = self.settings.install_check
        if not cfg.enabled:
            return InstallCheck(InstallStatus.UNCHECKED, "")
        own = [a for a in published.artifacts if a.endswith(".rpm") and not a.endswith(".src.rpm")]
        return check_installable(
            published.path,
            [Path(self.repos / a) for a in own],
            cfg.base_repos,
            work_dir=self.settings.builder.data_dir / "work" / "installcheck",
            log_path=published.path / "installcheck.log",
        )

    # --- crash recovery -----------------------------------------------------------------
    def reconcile_links(self, session: Session) -> list[str]:
        """Point ``current``/``consistent`` at what the DB says (after a crash).

        Returns:
            The links that were moved.
        """
        moved: list[str] = []
        components: list[str | None] = [None]
        if self.settings.builder.use_components:
            components = list(queries.components(session))
        for component in components:
            newest = queries.newest_success(session, component=component)
            if newest is not None and newest.repo_dir and self._moved("current", newest, component):
                moved.append("current" if component is None else f"{component}/current")
            vote_stmt = (
                select(Commit)
                .join(CIVote, CIVote.commit_id == Commit.id)
                .where(CIVote.ci_name == CONSISTENT_VOTE)
                .order_by(Commit.id.desc())
                .limit(1)
            )
            if component is not None:
                vote_stmt = vote_stmt.where(Commit.component == component)
            cons = session.scalars(vote_stmt).first()
            if cons is not None and cons.repo_dir and self._moved("consistent", cons, component):
                moved.append("consistent" if component is None else f"{component}/consistent")
        if self.settings.builder.use_components and components:
            # a kill between a component link move and its aggregate: rewrite both aggregates
            self._aggregate(session, ["current", "consistent"])
        return moved

    def _moved(self, name: str, commit: Commit, component: str | None) -> bool:
        target = PurePosixPath(commit.repo_dir)
        link = layout.link_dir(self.repos, component) / name
        if not (self.repos / target).is_dir():
            log.warning("%s: DB names %s but it is not on disk", name, target)
            return False
        if link.is_symlink() and link.resolve() == (self.repos / target).resolve():
            return False
        move_link(self.repos, name, target, component)
        return True


def repo_id(reponame: str, component: str | None) -> str:
    """The dnf repo id of a build's ``.repo`` file, as DLRN names it."""
    return f"{reponame}-component-{component}" if component else reponame


def now() -> int:
    """The current UTC time as an epoch integer (DLRN stores ints)."""
    return int(time.time())


def _int_field(record: Mapping[str, object], key: str) -> int:
    value = record.get(key)
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        raise InputError(f"commit.yaml: field '{key}': expected a number, got {value!r}") from None


def _str_field(record: Mapping[str, object], key: str, *, required: bool = True) -> str | None:
    value = record.get(key)
    if value is None or str(value) in {"", "None"}:
        if required:
            raise InputError(f"commit.yaml: field '{key}': missing")
        return None
    return str(value)


def record_from_commit_yaml(record: Mapping[str, object]) -> BuildRecord:
    """A BuildRecord from one DLRN ``commit.yaml`` record (all values may be strings).

    Raises:
        InputError: a required field is missing or malformed; names the field.
    """
    status_text = _str_field(record, "status") or ""
    try:
        status = BuildStatus(status_text)
    except ValueError:
        raise InputError(
            f"commit.yaml: field 'status': expected SUCCESS, FAILED or RETRY, got {status_text!r}"
        ) from None
    commit_hash = layout.check_hash(_str_field(record, "commit_hash") or "", "commit_hash")
    distro_hash = layout.check_hash(_str_field(record, "distro_hash") or "", "distro_hash")
    project = layout.check_name(_str_field(record, "project_name") or "", "project_name")
    return BuildRecord(
        project=project,
        commit_hash=commit_hash,
        distro_hash=distro_hash,
        commit_branch=_str_field(record, "commit_branch", required=False) or "",
        dt_commit=_int_field(record, "dt_commit"),
        dt_distro=_int_field(record, "dt_distro"),
        dt_build=_int_field(record, "dt_build"),
        status=status,
        component=_str_field(record, "component", required=False),
        extended_hash=_str_field(record, "extended_hash", required=False),
        notes=_str_field(record, "notes", required=False) or "",
    )


def import_build(
    session: Session,
    settings: Settings,
    record: Mapping[str, object],
    files: Sequence[Path],
    logs: Sequence[Path],
) -> Commit:
    """Record and publish a build made elsewhere (``/api/remote/import``).

    The build is published exactly like a local one: its hashed repo links the
    newest good RPMs of every other package, ``current``/``consistent`` move.
    Importing a build that is already recorded returns the existing row.

    Raises:
        InputError: the record is malformed.
    """
    rec = record_from_commit_yaml(record)
    existing = session.scalars(
        select(Commit)
        .where(
            Commit.project_name == rec.project,
            Commit.commit_hash == rec.commit_hash,
            Commit.distro_hash == rec.distro_hash,
            Commit.status != BuildStatus.RETRY,
        )
        .limit(1)
    ).first()
    if existing is not None:
        return existing
    nvr = next((f for f in files if f.name.endswith(".src.rpm")), None)
    version = release = None
    if nvr is not None:
        base = nvr.name.removesuffix(".src.rpm")
        parts = base.rsplit("-", 2)
        if len(parts) == 3:
            version, release = parts[1], parts[2]
    rec = replace(rec, version=version, release=release)
    recorded = Publisher(settings).record(session, rec, files=files, logs=logs)
    row = session.get(Commit, recorded.commit_id)
    assert row is not None
    return row
