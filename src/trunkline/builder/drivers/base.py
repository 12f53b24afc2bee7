"""The build driver interface: an SRPM in, binary RPMs and logs out.

A driver is one small class with one method. The pipeline never asks which
driver it has; the differences are data on the request (dist tag, macros,
timeout) and capabilities on the driver (``isolated``: whether upstream code
runs in a throw-away environment).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class BuildRequest:
    """Everything a driver needs to turn one SRPM into binary RPMs.

    Attributes:
        srpm: the source RPM to rebuild.
        output_dir: where the RPMs (and the driver's own logs) must end up; exists, empty.
        log_path: the build's main log (``rpmbuild.log``); the driver appends to it.
        dist: the target's dist tag, e.g. ``.el9s``.
        macros: extra rpm macros (name without ``%`` -> value).
        timeout: seconds before the build is killed.
        package_name: the source package name, for drivers that need it (koji).
        env: environment variables of the build (``[build] env``, ``build --build-env``):
            rpmbuild's environment, or mock's ``config_opts['environment']``.
        repos: repos the build may take BuildRequires from beside the build root's own,
            repo id -> baseurl (the builder's ``current`` repo, as DLRN adds it to mock).
        cache_dir: a directory kept across builds for the driver's own files (the mock
            driver's generated config, rewritten only when it changes); None: none kept.
    """

    srpm: Path
    output_dir: Path
    log_path: Path
    dist: str = ""
    macros: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 3600.0
    package_name: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    repos: Mapping[str, str] = field(default_factory=dict)
    cache_dir: Path | None = None


@dataclass(frozen=True)
class BuildResult:
    """What a driver produced.

    Attributes:
        ok: True when binary RPMs were produced.
        rpms: the binary RPMs (in ``output_dir``).
        logs: the log files written (in ``output_dir``), including ``log_path``.
        error: one line saying why the build failed (empty on success).
        transient: the failure looks temporary (timeout, mirror error): retry later.
        unmet_buildrequires: BuildRequires this host could not satisfy (recorded, not hidden).
        seconds: wall time of the build.
    """

    ok: bool
    rpms: tuple[Path, ...] = ()
    logs: tuple[Path, ...] = ()
    error: str = ""
    transient: bool = False
    unmet_buildrequires: tuple[str, ...] = ()
    seconds: float = 0.0


class BuildDriver(Protocol):
    """Turns an SRPM into binary RPMs."""

    name: str
    isolated: bool

    def build(self, request: BuildRequest) -> BuildResult:
        """Build ``request.srpm``; never raises for a build failure, returns ok=False."""
        ...
