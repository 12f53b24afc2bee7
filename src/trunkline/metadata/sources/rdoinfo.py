"""Package list from rdoinfo-style metadata, filtered by the release tag a builder follows.

The builder follows one release (``[packages] tag``): the release's ``branch``
is the distgit branch and its ``upstream_branch`` the default upstream branch; a
package's per-release ``source-branch`` pin wins. Packages are built from their
``master-distgit`` (the trunk distgit) when they have one, as DLRN does.
"""

from __future__ import annotations

from trunkline.config import BuilderSettings, PackagesSettings
from trunkline.errors import MetadataError
from trunkline.metadata import load_metadata
from trunkline.metadata.sources.base import FollowedPackage


class RdoinfoSource:
    """Reads the followed packages from an rdoinfo repository (directory or git URL)."""

    def __init__(self, packages: PackagesSettings, builder: BuilderSettings) -> None:
        self._cfg = packages
        self._builder = builder

    def packages(self) -> list[FollowedPackage]:
        """Packages tagged with the followed release, with its branches and pins applied."""
        if not self._cfg.path:
            raise MetadataError("config key 'packages.path': no metadata location given")
        md = load_metadata(
            self._cfg.path,
            ref=self._cfg.ref,
            info_files=self._cfg.info_files,
            cache_dir=self._builder.data_dir / "cache" / "metadata",
        )
        tag = self._cfg.tag
        distro_branch = self._builder.distro_branch
        source_branch = self._builder.source_branch
        if tag:
            release = md.release(tag)
            distro_branch = release.branch or distro_branch
            source_branch = release.upstream_branch or source_branch
            pkgs = md.packages_for_release(tag)
        else:
            pkgs = md.packages
        followed: list[FollowedPackage] = []
        for pkg in pkgs:
            distgit = pkg.master_distgit or pkg.distgit
            if not distgit:
                continue  # nothing to build from (e.g. a package only imported by tag)
            distgit_path = pkg.raw.get("distgit-path")
            followed.append(
                FollowedPackage(
                    name=pkg.name,
                    project=pkg.project,
                    upstream=pkg.upstream,
                    distgit=distgit,
                    source_branch=pkg.source_branch or source_branch,
                    distro_branch=distro_branch,
                    component=pkg.component,
                    maintainers=tuple(pkg.maintainers),
                    distgit_path=str(distgit_path) if distgit_path else None,
                )
            )
        return sorted(followed, key=lambda p: p.name)
