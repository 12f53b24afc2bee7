"""Package list from a plain directory (or git repo) of distgits, one per package.

Two shapes are accepted, because both exist in the wild:

* a directory whose subdirectories are distgit git repositories (``<dir>/<name>/``
  holding ``<name>.spec``), each followed on the builder's distro branch;
* a single git repository with one subdirectory per package (DLRN's ``gitrepo``
  driver, openstack/rpm-packaging style): the subdirectory is the distgit path.

The upstream of a package is read from an optional ``upstream.yml`` beside its
spec (``upstream: URL``, ``source-branch: REF``, ``project: NAME``,
``build-tags-only: true``); without one the package is distgit-only: its sources
live in the distgit. ``source-branch`` is a pin (a branch, tag or commit that
never falls back to master); without it the builder's ``source_branch`` is
followed through its retirement chain (see ``upstream/branches.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trunkline.config import BuilderSettings, PackagesSettings
from trunkline.errors import MetadataError
from trunkline.metadata.sources.base import FollowedPackage

UPSTREAM_FILE = "upstream.yml"
_KEYS = frozenset(
    {"upstream", "source-branch", "project", "component", "maintainers", "build-tags-only"}
)


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
    for key in ("upstream", "source-branch", "project", "component"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise MetadataError(f"{path}: field {key!r}: expected a string, got {data[key]!r}")
    if not isinstance(data.get("build-tags-only", False), bool):
        got = data["build-tags-only"]
        raise MetadataError(f"{path}: field 'build-tags-only': expected true or false, got {got!r}")
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
                    source_branch=extra.get("source-branch") or self._builder.source_branch,
                    source_pinned=bool(extra.get("source-branch")),
                    tags_only=bool(extra.get("build-tags-only")),
                    distro_branch=self._builder.distro_branch,
                    component=extra.get("component"),
                    maintainers=tuple(str(m) for m in maintainers),
                    distgit_path=sub.name if monorepo else None,
                )
            )
        if not found:
            raise MetadataError(f"{root}: no distgit (a directory with a *.spec) found")
        return found
