"""Verify a stable update by building it: the spec as proposed, the tag's tarball as Source0.

What the ``DLRN-rpmbuild`` check of RDO's CI does for a stable distgit change: the
distgit tree is copied into an rpmbuild ``_topdir`` (``.git`` and the spec left
out; the spec goes to SPECS unchanged: its Version, Release and changelog are the
proposal's), the upstream tag is archived under Source0's file name with the top
directory Source0 implies (:func:`trunkline.distgit.sources.archive_layout`, the
rule ``new-version`` uses for the lookaside tarball), ``rpmbuild -bs`` makes the
SRPM and the builder's own build driver (``[build] driver``) the binary RPMs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from trunkline.builder.drivers import BuildRequest, make_driver
from trunkline.builder.drivers.rpmlog import rpmbuild_error
from trunkline.config import Settings
from trunkline.distgit import sources
from trunkline.errors import CommandError, SpecError
from trunkline.process import run
from trunkline.rpmspec.adapter import find_spec
from trunkline.rpmspec.macros import rpm_define_args


@dataclass(frozen=True)
class Verification:
    """The outcome: ``ok`` with the RPMs built, or one line saying why not, and the log."""

    ok: bool
    rpms: tuple[Path, ...] = ()
    error: str = ""
    log: Path | None = None


def verify_update(
    settings: Settings, clone: Path, tag: str, package: str, workdir: Path
) -> Verification:
    """Build the checked-out distgit ``clone`` with ``tag``'s tarball (see the module doc).

    Args:
        settings: the builder's config (its ``[build]`` driver, macros and timeout, dist).
        clone: the distgit checkout holding the proposal; ``tag`` is fetched into it.
        tag: the upstream tag the proposal updates to.
        package: the package name (for the driver and the spec choice).
        workdir: an empty directory for the topdir, the RPMs and the logs.

    Returns:
        The verification; a build failure is ``ok=False`` with rpmbuild's reason, never raised.
    """
    log = workdir / "build.log"
    topdir = workdir / "rpmbuild"
    try:
        spec = find_spec(clone, package)
        name, top, fmt = sources.archive_layout(spec, sources.expanded_source0(spec))
        for sub in ("SOURCES", "SPECS", "SRPMS"):
            (topdir / sub).mkdir(parents=True, exist_ok=True)
        shutil.copytree(
            clone,
            topdir / "SOURCES",
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".git", "*.spec"),
        )
        sources.write_tarball(clone, tag, topdir / "SOURCES" / name, top, fmt)
        spec_copy = topdir / "SPECS" / spec.name
        shutil.copy2(spec, spec_copy)
        argv = ["rpmbuild", "-bs", "--nodeps", "--define", f"_topdir {topdir}"]
        argv += rpm_define_args(settings.build.macros, dist=settings.builder.dist)
        result = run(
            [*argv, str(spec_copy)], log_path=log, timeout=settings.build.timeout, check=False
        )
        if not result.ok:
            detail = rpmbuild_error(result.stderr or result.stdout)
            return Verification(False, error=f"SRPM build failed: {detail}", log=log)
        srpm = next(iter(sorted((topdir / "SRPMS").glob("*.src.rpm"))))
    except (SpecError, CommandError, OSError, StopIteration) as exc:
        return Verification(False, error=f"cannot prepare the build: {exc}", log=log)
    output = workdir / "result"
    output.mkdir(exist_ok=True)
    rpm_log = workdir / "rpmbuild.log"
    rpm_log.touch()
    built = make_driver(settings.build).build(
        BuildRequest(
            srpm=srpm,
            output_dir=output,
            log_path=rpm_log,
            dist=settings.builder.dist,
            macros=dict(settings.build.macros),
            timeout=settings.build.timeout,
            package_name=package,
            env=dict(settings.build.env),
        )
    )
    if not built.ok:
        return Verification(False, error=" ".join(built.error.split()), log=rpm_log)
    return Verification(True, rpms=built.rpms, log=rpm_log)
