"""The isolated build driver: ``mock -r <config> --rebuild`` in a throw-away chroot.

This is what a production builder uses: upstream code runs inside mock's chroot
with only the BuildRequires installed, so unmet BuildRequires fail the build
(mock reports them) instead of being recorded. mock's exit codes tell a package
failure (10: rpmbuild failed, 40: bad SRPM) from an environment one (20: chroot,
30: package manager / mirror, 60: root locked, 70: result dir), which is
transient and retried next run, as a timeout is.

What DLRN adds to every mock config (the builder's ``current`` repo, the deps
repo file of ``deps_url``, here also the build environment) goes into a config
generated per base config (``builder/drivers/mockconfig.py``); with nothing to
add, mock runs with ``-r <config>`` as given.
"""

from __future__ import annotations

import time
from pathlib import Path

from trunkline.builder.drivers import mockconfig
from trunkline.builder.drivers.base import BuildRequest, BuildResult
from trunkline.builder.drivers.rpmlog import rpmbuild_error
from trunkline.config import MockSettings
from trunkline.errors import BuildError, CommandError, CommandTimeoutError, ConfigError
from trunkline.process import error_line, run

TRANSIENT_EXIT_CODES = frozenset({20, 30, 60, 65, 70})
_MOCK_LOGS = ("build.log", "root.log", "state.log", "hw_info.log", "installed_pkgs.log")


class MockDriver:
    """Rebuilds an SRPM in a mock chroot."""

    name = "mock"
    isolated = True

    def __init__(self, settings: MockSettings) -> None:
        if not settings.config:
            raise ConfigError(
                "[build.mock] config: required by build driver 'mock' "
                "(a mock -r argument, e.g. centos-stream-9-x86_64 or a .cfg path)"
            )
        self.settings = settings

    def parts(self, request: BuildRequest) -> mockconfig.MockConfigParts:
        """What the config of ``request``'s build adds to the base one (fetches deps_url).

        Raises:
            BuildError: the deps repo file cannot be fetched.
        """
        deps = self.settings.deps_url.strip()
        return mockconfig.MockConfigParts(
            base=self.settings.config,
            repos=dict(request.repos) if self.settings.current_repo else {},
            repo_files=(mockconfig.fetch_repo_file(deps),) if deps else (),
            env=dict(request.env),
        )

    def config_for(self, request: BuildRequest, parts: mockconfig.MockConfigParts) -> str:
        """The ``-r`` argument: the base config, or the generated one when it adds something.

        Raises:
            BuildError: a deps repo file is not a repo file.
            OSError: the generated config cannot be written.
        """
        if parts.empty:
            return self.settings.config
        for text in parts.repo_files:
            mockconfig.check_repo_file(self.settings.deps_url, text)
        directory = (request.cache_dir or request.output_dir.parent) / "mock"
        path = directory / mockconfig.config_name(self.settings.config)
        return str(mockconfig.write_if_changed(path, mockconfig.render(parts)))

    def command(self, request: BuildRequest, config: str | None = None) -> list[str]:
        """The mock command line for ``request`` (``config``: the ``-r`` argument)."""
        argv = [
            self.settings.mock_exe,
            "-r",
            config or self.settings.config,
            "--resultdir",
            str(request.output_dir),
        ]
        if request.dist:
            argv += ["--define", f"dist {request.dist}"]
        for name, value in request.macros.items():
            argv += ["--define", f"{name.lstrip('%')} {value}"]
        if self.settings.install_after_build:
            argv.append("--postinstall")
        argv += list(self.settings.extra_args)
        argv += ["--rebuild", str(request.srpm)]
        return argv

    def build(self, request: BuildRequest) -> BuildResult:
        """Run mock; collect the binary RPMs and mock's logs from the result dir.

        Never raises for a failing package: ok=False with the meaningful line of
        mock's build.log (or its own error); environment failures are transient.
        """
        start = time.monotonic()
        try:
            parts = self.parts(request)
        except BuildError as exc:  # the deps mirror is down: try again later
            return self._result(request, start, error=str(exc), transient=True)
        try:
            config = self.config_for(request, parts)
        except (BuildError, OSError) as exc:
            return self._result(request, start, error=f"mock config: {exc}")
        try:
            result = run(
                self.command(request, config),
                log_path=request.log_path,
                timeout=request.timeout,
                check=False,
            )
        except CommandTimeoutError as exc:
            return self._result(request, start, error=str(exc), transient=True)
        except CommandError as exc:  # mock is not installed or cannot start
            return self._result(request, start, error=str(exc), transient=False)
        if result.ok:
            rpms = tuple(p for p in sorted(request.output_dir.glob("*.rpm")) if not _is_source(p))
            if not rpms:
                return self._result(request, start, error="mock produced no binary RPM")
            if self.settings.install_after_build and "Failed install built packages" in (
                result.stdout + result.stderr
            ):
                return self._result(request, start, error="built packages failed to install")
            return self._result(request, start, rpms=rpms)
        transient = result.returncode in TRANSIENT_EXIT_CODES
        return self._result(
            request,
            start,
            error=f"mock exit {result.returncode}: {self._reason(request, result.stderr)}",
            transient=transient,
        )

    def _reason(self, request: BuildRequest, stderr: str) -> str:
        build_log = request.output_dir / "build.log"
        if build_log.is_file():
            reason = rpmbuild_error(build_log.read_text(encoding="utf-8", errors="replace"))
            if reason and reason != "no output":
                return reason
        return error_line(stderr)

    def _result(
        self,
        request: BuildRequest,
        start: float,
        *,
        rpms: tuple[Path, ...] = (),
        error: str = "",
        transient: bool = False,
    ) -> BuildResult:
        logs = [request.log_path]
        logs += [request.output_dir / n for n in _MOCK_LOGS if (request.output_dir / n).is_file()]
        return BuildResult(
            ok=not error,
            rpms=rpms,
            logs=tuple(logs),
            error=error,
            transient=transient,
            seconds=time.monotonic() - start,
        )


def _is_source(path: Path) -> bool:
    return path.name.endswith((".src.rpm", ".nosrc.rpm"))
