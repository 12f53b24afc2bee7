"""Buildsys-tag entries set in two places: conflicting NVRs, tag files keyed to another tag.

distroinfo merges the ``buildsys-tags`` dicts of all files key by key, the
later file winning (``parse.py _merge``; a later null never overrides), and
says nothing when two files give one package two NVRs for the same CBS tag.
rdoinfo keeps one file per CBS tag, ``buildsys-tags/<tag>.yml``, and
``trunkline meta set-nvr`` writes there too. A file copied from the previous
release without renaming its keys repeats the old tag and leaves its own tag
empty in the merge: the 2025-07 snapshot's
``buildsys-tags/cloud10s-openstack-flamingo-el10s-build.yml`` is a copy of the
epoxy file, 128 entries keyed to ``cloud10s-openstack-epoxy-el10s-build``.

Both are errors: two NVRs for one (package, tag) make the metadata ambiguous
(which build is in the tag depends on import order), and a file keyed to
another tag says nothing about its own tag. The checks read the documents as
written, so each line names both files; the loader's merge is untouched.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from trunkline.metadata.load import Document
from trunkline.metadata.problems import ERROR, Context
from trunkline.metadata.schema import VERSION_LOCKED

BUILDSYS_DIR = "buildsys-tags"


@dataclass(frozen=True)
class Assignment:
    """One ``project: {buildsys-tags: {tag: nvr}}`` as written.

    Attributes:
        file: metadata file (relative path).
        line: 1-based line of the tag key, 0 when unknown.
        project: the package's rdoinfo project.
        tag: the CBS tag.
        nvr: the value written (an NVR string, or whatever the file holds).
    """

    file: str
    line: int
    project: str
    tag: str
    nvr: Any


@functools.cache
def own_tag(rel: str) -> str | None:
    """The CBS tag a file is for: ``buildsys-tags/<tag>.yml`` -> ``<tag>``, else None.

    Cached: asked once per assignment (28,000 in rdoinfo) for a hundred file names.
    """
    path = PurePosixPath(rel)
    if path.parent.name == BUILDSYS_DIR and path.suffix in (".yml", ".yaml"):
        return path.stem
    return None


def assignments(ctx: Context, docs: Sequence[Document]) -> list[Assignment]:
    """Every buildsys-tag assignment of every document, in load order (malformed ones skipped)."""
    out: list[Assignment] = []
    for doc in docs:
        packages = doc.data.get("packages")
        if not isinstance(packages, list):
            continue
        for entry in packages:
            if not isinstance(entry, dict) or not entry.get("project"):
                continue
            btags = entry.get("buildsys-tags")
            if not isinstance(btags, dict):
                continue
            project = str(entry["project"])
            for tag, nvr in btags.items():
                out.append(Assignment(doc.path, ctx.line(btags, tag), project, str(tag), nvr))
    return out


def check_buildsys_sources(ctx: Context, docs: Sequence[Document]) -> None:
    """Report NVRs that conflict across entries and tag files keyed to another tag."""
    found = assignments(ctx, docs)
    by_key: dict[tuple[str, str], list[Assignment]] = {}
    for a in found:
        by_key.setdefault((a.project, a.tag), []).append(a)
    _check_conflicts(ctx, by_key)
    _check_foreign_keys(ctx, docs, found, by_key)


def _check_conflicts(ctx: Context, by_key: dict[tuple[str, str], list[Assignment]]) -> None:
    """One line per assignment whose NVR differs from the first one for its (package, tag)."""
    for (project, tag), seen in by_key.items():
        values = [a for a in seen if a.nvr is not None]  # a null never wins the merge
        if len(values) < 2:
            continue
        first = values[0]
        for a in values[1:]:
            if a.nvr == first.nvr:
                continue
            ctx.add(
                ERROR,
                a.file,
                a.line,
                f"NVR {a.nvr!r} conflicts with {first.nvr!r} set at "
                f"{_at(first)} (the file loaded last wins; expected one NVR per package "
                "and tag)",
                package=project,
                field=f"buildsys-tags.{tag}",
            )


def _check_foreign_keys(
    ctx: Context,
    docs: Sequence[Document],
    found: list[Assignment],
    by_key: dict[tuple[str, str], list[Assignment]],
) -> None:
    """One line per (tag file, other tag) for entries keyed to a tag not the file's own."""
    tag_files = {t: d.path for d in docs if (t := own_tag(d.path)) is not None}
    foreign: dict[tuple[str, str], list[Assignment]] = {}
    for a in found:
        mine = own_tag(a.file)
        if mine is not None and a.tag not in (mine, VERSION_LOCKED):
            foreign.setdefault((a.file, a.tag), []).append(a)
    for (file, tag), entries in foreign.items():
        ctx.add(
            ERROR,
            file,
            entries[0].line,
            f"{_count(entries)} keyed to buildsys-tag {tag!r}"
            f"{_whose(tag, tag_files.get(tag), entries, by_key)}; expected every entry of "
            f"this file keyed to {own_tag(file)!r}",
            package=entries[0].project if len(entries) == 1 else "",
            field=f"buildsys-tags.{tag}",
        )


def _count(entries: list[Assignment]) -> str:
    return f"{len(entries)} entries" if len(entries) > 1 else "1 entry"


def _whose(
    tag: str,
    other: str | None,
    entries: list[Assignment],
    by_key: dict[tuple[str, str], list[Assignment]],
) -> str:
    """Which file owns ``tag`` and how many of ``entries`` merely repeat it."""
    if other is None:
        return f" (no {BUILDSYS_DIR}/{tag}.yml holds it)"
    same = differ = 0
    for a in entries:
        there = [b.nvr for b in by_key[(a.project, a.tag)] if b.file == other]
        same += a.nvr in there
        differ += bool(there) and a.nvr not in there
    if len(entries) == 1:
        how = "with the same NVR" if same else "with another NVR" if differ else "not set there"
        return f", the tag of {other} ({how})"
    more = f", {differ} with another" if differ else ""
    return f", the tag of {other} ({same} of them set there with the same NVR{more})"


def _at(a: Assignment) -> str:
    return f"{a.file}:{a.line}" if a.line else a.file
