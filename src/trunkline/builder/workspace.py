"""The working directory of one build: distgit tree, tarball, version, then the pipeline.

Everything a build writes lives under ``<data_dir>/work/<package>/``, recreated
for every build, so an interrupted build never leaks into the next one. The
steps before the pipeline (extracting the distgit at the exact commit,
detecting the upstream version, making the tarball) are here; failures in them
are the package's failures (FAILED, or RETRY when transient), never the run's.
"""

from __future__ import annotations

import logging
import shutil
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from trunkline import gitcmd
from trunkline.builder.drivers import make_driver
from trunkline.builder.executor import JobExecutor, LocalExecutor
from trunkline.builder.pipeline import BuildJob
from trunkline.config import Settings
from trunkline.db.models import BuildStatus
from trunkline.errors import CommandTimeoutError, TrunklineError
from trunkline.publish.repo import StagedLinks
from trunkline.rpmspec.nvr import release_string
from trunkline.rpmspec.service import LocalSpecs, SpecService
from trunkline.rpmspec.specinfo import find_spec
from trunkline.upstream.poll import Candidate
from trunkline.upstream.tarball import make_tarball
from trunkline.upstream.version import detect_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkResult:
    """What one build produced, whatever its status."""

    status: BuildStatus
    dt_build: int  # the build's time, UTC epoch seconds: its Release date and DB dt_build
    files: tuple[Path, ...]
    logs: tuple[Path, ...]
    error: str
    version: str | None
    release: str | None
    nvr: str
    unmet_buildrequires: tuple[str, ...]
    seconds: float
    workdir: Path | None = None
    staged: StagedLinks | None = None  # links pre-made for the publisher (SUCCESS only)


def current_repos(settings: Settings) -> dict[str, str]:
    """The builder's own published ``current`` repos, repo id -> file:// baseurl.

    DLRN adds ``repos/current/<reponame>.repo`` to every mock config, so a package
    can BuildRequire what the builder built before. Here: ``<repos>/current`` when it
    holds repodata; with components, each ``component/<c>/current`` that does. None
    before the first successful build. The URL is the link's, not its target's, so a
    mock config holding it stays the same from build to build (mock's root cache is
    rebuilt whenever its config file changes).
    """
    repos = settings.builder.repos_path
    name = settings.builder.reponame
    found = {}
    if (repos / "current" / "repodata" / "repomd.xml").is_file():
        found[f"{name}-current"] = (repos.resolve() / "current").as_uri()
    for comp in sorted((repos / "component").glob("*/current/repodata/repomd.xml")):
        component = comp.parent.parent.parent.name
        link = repos.resolve() / "component" / component / "current"
        found[f"{name}-component-{component}-current"] = link.as_uri()
    return found


def _extract_distgit(
    mirror: Path, sha: str, subdir: str | None, dest: Path, log_path: Path
) -> None:
    """Write the distgit tree at ``sha`` (optionally one subdir) into ``dest``."""
    archive = dest.parent / "distgit.tar"
    paths = (subdir,) if subdir else ()
    gitcmd.bare(mirror).run(
        "archive", "--format=tar", "-o", str(archive), sha, *paths, log_path=log_path, timeout=600
    )
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    if subdir:
        inner = dest / subdir
        tmp = dest.parent / "distgit.sub"
        inner.rename(tmp)
        shutil.rmtree(dest)
        tmp.rename(dest)


def _copy_checkout(checkout: Path, dest: Path) -> None:
    shutil.copytree(checkout, dest, ignore=shutil.ignore_patterns(".git"), symlinks=True)


def _top_dir_name(upstream: str, version: str) -> str:
    base = upstream.rstrip("/").rsplit("/", 1)[-1]
    base = base.removesuffix(".git")
    return f"{base}-{version}"


