"""Packaging metadata (rdoinfo format): load, query, validate, diff, edit.

``load_metadata(location)`` is the one entry point: it accepts a directory, a
git URL or path with a ref, or a tarball, and returns a cached, indexed
:class:`Metadata` (see ``cache.py`` for why a warm call costs milliseconds).
"""

from __future__ import annotations

from trunkline.metadata.api import load_metadata
from trunkline.metadata.catalog import Metadata
from trunkline.metadata.model import DistRepo, Package, Release, Repo

__all__ = ["DistRepo", "Metadata", "Package", "Release", "Repo", "load_metadata"]
