"""Every spec edit the maintainer tools make, through :func:`.adapter.edit_spec`.

``trunkline distgit`` changes specs the way RDO maintainers (and rdopkg) do:
set Version (through the macro it refers to, if any) with the milestone and
Release reset, bump Release, prepend a ``%changelog`` entry headed ``* DATE
NAME <EMAIL> [E:]V-R`` in the spec's own style, and rewrite the ``PatchNNNN:``
lines after the ``# patches_base=`` magic comment (``Requires:`` are :mod:`.requires`').
Specs that use rpmautospec (``%autorelease``, ``%autochangelog``) get neither a
Release change nor a changelog entry: there the commit is the changelog.
Each edit is one parse and one atomic write; a failed edit writes nothing.
Reading goes through :mod:`.adapter` too (re-exported here for callers).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from trunkline.errors import SpecError
from trunkline.rpmspec import adapter
from trunkline.rpmspec.adapter import EditableSpec, SpecInfo, find_spec, read_spec

__all__ = [
    "SpecInfo",
    "add_changelog_entry",
    "find_spec",
    "read_spec",
    "release_parts",
    "set_version",
    "split_version",
]

_DIST = re.compile(r"%\{?\??dist\}?")
_PATCH_TAG = re.compile(r"^patch\d+$", re.IGNORECASE)
_MAGIC = re.compile(r"^#\s*([A-Za-z_]+)\s*=\s*(\S+)")
_CONDITIONAL_OPEN = ("%if", "%ifarch", "%ifnarch", "%ifos", "%ifnos")
_VERSION_PARTS = re.compile(r"(\d+(?:\.\d+)*)([.%]|$)(.*)")
_MILESTONE = "%{?milestone}"
_ENTRY_HEAD = re.compile(r"^\*\s+\S+\s+\S+\s+\d+\s+\d{4}\s+.*?>(\s+-)?\s")


def split_version(version: str) -> tuple[str, str]:
    """An upstream version as (RPM Version, milestone), rdopkg's ``version_parts``.

    ``10.0.0.0rc1`` → (``10.0.0``, ``.0rc1``); ``24.0.0`` → (``24.0.0``, ``""``).
    """
    match = _VERSION_PARTS.fullmatch(version)
    if match is None or not match.group(3):
        return version, ""
    return match.group(1), match.group(2) + match.group(3)


def release_parts(raw: str) -> tuple[str, str, str]:
    """A raw Release as (leading number, milestone, rest): ``0.1%{?milestone}%{?dist}`` →
    (``0.1``, ``%{?milestone}``, ``%{?dist}``); rest is what follows (dist, sub-release)."""
    match = re.match(r"(\d+(?:\.\d+)*)(.*)$", raw)
    number, tail = (match.group(1), match.group(2)) if match else ("", raw)
    milestone = _MILESTONE if tail.startswith(_MILESTONE) else ""
    return number, milestone, tail[len(milestone) :]


def _set_milestone(spec: EditableSpec, milestone: str) -> None:
    """Set, add (on top, as rdopkg) or remove ``%global milestone``."""
    with spec.macro_definitions() as macros:
        found = [m for m in macros if m.name == "milestone"]
        for macro in found if not milestone else found[1:]:
            macros.remove(macro)
        if milestone and found:
            found[0].body = milestone
    if milestone and not found:
        with spec.lines() as lines:
            at = 1 if lines and lines[0].startswith("%{load:") else 0
            lines.insert(at, f"%global milestone {milestone}")


def set_version(path: Path, version: str) -> tuple[str, str]:
    """Set the spec to upstream ``version``: Version, milestone, Release.

    As rdopkg's ``new-version``: ``10.0.0.0rc1`` gives Version ``10.0.0``,
    ``%global milestone .0rc1`` and Release ``0.1%{?milestone}%{?dist}``; a final
    version gives Release ``1%{?dist}`` and drops the milestone. Release is reset
    only when Version changes or the milestone comes or goes; from one milestone
    to the next of the same Version (rc1 -> rc2) it is bumped instead
    (``0.2%{?milestone}``), as RDO's history shows. A Version held in a macro
    (``%{pypi_version}``, ``%{major}.%{minor}``) keeps its reference: the
    definitions change (specfile's ``update_tag``). ``%autorelease`` is left alone.

    Returns:
        (RPM Version, milestone) written.

    Raises:
        SpecError: the spec cannot be parsed or has no Version/Release.
    """
    rpm_version, milestone = split_version(version)
    old = read_spec(path)
    same = old.version == rpm_version and bool(old.milestone) == bool(milestone)
    with adapter.edit_spec(path) as spec:
        raw_release = spec.raw_release.strip()
        spec.update_tag("Version", rpm_version)
        _set_milestone(spec, milestone)
        if not old.autorelease:
            number, _, rest = release_parts(raw_release)
            if raw_release == adapter.PLACEHOLDER:
                rest = ""
            rest = re.sub(r"^(%\{\??dist\}?)\.\d+$", r"\1", rest)  # sub-release goes
            if not _DIST.search(rest):
                rest += "%{?dist}"
            if same and number:
                head, _, last = number.rpartition(".")
                number = f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
            else:
                number = "0.1" if milestone else "1"
            spec.raw_release = number + (_MILESTONE if milestone else "") + rest
    return rpm_version, milestone


def update_release(path: Path, change: Callable[[str], str]) -> str:
    """Set ``Release:`` to ``change(raw_release)`` (one parse, one write).

    Returns:
        The new raw Release value.

    Raises:
        SpecError: the spec cannot be parsed, or ``change`` refuses the value.
    """
    with adapter.edit_spec(path) as spec:
        new = change(spec.raw_release)
        with spec.tags() as tags:
            tags.release.value = new
    return new


def replace_version_in_source(path: Path, old: str, new: str, number: int = 0) -> str | None:
    """Replace a literal ``old`` version in ``Source<number>`` by ``new``.

    Only a whole version is replaced (``1.0.0`` in ``foo-1.0.0.tar.gz``, not in
    ``11.0.0``); locations built from ``%{version}`` have no literal to replace.

    Returns:
        The new location, or None when the location holds no literal ``old``.
    """
    pattern = re.compile(rf"(?<![\d.]){re.escape(old)}(?!\.?\d)")
    location: str | None = None
    with adapter.edit_spec(path) as spec, spec.sources() as sources:
        for source in sources:
            if source.number == number and pattern.search(source.location):
                source.location = pattern.sub(new, source.location)
                location = str(source.location)
                break
    return location


def changelog_style(spec: EditableSpec) -> str:
    """The separator before the EVR in the spec's newest entry: ``" "`` or ``" - "``."""
    with spec.sections() as sections:
        for section in sections:
            if section.normalized_id != "changelog":
                continue
            for line in section:
                if line.startswith("*"):
                    match = _ENTRY_HEAD.match(line)
                    return " - " if match and match.group(1) else " "
    return " "


def add_changelog_entry(
    path: Path, changes: Sequence[str], author: str, email: str, date: str | None = None
) -> str | None:
    """Prepend a ``%changelog`` entry ``* DATE AUTHOR <EMAIL> [E:]V-R`` with ``- change`` lines.

    The EVR carries the Epoch when the spec has one (``1:24.0.0-1``, as RDO's
    stable specs); the header follows the newest entry's style (``> 1.0-1`` as
    rdopkg, or Fedora's ``> - 1.0-1``). A spec with ``%autochangelog`` gets no
    entry: rpmautospec makes it from the commit message.

    Args:
        path: the spec.
        changes: one line per change, without the leading ``- ``.
        author: the packager's name (git ``user.name``).
        email: the packager's email (git ``user.email``).
        date: ``%a %b %d %Y``; today (UTC) by default.

    Returns:
        The entry's header line, or None under ``%autochangelog``.

    Raises:
        SpecError: the spec cannot be parsed or has no ``%changelog``.
    """
    info = read_spec(path)
    if info.autochangelog:
        return None
    day = date or time.strftime("%a %b %d %Y", time.gmtime())
    with adapter.edit_spec(path) as spec:
        header = f"* {day} {author} <{email}>{changelog_style(spec)}{info.vr}"
        lines = [f"- {c}" for c in changes] or ["- "]
        with spec.sections() as sections:
            section = next((s for s in sections if s.normalized_id == "changelog"), None)
            if section is None:
                raise SpecError(f"{path}: no %changelog section to add an entry to")
            # right after the "%changelog" line, as rdopkg's new_changelog_entry
            section[0:0] = [header, *lines, ""]
    return header


def _preamble_anchor(lines: Sequence[str]) -> tuple[int, bool]:
    """Where Patch lines go: after the ``# patches_base=`` block, else the last Source line.

    Returns:
        (index to insert at, whether the anchor is the magic comment block).
    """
    for i, line in enumerate(lines):
        if re.match(r"#\s*patches_base\s*=", line):
            j = i + 1
            # the block goes on with bare "#" lines and other magic comments
            while j < len(lines) and (lines[j].strip() == "#" or _MAGIC.match(lines[j])):
                j += 1
            return j, True
    depth, last_source = 0, -1
    for i, line in enumerate(lines):
        word = line.split(None, 1)[0] if line.strip() else ""
        if word in _CONDITIONAL_OPEN:
            depth += 1
        elif word == "%endif":
            depth -= 1
        elif depth == 0 and re.match(r"source\d*\s*:", line, re.IGNORECASE):
            last_source = i
    if last_source < 0:
        raise SpecError("spec has no Source line to put Patch lines after")
    return last_source + 1, False


def _refuse_conditional_patches(path: Path, lines: Sequence[str]) -> None:
    """Patch lines inside ``%if`` blocks are kept by hand (RDO master backports).

    Raises:
        SpecError: such a line exists; regenerating would drop its condition.
    """
    depth = 0
    for line in lines:
        word = line.split(None, 1)[0] if line.strip() else ""
        if word in _CONDITIONAL_OPEN:
            depth += 1
        elif word == "%endif":
            depth -= 1
        elif depth > 0 and _PATCH_TAG.match(line.split(":", 1)[0].strip()):
            raise SpecError(
                f"{path}: '{line.strip()}' is inside an %if block; such patches are kept "
                "by hand and regenerating the Patch lines would drop their condition"
            )


def set_patches(path: Path, filenames: Sequence[str]) -> None:
    """Replace all ``PatchNNNN:`` lines by ``Patch0001: <file>`` ... in the preamble.

    They go right after the ``# patches_base=`` magic comment block (followed by one
    blank line), else after the last unconditional ``Source`` line, where RDO's
    distgits and rdopkg keep them.

    Raises:
        SpecError: the spec has no anchor for the Patch lines, or a Patch line sits
            inside an ``%if`` block (hand-kept: it would lose its condition).
    """
    new = [f"Patch{i:04d}: {name}" for i, name in enumerate(filenames, start=1)]
    with adapter.edit_spec(path) as spec, spec.sections() as sections:
        pre = sections.package
        _refuse_conditional_patches(path, pre)
        # Only the tag lines go: removing Tag objects would take their comments along.
        pre[:] = [ln for ln in pre if not _PATCH_TAG.match(ln.split(":", 1)[0].strip())]
        try:
            at, after_magic = _preamble_anchor(pre)
        except SpecError as exc:
            raise SpecError(f"{path}: {exc}") from None
        if not new:
            pass
        elif after_magic:
            while at < len(pre) and not pre[at].strip():
                del pre[at]
            pre[at:at] = [*new, ""]
        elif at < len(pre) and not pre[at].strip():
            at += 1
            pre[at:at] = [*new, ""]
        else:
            pre[at:at] = ["", *new, ""] if at < len(pre) else ["", *new]


def set_magic_comment(path: Path, key: str, value: str) -> bool:
    """Set the value of an existing ``# key=value`` comment.

    Returns:
        False when the spec has no such comment (nothing is added).
    """
    found = False
    with adapter.edit_spec(path) as spec, spec.lines() as lines:
        for i, line in enumerate(lines):
            match = re.match(rf"(#\s*{re.escape(key)}\s*=\s*)\S*(.*)$", line)
            if match:
                lines[i] = f"{match.group(1)}{value}{match.group(2)}"
                found = True
                break
    return found


def remove_magic_comment(path: Path, key: str) -> bool:
    """Drop a ``# key=value`` comment line and the bare ``#`` lines right after it (rdopkg)."""
    found = False
    with adapter.edit_spec(path) as spec, spec.lines() as lines:
        for i, line in enumerate(lines):
            if re.match(rf"#\s*{re.escape(key)}\s*=", line):
                end = i + 1
                while end < len(lines) and lines[end].strip() == "#":
                    end += 1
                del lines[i:end]
                found = True
                break
    return found


def add_magic_comment(path: Path, key: str, value: str) -> None:
    """Add ``# key=value`` where rdopkg's ``_create_new_magic_comment`` puts it.

    Into an existing ``#``-framed magic comment block; else as a ``#``-framed block
    before the first ``PatchN:`` line; else after the first ``Source`` line (and
    the blank line following it), so the result is byte-identical to rdopkg's.
    """
    line = f"# {key}={value}"
    with adapter.edit_spec(path) as spec, spec.lines() as lines:
        for i, text in enumerate(lines):
            if i and lines[i - 1].strip() == "#" and re.match(r"#\s*[^0-9]*\s*=", text):
                lines.insert(i, line)
                return
        for i, text in enumerate(lines):
            if re.match(r"Patch\d+:", text):
                lines[i:i] = ["", "#", line, "#"]
                return
        for i, text in enumerate(lines):
            if re.match(r"Source\d*:", text):
                at = i + 2 if i + 1 < len(lines) and not lines[i + 1] else i + 1
                lines[at:at] = ["#", line, "#", ""]
                return
        raise SpecError(f"{path}: no Source or Patch line to put '# {key}=' after")


def set_global_macro(path: Path, name: str, value: str) -> bool:
    """Set the body of an existing ``%global NAME`` (e.g. ``commit``); False if absent."""
    found = False
    with adapter.edit_spec(path) as spec, spec.macro_definitions() as macros:
        for macro in macros:
            if macro.name == name:
                macro.body = value
                found = True
    return found