@dataclass
class Workspace:
    """One build's directory and the inputs it needs.

    ``dt_build`` is the build's time (UTC epoch seconds, ``builder/buildtime.py``):
    the date in its Release, recorded as the row's ``dt_build``.
    """

    settings: Settings
    cand: Candidate
    upstream_mirror: Path | None
    distgit: Path
    root: Path
    dt_build: int
    executor: JobExecutor | None = None  # None: build here with the [build] driver
    specs: SpecService = field(default_factory=LocalSpecs)  # the builder's spec helper

    @property
    def log_dir(self) -> Path:
        """Where build.log and rpmbuild.log are written."""
        return self.root / "logs"

    def build(self) -> WorkResult:
        """Run every step; never raises for the package's own failure."""
        start = time.monotonic()
        build_log = self.log_dir / "build.log"
        version: str | None = None
        release: str | None = None
        try:
            tree = self.root / "distgit"
            pkg = self.cand.package
            if pkg.local_distgit:
                _copy_checkout(self.distgit, tree)
            else:
                _extract_distgit(
                    self.distgit, self.cand.distro.commit_hash, pkg.distgit_path, tree, build_log
                )
            release = release_string(
                self.dt_build,
                self.cand.commit.commit_hash,
                numbering=self.settings.builder.release_numbering,
                minor=self.settings.builder.release_minor,
            )
            tarball = None
            if self.upstream_mirror is not None and pkg.upstream:
                sha = self.cand.commit.commit_hash
                version = detect_version(self.upstream_mirror, sha).upstream
                tarball = make_tarball(
                    self.upstream_mirror,
                    self.cand.commit.commit_hash,
                    self.root / "sources",
                    top_dir=_top_dir_name(pkg.upstream, version),
                    version=version,
                    mode=self.settings.build.sdist,
                    log_path=build_log,
                )
            else:
                spec = find_spec(tree, pkg.name)
                version = self.specs.info(spec, self.settings.build.macros).version
            job = BuildJob(
                package=pkg.name,
                distgit_dir=tree,
                spec_name=None,
                tarball=tarball,
                version=version,
                release=release,
                dist=self.settings.builder.dist,
                macros=self.settings.build.macros,
                workdir=self.root / "pipeline",
                log_dir=self.log_dir,
                timeout=self.settings.build.timeout,
                keep_changelog=self.settings.builder.keep_changelog,
                env=self.settings.build.env,
                repos=current_repos(self.settings),
                cache_dir=self.settings.builder.data_dir / "driver-cache",
            )
            (self.root / "pipeline").mkdir(exist_ok=True)
            executor = self.executor or LocalExecutor(make_driver(self.settings.build), self.specs)
            result = executor.run(job)
        except CommandTimeoutError as exc:
            return self._failed(BuildStatus.RETRY, str(exc), version, release, start)
        except TrunklineError as exc:
            return self._failed(BuildStatus.FAILED, str(exc), version, release, start)
        files = tuple(result.rpms) + ((result.srpm,) if result.srpm else ())
        return WorkResult(
            status=result.status,
            dt_build=self.dt_build,
            files=files,
            logs=self._logs(result.logs),
            error=result.error,
            version=version,
            release=release,
            nvr=result.nvr,
            unmet_buildrequires=tuple(result.unmet_buildrequires),
            seconds=time.monotonic() - start,
            workdir=self.root,
        )

    def _logs(self, extra: tuple[Path, ...] = ()) -> tuple[Path, ...]:
        found = sorted(p for p in self.log_dir.glob("*.log") if p.is_file())
        seen = {p.name for p in found}
        return tuple(found) + tuple(p for p in extra if p.name not in seen and p.is_file())

    def _failed(
        self,
        status: BuildStatus,
        error: str,
        version: str | None,
        release: str | None,
        start: float,
    ) -> WorkResult:
        log.info("%s: %s", self.cand.package.name, error)
        with (self.log_dir / "build.log").open("a", encoding="utf-8") as fh:
            fh.write(f"\n{status.value}: {error}\n")
        return WorkResult(
            status=status,
            dt_build=self.dt_build,
            files=(),
            logs=self._logs(),
            error=error,
            version=version,
            release=release,
            nvr="",
            unmet_buildrequires=(),
            seconds=time.monotonic() - start,
            workdir=self.root,
        )


def prepare_workspace(
    settings: Settings,
    cand: Candidate,
    *,
    upstream_mirror: Path | None,
    distgit: Path,
    dt_build: int,
    executor: JobExecutor | None = None,
    specs: SpecService | None = None,
) -> Workspace:
    """A fresh work dir for ``cand`` (any leftover of an interrupted build is removed).

    ``dt_build`` is the build's time (``builder/buildtime.py``), UTC epoch seconds;
    ``executor`` runs the prepared job (None: this host's driver, ``LocalExecutor``);
    ``specs`` reads and rewrites specs (None: in this process).
    """
    root = (
        settings.builder.data_dir / "work" / f"{cand.package.name}-{cand.commit.commit_hash[:12]}"
    )
    if root.exists():
        shutil.rmtree(root)
    (root / "logs").mkdir(parents=True)
    return Workspace(
        settings, cand, upstream_mirror, distgit, root, dt_build, executor, specs or LocalSpecs()
    )
