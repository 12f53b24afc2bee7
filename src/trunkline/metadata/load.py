"""Read rdoinfo YAML files and merge them exactly as distroinfo does, but parse each once.

distroinfo (``fetch.py`` + ``parse.py``) follows ``import:`` depth-first, the
importing file first, then merges all documents: ``packages`` keyed by
``project`` and ``releases`` by ``name``, dicts merged recursively, lists
concatenated, a later null never overriding. Packages then get
``package-default`` + ``package-configs[conf]`` + the entry (shallow, entry keys
win), an optional release tag's overrides, and one pass of ``%(key)s``
substitution on top-level strings. We keep those semantics, with two
differences that do not change the result: a file imported twice is read once
(distroinfo re-reads ``tags.yml``), and a broken package (unknown conf, bad
substitution) is kept as far as possible so that ``validate`` can report every
problem instead of the first one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from trunkline.errors import EntryFileMissingError, MetadataLoadError
from trunkline.metadata.readers import FileResult, Reuse, read_files
from trunkline.metadata.shape import shape_problems
from trunkline.metadata.subst import substitute

Info = dict[str, Any]


@dataclass(frozen=True)
class Document:
    """One parsed YAML file of the metadata tree.

    Attributes:
        path: path relative to the metadata root, as written in ``import:``.
        data: the parsed mapping.
    """

    path: str
    data: dict[str, Any]


def _safe_relpath(name: object, importer: str) -> str:
    """Check an import target stays inside the tree; return it normalized."""
    if not isinstance(name, str) or not name:
        raise MetadataLoadError(f"{importer}: field 'import': expected a list of file names")
    if "\0" in name:
        raise MetadataLoadError(
            f"{importer}: field 'import': {name!r} holds a NUL byte (expected a file name)"
        )
    parts = PurePosixPath(name).parts
    if PurePosixPath(name).is_absolute() or ".." in parts:
        raise MetadataLoadError(
            f"{importer}: field 'import': {name!r} leaves the metadata tree "
            "(expected a relative path without '..')"
        )
    return str(PurePosixPath(*parts))


def _import_names(data: dict[str, Any], rel: str) -> list[str]:
    """The validated, normalized ``import:`` list of a document."""
    imports = data.get("import") or []
    if not isinstance(imports, list):
        raise MetadataLoadError(f"{rel}: field 'import': expected a list of file names")
    return [_safe_relpath(name, rel) for name in imports]


def read_documents(
    root: Path,
    info_files: Sequence[str],
    *,
    loader: type[Any] | None = None,
    overrides: Mapping[str, str] | None = None,
    stats: list[tuple[str, int, int]] | None = None,
    reuse: Reuse | None = None,
    parsed: dict[str, tuple[int, int, Any]] | None = None,
) -> list[Document]:
    """Read the entry files and everything they import, each file once.

    Files are read level by level (entries, what they import, ...) so that each
    level is parsed as one batch (reused or in parallel, see ``readers.py``);
    the documents are then ordered as distroinfo reads them.

    Args:
        root: the metadata tree.
        info_files: entry files, relative to ``root`` (``rdo.yml``, ``rdo-full.yml``).
        loader: a YAML loader class instead of the fast default (validation passes
            one that records lines).
        overrides: relpath -> text to use instead of the file (edits checked before writing).
        stats: when given, receives ``(relpath, size, mtime_ns)`` of each file, taken
            before reading it, so a cache keyed on them can never hide a later change.
        reuse: parsed files of an earlier load, used where ``(size, mtime_ns)`` match.
        parsed: when given, receives ``relpath -> (size, mtime_ns, data)`` of each file
            read from disk, to be passed as ``reuse`` next time.

    Returns:
        The documents in distroinfo's order (pre-order, depth-first).

    Raises:
        MetadataLoadError: a file is missing or malformed, or imports form a cycle.
    """
    entries = [_safe_relpath(entry, "info_files") for entry in info_files]
    results: dict[str, FileResult] = {}
    level = list(dict.fromkeys(entries))
    while level:
        for res in read_files(root, level, loader=loader, overrides=overrides, reuse=reuse):
            results[res.rel] = res
        nxt: dict[str, None] = {}
        for rel in level:
            data = results[rel].data
            imports = data.get("import") if data is not None else None
            if isinstance(imports, list):
                for name in imports:
                    try:
                        target = _safe_relpath(name, rel)
                    except MetadataLoadError:
                        continue  # reported in document order below
                    if target not in results:
                        nxt[target] = None
        level = list(nxt)

    docs: list[Document] = []
    seen: set[str] = set()
    stack: list[str] = []

    def visit(rel: str, importer: str | None) -> None:
        if rel in stack:
            chain = " -> ".join([*stack[stack.index(rel) :], rel])
            raise MetadataLoadError(f"{importer}: field 'import': circular import {chain}")
        if rel in seen:
            return
        seen.add(rel)
        res = results[rel]
        if res.stat is not None:
            if stats is not None:
                stats.append((rel, *res.stat))
            if parsed is not None and res.data is not None:
                parsed[rel] = (*res.stat, res.data)
        if res.missing:
            if not importer:
                raise EntryFileMissingError(
                    f"{root / rel}: file not found (expected an rdoinfo YAML file)"
                )
            raise MetadataLoadError(
                f"{importer}: field 'import': {root / rel}: file not found "
                "(expected an rdoinfo YAML file)"
            )
        if res.error is not None or res.data is None:
            raise MetadataLoadError(res.error or f"{rel}: cannot be read")
        docs.append(Document(rel, res.data))
        imports = _import_names(res.data, rel)
        stack.append(rel)
        try:
            for name in imports:
                visit(name, rel)
        finally:
            stack.pop()

    for entry in entries:
        visit(entry, None)
    return docs


def merge_values(a: Any, b: Any) -> Any:
    """distroinfo's ``_merge``: dicts recursively, lists concatenated, None never wins."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for key, val in b.items():
            out[key] = merge_values(a.get(key), val)
        return out
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    return a if b is None else b


