"""The build system interface: build from a distgit commit, wait, tag, untag, list.

Koji's own vocabulary and shapes (``build``, ``tagBuild``, ``listTagged``,
``getBuild``), so the ``koji`` driver is a thin adapter and the ``local`` one an
imitation that runs on one machine. Frozen dataclasses in and out; a failure is a
:class:`~trunkline.buildsys.BuildSystemError` with one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BuildSource:
    """What to build: one distgit commit, as Koji's ``git+URL#COMMIT`` source.

    Attributes:
        package: the source package name (``openstack-nova``).
        distgit_url: the distgit repository (URL or path).
        commit: the distgit commit (full hash).
        upstream_url: the upstream repository whose release tag gives the tarball
            (the ``local`` driver makes it; Koji takes it from the lookaside cache).
    """

    package: str
    distgit_url: str
    commit: str
    upstream_url: str | None = None

    @property
    def scm_url(self) -> str:
        """Koji's source string: ``git+<url>#<commit>`` (``git+`` added to plain paths)."""
        url = self.distgit_url
        if url.startswith("/"):
            url = f"file://{url}"
        if not url.startswith("git"):
            url = f"git+{url}"
        return f"{url}#{self.commit}"


@dataclass(frozen=True)
class BuildInfo:
    """One build, as Koji's ``getBuild`` gives it.

    Attributes:
        build_id: the build system's id of the build.
        nvr: ``name-version-release`` with the dist tag (``foo-1.2.0-1.el9s``).
        name: the source package name.
        version: Version.
        release: Release with the dist tag.
        epoch: Epoch, or None.
    """

    build_id: int
    nvr: str
    name: str
    version: str
    release: str
    epoch: int | None = None


class BuildSystem(Protocol):
    """A build system holding builds and tags (Koji's model).

    Every method raises :class:`~trunkline.buildsys.BuildSystemError` (one line)
    when the build system refuses or cannot be reached.
    """

    name: str

    def build(self, source: BuildSource, target: str) -> int:
        """Start a build of ``source`` on ``target``; return its task id."""
        ...

    def wait_build(self, task_id: int, timeout: float) -> BuildInfo:
        """Wait (at most ``timeout`` seconds) for build task ``task_id``; return its build.

        Raises:
            BuildSystemError: the task failed, was canceled, or ran past ``timeout``.
        """
        ...

    def tag_build(self, tag: str, nvr: str) -> None:
        """Tag build ``nvr`` into ``tag`` (waits for Koji's tag task); a no-op if tagged."""
        ...

    def untag_build(self, tag: str, nvr: str) -> None:
        """Remove build ``nvr`` from ``tag``."""
        ...

    def list_tagged(self, tag: str) -> tuple[BuildInfo, ...]:
        """The builds in ``tag``, newest tagging first (``listTagged``).

        Raises:
            BuildSystemError: no such tag.
        """
        ...

    def get_build(self, nvr: str) -> BuildInfo | None:
        """The build called ``nvr``, or None."""
        ...
