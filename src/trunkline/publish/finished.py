"""A finished build, as every producer hands it to the recording service, and its rules.

Local builds (``builder/cycle.py``) and imports (``promotion/remote.py``) make a
:class:`FinishedBuild`; :class:`trunkline.publish.record.BuildRecorder` records
it after :func:`check_finished` accepted it. The rules are written here once,
whoever made the build.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from trunkline.db.models import BuildStatus
from trunkline.errors import PublishError


class Origin(enum.StrEnum):
    """Where a finished build was made."""

    LOCAL = "local"
    IMPORT = "import"


@dataclass(frozen=True)
class FinishedBuild:
    """One finished build, as every producer hands it to the recording service.

    Attributes:
        project: the package name.
        commit_hash / distro_hash / extended_hash: the hashes the build dir is named by.
        commit_branch: the upstream ref actually built (``unmaintained/X``, ``X-eol``...).
        source_branch: the ref the metadata named, when known (``stable/X``).
        dt_commit / dt_distro / dt_build: epoch seconds (commit times, build start).
        status: SUCCESS, FAILED or RETRY.
        component: the package's component (used only with ``use_components``).
        notes: the error of a failed build, free text.
        version / release: Version and Release without the dist tag (None if unknown).
        rpms: the RPM files (binary and source) the build produced; a SUCCESS has some.
        logs: log files kept in the build dir.
        unmet_buildrequires: BuildRequires no repo provided.
        build_seconds: wall time of the build.
        retries: RETRY rows of this pair so far.
        origin: local build or import.
    """

    project: str
    commit_hash: str
    distro_hash: str
    commit_branch: str
    dt_commit: int
    dt_distro: int
    dt_build: int
    status: BuildStatus
    component: str | None = None
    extended_hash: str | None = None
    notes: str = ""
    version: str | None = None
    release: str | None = None
    rpms: tuple[Path, ...] = ()
    logs: tuple[Path, ...] = ()
    unmet_buildrequires: tuple[str, ...] = ()
    build_seconds: float = 0.0
    retries: int = 0
    origin: Origin = Origin.LOCAL
    source_branch: str | None = None


def check_finished(build: FinishedBuild) -> None:
    """The rules a build must meet before anything of it is recorded.

    Raises:
        PublishError: a SUCCESS without RPM files, or one of its files is missing.
    """
    what = f"{build.project} {build.commit_hash[:8]}_{build.distro_hash[:8]}"
    if build.status is BuildStatus.SUCCESS and not any(f.name.endswith(".rpm") for f in build.rpms):
        raise PublishError(f"{what}: a SUCCESS build brings no RPM; nothing recorded")
    for f in build.rpms:
        if not f.is_file():
            raise PublishError(f"{f}: built file missing; nothing recorded")
