"""One commit's build: distgit tree + tarball -> rewritten spec -> SRPM -> binary RPMs.

This is the pure-ish core of the builder (DESIGN §3): typed job in, typed
result out, no database, no publishing, so it can run in-process, in a worker
or on another machine. It replaces DLRN's ``build_srpm.sh``: the distgit tree
is copied into an rpmbuild ``_topdir``, the tarball goes to SOURCES under the
name Source0 will have (``<tarball>-<release>.tar.gz``, as DLRN names it), the
spec is rewritten (``rpmspec.rewrite``), ``rpmbuild -bs`` makes the SRPM and the
build driver makes the binary RPMs.

A package failure never raises: it is a FAILED result with one meaningful line;
a timeout or a driver's transient failure is RETRY. ``nvr`` is the SRPM's
``name-version-release`` *including* the dist tag (``foo-1.0-0.2025...abc1234.el9s``),
i.e. the SRPM file name without ``.src.rpm``, which is what DLRN stores and shows.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trunkline.builder.drivers.base import BuildDriver, BuildRequest
from trunkline.builder.drivers.rpmlog import rpmbuild_error
from trunkline.db.models import BuildStatus
from trunkline.errors import CommandError, CommandTimeoutError, InputError, SpecError
from trunkline.process import run
from trunkline.rpmspec.macros import rpm_define_args
from trunkline.rpmspec.nvr import normalize_version, parse_rpm_filename
from trunkline.rpmspec.service import LocalSpecs, SpecRewrite, SpecService
from trunkline.rpmspec.specinfo import find_spec as adapter_find_spec

log = logging.getLogger(__name__)

_ARCHIVE_EXTS = (".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz", ".tar", ".zip", ".gem")


@dataclass(frozen=True)
class BuildJob:
    """Everything needed to build one (upstream commit, distgit commit) pair.

    Attributes:
        package: the package name (for logs and drivers).
        distgit_dir: the distgit tree at the commit (spec, patches, other sources).
        spec_name: the spec's file name in ``distgit_dir``; None: the only ``*.spec``
            (or ``<package>.spec`` when there are several).
        tarball: the upstream source tarball; None keeps the spec's Source0
            (a package without upstream, whose sources are in the distgit).
        version: the upstream version as detected (``1.2.0.0rc1.dev3``); the RPM
            Version is its DLRN normalisation, ``%{upstream_version}`` the raw value.
        release: the Release without dist (``0.<UTC build time>.<hash7>``,
            ``rpmspec.nvr.release_string``).
        dist: the target's dist tag, e.g. ``.el9s``.
        macros: extra rpm macros from the builder config.
        workdir: an empty directory for the topdir and the driver's output.
        log_dir: where ``build.log`` (commands) and ``rpmbuild.log`` (the build) go.
        timeout: seconds allowed for each of the SRPM and the RPM steps.
        keep_changelog: keep the distgit's ``%changelog`` (DLRN empties it).
        env: environment variables of both rpmbuild steps (``BuildRequest.env``).
        repos: repo id -> baseurl the build may use (``BuildRequest.repos``).
        cache_dir: the driver's directory kept across builds (``BuildRequest.cache_dir``).
    """

    package: str
    distgit_dir: Path
    spec_name: str | None
    tarball: Path | None
    version: str
    release: str
    dist: str
    macros: Mapping[str, str]
    workdir: Path
    log_dir: Path
    timeout: float
    keep_changelog: bool
    env: Mapping[str, str] = field(default_factory=dict)
    repos: Mapping[str, str] = field(default_factory=dict)
    cache_dir: Path | None = None


@dataclass(frozen=True)
class PipelineResult:
    """What building one commit produced.

    Attributes:
        status: SUCCESS, FAILED (the package's fault: FTBFS) or RETRY (transient).
        rpms: the binary RPMs.
        srpm: the source RPM, when it was built.
        logs: the log files (``build.log``, ``rpmbuild.log``, the driver's own).
        error: one line saying why it failed (empty on success).
        nvr: the SRPM's name-version-release, dist included; empty if no SRPM.
        unmet_buildrequires: BuildRequires this host could not satisfy.
    """

    status: BuildStatus
    rpms: tuple[Path, ...] = ()
    srpm: Path | None = None
    logs: tuple[Path, ...] = ()
    error: str = ""
    nvr: str = ""
    unmet_buildrequires: tuple[str, ...] = ()


def _split_archive(name: str) -> tuple[str, str]:
    for ext in _ARCHIVE_EXTS:
        if name.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)], ext
    stem, dot, ext = name.rpartition(".")
    return (stem, dot + ext) if dot else (name, "")


def source_name(tarball: Path, release: str) -> str:
    """The file name Source0 gets: ``<tarball stem>-<release><ext>`` (DLRN's SOURCEWITHREL)."""
    stem, ext = _split_archive(tarball.name)
    return f"{stem}-{release}{ext}"


def find_spec(distgit_dir: Path, spec_name: str | None, package: str) -> Path:
    """The spec file of the distgit tree: ``spec_name``, else the adapter's one rule.

    Raises:
        SpecError: no spec, the named one is missing, or several and none is ``<package>.spec``.
    """
    if spec_name is not None:
        spec = distgit_dir / spec_name
        if not spec.is_file():
            raise SpecError(f"{spec}: spec file not found in the distgit")
        return spec
    return adapter_find_spec(distgit_dir, package)


def _prepare_topdir(job: BuildJob, spec: Path) -> tuple[Path, Path, str | None]:
    """Copy the distgit tree and tarball into a fresh topdir.

    Returns:
        (topdir, the spec copy in SPECS, the Source0 file name or None).
    """
    topdir = job.workdir / "rpmbuild"
    if topdir.exists():
        shutil.rmtree(topdir)
    sources = topdir / "SOURCES"
    specs = topdir / "SPECS"
    for sub in (sources, specs, topdir / "SRPMS"):
        sub.mkdir(parents=True)
    shutil.copytree(
        job.distgit_dir,
        sources,
        dirs_exist_ok=True,
        symlinks=False,
        ignore=shutil.ignore_patterns(".git", "*.spec"),
    )
    spec_copy = specs / spec.name
    shutil.copy2(spec, spec_copy)
    source0 = None
    if job.tarball is not None:
        source0 = source_name(job.tarball, job.release)
        shutil.copy2(job.tarball, sources / source0)
    return topdir, spec_copy, source0


def _build_srpm(job: BuildJob, topdir: Path, spec: Path, build_log: Path) -> Path:
    argv = ["rpmbuild", "-bs", "--nodeps", "--define", f"_topdir {topdir}"]
    argv += rpm_define_args(job.macros, dist=job.dist)
    argv.append(str(spec))
    result = run(argv, log_path=build_log, timeout=job.timeout, env=job.env, check=False)
    if not result.ok:
        raise CommandError(argv, result.returncode, rpmbuild_error(result.stderr or result.stdout))
    srpms = sorted((topdir / "SRPMS").glob("*.src.rpm"))
    if len(srpms) != 1:
        raise CommandError(argv, 0, f"expected one SRPM in {topdir / 'SRPMS'}, found {len(srpms)}")
    return srpms[0]


def build_commit(
    job: BuildJob, driver: BuildDriver, specs: SpecService | None = None
) -> PipelineResult:
    """Build one commit: rewrite the spec, make the SRPM, have the driver build it.

    Args:
        job: the inputs; ``job.workdir`` and ``job.log_dir`` must exist.
        driver: the build driver that turns the SRPM into binary RPMs.
        specs: where the spec is rewritten (None: in this process; the builder
            passes its spec helper, ``rpmspec/service.py``).

    Returns:
        The result; FAILED with a one-line error for a package failure (bad spec,
        SRPM or RPM failure), RETRY for a timeout or a transient driver failure.
    """
    job.log_dir.mkdir(parents=True, exist_ok=True)
    build_log = job.log_dir / "build.log"
    rpm_log = job.log_dir / "rpmbuild.log"
    logs = (build_log,)
    srpm: Path | None = None
    try:
        spec = find_spec(job.distgit_dir, job.spec_name, job.package)
        topdir, spec_copy, source0 = _prepare_topdir(job, spec)
        upstream_version = job.version
        version = normalize_version(job.version) if job.tarball is not None else job.version
        _note(
            build_log,
            f"{job.package}: version {version} (upstream {upstream_version}), "
            f"release {job.release}, dist {job.dist or '(none)'}, spec {spec.name}",
        )
        try:
            (specs or LocalSpecs()).rewrite(
                spec_copy,
                SpecRewrite(
                    version=version,
                    upstream_version=upstream_version,
                    release=job.release,
                    source0=source0,
                    keep_changelog=job.keep_changelog,
                    macros=job.macros,
                ),
            )
        except SpecError as exc:  # name the distgit's spec, not our working copy
            raise SpecError(str(exc).replace(str(spec_copy), str(spec))) from exc
        srpm = _build_srpm(job, topdir, spec_copy, build_log)
    except (SpecError, InputError) as exc:
        return _failed(BuildStatus.FAILED, str(exc), build_log, logs)
    except CommandTimeoutError as exc:
        return _failed(BuildStatus.RETRY, f"SRPM build: {exc}", build_log, logs)
    except CommandError as exc:
        return _failed(BuildStatus.FAILED, f"SRPM build failed: {exc.detail}", build_log, logs)
    except OSError as exc:
        return _failed(BuildStatus.FAILED, f"cannot prepare the build tree: {exc}", build_log, logs)
    nvr = parse_rpm_filename(srpm.name).nvr
    output = job.workdir / "result"
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    rpm_log.touch()
    request = BuildRequest(
        srpm=srpm,
        output_dir=output,
        log_path=rpm_log,
        dist=job.dist,
        macros=dict(job.macros),
        timeout=job.timeout,
        package_name=job.package,
        env=dict(job.env),
        repos=dict(job.repos),
        cache_dir=job.cache_dir,
    )
    result = driver.build(request)
    all_logs = tuple(dict.fromkeys((build_log, rpm_log, *result.logs)))
    if result.ok:
        _note(build_log, f"{driver.name}: built {len(result.rpms)} RPM(s) in {result.seconds:.1f}s")
        if result.unmet_buildrequires:
            _note(build_log, "unmet BuildRequires: " + ", ".join(result.unmet_buildrequires))
        return PipelineResult(
            status=BuildStatus.SUCCESS,
            rpms=result.rpms,
            srpm=srpm,
            logs=all_logs,
            nvr=nvr,
            unmet_buildrequires=result.unmet_buildrequires,
        )
    status = BuildStatus.RETRY if result.transient else BuildStatus.FAILED
    error = " ".join(result.error.split()) or f"{driver.name} failed"
    _note(build_log, f"{status.value}: {error}")
    return PipelineResult(
        status=status,
        srpm=srpm,
        logs=all_logs,
        error=error,
        nvr=nvr,
        unmet_buildrequires=result.unmet_buildrequires,
    )


def _note(build_log: Path, text: str) -> None:
    with build_log.open("a", encoding="utf-8") as fh:
        fh.write(f"# {text}\n")


def _failed(
    status: BuildStatus, error: str, build_log: Path, logs: tuple[Path, ...]
) -> PipelineResult:
    error = " ".join(error.split())
    log.info("%s: %s", status.value, error)
    _note(build_log, f"{status.value}: {error}")
    return PipelineResult(status=status, logs=logs, error=error)
