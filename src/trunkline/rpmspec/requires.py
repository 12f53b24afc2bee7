"""The spec's ``Requires:``: what rpm parsed, and syncing them with upstream's requirements.

``distgit reqcheck`` reads the Requires of every (sub)package as rpm parsed them
(:func:`spec_requires`) and, with ``--sync``, writes upstream's minimum versions
into the spec (:func:`sync_requires`) in the spec's own alignment and
``python3-`` naming. Edits go through :func:`.adapter.edit_spec`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from trunkline.rpmspec import adapter
from trunkline.rpmspec.adapter import EditableSpec, read_spec


@dataclass(frozen=True)
class SpecRequire:
    """One ``Requires:`` dependency of one (sub)package, as rpm parsed it."""

    name: str
    op: str = ""
    version: str = ""


def spec_requires(path: Path) -> tuple[list[SpecRequire], set[str]]:
    """All ``Requires`` of every (sub)package, as librpm parsed them, and all Provides.

    Returns:
        (requires in spec order with duplicates removed, names the spec provides).
    """
    info = read_spec(path)
    requires: list[SpecRequire] = []
    for name, op, version in info.requires_detail:
        if name.startswith(("rpmlib(", "/")):
            continue
        req = SpecRequire(name, op, version)
        if req not in requires:
            requires.append(req)
    return requires, set(info.provides)


def _package_section_ids(spec: EditableSpec) -> list[str]:
    with spec.sections() as sections:
        return [s.id for s in sections if s.normalized_name == "package"]


def requires_alignment(path: Path) -> str:
    """The separator the spec uses after ``Requires`` (e.g. ``':       '``)."""
    with adapter.edit_spec(path) as spec:
        return _requires_separator(spec)


def _requires_separator(spec: EditableSpec) -> str:
    for section_id in _package_section_ids(spec):
        with spec.tags(section_id) as tags:
            for tag in tags:
                if tag.name == "Requires":
                    return adapter.tag_separator(tag)
    return ":        "


def sync_requires(path: Path, wanted: Mapping[str, str], *, normalize: bool = True) -> list[str]:
    """Make the spec's Requires carry the wanted versions; add the missing ones.

    Args:
        path: the spec.
        wanted: RPM name in the ``python-`` form → version clause (``">= 1.2"`` or ``""``).
        normalize: match ``python3-x`` in the spec to ``python-x`` in ``wanted``.

    Returns:
        The Requires values written (changed or added), for the report.

    An existing line keeps its name (``python3-x``) and gets the new clause.
    Missing ones go after the last ``Requires`` of the subpackage holding the most
    python Requires, with the same ``python3-`` prefix that subpackage uses.
    """
    written: list[str] = []
    seen: set[str] = set()
    with adapter.edit_spec(path) as spec:
        ids = _package_section_ids(spec)
        separator = _requires_separator(spec)
        best_id, best_count, prefix = ids[0], -1, "python3-"
        for section_id in ids:
            with spec.tags(section_id) as tags:
                count = 0
                for tag in tags:
                    if tag.name != "Requires" or not tag.value.split():
                        continue
                    name = tag.value.split()[0]
                    key = normalize_python_name(name) if normalize else name
                    if key.startswith("python-"):
                        count += 1
                        if name.startswith("python3-"):
                            prefix = "python3-"
                    if key in wanted and key not in seen:
                        seen.add(key)
                        value = f"{name} {wanted[key]}".strip()
                        if value != tag.value:
                            tag.value = value
                            written.append(value)
                if count > best_count:
                    best_id, best_count = section_id, count
        missing = [k for k in wanted if k not in seen]
        if missing:
            with spec.tags(best_id) as tags:
                reqs = [i for i, t in enumerate(tags) if t.name == "Requires"]
                at = reqs[-1] + 1 if reqs else len(tags)
                for key in missing:
                    name = (
                        prefix + key.removeprefix("python-") if key.startswith("python-") else key
                    )
                    value = f"{name} {wanted[key]}".strip()
                    tags.insert(at, adapter.new_tag("Requires", value, separator))
                    at += 1
                    written.append(value)
    return written


def normalize_python_name(name: str) -> str:
    """``python3-foo`` / ``python2-foo`` → ``python-foo`` (how rdopkg compares names)."""
    return re.sub(r"^python[23]-", "python-", name)
