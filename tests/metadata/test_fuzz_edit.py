"""Property-based fuzz of the metadata editor (``meta pin``/``unpin``/``tag``/``set-nvr``/...).

Random edits with hostile arguments on a small rdoinfo tree: each batch either
raises a one-line :class:`TrunklineError` and leaves every file byte-for-byte as
it was, or writes exactly the new texts, which load back with the edit visible
(a ref ``yes`` stays the string ``yes`` for the YAML 1.1 loader). No temporary
file is ever left behind. Derandomized; crashes found are kept as ``@example``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.metadata.conftest import EDIT_TREE
from trunkline.errors import MetadataLoadError, TrunklineError
from trunkline.metadata import load_metadata
from trunkline.metadata.edit import MetadataEditor

BTAG = "cloud9s-openstack-flamingo-testing"
PACKAGES = ["nova", "openstack-nova", "python-oslo-config", "oslo-config", "glance"]
TAGS = ["flamingo", "epoxy", "flamingo-uc", "zed"]
hostile = st.one_of(
    st.text(max_size=15),
    st.sampled_from(
        [
            *("yes", "no", "on", "null", "~", "1.0", "0777", "1e3", "2025-01-02", "12:30", "-"),
            *("? x", "a: b", "#x", "x #y", "'", '"', "&a", "*a", "!tag", "%x", "@x", "`", "|"),
            *(">", "", "\n", "a\nb", "\t", " lead", "trail ", "\x85", "\u2028", "\ufeff"),
            *("\x00", "\x1b"),
        ]
    ),
)
refs = st.one_of(st.sampled_from(["stable/2025.2", "abc123", "31.0.0"]), hostile)
ops = st.one_of(
    st.tuples(st.just("pin"), st.sampled_from(PACKAGES) | hostile, st.sampled_from(TAGS), refs),
    st.tuples(st.just("unpin"), st.sampled_from(PACKAGES), st.sampled_from(TAGS)),
    st.tuples(st.just("add_tag"), st.sampled_from(PACKAGES), st.sampled_from(TAGS) | hostile),
    st.tuples(st.just("set_nvr"), st.sampled_from(PACKAGES), st.sampled_from([BTAG, "x"]), refs),
    st.tuples(st.just("add_package"), st.sampled_from(["neutron", "nova"]) | hostile, hostile),
)


def _apply(editor: MetadataEditor, op: tuple[Any, ...]) -> None:
    name, *args = op
    if name == "add_package":
        editor.add_package(args[0], "core", name=args[1] or None, maintainers=["a@example.com"])
    else:
        getattr(editor, name)(*args)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _check_edits(root: Path, edits: list[tuple[Any, ...]]) -> None:
    before = _files(root)
    cache = root.parent / "cache"
    try:
        editor = MetadataEditor(root, ["rdo.yml"], cache_dir=cache)
        for op in edits:
            _apply(editor, op)
        texts = editor.texts()
        written = editor.save()
    except TrunklineError as exc:
        assert "\n" not in str(exc), str(exc)
        assert _files(root) == before  # nothing half-written, no temporary file left
        return
    after = _files(root)
    assert set(after) == set(before)  # no temporary file left
    for rel, data in after.items():
        assert data == (texts[rel].encode() if rel in written else before[rel]), rel
    md = load_metadata(root, info_files=("rdo.yml",), cache_dir=cache)
    for name, package, tag, *rest in edits:
        if name == "pin" and rest:
            pkg = md.by_project(package) or next(iter(md.packages_named(package)), None)
            if pkg is not None and tag in pkg.pins():
                last = [e[3] for e in edits if e[0] == "pin" and e[2] == tag and e[1] == package]
                unpinned = any(e[0] == "unpin" and e[2] == tag for e in edits)
                if not unpinned:
                    assert pkg.pins()[tag] == last[-1]  # read back as the same string


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(edits=st.lists(ops, min_size=1, max_size=3))
@example(edits=[("pin", "nova", "flamingo", "yes")])  # YAML 1.1 reads a bare yes as True
@example(edits=[("set_nvr", "nova", BTAG, "1.0")])
@example(edits=[("pin", "nova", "flamingo", "\x00")])  # not representable in YAML
@example(edits=[("add_package", "x: y", "n")])
def test_random_edits_write_everything_or_nothing(edits: list[tuple[Any, ...]]):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "meta"
        for rel, text in EDIT_TREE.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(textwrap.dedent(text))
        _check_edits(root, edits)


WRITE_UNDER_LIMIT = r"""
import resource, signal, sys
from pathlib import Path
from trunkline.errors import MetadataLoadError, TrunklineError
from trunkline.metadata.edit import MetadataEditor
root = Path(sys.argv[1])
editor = MetadataEditor(root, ["rdo.yml"], cache_dir=root.parent / "cache")
editor.pin("nova", "flamingo", "stable/2025.2")  # tags/flamingo.yml: small, written first
editor.add_package("neutron", "core")  # rdo.yml: larger than the limit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    editor.save()
except TrunklineError as exc:
    print(exc)
"""


def test_a_failed_write_changes_no_file(tmp_path: Path):
    """A real write failure (file size limit) half-way through a two-file edit: no change."""
    root = tmp_path / "meta"
    for rel, text in EDIT_TREE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    rdo = root / "rdo.yml"
    rdo.write_text(rdo.read_text() + "# padding\n" * 1000)
    before = _files(root)
    res = subprocess.run(
        [sys.executable, "-c", WRITE_UNDER_LIMIT, str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert res.stdout == f"{rdo}: cannot write: File too large (nothing was changed)\n"
    assert _files(root) == before


def test_a_file_the_round_trip_reader_refuses_is_one_line(tmp_path: Path):
    """PyYAML keeps the last of two equal keys, ruamel refuses them: one line, no change."""
    root = tmp_path / "meta"
    for rel, text in EDIT_TREE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    tags = root / "tags/flamingo.yml"
    tags.write_text(tags.read_text() + "- project: glance\n  tags: {}\n  tags: {flamingo: }\n")
    before = _files(root)
    editor = MetadataEditor(root, ["rdo.yml"], cache_dir=tmp_path / "cache")
    with pytest.raises(MetadataLoadError) as err:
        editor.pin("nova", "flamingo", "x")
    assert str(err.value) == (
        'tags/flamingo.yml: cannot be edited: found duplicate key "tags" with value '
        '"{\'flamingo\': None}" (original value: "{}")'
    )
    assert _files(root) == before
