"""``load_metadata``: any location in, a cached and indexed :class:`Metadata` out.

This module decides what kind of location it was given (directory, git path or
URL with a ref, tarball), asks ``source.py`` for a local tree and ``cache.py``
for a ready model, and parses the YAML (``load.py``) only on a cache miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline.errors import MetadataLoadError
from trunkline.metadata import cache
from trunkline.metadata.catalog import Metadata
from trunkline.metadata.gcpause import gc_paused
from trunkline.metadata.source import (
    GitTree,
    checkout_tree,
    extract_tarball,
    is_tarball,
    is_url,
    mirror_remote,
    resolve_git,
    split_ref,
)


@dataclass(frozen=True)
class Location:
    """A resolved metadata location.

    Attributes:
        directory: a directory to read as is (plain dir, work tree, extracted tarball).
        git: a git tree to read instead (a ref was asked for, or a URL given).
    """

    directory: Path | None = None
    git: GitTree | None = None


def resolve_location(
    location: str | Path, ref: str | None, info_file: str, cache_dir: Path
) -> Location:
    """Work out what to read for ``location`` (and ``ref``).

    Raises:
        MetadataLoadError: the location does not exist or the ref cannot be resolved.
    """
    text = str(location)
    if ref is None and not Path(text).exists():
        text, ref = split_ref(text)
    path = Path(text).expanduser()
    if path.exists():
        if is_tarball(path):
            if ref:
                raise MetadataLoadError(f"{path}: a tarball has no git ref (got @{ref})")
            return Location(directory=extract_tarball(path, cache_dir, info_file))
        if not path.is_dir():
            raise MetadataLoadError(
                f"{path}: expected a metadata directory, git repository or tarball"
            )
        if ref is None:
            return Location(directory=path)
        return Location(git=resolve_git(path, ref))
    if is_url(text):
        return Location(git=mirror_remote(text, ref or "HEAD", cache_dir))
    raise MetadataLoadError(
        f"{text}: metadata location not found (expected a directory, git URL[@REF] or tarball)"
    )


def load_metadata(
    location: str | Path,
    *,
    ref: str | None = None,
    info_files: Sequence[str] = ("rdo.yml",),
    cache_dir: Path | None = None,
) -> Metadata:
    """Load rdoinfo metadata, from the cache when its content has not changed.

    Args:
        location: a directory, a git repository path or URL (``URL@REF`` accepted), or
            a tarball.
        ref: git ref to read (branch, tag, commit); None reads a directory as it is on
            disk, or a URL's HEAD.
        info_files: entry files, relative to the tree (``rdo.yml``, ``rdo-full.yml``).
        cache_dir: where merged models are cached (default ``$TRUNKLINE_CACHE_DIR`` or
            ``~/.cache/trunkline/metadata``).

    Returns:
        The merged, indexed metadata.

    Raises:
        MetadataLoadError: the location, a file or an import cannot be read.
    """
    cdir = cache_dir or cache.default_cache_dir()
    files = tuple(info_files)
    if not files:
        raise MetadataLoadError("info_files: empty (expected at least one entry file)")
    loc = resolve_location(location, ref, files[0], cdir)
    if loc.directory is not None:
        root = loc.directory.resolve()
        key = cache.cache_key("dir", str(root), *files)
        md = cache.read_entry(cdir, key, root)
        if md is not None:
            return md
        from trunkline.metadata.load import load_info  # YAML only on a miss

        stats: list[tuple[str, int, int]] = []
        parsed: dict[str, tuple[int, int, Any]] = {}
        with gc_paused():
            reuse = cache.read_reuse(cdir, key)
            info, read = load_info(root, files, stats=stats, reuse=reuse, parsed=parsed)
            md = Metadata(info, read, identity=str(root))
            cache.write_entry(cdir, key, md, stats, parsed)
        return md
    assert loc.git is not None
    key = cache.cache_key("git", loc.git.tree, *files)
    md = cache.read_entry(cdir, key, None)
    if md is not None:
        return md
    from trunkline.metadata.load import load_info

    with gc_paused(), checkout_tree(loc.git, cdir / "scratch") as root:
        info, read = load_info(root, files)
        md = Metadata(info, read, identity=loc.git.tree)
        cache.write_entry(cdir, key, md, None)
    return md
