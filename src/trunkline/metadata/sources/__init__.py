"""Where the packages to follow come from, registered by short name and imported lazily.

``[packages] source = "rdoinfo"`` (the default) reads rdoinfo metadata;
``"gitrepo"`` reads a directory of distgits. An unknown name is a ConfigError
listing the valid ones.
"""

from __future__ import annotations

import importlib

from trunkline.config import Settings
from trunkline.errors import ConfigError
from trunkline.metadata.sources.base import FollowedPackage, PackageSource

SOURCES = {
    "rdoinfo": ("trunkline.metadata.sources.rdoinfo", "RdoinfoSource"),
    "gitrepo": ("trunkline.metadata.sources.gitrepo", "GitRepoSource"),
}

__all__ = ["SOURCES", "FollowedPackage", "PackageSource", "make_source"]


def make_source(settings: Settings) -> PackageSource:
    """Instantiate the package source named in ``[packages] source``.

    Raises:
        ConfigError: the name is not a known source.
    """
    name = settings.packages.source
    if name not in SOURCES:
        raise ConfigError(
            f"config key 'packages.source': unknown source {name!r} "
            f"(valid: {', '.join(sorted(SOURCES))})"
        )
    module_name, class_name = SOURCES[name]
    cls = getattr(importlib.import_module(module_name), class_name)
    source: PackageSource = cls(settings.packages, settings.builder)
    return source
