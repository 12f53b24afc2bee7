"""A content-keyed cache of the loaded :class:`Metadata`, so warm queries skip YAML.

Parsing the full rdoinfo costs about a second; unpickling the result costs a
few milliseconds (packages stay pickled until a query returns them, see
``catalog.py``). An entry is keyed by what was loaded (location, info files,
tag) and guarded by the content it was built from: either a git tree hash
(part of the key) or the ``(path, size, mtime_ns)`` of every file read, which
are re-checked on every hit. Change any file and the next call re-parses: the
cache is never stale. Entries are written atomically (temp file + rename).

A directory entry also keeps each file's parsed YAML, after the model, so that
when one file changes the reload parses only that file (``readers.py``); a hit
never reads that part.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trunkline.metadata.catalog import Metadata
from trunkline.metadata.gcpause import gc_paused

if TYPE_CHECKING:
    import logging

    from trunkline.metadata.readers import Reuse


def _log() -> logging.Logger:
    """This module's logger, imported on first use: a warm query never logs, and
    importing ``logging`` costs it ~5 ms."""
    import logging

    return logging.getLogger(__name__)


# Bump when the pickled shape of Metadata changes.
CACHE_FORMAT = 5

Stats = list[tuple[str, int, int]]


def default_cache_dir() -> Path:
    """``$TRUNKLINE_CACHE_DIR`` or ``~/.cache/trunkline/metadata``."""
    env = os.environ.get("TRUNKLINE_CACHE_DIR")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "trunkline" / "metadata"


def cache_key(*parts: str) -> str:
    """The key of an entry: its identity parts (location, files, tree hash), joined."""
    return "\0".join([str(CACHE_FORMAT), *parts])


def _entry_path(cache_dir: Path, key: str) -> Path:
    """Where the entry for ``key`` lives.

    The name is two 32-bit checksums of the key (zlib, not hashlib: loading
    OpenSSL costs a warm query ~10 ms); the key itself is stored in the entry
    and compared on read, so a name collision is only a miss.
    """
    data = key.encode()
    return cache_dir / f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}.pickle"


def file_stats(root: Path, files: Sequence[str]) -> Stats | None:
    """``(relpath, size, mtime_ns)`` of each file, or None if one is gone."""
    out: Stats = []
    for rel in files:
        try:
            st = os.stat(root / rel)
        except OSError:
            return None
        out.append((rel, st.st_size, st.st_mtime_ns))
    return out


def read_entry(cache_dir: Path, key: str, root: Path | None) -> Metadata | None:
    """The cached Metadata for ``key``, if present and (for a directory) still fresh.

    Args:
        cache_dir: the cache directory.
        key: the entry key.
        root: the directory the entry was read from, to re-check file stats; None
            for content-addressed (git tree) entries.
    """
    path = _entry_path(cache_dir, key)
    try:
        with path.open("rb") as fh, gc_paused():
            header: Any = pickle.load(fh)  # noqa: S301 - our own cache file
            if not isinstance(header, tuple) or header[0] != key:
                return None
            stats: Stats | None = header[1]
            if root is not None and (
                stats is None or file_stats(root, [s[0] for s in stats]) != stats
            ):
                _log().debug("metadata cache %s is stale", path)
                return None
            md: Any = pickle.load(fh)  # noqa: S301
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        _log().debug("metadata cache %s unreadable: %s", path, exc)
        return None
    return md if isinstance(md, Metadata) else None


def read_reuse(cache_dir: Path, key: str) -> Reuse | None:
    """The per-file parsed YAML kept in a (possibly stale) directory entry, if any."""
    path = _entry_path(cache_dir, key)
    try:
        with path.open("rb") as fh:
            header: Any = pickle.load(fh)  # noqa: S301 - our own cache file
            if not isinstance(header, tuple) or header[0] != key:
                return None
            pickle.load(fh)  # noqa: S301
            blob: Any = pickle.load(fh)  # noqa: S301
            reuse = marshal.loads(blob) if isinstance(blob, bytes) else None  # noqa: S302
    except FileNotFoundError:
        return None
    except (
        OSError,
        ValueError,
        EOFError,
        pickle.UnpicklingError,
        AttributeError,
        ImportError,
    ) as exc:
        _log().debug("metadata cache %s unreadable: %s", path, exc)
        return None
    return reuse if isinstance(reuse, dict) else None


def _marshalled(reuse: Reuse | None) -> bytes | None:
    """The parsed files as marshal data (6x faster to write than pickle), None if not plain.

    YAML may hold dates, sets or binary values that marshal cannot store; such a
    tree is simply not reused (the model is still cached).
    """
    if reuse is None:
        return None
    try:
        return marshal.dumps(dict(reuse))
    except ValueError:
        return None


def write_entry(
    cache_dir: Path, key: str, md: Metadata, stats: Stats | None, reuse: Reuse | None = None
) -> None:
    """Store an entry atomically; a cache that cannot be written is only logged."""
    import tempfile  # not needed by a cache hit

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=cache_dir)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, stats), fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(md, fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(_marshalled(reuse), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, _entry_path(cache_dir, key))
    except OSError as exc:
        _log().warning("metadata cache %s not written: %s", cache_dir, exc)
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
