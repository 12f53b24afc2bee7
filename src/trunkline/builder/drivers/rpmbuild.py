"""The embedded build driver: ``rpmbuild --rebuild`` on this host.

It needs nothing but rpm, so it runs everywhere trunkline does (the demo, the
tests, a laptop). It does NOT isolate the build: upstream code runs as the
current user, so use it for trusted input only; production builders use mock,
Koji or Copr. BuildRequires are not installed: those this host cannot satisfy
are recorded in the result (``unmet_buildrequires``) and, with the default
``nodeps = true``, the build goes on without them.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from trunkline.builder.drivers.base import BuildRequest, BuildResult
from trunkline.builder.drivers.rpmlog import rpmbuild_error, srpm_buildrequires, unmet_buildrequires
from trunkline.config import RpmbuildSettings
from trunkline.errors import CommandError, CommandTimeoutError
from trunkline.process import run
from trunkline.rpmspec.macros import rpm_define_args


class RpmbuildDriver:
    """Rebuilds an SRPM with the host's rpmbuild (no isolation: trusted input only)."""

    name = "rpmbuild"
    isolated = False

    def __init__(self, settings: RpmbuildSettings | None = None) -> None:
        self.settings = settings or RpmbuildSettings()

    def command(self, request: BuildRequest, topdir: Path) -> list[str]:
        """The rpmbuild command line for ``request``."""
        argv = ["rpmbuild", "--rebuild", "--define", f"_topdir {topdir}"]
        argv += rpm_define_args(request.macros, dist=request.dist)
        if self.settings.nodeps:
            argv.append("--nodeps")
        argv.append(str(request.srpm))
        return argv

    def build(self, request: BuildRequest) -> BuildResult:
        """Rebuild ``request.srpm``; binary RPMs end up in ``request.output_dir``.

        Never raises for a failing package: returns ok=False with rpmbuild's
        meaningful error line; a timeout is transient (retried next run).
        """
        start = time.monotonic()
        topdir = request.output_dir / "rpmbuild"
        topdir.mkdir(parents=True, exist_ok=True)
        logs = (request.log_path,)
        try:
            deps = srpm_buildrequires(request.srpm, log_path=request.log_path)
            unmet = unmet_buildrequires(deps, log_path=request.log_path)
        except (OSError, CommandError) as exc:
            return BuildResult(
                ok=False,
                logs=logs,
                error=f"cannot read {request.srpm.name}: {exc}",
                seconds=time.monotonic() - start,
            )
        try:
            result = run(
                self.command(request, topdir),
                log_path=request.log_path,
                timeout=request.timeout,
                env=request.env,
                check=False,
            )
        except CommandTimeoutError as exc:
            return BuildResult(
                ok=False,
                logs=logs,
                error=str(exc),
                transient=True,
                unmet_buildrequires=unmet,
                seconds=time.monotonic() - start,
            )
        except CommandError as exc:  # rpmbuild could not even start
            return BuildResult(
                ok=False, logs=logs, error=str(exc), seconds=time.monotonic() - start
            )
        if not result.ok:
            return BuildResult(
                ok=False,
                logs=logs,
                error=rpmbuild_error(result.stderr or result.stdout),
                unmet_buildrequires=unmet,
                seconds=time.monotonic() - start,
            )
        rpms = []
        for built in sorted((topdir / "RPMS").glob("*/*.rpm")):
            target = request.output_dir / built.name
            built.replace(target)
            rpms.append(target)
        shutil.rmtree(topdir, ignore_errors=True)
        if not rpms:
            return BuildResult(
                ok=False,
                logs=logs,
                error="rpmbuild produced no binary RPM",
                unmet_buildrequires=unmet,
                seconds=time.monotonic() - start,
            )
        return BuildResult(
            ok=True,
            rpms=tuple(rpms),
            logs=logs,
            unmet_buildrequires=unmet,
            seconds=time.monotonic() - start,
        )
