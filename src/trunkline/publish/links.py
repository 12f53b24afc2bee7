"""Moving the named links of a repo tree (``current``, ``consistent``, promotions).

Links are relative (``ab/cd/<hash>_<distro>``, or relative to the component's
directory), so the tree can be rsync-ed or moved, and they are swapped with an
atomic rename (:func:`trunkline.publish.atomic.swap_link`): a reader always finds
the old or the new target, never nothing.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from trunkline.errors import PublishError
from trunkline.publish.atomic import swap_link
from trunkline.publish.layout import check_name, link_dir


def link_target(repos: Path, relpath: PurePosixPath, component: str | None = None) -> str:
    """The relative target a link in ``link_dir(repos, component)`` needs to reach ``relpath``."""
    return os.path.relpath(repos / relpath, link_dir(repos, component))


def move_link(repos: Path, name: str, relpath: PurePosixPath, component: str | None = None) -> Path:
    """Point the link ``name`` (per component when given) at the build repo ``relpath``.

    Raises:
        PublishError: the target repo does not exist (a link is never left dangling).
        UnsafeNameError: ``name`` is not a safe path component.
    """
    check_name(name, "link name")
    if not (repos / relpath).is_dir():
        raise PublishError(f"{relpath}: no such repo in {repos}; link {name!r} not moved")
    link = link_dir(repos, component) / name
    swap_link(link, link_target(repos, relpath, component))
    return link


def read_link(repos: Path, name: str, component: str | None = None) -> PurePosixPath | None:
    """The repo-tree-relative path a link points at, or None if it does not exist."""
    link = link_dir(repos, component) / name
    if not link.is_symlink():
        return None
    target = (link.parent / os.readlink(link)).resolve()
    try:
        return PurePosixPath(target.relative_to(repos.resolve()))
    except ValueError:
        return None
