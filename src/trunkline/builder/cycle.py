"""One build cycle of a builder: poll every package, build what is new, publish, report.

This is the orchestration layer and nothing else: each step is a function of
another package (``upstream`` polls and makes tarballs, ``build.pipeline``
builds, ``publish.record`` records and publishes, ``reports`` renders). The
cycle holds the builder lock for its whole duration, first repairs what a
crash may have left (stale temp dirs, links behind the DB), then works through
the queue ordered by commit time, as DLRN does.

Each build's record opens, attaches to or closes its package's FTBFS period and
queues the period's events in the same transaction (``ftbfs/lifecycle.py``); an
:class:`~trunkline.outbox.dispatch.OutboxWorker` started with the run (senders from
``outbox/wiring.py``) delivers them, woken after each commit that queued one, with
a last pass bounded by ``OUTBOX_STOP_SECONDS`` at exit. After the queue, culprits
left ``bisecting`` are bisected (``ftbfs/bisect.py``), then the reports rendered.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from trunkline.builder.buildtime import build_time
from trunkline.builder.drivers import make_driver
from trunkline.builder.events import CycleWatcher
from trunkline.builder.lock import BuilderLock
from trunkline.builder.order import (
    DependencyPlan,
    dependency_queue,
    plan_dependencies,
    spec_at,
)
from trunkline.builder.scheduler import QueueItem, run_queue
from trunkline.config import Settings
from trunkline.db import queries
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import BuildStatus
from trunkline.errors import (
    ConfigError,
    DatabaseError,
    InputError,
    PublishError,
    TrunklineError,
    UnknownPackageError,
)
from trunkline.events import payloads
from trunkline.ftbfs.culprit import Sides
from trunkline.ftbfs.lifecycle import FtbfsLifecycle, PackageInfo
from trunkline.metadata.sources import FollowedPackage, make_source
from trunkline.outbox.dispatch import OutboxWorker, OutboxWorkers, RetryPolicy, Sender
from trunkline.outbox.routing import Router
from trunkline.outbox.wiring import build_router, build_workers
from trunkline.publish.atomic import remove_stale_temps
from trunkline.publish.finished import FinishedBuild
from trunkline.publish.layout import check_name
from trunkline.publish.record import BuildRecorder
from trunkline.publish.sync import replicate_reports
from trunkline.rpmspec.service import ChildSpecs, LocalSpecs, SpecService
from trunkline.upstream.mirror import refresh_mirror, remove_stale_clones
from trunkline.upstream.poll import Candidate, LastBuild, PackagePlan, plan_package
from trunkline.upstream.switches import RefLedger, RefSwitch

if TYPE_CHECKING:
    from trunkline.builder.executor import JobExecutor
    from trunkline.builder.workspace import WorkResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleOptions:
    """What one run should do.

    Attributes:
        packages: build only these package names (empty: all).
        head_only: build only the newest commit of each package (None: config).
        dry_run: print what would be built; build, record and publish nothing.
        dev_distgit: a local distgit checkout to build from (dev mode, one package).
        workers: parallel builds (None: config ``builder.workers``; 0 there = cores).
        projects: build only the packages of these upstream projects (DLRN
            ``--project-name``; empty: all).
        local: use the mirrors as they are, fetching only those not cloned yet
            (DLRN ``--local``).
        stop: start no new build after the first FAILED one (DLRN ``--stop``);
            the builds already running finish and are recorded.
        replan: plan commits already built too (DLRN ``--run``: run a command per
            commit whether or not it was built).
        index: False for DLRN's ``--no-repo``: successful builds are recorded and
            their RPMs published in their own directories without repodata;
            ``current`` and ``consistent`` do not move (``BuildRecorder``).
    """

    packages: tuple[str, ...] = ()
    head_only: bool | None = None
    dry_run: bool = False
    dev_distgit: Path | None = None
    workers: int | None = None
    projects: tuple[str, ...] = ()
    local: bool = False
    stop: bool = False
    replan: bool = False
    index: bool = True


@dataclass(frozen=True)
class BuildOutcome:
    """The result of one candidate of the queue."""

    package: str
    commit_hash: str
    distro_hash: str
    status: BuildStatus
    nvr: str
    repo: PurePosixPath | None
    error: str
    seconds: float


@dataclass
class CycleReport:
    """Everything a run did, for the CLI and the tests."""

    planned: list[Candidate] = field(default_factory=list)
    outcomes: list[BuildOutcome] = field(default_factory=list)
    source_errors: list[tuple[str, str]] = field(default_factory=list)
    ref_switches: list[RefSwitch] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)
    dependencies: dict[str, frozenset[str]] = field(default_factory=dict)
    dependency_cycles: tuple[tuple[str, ...], ...] = ()
    skipped: int = 0  # queued builds not started because of CycleOptions.stop
    culprits: list[tuple[int, str]] = field(default_factory=list)  # (ftbfs id, culprit state)
    seconds: float = 0.0

    @property
    def failed(self) -> list[BuildOutcome]:
        """Builds that FAILED (FTBFS)."""
        return [o for o in self.outcomes if o.status is BuildStatus.FAILED]

    @property
    def retried(self) -> list[BuildOutcome]:
        """Builds that hit a transient error and will be retried."""
        return [o for o in self.outcomes if o.status is BuildStatus.RETRY]


ProgressFn = Callable[[str], None]


def _mirror_paths(settings: Settings, pkg: FollowedPackage) -> tuple[Path, Path]:
    base = settings.builder.data_dir / "mirrors"
    name = check_name(pkg.name, "package name")
    return base / f"{name}.git", base / f"{name}_distro.git"


def _by_project(pkgs: list[FollowedPackage], projects: tuple[str, ...]) -> list[FollowedPackage]:
    """The packages of the upstream ``projects`` (DLRN ``--project-name``)."""
    known = {p.project for p in pkgs}
    for name in projects:
        if name not in known:
            raise UnknownPackageError(
                f"project {name!r}: no followed package has this upstream project"
            )
    return [p for p in pkgs if p.project in projects]


def select_packages(pkgs: list[FollowedPackage], options: CycleOptions) -> list[FollowedPackage]:
    if options.projects:
        if options.packages:
            raise InputError("--project-name and --package select differently: give one of them")
        return _by_project(pkgs, options.projects)
    if not options.packages:
        if options.dev_distgit is not None:
            raise InputError("--dev needs --package NAME: the package the checkout is for")
        return pkgs
    by_name = {p.name: p for p in pkgs}
    chosen = []
    for name in options.packages:
        if name not in by_name:
            raise UnknownPackageError(
                f"package {name!r}: not in the followed package list ({len(pkgs)} packages)"
            )
        pkg = by_name[name]
        if options.dev_distgit is not None:
            if len(options.packages) != 1:
                raise InputError("--dev builds one package: give exactly one --package")
            pkg = FollowedPackage(
                **{
                    **pkg.__dict__,
                    "distgit": str(options.dev_distgit.resolve()),
                    "local_distgit": True,
                    "distgit_path": None,
                }
            )
        chosen.append(pkg)
    return chosen


class BuildCycle:
    """Runs build cycles for one builder (one config = one DB + one repo tree)."""

    OUTBOX_STOP_SECONDS = 30.0  # the final delivery pass at exit waits at most this

    def __init__(
        self,
        settings: Settings,
        progress: ProgressFn | None = None,
        watcher: CycleWatcher | None = None,
        *,
        router: Router | None = None,
        senders: Mapping[str, Sender] | None = None,
        outbox_policy: RetryPolicy | None = None,
        keep_delivering: bool = False,
    ) -> None:
        """Args:
        settings: the builder's settings.
        progress: called with one line per step.
        watcher: told about queued, started and finished builds.
        router / senders: where events go and who delivers them (default:
            ``outbox/wiring.py`` from the settings).
        outbox_policy: the backoff of ``senders`` (default: ``RetryPolicy()``).
        keep_delivering: keep the outbox workers (events, notifications) running
            after a run (``build --serve``; :meth:`close` stops them); by default a
            run makes one last delivery pass and stops them.
        """
        self.settings = settings
        self.progress = progress or (lambda msg: log.info("%s", msg))
        self.watcher = watcher
        self.keep_delivering = keep_delivering
        self.router = router if router is not None else build_router(settings)
        self.cancel = threading.Event()  # set: start no new build (SIGTERM in --serve)
        self._factory: sessionmaker[Session] | None = None
        self._senders = senders
        self._outbox_policy = outbox_policy
        self._outbox: OutboxWorkers | None = None
        self._executor: JobExecutor | None = None  # this run's; None: build here
        # this run's spec reader: a helper process, so rpm and specfile stay out of the
        # builder's memory (issue #10; rpmspec/service.py)
        self._specs: SpecService = LocalSpecs()

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory (opening and migrating the DB on first use)."""
        if self._factory is None:
            self._factory = session_factory(open_database(self.settings.database_url))
        return self._factory

    def close(self) -> None:
        """Stop the outbox workers after one last pass (bounded by the senders' timeouts)."""
        if self._outbox is not None:
            self._outbox.stop(self.OUTBOX_STOP_SECONDS)
            self._outbox = None

    def _start_outbox(self) -> None:
        """Start delivering in the background (once), and deliver what a killed run left."""
        if self._outbox is None:
            self._outbox = (
                OutboxWorkers(
                    [OutboxWorker(self.sessions, self._senders, policy=self._outbox_policy)]
                )
                if self._senders is not None
                else build_workers(self.settings, self.sessions)
            )
            self._outbox.start()
        self._outbox.wake()

    def _wake_outbox(self) -> None:
        if self._outbox is not None:
            self._outbox.wake()

    def run(self, options: CycleOptions) -> CycleReport:
        """Poll, build and publish; see the module docstring.

        Raises:
            LockedError: another run holds the builder lock.
            MetadataError / UnknownPackageError: the package list cannot be used.
        """
        try:
            return self._run(options)
        except SQLAlchemyError as exc:  # e.g. the server restarted or the connection was cut
            first = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()
            raise DatabaseError(
                f"{self.settings.database_url.split('://', 1)[0]}: the database failed during "
                f"the cycle ({type(exc).__name__}: {first[0] if first else ''}); nothing "
                "half-recorded, run again"
            ) from exc
        finally:
            if not self.keep_delivering:
                self.close()

    def _run(self, options: CycleOptions) -> CycleReport:
        start = time.monotonic()
        report = CycleReport()
        b = self.settings.builder
        with BuilderLock(b.data_dir), ExitStack() as stack:
            driver = make_driver(self.settings.build)  # a bad config stops the run, not each build
            self._executor = None if options.dry_run else self._remote(driver.name, stack)
            specs = ChildSpecs()
            stack.callback(specs.close)
            self._specs = specs
            pkgs = select_packages(make_source(self.settings).packages(), options)
            if not options.dry_run:
                b.repos_path.mkdir(parents=True, exist_ok=True)
                removed = remove_stale_temps(b.repos_path)
                removed += remove_stale_clones(b.data_dir / "mirrors")
                if removed:
                    log.warning("removed %d leftovers of an interrupted run", removed)
                lifecycle = FtbfsLifecycle(
                    self.settings,
                    self.router,
                    self._package_infos(pkgs),
                    # a developer's local checkout (--dev) is nobody's FTBFS to announce
                    emit=options.dev_distgit is None,
                )
                publisher = BuildRecorder(
                    self.settings,
                    self._urls(pkgs),
                    lifecycle,
                    index=options.index,
                    router=self.router,
                )
                stack.callback(publisher.close)
                with self.sessions() as session:
                    report.reconciled = publisher.reconcile_links(session)
            report.planned = self._plan(pkgs, options, report)
            if options.dry_run:
                report.seconds = time.monotonic() - start
                return report
            self._start_outbox()
            self._build_and_publish(pkgs, options, report, publisher, lifecycle)
        report.seconds = time.monotonic() - start
        return report

    def _build_and_publish(
        self,
        pkgs: list[FollowedPackage],
        options: CycleOptions,
        report: CycleReport,
        publisher: BuildRecorder,
        lifecycle: FtbfsLifecycle,
    ) -> None:
        """Build the planned queue, record and publish it, render reports, bisect culprits."""
        b = self.settings.builder
        deps = self._dependencies(report.planned)
        report.dependencies = deps.deps
        report.dependency_cycles = deps.cycles
        queue = dependency_queue(report.planned, lambda c: c.package.name, deps.deps)
        items = [QueueItem(i, c.package.name, c) for i, c in enumerate(queue)]
        if self.watcher is not None:
            self.watcher.queued([(c.package.name, c.commit.commit_hash) for c in queue])
        self._emit_queued(queue)
        if queue:  # the repodata helper starts and loads current while the first builds run
            with self.sessions() as session:
                publisher.prepare(session, {c.package.component for c in queue})
        stopped = threading.Event()  # set on the first FAILED build with options.stop

        def work(item: QueueItem[Candidate]) -> WorkResult | None:
            if stopped.is_set() or self.cancel.is_set():
                return None
            return self._work(item.payload, publisher)

        def record(item: QueueItem[Candidate], result: WorkResult | None) -> BuildOutcome | None:
            if result is None:
                return None
            try:
                outcome = self._record(item.payload, result, publisher)
            except OSError as exc:  # e.g. the repo tree's filesystem is full
                raise PublishError(
                    f"{item.package}: publishing failed, nothing recorded and current "
                    f"not moved: {exc.strerror or exc} ({exc.filename or b.repos_path})"
                ) from exc
            if options.stop and outcome.status is BuildStatus.FAILED:
                stopped.set()
            return outcome

        outcomes = run_queue(
            items,
            work,
            record,
            workers=self._workers(options),
            order=b.publish_order,
            deps=deps.deps,
        )
        report.outcomes = [o for o in outcomes if o is not None]
        report.skipped = len(outcomes) - len(report.outcomes)
        with self.sessions() as session:
            lifecycle.load(session)  # no-op after a recorded build; else the one query
        if lifecycle.bisecting:  # before the reports, so they name the culprit
            self._bisect(pkgs, lifecycle, report)
        if report.outcomes:
            self._render_reports()
            self._replicate_reports()

    def _remote(self, driver: str, stack: ExitStack) -> JobExecutor | None:
        """The remote executor when ``[workers] broker_url`` is set, else None (local)."""
        w = self.settings.workers
        if not w.broker_url:
            return None
        # imported here: dramatiq and pika only on a builder with remote workers
        from trunkline.workers.jobs import host_arch, queue_for
        from trunkline.workers.remote import RemoteExecutor

        queue = w.queue or queue_for(host_arch(), driver)
        try:
            remote = RemoteExecutor(self.settings, queue)
        except OSError as exc:
            raise ConfigError(
                f"[workers] listen = {w.listen!r}: cannot serve there: {exc}"
            ) from exc
        return stack.enter_context(remote)

    def _emit_queued(self, queue: list[Candidate]) -> None:
        """build.queued of the whole queue in one small transaction (none without routes)."""
        if not self.router.routes or not queue:
            return
        now = int(time.time())
        with self.sessions() as session:
            for i, c in enumerate(queue):
                self.router.emit(
                    session,
                    "build.queued",
                    payloads.build_queued(
                        self.settings,
                        package=c.package.name,
                        component=c.package.component,
                        commit_hash=c.commit.commit_hash,
                        distro_hash=c.distro.commit_hash,
                        commit_branch=c.commit_branch or None,
                        position=i,
                        queue_length=len(queue),
                        now=now,
                    ),
                )
            session.commit()
        self._wake_outbox()

    def _emit_started(self, cand: Candidate, worker: str) -> None:
        """build.started in its own one-insert transaction (none without routes)."""
        if not self.router.routes:
            return
        with self.sessions() as session:
            self.router.emit(
                session,
                "build.started",
                payloads.build_started(
                    self.settings,
                    package=cand.package.name,
                    component=cand.package.component,
                    commit_hash=cand.commit.commit_hash,
                    distro_hash=cand.distro.commit_hash,
                    worker=worker,
                    now=int(time.time()),
                ),
            )
            session.commit()
        self._wake_outbox()

    def _render_reports(self) -> None:
        # imported here: jinja2 (~2 MB) only in a cycle that built something
        from trunkline.reports.render import render_reports

        b = self.settings.builder
        with self.sessions() as session:
            render_reports(session, b.repos_path, project_name=b.project_name, baseurl=b.baseurl)

    def _replicate_reports(self) -> None:
        if not self.settings.replication.targets:
            return
        try:
            replicate_reports(self.settings)
        except PublishError as exc:
            log.error("replication of the reports: %s", exc)

    @staticmethod
    def _urls(pkgs: list[FollowedPackage]) -> dict[str, tuple[str, str]]:
        return {p.name: (p.upstream or "", p.distgit) for p in pkgs}

    def _package_infos(self, pkgs: list[FollowedPackage]) -> dict[str, PackageInfo]:
        """What the FTBFS payloads say about each package, and where its mirrors are."""
        infos = {}
        for pkg in pkgs:
            up, dg = _mirror_paths(self.settings, pkg)
            infos[pkg.name] = PackageInfo(
                maintainers=pkg.maintainers,
                distgit_branch=pkg.distro_branch,
                review_origin=pkg.review_origin,
                sides=Sides(
                    up if pkg.upstream else None,
                    Path(pkg.distgit) if pkg.local_distgit else dg,
                    pkg.upstream,
                    pkg.distgit,
                ),
            )
        return infos

    def _bisect(
        self,
        pkgs: list[FollowedPackage],
        lifecycle: FtbfsLifecycle,
        report: CycleReport,
    ) -> None:
        """Bisect the culprit of every period left ``bisecting`` (``ftbfs/bisect.py``)."""
        from trunkline.builder.workspace import Workspace
        from trunkline.ftbfs.bisect import BisectContext, run_bisection

        def build(cand: Candidate, root: Path) -> tuple[BuildStatus, tuple[Path, ...]]:
            up, dg = _mirror_paths(self.settings, cand.package)
            pkg = cand.package
            ws = Workspace(
                self.settings,
                cand,
                up if pkg.upstream else None,
                Path(pkg.distgit) if pkg.local_distgit else dg,
                root,
                int(time.time()),
                specs=self._specs,
            )
            result = ws.build()
            return result.status, result.logs

        ctx = BisectContext(
            self.settings, self.sessions, lifecycle, {p.name: p for p in pkgs}, build
        )
        while lifecycle.bisecting:
            fid = lifecycle.bisecting.pop(0)
            self.progress(f"bisecting the culprit of FTBFS #{fid}")
            culprit = run_bisection(ctx, fid)
            if culprit is not None:
                report.culprits.append((fid, culprit.state))
                self.progress(f"  FTBFS #{fid}: culprit {culprit.state}")
                self._wake_outbox()

    # --- polling ------------------------------------------------------------------
    def _refresh(self, pkg: FollowedPackage, local: bool = False) -> tuple[Path | None, Path]:
        """The package's mirrors, fetched (``local``: only those not cloned yet)."""
        up_path, dg_path = _mirror_paths(self.settings, pkg)
        timeout = self.settings.builder.git_timeout

        def refresh(url: str, mirror: Path) -> Path:
            if local and (mirror / "HEAD").exists():
                return mirror
            return refresh_mirror(url, mirror, timeout=timeout)

        upstream = refresh(pkg.upstream, up_path) if pkg.upstream else None
        if pkg.local_distgit:
            return upstream, Path(pkg.distgit)
        return upstream, refresh(pkg.distgit, dg_path)

    def _plan(
        self, pkgs: list[FollowedPackage], options: CycleOptions, report: CycleReport
    ) -> list[Candidate]:
        """Fetch and plan every package in the pool; one query for every last build.

        A package whose refs did not move costs no git process and no query: its only
        candidate is its last build's pair, which plan_package drops by itself.
        """
        head_only = (
            self.settings.builder.head_only if options.head_only is None else options.head_only
        )
        dev = options.dev_distgit is not None
        fresh = dev or options.replan  # every candidate, built or not
        lasts: dict[str, LastBuild] = {}
        if not fresh:
            with self.sessions() as session:
                for name, row in queries.latest_processed_per_project(session).items():
                    lasts[name] = LastBuild(row.commit_hash, row.distro_hash, row.commit_branch)

        def plan_one(pkg: FollowedPackage) -> PackagePlan | str:
            try:
                upstream, distgit = self._refresh(pkg, options.local)
                return plan_package(
                    pkg,
                    upstream,
                    distgit,
                    lasts.get(pkg.name),
                    head_only=head_only or dev,
                    fallback_to_master=self.settings.builder.fallback_to_master,
                    is_processed=lambda _c, _d: False,  # checked below, in this thread
                )
            except TrunklineError as exc:
                log.warning("%s: %s", pkg.name, exc)
                return str(exc)

        with ThreadPoolExecutor(max_workers=self.settings.builder.fetch_workers) as pool:
            results = list(zip(pkgs, pool.map(plan_one, pkgs), strict=True))
        planned: list[Candidate] = []
        ledger = RefLedger(self.settings.builder.data_dir)
        with self.sessions() as session:
            for pkg, found in results:
                if isinstance(found, str):
                    report.source_errors.append((pkg.name, found))
                    continue
                for side, ref in (("upstream", found.followed), ("distgit", found.distgit)):
                    switch = ledger.note(pkg.name, side, ref) if ref and not dev else None
                    if switch is not None:
                        log.warning("%s", switch)
                        report.ref_switches.append(switch)
                planned.extend(
                    c
                    for c in found.candidates
                    if fresh
                    or not queries.is_processed(
                        session, pkg.name, c.commit.commit_hash, c.distro.commit_hash
                    )
                )
        if not options.dry_run and not dev:
            ledger.save()
        planned.sort(key=lambda c: (c.commit.dt_commit, c.package.name))
        return planned

    def _dependencies(self, planned: list[Candidate]) -> DependencyPlan:
        """BuildRequires edges between the packages queued in this cycle."""
        newest: dict[str, Candidate] = {}
        for cand in planned:
            newest[cand.package.name] = cand
        if len(newest) < 2:
            return DependencyPlan({}, ())
        specs = {}
        for name, cand in newest.items():
            pkg = cand.package
            distgit = (
                Path(pkg.distgit) if pkg.local_distgit else _mirror_paths(self.settings, pkg)[1]
            )
            info = spec_at(
                distgit,
                cand.distro.commit_hash,
                pkg.distgit_path,
                self.settings.build.macros,
                local=pkg.local_distgit,
                package=pkg.name,
                specs=self._specs,
            )
            if info is not None:
                specs[name] = info
        return plan_dependencies(specs)

    # --- building -----------------------------------------------------------------
    def _workers(self, options: CycleOptions) -> int:
        wanted = options.workers if options.workers is not None else self.settings.builder.workers
        return wanted or os.cpu_count() or 1

    def _work(self, cand: Candidate, publisher: BuildRecorder) -> WorkResult:
        """Build one candidate in its own work dir (runs in a worker thread).

        The build's time (its Release date and ``dt_build``) is chosen here, from the
        clock and the package's earlier builds in the DB (``builder/buildtime.py``), so
        every new build of a package sorts above every earlier one.
        A successful build also gets its links to every other package staged here, in
        parallel with other publications, so the serialized publisher has less to do.
        """
        pkg = cand.package
        self.progress(f"building {pkg.name} {cand.commit.commit_hash[:8]} ({cand.commit.subject})")
        if self.watcher is not None:
            self.watcher.started(pkg.name, cand.commit.commit_hash, threading.current_thread().name)
        self._emit_started(cand, threading.current_thread().name)
        # imported here: the build pipeline (rpm, specfile, drivers) is not needed to poll
        from trunkline.builder.workspace import prepare_workspace

        up_mirror, dg_mirror = _mirror_paths(self.settings, pkg)
        with self.sessions() as session:
            dt_build = build_time(session, pkg.name, time.time())
        ws = prepare_workspace(
            self.settings,
            cand,
            upstream_mirror=up_mirror if pkg.upstream else None,
            distgit=Path(pkg.distgit) if pkg.local_distgit else dg_mirror,
            dt_build=dt_build,
            executor=self._executor,
            specs=self._specs,
        )
        result = ws.build()
        if result.status is not BuildStatus.SUCCESS or not publisher.index:
            return result  # (an unindexed publication links nothing)
        relpath = publisher.relpath_of(
            pkg.component, cand.commit.commit_hash, cand.distro.commit_hash
        )
        try:
            with self.sessions() as session:
                staged = publisher.prestage(session, pkg.name, pkg.component, relpath)
        except (TrunklineError, OSError) as exc:  # the publisher will link them itself
            log.warning("%s: links not staged early: %s", pkg.name, exc)
            return result
        return replace(result, staged=staged)

    def _record(
        self, cand: Candidate, result: WorkResult, publisher: BuildRecorder
    ) -> BuildOutcome:
        """Record and publish one built candidate (runs in the cycle's thread)."""
        pkg = cand.package
        with self.sessions() as session:
            retries = 0
            status = result.status
            if status is BuildStatus.RETRY:
                retries = (
                    queries.retry_count(
                        session, pkg.name, cand.commit.commit_hash, cand.distro.commit_hash
                    )
                    + 1
                )
                if retries > self.settings.builder.maxretries:
                    status = BuildStatus.FAILED
            build = FinishedBuild(
                project=pkg.name,
                commit_hash=cand.commit.commit_hash,
                distro_hash=cand.distro.commit_hash,
                commit_branch=cand.commit_branch,
                source_branch=cand.wanted_branch or None,
                dt_commit=cand.commit.dt_commit,
                dt_distro=cand.distro.dt_commit,
                dt_build=result.dt_build,
                status=status,
                component=pkg.component,
                notes=result.error,
                version=result.version,
                release=result.release,
                rpms=result.files,
                logs=result.logs,
                unmet_buildrequires=result.unmet_buildrequires,
                build_seconds=result.seconds,
                retries=retries,
            )
            recorded = publisher.record(session, build, staged=result.staged)
        self._wake_outbox()
        if status is not BuildStatus.RETRY and result.workdir is not None:
            shutil.rmtree(result.workdir, ignore_errors=True)
        outcome = BuildOutcome(
            package=pkg.name,
            commit_hash=cand.commit.commit_hash,
            distro_hash=cand.distro.commit_hash,
            status=status,
            nvr=result.nvr,
            repo=recorded.relpath,
            error=result.error,
            seconds=result.seconds,
        )
        self.progress(f"  {status.value:7s} {pkg.name} {result.nvr} {result.error}".rstrip())
        if self.watcher is not None:
            detail = result.error or result.nvr
            self.watcher.finished(pkg.name, cand.commit.commit_hash, status.value, detail)
        return outcome
