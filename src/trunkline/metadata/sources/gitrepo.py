"""Package list from a plain directory (or git repo) of distgits, one per package.

Two shapes are accepted, because both exist in the wild:

* a directory whose subdirectories are distgit git repositories (``<dir>/<name>/``
  holding ``<name>.spec``), each followed on the builder's distro branch;
* a single git repository with one subdirectory per package (DLRN's ``gitrepo``
  driver, openstack/rpm-packaging style): the subdirectory is the distgit path.

The upstream of a package is read from an optional ``upstream.yml`` beside its
spec (``upstream: URL``, ``source-branch: BRANCH``, ``project: NAME``); without
one the package is distgit-only: its sources live in the distgit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trunkline.config import BuilderSettings, PackagesSettings
from trunkline.errors import MetadataError
from trunkline.metadata.sources.base import FollowedPackage

UPSTREAM_FILE = "upstream.yml"
_KEYS = frozenset({"upstream", "source-branch", "project", "component", "maintainers"})


def _read_upstream_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise MetadataError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: expected a mapping with 'upstream: URL'")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise MetadataError(
            f"{path}: unknown key '{unknown[0]}' (expected one of {', '.join(sorted(_KEYS))})"
        )
    return data


class GitRepoSource:
    """Reads the followed packages from a directory of distgits."""

    def __init__(self, packages: PackagesSettings, builder: BuilderSettings) -> None:
        self._cfg = packages
        self._builder = builder

    def packages(self) -> list[FollowedPackage]:
        """One FollowedPackage per distgit found."""
        root = Path(self._cfg.path)
        if not self._cfg.path or not root.is_dir():
            raise MetadataError(
                f"config key 'packages.path': {self._cfg.path!r} is not a directory of distgits"
            )
        monorepo = (root / ".git").exists()
        found: list[FollowedPackage] = []
        for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            is_distgit = monorepo or (sub / ".git").exists()
            if not is_distgit or not any(sub.glob("*.spec")):
                continue
            extra = _read_upstream_file(sub / UPSTREAM_FILE)
            maintainers = extra.get("maintainers") or ()
            found.append(
                FollowedPackage(
                    name=sub.name,
                    project=str(extra.get("project") or sub.name),
                    upstream=str(extra["upstream"]) if extra.get("upstream") else None,
                    distgit=str(root if monorepo else sub),
                    source_branch=str(extra.get("source-branch") or self._builder.source_branch),
                    distro_branch=self._builder.distro_branch,
                    component=extra.get("component"),
                    maintainers=tuple(str(m) for m in maintainers),
                    distgit_path=sub.name if monorepo else None,
                )
            )
        if not found:
            raise MetadataError(f"{root}: no distgit (a directory with a *.spec) found")
        return found
