"""Property-based fuzz of the spec reader and editor (hypothesis).

Any input gives a result or a one-line error naming the file: never a traceback,
and never a half-written file (a failed edit leaves the bytes as they were, and
no temp file stays behind). Inputs are spec-shaped: real tags, macros, section
headers and RDO forms in random order and with random values, mutations of a
valid spec, and raw bytes. Shell (``%(...)``), Lua, ``%{load:}`` and
``%include`` are left out: rpm would run or read them while parsing.
"""

from __future__ import annotations

import string
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from trunkline.distgit import release
from trunkline.errors import InputError, SpecError
from trunkline.rpmspec import editor
from trunkline.rpmspec import requires as spec_reqs
from trunkline.rpmspec.adapter import spec_info

READ_EXAMPLES = 1600
EDIT_EXAMPLES = 400
FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
READ = settings(FUZZ, max_examples=READ_EXAMPLES)
EDIT = settings(FUZZ, max_examples=EDIT_EXAMPLES)

SAFE = string.ascii_letters + string.digits + " .-_:%{}?!<>=*#\t/\\@,+~^'\"$&|;"
FORBIDDEN = ("lua", "load", "include", "%(", "%[", "trace", "dump", "shell")
TAGS = [
    "Name",
    "Version",
    "Release",
    "Epoch",
    "Summary",
    "License",
    "URL",
    "Source0",
    "Source1",
    "Patch0001",
    "BuildArch",
    "Requires",
    "BuildRequires",
    "Provides",
]
MACROS = ["milestone", "upstream_version", "pypi_version", "major", "minor", "dist", "version"]
ATOMS = [
    "XXX",
    "%{?dist}",
    "%{?milestone}",
    "%autorelease",
    "%{pypi_version}",
    "%{major}.%{minor}",
    "%{version}",
    "%{name}",
    "%{upstream_version}",
    "0.1",
    ".0rc1",
    "1:",
    ">= ",
    "%",
    "%{",
    "}",
    "%%",
    "%{?",
    "%{!?x:",
    "\\",
    "python3-foo",
    "0.20240101120000.0d094ba",
    " ",
]
FIXED_LINES = [
    "%description",
    "%package -n python3-foo",
    "%package doc",
    "%prep",
    "%build",
    "%install",
    "%files",
    "%files -n python3-foo",
    "%changelog",
    "%autochangelog",
    "%if 0%{?with_doc}",
    "%else",
    "%endif",
    "%define foo bar",
    "%undefine milestone",
    "# patches_base=1.0.0+1",
    "# patches_ignore=DROP-IN",
    "#",
    "",
    "- Update to 1.0.0",
    "* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org> 1:1.0.0-1",
    "* Mon Mar 04 2024 Pat <p@x> - 1.0.0-1",
    "%autosetup -n foo-%{upstream_version} -S git",
    "%{!?upstream_version: %global upstream_version %{version}%{?milestone}}",
]
VALID = """\
%global milestone .0rc1
%{!?upstream_version: %global upstream_version %{version}%{?milestone}}
Name:           python-foo
Epoch:          1
Version:        1.0.0
Release:        0.1%{?milestone}%{?dist}
Summary:        Foo
License:        MIT
Source0:        foo-%{upstream_version}.tar.gz
#
# patches_base=1.0.0.0rc1
#
Patch0001:      0001-fix.patch

%description
Foo.

%package -n python3-foo
Summary: Foo
Requires:       python3-pbr >= 2.0.0

%description -n python3-foo
Foo.

%prep
%autosetup -n foo-%{upstream_version}

%files -n python3-foo

%changelog
* Mon Mar 04 2024 RDO <dev@lists.rdoproject.org> 1:1.0.0-0.1.0rc1
- Update to 1.0.0.0rc1
""".splitlines()

atom = st.one_of(
    st.sampled_from(ATOMS),
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}", fullmatch=True),
    st.text(alphabet=SAFE, max_size=6),
)
value = st.lists(atom, max_size=4).map("".join)
line = st.one_of(
    st.builds("{}: {}".format, st.sampled_from(TAGS), value),
    st.builds("%global {} {}".format, st.sampled_from(MACROS), value),
    st.sampled_from(FIXED_LINES),
    st.text(alphabet=SAFE, max_size=30),
)


def _mutate(edits: list[tuple[int, bool, str]]) -> str:
    lines = list(VALID)
    for at, replace, text in edits:
        at %= len(lines) + 1
        if replace and at < len(lines):
            lines[at] = text
        else:
            lines.insert(at, text)
    return "\n".join(lines) + "\n"


spec_text = st.one_of(
    st.lists(line, max_size=25).map("\n".join),
    st.lists(st.tuples(st.integers(0, 60), st.booleans(), line), max_size=4).map(_mutate),
)
spec_bytes = st.one_of(spec_text.map(str.encode), st.binary(max_size=60))


def _safe(data: bytes) -> bool:
    return not any(word.encode() in data for word in FORBIDDEN)


def _assert_one_line_naming(exc: Exception, path: Path) -> None:
    message = str(exc)
    assert "\n" not in message, message
    assert str(path) in message, message


def _write(directory: str, data: bytes) -> Path:
    path = Path(directory) / "python-foo.spec"
    path.write_bytes(data)
    return path


@READ
@given(data=spec_bytes)
def test_reading_any_input_gives_a_result_or_one_line(data: bytes) -> None:
    assume(_safe(data))
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = _write(tmp, data)
        try:
            info = spec_info(path)
        except SpecError as exc:
            _assert_one_line_naming(exc, path)
        else:
            assert info.path == path
            assert isinstance(info.version, str) and isinstance(info.release, str)
        assert path.read_bytes() == data  # reading never writes


EDITS: dict[str, Callable[[Path], object]] = {
    "set_version": lambda p: editor.set_version(p, "2.0.0.0rc1"),
    "bump": lambda p: release.bump(p),
    "changelog": lambda p: editor.add_changelog_entry(p, ["x"], "A", "a@x", "Mon Mar 04 2024"),
    "set_patches": lambda p: editor.set_patches(p, ["0001-a.patch", "0002-b.patch"]),
    "magic": lambda p: editor.set_magic_comment(p, "patches_base", "2.0.0"),
    "add_magic": lambda p: editor.add_magic_comment(p, "patches_base", "2.0.0"),
    "requires": lambda p: spec_reqs.sync_requires(p, {"python-pbr": ">= 3.0", "python-six": ""}),
}


@EDIT
@given(data=spec_text.map(str.encode), edit=st.sampled_from(sorted(EDITS)))
def test_editing_any_input_edits_whole_or_not_at_all(data: bytes, edit: str) -> None:
    assume(_safe(data))
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = _write(tmp, data)
        try:
            EDITS[edit](path)
        except (SpecError, InputError) as exc:
            _assert_one_line_naming(exc, path)
            assert path.read_bytes() == data  # a failed edit writes nothing
        else:
            path.read_text(encoding="utf-8")  # a whole file, still text
        assert [p.name for p in Path(tmp).iterdir()] == ["python-foo.spec"]  # no temp file left
