"""The cached line-recording parse gives what a fresh parse gives, marks included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from trunkline.metadata.linecache import Marks, cached_line_loader, line_loader

TEXT = """\
base: &base
  conf: lib
  maintainers:
  - a@example.org
packages:
- project: nova
  <<: *base
  tags:
    flamingo: null
    epoxy:
      source-branch: 1.2.3
- project: glance
  shared: *base
"""


def _lines(data: Any, marks: Marks) -> list[tuple[int, dict[str, int]]]:
    """Every mapping's mark, in document order (what validation reports from)."""
    out = []
    stack = [data]
    while stack:
        obj = stack.pop()
        if isinstance(obj, dict):
            out.append(marks[id(obj)])
            stack.extend(reversed(list(obj.values())))
        elif isinstance(obj, list):
            stack.extend(reversed(obj))
    return out


def test_a_cache_hit_is_a_fresh_parse_with_the_same_lines(tmp_path: Path) -> None:
    fresh_marks: Marks = {}
    fresh = yaml.load(TEXT, Loader=line_loader(fresh_marks))  # noqa: S506
    for round_ in ("miss", "hit"):
        marks: Marks = {}
        data = yaml.load(TEXT, Loader=cached_line_loader(marks, tmp_path))  # noqa: S506
        assert data == fresh, round_
        assert _lines(data, marks) == _lines(fresh, fresh_marks), round_
    assert len(list((tmp_path / "lines").iterdir())) == 1
    # an alias stays one object after the round trip
    assert data["packages"][1]["shared"] is data["base"]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05N."])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    yaml.load(TEXT, Loader=cached_line_loader({}, tmp_path))  # noqa: S506
    (entry,) = (tmp_path / "lines").iterdir()
    entry.write_bytes(damage)
    marks: Marks = {}
    data = yaml.load(TEXT, Loader=cached_line_loader(marks, tmp_path))  # noqa: S506
    assert data["packages"][0]["project"] == "nova"
    assert marks[id(data["packages"][0]["tags"])][0] == 9


def test_without_a_cache_dir_nothing_is_written(tmp_path: Path) -> None:
    marks: Marks = {}
    data = yaml.load(TEXT, Loader=cached_line_loader(marks, None))  # noqa: S506
    assert marks[id(data)][1]["packages"] == 5
    assert list(tmp_path.iterdir()) == []
