"""The one module that imports packit's ``specfile``: reading, editing and rewriting specs.

Everything trunkline knows about a spec goes through here:

- :func:`find_spec` is the one rule for which ``.spec`` file a distgit holds
  (the builder, the build order and the distgit tools all use it);
- :func:`spec_info` reads a spec into the one :class:`SpecInfo` (name, EVR, the
  raw tag values, subpackages, dependencies, sources, patches, magic comments,
  rpmautospec use), with real rpm macro expansion;
- :func:`edit_spec` opens a spec for an edit and writes it back atomically, only
  when the edit succeeded; :mod:`trunkline.rpmspec.editor` builds every
  maintainer edit on it;
- :func:`open_spec` hands a parsed spec to :mod:`.rewrite` (the trunk-build
  rewrite) and :mod:`.editor`, which import no specfile themselves.

Fedora python macros (and rpmautospec's ``%autorelease``/``%autochangelog``)
the host rpm lacks are loaded from the fallback file (:mod:`.macros`) for
parsing only; they never end up in a written spec. rpm's macro context is
process-wide, so every parse holds :data:`~trunkline.rpmspec.macros.RPM_LOCK`.
Any failure of rpm or specfile on any input is a one-line :class:`SpecError`
naming the file.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import rpm
from specfile.context_management import capture_stderr
from specfile.sections import Sections
from specfile.specfile import Specfile
from specfile.tags import Comments, Tag, Tags

from trunkline.errors import SpecError
from trunkline.publish.atomic import write_file_atomic
from trunkline.rpmspec.macros import RPM_LOCK, fallback_macro_file
from trunkline.rpmspec.specinfo import PLACEHOLDER as PLACEHOLDER
from trunkline.rpmspec.specinfo import SpecInfo as SpecInfo
from trunkline.rpmspec.specinfo import choose_spec as choose_spec
from trunkline.rpmspec.specinfo import find_spec as find_spec

log = logging.getLogger(__name__)

EditableSpec = Specfile
"""The type :func:`edit_spec` yields (editor functions take it; only this module builds one)."""

_LOAD_MARK = "# trunkline: fallback macros for parsing only"
_LINE_NO = re.compile(r"^line (\d+):")
_DIST = re.compile(r"%\{?\??dist\}?$")
_PATCH_TAG = re.compile(r"^patch\d*$", re.IGNORECASE)
_MAGIC = re.compile(r"^#\s*([A-Za-z_]+)\s*=\s*(\S+)")
_AUTORELEASE = re.compile(r"%\{?\??autorelease\b")
_AUTOCHANGELOG = re.compile(r"^%\{?\??autochangelog\}?\s*$")
_SECTIONS = frozenset(
    {
        "%package",
        "%description",
        "%prep",
        "%generate_buildrequires",
        "%conf",
        "%build",
        "%install",
        "%check",
        "%clean",
        "%files",
        "%changelog",
        "%pre",
        "%post",
        "%preun",
        "%postun",
        "%pretrans",
        "%posttrans",
        "%verifyscript",
        "%triggerin",
        "%triggerun",
        "%triggerpostun",
        "%filetriggerin",
        "%filetriggerun",
    }
)


def one_line(text: str, offset: int = 0) -> str:
    """rpm's meaningful line, its line number made relative to the spec as written."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    line = next((ln for ln in reversed(lines) if ln.startswith("line ")), None)
    if line is None:
        line = lines[-1] if lines else "rpm cannot parse it"
    line = line.removeprefix("error: ")
    if offset:
        line = _LINE_NO.sub(lambda m: f"line {max(1, int(m.group(1)) - offset)}:", line)
    return " ".join(line.split())


def _macro_list(macros: Mapping[str, str]) -> list[tuple[str, str | None]]:
    return [(name.lstrip("%"), value) for name, value in macros.items()]


def read_text(spec: Path) -> str:
    try:
        return spec.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{spec}: cannot be read: {' '.join(str(exc).split())}") from None


