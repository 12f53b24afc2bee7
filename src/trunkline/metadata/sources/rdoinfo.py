"""Package list from rdoinfo-style metadata, filtered by the release tag a builder follows.

The builder follows one release (``[packages] tag``): the release's ``branch``
is the distgit branch and its ``upstream_branch`` the default upstream branch. A
package's keys, after the release's ``tags.<release>`` overrides, win: its
``source-branch`` pin, ``distro-branch`` and ``build-tags-only``; a key that would
change the build and cannot be honoured (``version-from``, a list of upstreams) is
an error naming the file, package and key (``keys.py``). Packages are built from
their ``master-distgit`` (the trunk distgit) when they have one, as DLRN does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trunkline.config import BuilderSettings, PackagesSettings
from trunkline.errors import MetadataError, TrunklineError
from trunkline.metadata import load_metadata
from trunkline.metadata.catalog import Metadata
from trunkline.metadata.model import Package
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.metadata.sources.keys import RejectedKeyError, build_keys


class RdoinfoSource:
    """Reads the followed packages from an rdoinfo repository (directory or git URL)."""

    def __init__(self, packages: PackagesSettings, builder: BuilderSettings) -> None:
        self._cfg = packages
        self._builder = builder

    @property
    def _cache_dir(self) -> Path:
        return self._builder.data_dir / "cache" / "metadata"

    def packages(self) -> list[FollowedPackage]:
        """Packages tagged with the followed release, with its branches and pins applied.

        Raises:
            MetadataError: the metadata cannot be read, or a followed package has a key
                that changes the build and cannot be honoured.
        """
        if not self._cfg.path:
            raise MetadataError("config key 'packages.path': no metadata location given")
        md = load_metadata(
            self._cfg.path,
            ref=self._cfg.ref,
            info_files=self._cfg.info_files,
            cache_dir=self._cache_dir,
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
            try:
                keys = build_keys(pkg, tag)
            except RejectedKeyError as exc:
                where = self._file_of(md, pkg, exc.key, tag)
                raise MetadataError(
                    f"{where}: package {pkg.name!r} field {exc.path!r}: {exc.why}"
                ) from None
            distgit_path = pkg.raw.get("distgit-path")
            review_origin = pkg.raw.get("review-origin")
            followed.append(
                FollowedPackage(
                    name=pkg.name,
                    project=pkg.project,
                    upstream=pkg.upstream,
                    distgit=distgit,
                    source_branch=keys.source_branch or source_branch,
                    distro_branch=keys.distro_branch or distro_branch,
                    component=pkg.component,
                    maintainers=tuple(pkg.maintainers),
                    distgit_path=str(distgit_path) if distgit_path else None,
                    source_pinned=keys.source_branch is not None,
                    tags_only=keys.tags_only,
                    review_origin=str(review_origin) if review_origin else None,
                )
            )
        # the metadata's order, as DLRN's rdoinfo driver lists (and --status prints) them
        rank = {p.name: i for i, p in enumerate(md.packages_in_file_order)}
        return sorted(followed, key=lambda p: rank.get(p.name, len(rank)))

    def _file_of(self, md: Metadata, pkg: Package, key: str, tag: str | None) -> str:
        """The metadata file whose entry for ``pkg`` sets ``key`` (an error path: re-reads YAML).

        Looks at the package entries (the key itself, or under ``tags.<tag>``), then at
        the package's ``conf`` template; falls back to the metadata location.
        """
        try:
            texts = self._texts(md)
        except (TrunklineError, OSError):
            texts = {}
        conf_file = None
        for rel, text in texts.items():
            try:
                data: Any = yaml.load(text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                continue
            if not isinstance(data, dict):
                continue
            for entry in data.get("packages") or []:
                if isinstance(entry, dict) and entry.get("project") == pkg.project:
                    over = (entry.get("tags") or {}).get(tag) if tag else None
                    if key in entry or (isinstance(over, dict) and key in over):
                        return rel
            confs = data.get("package-configs") or {}
            if isinstance(confs.get(pkg.conf), dict) and key in confs[pkg.conf]:
                conf_file = rel
        return conf_file or str(self._cfg.path)

    def _texts(self, md: Metadata) -> dict[str, str]:
        """Relative path -> text of every metadata file read (a directory or a git tree)."""
        from trunkline.metadata.api import resolve_location
        from trunkline.metadata.source import checkout_tree

        files = list(md.files)
        loc = resolve_location(self._cfg.path, self._cfg.ref, files[0], self._cache_dir)
        if loc.directory is not None:
            return {rel: (loc.directory / rel).read_text(encoding="utf-8") for rel in files}
        assert loc.git is not None
        with checkout_tree(loc.git, self._cache_dir / "scratch") as root:
            return {rel: (root / rel).read_text(encoding="utf-8") for rel in files}
