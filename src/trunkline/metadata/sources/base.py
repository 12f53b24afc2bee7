"""What a builder follows: the package list, whatever metadata it came from.

A :class:`PackageSource` turns some packaging metadata (an rdoinfo repo, a
directory of distgits) into :class:`FollowedPackage` records with everything
the poller needs and nothing else; the builder never looks at the metadata
format itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class FollowedPackage:
    """One package as a builder follows it, for one release.

    Attributes:
        name: the RPM source package name (``python-oslo-config``).
        project: the upstream project name (``oslo.config``).
        upstream: git URL (or path) of the upstream source; None for distgit-only packages.
        distgit: git URL (or path) of the distgit holding the spec.
        source_branch: upstream branch, tag or commit to follow (a per-release pin wins).
        source_pinned: True when ``source_branch`` is the package's own pin (rdoinfo
            ``source-branch``), not the release's branch: a pin never falls back to master.
        tags_only: build only commits a tag points at (rdoinfo ``build-tags-only``).
        distro_branch: distgit branch to follow.
        component: the component the package belongs to, if components are used.
        maintainers: e-mails to notify on FTBFS.
        distgit_path: subdirectory of the distgit holding the spec, if not its root.
        local_distgit: True when ``distgit`` is a developer's working checkout (dev
            mode): its working tree is used as is, uncommitted changes included.
        review_origin: the distgit's review remote (rdoinfo ``review-origin``), where an
            FTBFS review is pushed; None when the metadata names none.
    """

    name: str
    project: str
    upstream: str | None
    distgit: str
    source_branch: str = "master"
    distro_branch: str = "rpm-master"
    source_pinned: bool = False
    tags_only: bool = False
    component: str | None = None
    maintainers: tuple[str, ...] = field(default_factory=tuple)
    distgit_path: str | None = None
    local_distgit: bool = False
    review_origin: str | None = None


class PackageSource(Protocol):
    """Anything that can list the packages a builder follows."""

    def packages(self) -> list[FollowedPackage]:
        """Return the followed packages, sorted by name.

        Raises:
            MetadataError: the metadata cannot be read.
        """
        ...
