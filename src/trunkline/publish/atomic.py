"""Atomic filesystem moves: a half-written repo or a missing link is never visible.

Two primitives cover every publication: build a directory under a temporary
name in the same filesystem and ``rename`` it into place, and replace a symlink
by creating the new one under a temporary name and ``rename``-ing it over the old
one (POSIX rename is atomic; DLRN deletes then recreates, leaving a window with
no link). ``fsync`` of the parent directory makes the rename durable across a
power cut, not only a process kill.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from trunkline.errors import PublishError
from trunkline.publish.layout import check_name

TMP_PREFIX = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries to disk (after a rename or link swap)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_sibling(final: Path) -> Path:
    """A unique temporary path next to ``final`` (same filesystem, hidden name)."""
    return final.parent / f"{TMP_PREFIX}{final.name}.{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def staged_dir(final: Path, prepared: Path | None = None) -> Iterator[Path]:
    """Yield a temp dir that becomes ``final`` only if the block succeeds.

    If ``final`` already exists it is replaced as a whole (the old one is moved
    aside first and removed after), so readers see either the old or the new
    directory, never a mix. On any error the temp dir is removed. ``prepared`` is a
    temp sibling of ``final`` filled beforehand (see ``publish.repo.stage_links``).

    Raises:
        PublishError: the rename fails.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if prepared is not None:
        tmp = prepared
    else:
        tmp = temp_sibling(final)
        tmp.mkdir()
    try:
        yield tmp
        old = None
        if final.exists():
            old = temp_sibling(final)
            final.rename(old)
        try:
            tmp.rename(final)
        except OSError as exc:
            if old is not None:
                old.rename(final)
            raise PublishError(f"{final}: cannot publish: {exc.strerror}") from None
        fsync_dir(final.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def swap_link(link: Path, target: str | os.PathLike[str]) -> None:
    """Point the symlink ``link`` at ``target`` atomically (create or replace).

    ``target`` is stored as given, so pass a relative path to keep the tree
    relocatable (and rsync-able) as DLRN does.

    Raises:
        PublishError: ``link`` exists and is a real directory or file, or the
            rename fails.
    """
    check_name(link.name, "link name")
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists() and not link.is_symlink():
        raise PublishError(f"{link}: exists and is not a symlink; refusing to replace it")
    tmp = temp_sibling(link)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PublishError(f"{link}: cannot move link: {exc.strerror}") from None
    fsync_dir(link.parent)


def write_file_atomic(path: Path, data: str | bytes) -> None:
    """Write a file so readers see the old or the new content, never a prefix.

    Text is written as UTF-8. The temporary sibling is removed if anything fails
    (a full disk, an interrupt), so a failed write leaves ``path`` as it was.
    """
    write_chunks_atomic(path, (data,))


def write_chunks_atomic(path: Path, chunks: Iterable[str | bytes]) -> None:
    """:func:`write_file_atomic` of what ``chunks`` make, written as they come (text as UTF-8).

    A page rendered by a template's ``generate()`` or JSON by ``iterencode()`` is
    never held whole in memory (a 700-package status page is ~0.9 MB as one str).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(path)
    try:
        with open(tmp, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# A published build dir (``<hash>_<distro8>[_<ext8>]``): temporaries are its siblings, never
# inside it, so the sweep does not descend into the thousands of them (each holds a link
# to every package's RPM).
_BUILD_DIR = re.compile(r"^[0-9a-zA-Z.-]+_[0-9a-zA-Z.-]{1,8}(_[0-9a-zA-Z._-]+)?$")
MAX_SWEEP_DEPTH = 6


def remove_stale_temps(root: Path) -> int:
    """Delete leftovers of interrupted publications (``.tmp-*``) under ``root``.

    Only the levels where publication stages things are swept (links, hashed dir
    shards, component dirs, aggregate dirs); published build dirs are not entered.

    Returns:
        How many were removed.
    """
    removed = 0
    if not root.exists():
        return 0
    base_depth = len(root.parts)
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).parts) - base_depth
        for name in list(dirnames):
            if name.startswith(TMP_PREFIX):
                stale = Path(dirpath) / name
                if stale.is_symlink():
                    stale.unlink(missing_ok=True)
                else:
                    shutil.rmtree(stale, ignore_errors=True)
                dirnames.remove(name)
                removed += 1
            elif depth >= MAX_SWEEP_DEPTH or _BUILD_DIR.match(name) or name == "repodata":
                dirnames.remove(name)
        for name in filenames:
            if name.startswith(TMP_PREFIX):
                (Path(dirpath) / name).unlink(missing_ok=True)
                removed += 1
    return removed