def open_spec(spec: Path, macros: Mapping[str, str], *, content: str | None = None) -> Specfile:
    """Parse ``spec`` (or ``content`` standing for it) with the fallback macros loaded."""
    if content is None:
        content = read_text(spec)
    if "\x00" in content:
        raise SpecError(f"{spec}: cannot be parsed: the file holds a NUL byte")
    fallback = fallback_macro_file(exclude=macros)
    prefix = f"%{{load:{fallback}}}{_LOAD_MARK}\n" if fallback else ""
    offset = prefix.count("\n")
    try:
        return Specfile(
            content=prefix + content,
            sourcedir=spec.parent,
            macros=_macro_list(macros),
            force_parse=True,
        )
    except Exception as exc:  # specfile/rpm raise many kinds; any is a bad spec
        raise SpecError(f"{spec}: cannot be parsed: {one_line(str(exc), offset)}") from None


def strip_load_prefix(text: str) -> str:
    first, newline, rest = text.partition("\n")
    if newline and first.startswith("%{load:") and first.endswith(_LOAD_MARK):
        return rest
    return text


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one rename: a crash never leaves half a spec."""
    write_file_atomic(path, text)


@contextmanager
def edit_spec(path: Path, macros: Mapping[str, str] | None = None) -> Iterator[EditableSpec]:
    """Open ``path`` for editing; write it back (atomically) when the block succeeds.

    The block gets a parsed :class:`specfile.Specfile`; the fallback-macro line
    it starts with is never written. An exception in the block leaves the file
    untouched; one from specfile or rpm becomes a one-line :class:`SpecError`.

    Raises:
        SpecError: the spec cannot be read, parsed or edited.
    """
    with RPM_LOCK:
        original = read_text(path)
        spec = open_spec(path, macros or {}, content=original)
        try:
            yield spec
            text = strip_load_prefix(str(spec))
        except SpecError:
            raise
        except Exception as exc:
            if not _from_specfile(exc):
                raise
            raise SpecError(f"{path}: cannot be edited: {one_line(str(exc))}") from None
        if text != original:
            write_atomic(path, text)


def _from_specfile(exc: BaseException) -> bool:
    """True when ``exc`` was raised inside specfile or rpm (a bad spec, not our bug)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(("specfile", "rpm")):
            return True
        tb = tb.tb_next
    return isinstance(exc, rpm.error)


def new_tag(name: str, value: str, separator: str) -> Any:
    """A preamble tag object (``Requires:`` ...) for :func:`edit_spec` users."""
    return Tag(name, value, separator, Comments())


def tag_separator(tag: Any) -> str:
    """The text between a tag's name and value (``':       '``), to align new tags."""
    return str(tag._separator)


def _deps(header: Any, tag: str) -> list[str]:
    """Dependencies of one header as ``name [op version]`` strings."""
    return [dep.DNEVR()[2:] for dep in rpm.ds(header, tag)]


def _detail(header: Any) -> list[tuple[str, str, str]]:
    """Requires of one header as (name, operator, version) with rpm's own words."""
    out: list[tuple[str, str, str]] = []
    for dep in rpm.ds(header, "requirename"):
        name, flags, version = dep.N(), dep.Flags(), dep.EVR()
        op = {2: "<", 4: ">", 8: "=", 10: "<=", 12: ">="}.get(flags & 14, "") if version else ""
        out.append((name, op, version))
    return out


def spec_info(spec: Path, macros: Mapping[str, str] | None = None) -> SpecInfo:
    """Read what a spec says (see :class:`SpecInfo`).

    Args:
        spec: the spec file.
        macros: extra rpm macros (the builder's ``build.macros``; ``dist`` goes here too).

    Raises:
        SpecError: the file is missing, unreadable or rpm cannot parse it (one line naming it).
    """
    with RPM_LOCK:
        try:
            return _spec_info(spec, macros or {})
        except SpecError:
            raise
        except Exception as exc:
            raise SpecError(f"{spec}: cannot be parsed: {one_line(str(exc))}") from None


def read_spec(path: Path) -> SpecInfo:
    """:func:`spec_info` without extra macros (what the distgit tools read)."""
    return spec_info(path, {})