def _owned(value: Any) -> Any:
    """A copy of the dicts (and the lists in them) that an in-place merge may change."""
    if isinstance(value, dict):
        return {k: _owned(v) for k, v in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


def _merge_into(acc: dict[Any, Any], new: dict[Any, Any]) -> None:
    """``acc = merge_values(acc, new)`` in place; ``acc`` must come from :func:`_owned`.

    A package appears in up to ~80 buildsys-tag files; merging into a copy each
    time would re-copy its growing ``buildsys-tags`` dict on every file.
    """
    for key, val in new.items():
        old = acc.get(key)
        if isinstance(old, dict) and isinstance(val, dict):
            _merge_into(old, val)
        elif isinstance(old, list) and isinstance(val, list):
            old.extend(val)
        elif val is not None or key not in acc:
            acc[key] = _owned(val)


def _merge_keyed(acc: dict[Any, Any], items: Iterable[Any], key: str) -> None:
    for item in items:
        if not isinstance(item, dict):
            continue
        kv = item.get(key)
        old = acc.get(kv)
        if old is None:
            acc[kv] = _owned(item)
        else:
            _merge_into(old, item)


def merge_documents(docs: Iterable[Document]) -> Info:
    """Merge documents into one info dict (``packages``/``releases`` as ordered lists).

    Entries without a ``project`` (or a release without ``name``) are merged
    under the key None; ``validate`` reports them.
    """
    info: Info = {}
    packages: dict[Any, Any] = {}
    releases: dict[Any, Any] = {}
    for doc in docs:
        for key, val in doc.data.items():
            if key == "packages":
                if isinstance(val, list):
                    _merge_keyed(packages, val, "project")
            elif key == "releases":
                if isinstance(val, list):
                    _merge_keyed(releases, val, "name")
            else:
                info[key] = merge_values(info.get(key), val)
    info["packages"] = [p for k, p in packages.items() if k is not None]
    info["releases"] = [r for k, r in releases.items() if k is not None]
    return info


def expand_package(
    entry: dict[str, Any],
    default: Mapping[str, Any],
    configs: Mapping[str, Any],
    apply_tag: str | None = None,
) -> dict[str, Any]:
    """Apply ``package-default``, the entry's conf template, a tag's overrides, then substitute.

    An unknown conf applies no template and a failed substitution keeps the
    written value; ``validate`` reports both.
    """
    pkg = copy.deepcopy(dict(default))
    conf = entry.get("conf")
    if conf is not None:
        template = configs.get(conf) if isinstance(conf, str) else None
        if isinstance(template, dict):
            pkg.update(template)
    pkg.update(entry)
    if apply_tag:
        tags = pkg.get("tags")
        over = tags.get(apply_tag) if isinstance(tags, dict) else None
        if isinstance(over, dict):
            pkg.update(over)
    return substitute(pkg)[0]


def parse_info(info: Info, apply_tag: str | None = None) -> Info:
    """Expand every package of a merged info and fill repo branches from their release.

    Returns:
        A new info dict; ``packages`` holds expanded records.
    """
    default = info.get("package-default") or {}
    configs = info.get("package-configs") or {}
    if not isinstance(default, dict):
        default = {}
    if not isinstance(configs, dict):
        configs = {}
    out = dict(info)
    out["packages"] = [expand_package(p, default, configs, apply_tag) for p in info["packages"]]
    releases = []
    for rel in info["releases"]:
        rel = dict(rel)
        repos = rel.get("repos")
        if isinstance(repos, list):
            filled = []
            for repo in repos:
                if isinstance(repo, dict) and "branch" not in repo and rel.get("branch"):
                    repo = {**repo, "branch": rel["branch"]}
                filled.append(repo)
            rel["repos"] = filled
        releases.append(rel)
    out["releases"] = releases
    return out


def load_info(
    root: Path,
    info_files: Sequence[str],
    *,
    apply_tag: str | None = None,
    overrides: Mapping[str, str] | None = None,
    stats: list[tuple[str, int, int]] | None = None,
    reuse: Reuse | None = None,
    parsed: dict[str, tuple[int, int, Any]] | None = None,
) -> tuple[Info, list[str]]:
    """Read, merge and parse a metadata tree (``stats``/``reuse``/``parsed``: see read_documents).

    Returns:
        The parsed info and the relative paths of the files read.

    Raises:
        MetadataLoadError: a file cannot be read or parsed, or holds a container of the
            wrong type (``shape.py``).
    """
    docs = read_documents(
        root, info_files, overrides=overrides, stats=stats, reuse=reuse, parsed=parsed
    )
    for doc in docs:
        for problem in shape_problems(doc.data):
            raise MetadataLoadError(f"{doc.path}: {problem}")
    info = parse_info(merge_documents(docs), apply_tag)
    return info, [d.path for d in docs]
