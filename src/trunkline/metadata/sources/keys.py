"""rdoinfo keys that change what a builder builds: each one honoured, or rejected in one line.

What DLRN's rdoinfo driver reads (``dlrn/drivers/rdoinfo.py``, ``dlrn/build.py``,
``dlrn/repositories.py``) and what trunkline does with it, for a package after its
release's ``tags.<release>`` overrides are merged on top (distroinfo's
``apply_tag``, so every key below may be set per release):

* ``source-branch`` — the upstream ref, a pin: a branch, a tag or a commit hash
  (all three forms are in the real rdoinfo). Honoured; a pin never falls back to
  master. A value YAML read as a number (``source-branch: 2.10`` is the float 2.1)
  is rejected: quote it.
* ``distro-branch`` — the distgit branch instead of the release's ``branch``
  (DLRN's ``getdistrobranch``). Honoured.
* ``build-tags-only`` — build only commits a tag points at (DLRN: the key at the
  top level, or a tag named ``build-tags-only`` in ``tags``; DLRN tests presence,
  so ``build-tags-only:`` with no value counts). Honoured; ``false`` turns it off,
  any other value than null/true/false is rejected.
* ``version-from`` — DLRN merges that ref into the upstream checkout
  (``git merge -s ours``) so its tags drive the version. Rejected: trunkline reads
  the version from the built commit's own history and cannot honour it yet.
* ``upstream`` as a list — DLRN clones each into a subdirectory. Rejected.
* any other key in the followed release's override (``tags.epoxy.source_branch``,
  a typo) — distroinfo would merge it and nothing would read it. Rejected, as
  ``trunkline validate`` does, with the closest known key as a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trunkline.metadata.model import Package
from trunkline.metadata.problems import hint
from trunkline.metadata.schema import TAG_OVERRIDE_KEYS

TAGS_ONLY = "build-tags-only"


@dataclass(frozen=True)
class BuildKeys:
    """What a package's rdoinfo keys say about building it for one release.

    Attributes:
        source_branch: the package's upstream pin, None for the release's branch.
        distro_branch: the package's distgit branch, None for the release's.
        tags_only: build only tagged commits.
    """

    source_branch: str | None
    distro_branch: str | None
    tags_only: bool


class RejectedKeyError(Exception):
    """A key that changes what is built and cannot be honoured (file added by the caller)."""

    def __init__(self, key: str, path: str, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.key = key  # the rdoinfo key (``version-from``)
        self.path = path  # where it is in the package entry (``tags.epoxy.version-from``)
        self.why = why


def key_path(pkg: Package, tag: str | None, key: str) -> str:
    """``tags.<tag>.<key>`` when the release's override sets ``key``, else ``key``."""
    over = pkg.tags.get(tag) if tag else None
    return f"tags.{tag}.{key}" if isinstance(over, dict) and key in over else key


def _ref(pkg: Package, tag: str | None, key: str) -> str | None:
    value: Any = pkg.raw.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    number = isinstance(value, int | float) and not isinstance(value, bool)
    hint = " (quote it: YAML reads 2.10 as the number 2.1)" if number else ""
    raise RejectedKeyError(
        key, key_path(pkg, tag, key), f"expected a branch, tag or commit, got {value!r}{hint}"
    )


def _tags_only(pkg: Package, tag: str | None) -> bool:
    if TAGS_ONLY in pkg.raw:
        value: Any = pkg.raw[TAGS_ONLY]
        if value is None or isinstance(value, bool):
            return value is not False
        raise RejectedKeyError(
            TAGS_ONLY,
            key_path(pkg, tag, TAGS_ONLY),
            f"expected true, false or no value, got {value!r}",
        )
    return TAGS_ONLY in pkg.tags  # DLRN's other form: a tag named build-tags-only


def build_keys(pkg: Package, tag: str | None) -> BuildKeys:
    """Read the keys of ``pkg`` (overrides of ``tag`` already applied) that change the build.

    Raises:
        RejectedKeyError: a key that cannot be honoured, or a value of the wrong type.
    """
    if "version-from" in pkg.raw:
        raise RejectedKeyError(
            "version-from",
            key_path(pkg, tag, "version-from"),
            "not supported (DLRN merges that ref's tags into the version; trunkline takes "
            "the version from the built commit's history: pin source-branch instead)",
        )
    over = pkg.tags.get(tag) if tag else None
    for key in over if isinstance(over, dict) else ():
        if key not in TAG_OVERRIDE_KEYS:
            raise RejectedKeyError(
                str(key),
                f"tags.{tag}.{key}",
                f"unknown key in the overrides of tag {tag!r}{hint(str(key), TAG_OVERRIDE_KEYS)}",
            )
    if isinstance(pkg.raw.get("upstream"), list):
        raise RejectedKeyError(
            "upstream",
            key_path(pkg, tag, "upstream"),
            "a list of upstreams is not supported (expected one git URL)",
        )
    return BuildKeys(
        source_branch=_ref(pkg, tag, "source-branch"),
        distro_branch=_ref(pkg, tag, "distro-branch"),
        tags_only=_tags_only(pkg, tag),
    )
