"""The line-recording YAML parse of validation, cached per file content on disk.

Validation re-reads every metadata file with a loader that remembers, for each
mapping, its line and its keys' lines (``marks[id(mapping)]``). On rdoinfo (103
files, 3.7 MB) that parse is most of a ``validate`` and of every metadata edit
(``uc propose``, ``stable promote``), although only the edited files change. So
each file's result is kept in the metadata cache dir under the SHA-256 of its
text: the parsed document, and the marks of its mappings in a fixed walk order
(depth first, each object once), which is how they are tied back to the new
objects' ids when the entry is read. A damaged or foreign entry is a miss.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from trunkline.publish.atomic import write_file_atomic

log = logging.getLogger(__name__)

FORMAT = f"1:{yaml.__version__}"
Marks = dict[int, tuple[int, dict[str, int]]]


def _mappings(root: Any) -> Iterator[dict[Any, Any]]:
    """Every mapping under ``root``, depth first, each object once (aliases share)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, dict):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            yield obj
            stack.extend(reversed(list(obj.values())))
        elif isinstance(obj, list):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            stack.extend(reversed(obj))


def line_loader(marks: Marks) -> type[Any]:
    """A ``yaml.CSafeLoader`` that records each mapping's line and its keys' lines."""

    class LineLoader(yaml.CSafeLoader):
        def construct_yaml_map(self, node: yaml.MappingNode) -> Any:
            data: dict[Any, Any] = {}
            yield data
            data.update(self.construct_mapping(node))
            keys = {
                k.value: k.start_mark.line + 1
                for k, _ in node.value
                if isinstance(k, yaml.ScalarNode)
            }
            marks[id(data)] = (node.start_mark.line + 1, keys)

    LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_yaml_map)
    return LineLoader


def cached_line_loader(marks: Marks, cache_dir: Path | None) -> type[Any]:
    """A loader with :func:`line_loader`'s result, read from or written to ``cache_dir``.

    It has the loader interface ``yaml.load`` uses (``__init__(stream)``,
    ``get_single_data()``, ``dispose()``); without ``cache_dir`` it parses every time.
    """
    parse = line_loader(marks)

    class CachedLineLoader:
        def __init__(self, stream: str) -> None:
            self.text = stream

        def get_single_data(self) -> Any:
            if cache_dir is None:
                return _parse(parse, self.text)
            digest = hashlib.sha256(f"{FORMAT}\0{self.text}".encode()).hexdigest()
            path = cache_dir / "lines" / f"{digest}.pickle"
            found = _read(path, marks)
            if found is not None:
                return found[0]
            mine: Marks = {}
            data = _parse(line_loader(mine), self.text)
            marks.update(mine)
            _write(path, data, [mine.get(id(m)) for m in _mappings(data)])
            return data

        def dispose(self) -> None:
            """Nothing to release (the interface ``yaml.load`` calls)."""

    return CachedLineLoader


def _parse(loader: type[Any], text: str) -> Any:
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass


def _read(path: Path, marks: Marks) -> tuple[Any] | None:
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    try:
        data, walked = pickle.loads(blob)  # noqa: S301 - our own cache entry
        maps = list(_mappings(data))
        if len(maps) != len(walked):
            return None
    except Exception:  # a damaged entry is a miss, never an error
        log.debug("metadata line cache: unreadable entry %s", path)
        return None
    for mapping, mark in zip(maps, walked, strict=True):
        if mark is not None:
            marks[id(mapping)] = mark
    return (data,)


def _write(path: Path, data: Any, walked: list[Any]) -> None:
    try:
        write_file_atomic(path, pickle.dumps((data, walked), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:  # a read-only or full cache dir only costs the next parse
        log.debug("metadata line cache: cannot write %s: %s", path, exc)