def _rpm_parse(spec: Path, text: str, macros: Mapping[str, str], offset: int) -> Any:
    """One rpm parse of ``text`` (standing for ``spec``) in a fresh macro context.

    What specfile does before its parses (config reloaded, extra macros and
    ``_sourcedir`` defined), once, without specfile's second parse and macro dump:
    reading a spec is what the build order and the fuzz do thousands of times.
    """
    rpm.reloadConfig()
    for name, value in _macro_list(macros):
        rpm.addMacro(name, value or "")
    rpm.addMacro("_sourcedir", str(spec.parent))
    with tempfile.NamedTemporaryFile("w", suffix=".spec", encoding="utf-8") as tmp:
        tmp.write(text)
        tmp.flush()
        with capture_stderr() as stderr:
            try:
                return rpm.spec(tmp.name, rpm.RPMSPEC_ANYARCH | rpm.RPMSPEC_FORCE)
            except (ValueError, rpm.error):
                pass
    detail = b"".join(stderr).decode("utf-8", "replace")
    raise SpecError(f"{spec}: cannot be parsed: {one_line(detail, offset)}")


def _expand(text: str) -> str:
    """``text`` expanded in the current macro context; unexpandable text stays as is."""
    try:
        with capture_stderr():
            return str(rpm.expandMacro(text))
    except (ValueError, rpm.error):
        return text


def _tags_and_magic(content: str) -> tuple[dict[str, str], dict[str, str], bool]:
    """The first value of every preamble tag (lower-case name), the magic comments, and
    whether ``%changelog`` is rpmautospec's ``%autochangelog`` (no rpm parse)."""
    lines = content.splitlines()
    values: dict[str, str] = {}
    sections = Sections.parse(lines)
    for section in sections:
        if section.normalized_name != "package":
            continue
        for tag in Tags.parse(section):
            key = tag.normalized_name.lower()
            if not _PATCH_TAG.match(key):
                values.setdefault(key, tag.value)
    magic: dict[str, str] = {}
    section_name, autochangelog = "", False
    if lines:
        for line in lines:
            match = _MAGIC.match(line)
            if match and match.group(1) not in magic:
                magic[match.group(1)] = match.group(2)
            elif section_name == "%changelog" and _AUTOCHANGELOG.match(line):
                autochangelog = True
            elif line.startswith("%") and line.split()[0] in _SECTIONS:
                section_name = line.split()[0]
    return values, magic, autochangelog


def _spec_info(spec: Path, macros: Mapping[str, str]) -> SpecInfo:
    content = read_text(spec)
    if "\x00" in content:
        raise SpecError(f"{spec}: cannot be parsed: the file holds a NUL byte")
    fallback = fallback_macro_file(exclude=macros)
    prefix = f"%{{load:{fallback}}}{_LOAD_MARK}\n" if fallback else ""
    rs = _rpm_parse(spec, prefix + content, macros, prefix.count("\n"))
    src_header = rs.sourceHeader
    epoch = src_header["epoch"]
    subpackages: list[str] = []
    requires: list[str] = []
    detail: list[tuple[str, str, str]] = []
    provides: set[str] = set()
    for pkg in rs.packages:
        header = pkg.header
        provides.update(str(p) for p in header[rpm.RPMTAG_PROVIDENAME])
        for dep in _deps(header, "requirename"):
            if dep not in requires:
                requires.append(dep)
        for item in _detail(header):
            if item not in detail:
                detail.append(item)
        if pkg.fileList is None and pkg.fileFile is None:
            continue  # no %files section: rpmbuild emits no package
        subpackages.append(str(header["name"]))
    sources: list[tuple[int, str]] = []
    patches: list[tuple[int, str]] = []
    for location, number, kind in rs.sources:
        (patches if kind == rpm.RPMBUILD_ISPATCH else sources).append((int(number), location))
    values, magic, autochangelog = _tags_and_magic(content)
    raw_release = values.get("release", "")
    version = str(src_header["version"])
    milestone = _expand("%{?milestone}")
    upstream = _expand("%{?upstream_version}") or version + milestone
    return SpecInfo(
        path=spec,
        name=str(src_header["name"]),
        version=version,
        release=_expand(_DIST.sub("", raw_release.strip())),
        epoch=int(epoch) if epoch is not None else None,
        subpackages=tuple(subpackages),
        buildrequires=tuple(_deps(src_header, "requirename")),
        requires=tuple(requires),
        sources=tuple(sorted(sources)),
        patches=tuple(sorted(patches)),
        raw_version=values.get("version", ""),
        raw_release=raw_release,
        full_release=str(src_header["release"]),
        milestone=milestone,
        upstream_version=upstream,
        provides=tuple(sorted(provides)),
        requires_detail=tuple(detail),
        magic=magic,
        autorelease=bool(_AUTORELEASE.search(raw_release)),
        autochangelog=autochangelog,
    )
