"""What changed between two versions of the metadata: what must be rebuilt or re-tagged.

DLRN needs to know which packages appeared, disappeared or changed their
release tags, pins or attributes (rebuild); release tooling needs the
buildsys-tag NVR moves (re-tag). ``rdopkg info-tags-diff`` answered one of
those questions per run and compared HEAD~ with HEAD only; this compares any
two loaded :class:`Metadata` (any two git revisions) in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trunkline.metadata.catalog import Metadata
from trunkline.metadata.model import Package

_SKIP_ATTRS = frozenset({"tags", "buildsys-tags"})

Change = tuple[Any, Any]


@dataclass(frozen=True)
class PackageChange:
    """How one package (matched by project) differs between two versions.

    Attributes:
        name: package name in the new version.
        project: rdoinfo project.
        tags_added: release tags the package gained.
        tags_removed: release tags it lost.
        pins: tag -> (old pin, new pin) for per-release ``source-branch`` changes.
        overrides: tag -> (old, new) for other per-release override changes.
        buildsys_tags: CBS tag -> (old NVR, new NVR); None on the missing side.
        attributes: top-level key -> (old, new) for everything else.
    """

    name: str
    project: str
    tags_added: list[str] = field(default_factory=list)
    tags_removed: list[str] = field(default_factory=list)
    pins: dict[str, Change] = field(default_factory=dict)
    overrides: dict[str, Change] = field(default_factory=dict)
    buildsys_tags: dict[str, Change] = field(default_factory=dict)
    attributes: dict[str, Change] = field(default_factory=dict)

    @property
    def needs_rebuild(self) -> bool:
        """True when a builder must rebuild: tags, pins, overrides or attributes changed."""
        return bool(
            self.tags_added or self.tags_removed or self.pins or self.overrides or self.attributes
        )

    def describe(self) -> str:
        """One line: ``name: tags +a -b; pin t: x -> y; nvr t: x -> y; attr k: x -> y``."""
        parts: list[str] = []
        if self.tags_added or self.tags_removed:
            tags = [f"+{t}" for t in self.tags_added] + [f"-{t}" for t in self.tags_removed]
            parts.append("tags " + " ".join(tags))
        parts += [f"pin {t}: {o} -> {n}" for t, (o, n) in sorted(self.pins.items())]
        parts += [f"override {t}: {o} -> {n}" for t, (o, n) in sorted(self.overrides.items())]
        parts += [f"nvr {t}: {o} -> {n}" for t, (o, n) in sorted(self.buildsys_tags.items())]
        parts += [f"{k}: {o!r} -> {n!r}" for k, (o, n) in sorted(self.attributes.items())]
        return f"{self.name}: " + "; ".join(parts)


@dataclass(frozen=True)
class MetadataDiff:
    """Packages added, removed and changed (by project), sorted by name."""

    added: list[Package]
    removed: list[Package]
    changed: list[PackageChange]

    @property
    def empty(self) -> bool:
        """True when nothing differs."""
        return not (self.added or self.removed or self.changed)


def _pin(over: Any) -> Any:
    return over.get("source-branch") if isinstance(over, dict) else None


def _rest(over: Any) -> Any:
    if not isinstance(over, dict):
        return None
    rest = {k: v for k, v in over.items() if k != "source-branch"}
    return rest or None


def diff_packages(old: Package, new: Package) -> PackageChange | None:
    """The change between two versions of one package, or None if identical."""
    if old.raw == new.raw:
        return None
    change = PackageChange(name=new.name, project=new.project)
    change.tags_added.extend(sorted(set(new.tags) - set(old.tags)))
    change.tags_removed.extend(sorted(set(old.tags) - set(new.tags)))
    for tag in set(old.tags) | set(new.tags):
        o, n = old.tags.get(tag), new.tags.get(tag)
        if _pin(o) != _pin(n):
            change.pins[tag] = (_pin(o), _pin(n))
        if _rest(o) != _rest(n):
            change.overrides[tag] = (_rest(o), _rest(n))
    for btag in set(old.buildsys_tags) | set(new.buildsys_tags):
        o_nvr, n_nvr = old.buildsys_tags.get(btag), new.buildsys_tags.get(btag)
        if o_nvr != n_nvr:
            change.buildsys_tags[btag] = (o_nvr, n_nvr)
    for key in (set(old.raw) | set(new.raw)) - _SKIP_ATTRS:
        if old.raw.get(key) != new.raw.get(key):
            change.attributes[key] = (old.raw.get(key), new.raw.get(key))
    if not (change.needs_rebuild or change.buildsys_tags):
        return None
    return change


def diff_metadata(old: Metadata, new: Metadata) -> MetadataDiff:
    """Compare two loaded metadata versions package by package (matched by project)."""
    old_by = {p.project: p for p in old.packages}
    new_by = {p.project: p for p in new.packages}
    added = [new_by[k] for k in new_by.keys() - old_by.keys()]
    removed = [old_by[k] for k in old_by.keys() - new_by.keys()]
    changed = [
        c
        for k in new_by.keys() & old_by.keys()
        if (c := diff_packages(old_by[k], new_by[k])) is not None
    ]
    return MetadataDiff(
        added=sorted(added, key=lambda p: p.name),
        removed=sorted(removed, key=lambda p: p.name),
        changed=sorted(changed, key=lambda c: c.name),
    )
