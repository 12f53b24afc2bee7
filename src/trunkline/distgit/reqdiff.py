"""``trunkline distgit reqdiff``: how ``requirements.txt`` changed between two upstream refs.

Shown by ``new-version`` for the old and new tags, and on its own for any two
refs (default: the tag of the spec's Version and the newest upstream tag). rdopkg's
``reqdiff`` crashes on a missing argument in 1.8.0; this one compares parsed
PEP 508 requirements, so whitespace and ordering changes are not reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trunkline.distgit.requirements import DEFAULT_PYTHON, Req, requirements_at


@dataclass(frozen=True)
class ChangedReq:
    """A requirement whose version specifier changed."""

    package: str
    old: str
    new: str


@dataclass(frozen=True)
class ReqDiff:
    """Added, changed and removed requirements between two refs."""

    old_ref: str
    new_ref: str
    added: tuple[Req, ...] = field(default_factory=tuple)
    changed: tuple[ChangedReq, ...] = field(default_factory=tuple)
    removed: tuple[Req, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        """Human-readable ADDED / CHANGED / REMOVED blocks."""
        out: list[str] = []
        if self.added:
            out += ["ADDED:", *(f"  {r.package} {r.specifier}".rstrip() for r in self.added)]
        if self.changed:
            out += ["CHANGED:"]
            out += [f"  {c.package} {c.new}  (was {c.old or 'not capped'})" for c in self.changed]
        if self.removed:
            out += ["REMOVED:", *(f"  {r.package} {r.specifier}".rstrip() for r in self.removed)]
        return out or ["no requirements changed"]


def diff_requirements(old: list[Req], new: list[Req], old_ref: str, new_ref: str) -> ReqDiff:
    """Compare two parsed requirement lists by RPM name."""
    old_by = {r.package: r for r in old}
    new_by = {r.package: r for r in new}
    added = tuple(r for r in new if r.package not in old_by)
    removed = tuple(r for r in old if r.package not in new_by)
    changed = tuple(
        ChangedReq(r.package, old_by[r.package].specifier, r.specifier)
        for r in new
        if r.package in old_by and old_by[r.package].specifier != r.specifier
    )
    return ReqDiff(old_ref, new_ref, added, changed, removed)


def reqdiff(
    repo: Path, old_ref: str, new_ref: str, *, python_version: str = DEFAULT_PYTHON
) -> ReqDiff:
    """Requirement changes between two refs of the repository (see the module docstring)."""
    return diff_requirements(
        requirements_at(repo, old_ref, python_version=python_version),
        requirements_at(repo, new_ref, python_version=python_version),
        old_ref,
        new_ref,
    )
