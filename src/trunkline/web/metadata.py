"""A package's metadata record (rdoinfo) for the Package page, per builder.

Each builder's ``[packages]`` names its rdoinfo location; the merged metadata
is loaded with ``metadata.load_metadata`` (its on-disk cache in the user's
cache dir, never in the builder's tree) and kept in memory for ``TTL`` seconds.
A builder without rdoinfo metadata, or whose metadata cannot be loaded, shows
why instead of a record.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from trunkline.errors import MetadataError, UnknownPackageError
from trunkline.metadata import load_metadata
from trunkline.metadata.catalog import Metadata
from trunkline.web.site import SiteBuilder

log = logging.getLogger(__name__)
TTL = 300.0


@dataclass(frozen=True, slots=True)
class MetadataRecord:
    """The record's fields as (key, text) pairs, or why there is none."""

    fields: list[tuple[str, str]]
    note: str


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


class MetadataCache:
    """Loaded metadata per builder, reloaded after ``TTL`` seconds."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        """Args:
        cache_dir: ``load_metadata``'s on-disk cache (None: its default, the user's cache).
        """
        self.cache_dir = cache_dir
        self._loaded: dict[str, tuple[float, Metadata | str]] = {}

    def _metadata(self, b: SiteBuilder) -> Metadata | str:
        cfg = b.settings.packages
        if cfg.source != "rdoinfo" or not cfg.path:
            return "no rdoinfo metadata configured ([packages] path)"
        hit = self._loaded.get(b.name)
        if hit is not None and time.monotonic() - hit[0] < TTL:
            return hit[1]
        try:
            md: Metadata | str = load_metadata(
                cfg.path, ref=cfg.ref, info_files=cfg.info_files, cache_dir=self.cache_dir
            )
        except MetadataError as exc:
            log.warning("builder %s: %s", b.name, exc)
            md = f"metadata cannot be loaded: {exc}"
        self._loaded[b.name] = (time.monotonic(), md)
        return md

    def record(self, b: SiteBuilder, name: str) -> MetadataRecord:
        """The record of package ``name`` in builder ``b``'s metadata."""
        md = self._metadata(b)
        if isinstance(md, str):
            return MetadataRecord([], md)
        try:
            pkg = md.package(name)
        except UnknownPackageError:
            return MetadataRecord([], "not in this builder's metadata")
        return MetadataRecord([(str(k), _text(v)) for k, v in sorted(pkg.raw.items())], "")
