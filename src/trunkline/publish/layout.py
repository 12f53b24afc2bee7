"""Names and paths of the repo tree, DLRN-compatible.

A build's repo lives at ``[component/<c>/]<h[0:2]>/<h[2:4]>/<h>_<distro[:8]>``
(``_<extended[:8]>`` appended for downstream builds). Every name that becomes a
path component is validated here, so no caller can be tricked into writing
outside the repo tree.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from trunkline.errors import UnsafeNameError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HASH = re.compile(r"^[0-9a-zA-Z][0-9a-zA-Z._-]*$")


def check_name(name: str, what: str = "name") -> str:
    """Return ``name`` if it is safe as one path component.

    Raises:
        UnsafeNameError: empty, ``.``/``..``, contains ``/`` or ``\\``, control
            characters, or starts with ``-`` (would read as an option to tools).
    """
    if (
        not name
        or name in {".", ".."}
        or "/" in name
        or "\\" in name
        or _CONTROL.search(name)
        or name.startswith("-")
        or len(name) > 255
    ):
        raise UnsafeNameError(f"{what} {name!r}: not a safe name (no '/', '..', control chars)")
    return name


def check_hash(value: str, what: str = "hash") -> str:
    """Return ``value`` if it looks like a commit hash usable in a path.

    Raises:
        UnsafeNameError: it contains anything but letters, digits, ``.``, ``_``, ``-``.
    """
    if not _HASH.match(value or "") or len(value) > 128:
        raise UnsafeNameError(f"{what} {value!r}: expected a commit hash")
    return value


def build_dir_name(commit_hash: str, distro_hash: str, extended_hash: str | None = None) -> str:
    """The leaf directory name of a build: ``<commit>_<distro[:8]>[_<ext>]``.

    The extended part is DLRN's (``Commit.getshardedcommitdir`` in ``dlrn/db.py``):
    an extended hash shorter than 49 characters is taken as one value (a git hash,
    or whatever a pkginfo driver uses, such as ``YYYYMMDD``) and gives
    ``_<ext[:8]>``; a longer one is two 40-character hashes joined by ``_`` and
    gives ``_<ext[:8]>_<ext[41:49]>``.
    """
    check_hash(commit_hash, "commit_hash")
    check_hash(distro_hash, "distro_hash")
    name = f"{commit_hash}_{distro_hash[:8]}"
    if extended_hash and extended_hash != "None":
        check_hash(extended_hash, "extended_hash")
        if len(extended_hash) < 49:
            name += f"_{extended_hash[:8]}"
        else:
            name += f"_{extended_hash[:8]}_{extended_hash[41:49]}"
    return name


def build_relpath(
    commit_hash: str,
    distro_hash: str,
    extended_hash: str | None = None,
    component: str | None = None,
) -> PurePosixPath:
    """The repo-tree-relative path of a build's hashed repo (DLRN's sharded layout)."""
    leaf = build_dir_name(commit_hash, distro_hash, extended_hash)
    rel = PurePosixPath(commit_hash[:2], commit_hash[2:4], leaf)
    if component:
        rel = PurePosixPath("component", check_name(component, "component")) / rel
    return rel


def build_path(
    repos: Path,
    commit_hash: str,
    distro_hash: str,
    extended_hash: str | None = None,
    component: str | None = None,
) -> Path:
    """Absolute path of a build's hashed repo under ``repos``."""
    return repos / build_relpath(commit_hash, distro_hash, extended_hash, component)


def link_dir(repos: Path, component: str | None = None) -> Path:
    """The directory holding ``current``/``consistent``/promotion links (per component)."""
    if component:
        return repos / "component" / check_name(component, "component")
    return repos


def aggregate_relpath(name: str, agg_hash: str) -> PurePosixPath:
    """Where an aggregate repo file set lives: ``<name>/<h[:2]>/<h[2:4]>/<h>``."""
    check_name(name, "promotion name")
    check_hash(agg_hash, "aggregate_hash")
    return PurePosixPath(name, agg_hash[:2], agg_hash[2:4], agg_hash)
