"""RDO's rules for moving ``source-branch`` pins to upper-constraints (releng ``update_uc``).

From ``../shared/reference/rdopkg-rdoinfo.md`` §2.2 (rdoinfo's ``update-uc.py``
and releng's ``rdoutils/cmd/update_uc.py``):

- module -> rdoinfo project: drop a ``python-`` prefix, ``.`` becomes ``-``
  (``oslo.config`` -> ``oslo-config``, ``python-novaclient`` -> ``novaclient``),
  then the exception map: upper-constraints wrote ``glance-store`` until zed
  and ``glance_store`` since, while the rdoinfo project is ``glance_store``, so
  ``glance-store`` maps to ``glance_store`` (the reference notes the map as
  ``{glance_store: glance-store}``; read that way no release would ever bump it);
- projects never bumped (TripleO tooling and services followed on branches):
  :data:`SKIP`;
- a package whose tags hold ``version-locked`` is skipped: for every release when
  its value is null, else for the releases it lists (``{wallaby: null}``);
- a package whose tags hold ``under-review`` is skipped;
- a package is bumped only if it is already tagged with the tag (never added).

trunkline adds one rule: a pin that is a version higher than upper-constraints
(rpm ordering) is reported and kept, unless a downgrade is asked for.
"""

from __future__ import annotations

import re
from typing import Any

EXCEPTIONS = {"glance-store": "glance_store"}
SKIP = frozenset(
    {
        "diskimage-builder",
        "os-apply-config",
        "os-collect-config",
        "os-net-config",
        "os-refresh-config",
        "os-cloud-config",
        "tripleo-common",
        "mistral",
        "tempest",
        "instack-undercloud",
        "paunch",
        "directord",
        "task-core",
        "tripleo-ansible",
    }
)
_VERSIONISH = re.compile(r"\d+(\.\d+)*([.+~-]?[0-9A-Za-z]+)*")
_SHA = re.compile(r"[0-9a-f]{40}")


def project_of(module: str) -> str:
    """The rdoinfo project an upper-constraints module names (see the module docstring)."""
    name = module.removeprefix("python-").replace(".", "-")
    return EXCEPTIONS.get(name, name)


def locked(tags: dict[str, Any], tag: str) -> bool:
    """Whether ``version-locked`` holds the package for ``tag`` (``epoxy`` or ``epoxy-uc``)."""
    if "version-locked" not in tags:
        return False
    which = tags["version-locked"]
    if not isinstance(which, dict) or not which:
        return True
    return tag in which or tag.removesuffix("-uc") in which


def is_version(ref: str) -> bool:
    """Whether a pin reads as a version (not a branch, a puppet ``v`` tag or a commit)."""
    return bool(_VERSIONISH.fullmatch(ref)) and not _SHA.fullmatch(ref)
