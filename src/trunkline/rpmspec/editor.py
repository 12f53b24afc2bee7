"""Every spec edit the maintainer tools make, through the ``specfile`` library.

``trunkline distgit`` changes specs the way RDO maintainers (and rdopkg) do:
set Version and reset Release, bump the last number of Release, prepend a
``%changelog`` entry headed ``* DATE NAME <EMAIL> [E:]V-R``, rewrite the
``PatchNNNN:`` lines after the ``# patches_base=`` magic comment, and sync
``Requires:``. Keeping these edits in one module means nothing else in the
distgit package imports specfile, and that each edit is a small, tested
function that leaves the rest of the file byte-for-byte untouched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rpm
from specfile.changelog import ChangelogEntry
from specfile.specfile import Specfile
from specfile.tags import Comments, Tag

from trunkline.errors import SpecError

_DIST = re.compile(r"%\{?\??dist\}?$")
_RELEASE_NUM = re.compile(r"^(\d+(?:\.\d+)*)(.*)$")
_PATCH_TAG = re.compile(r"^patch\d+$", re.IGNORECASE)
_MAGIC = re.compile(r"^#\s*([A-Za-z_]+)\s*=\s*(\S+)")
_CONDITIONAL_OPEN = ("%if", "%ifarch", "%ifnarch", "%ifos", "%ifnos")

# rpm dependency sense flags (rpm.RPMSENSE_*): LESS=2, GREATER=4, EQUAL=8
_SENSE = {2: "<", 4: ">", 8: "=", 10: "<=", 12: ">="}


@dataclass(frozen=True)
class SpecRequire:
    """One ``Requires:`` dependency of one (sub)package, as rpm parsed it."""

    name: str
    op: str = ""
    version: str = ""


@dataclass(frozen=True)
class SpecInfo:
    """What the distgit tools need to know about a spec."""

    path: Path
    name: str
    epoch: str | None
    version: str
    raw_release: str
    release: str
    patches: tuple[str, ...]
    magic: Mapping[str, str] = field(default_factory=dict)

    @property
    def vr(self) -> str:
        """``[EPOCH:]VERSION-RELEASE`` without the dist tag (rdopkg's changelog form)."""
        prefix = f"{self.epoch}:" if self.epoch else ""
        return f"{prefix}{self.version}-{self.release}" if self.release else prefix + self.version

    @property
    def nvr(self) -> str:
        """``NAME-VERSION-RELEASE`` without epoch or dist (commit subjects use this)."""
        return f"{self.name}-{self.version}-{self.release}"


def find_spec(directory: Path) -> Path:
    """The one ``*.spec`` file of a distgit.

    Raises:
        SpecError: there is no spec file, or more than one.
    """
    specs = sorted(p for p in directory.glob("*.spec") if p.is_file())
    if len(specs) != 1:
        found = ", ".join(p.name for p in specs) or "none"
        raise SpecError(f"{directory}: expected exactly one *.spec file, found {found}")
    return specs[0]


def _open(path: Path) -> Specfile:
    try:
        text = path.read_text(encoding="utf-8")
        return Specfile(content=text, sourcedir=path.parent)
    except Exception as exc:  # specfile raises RPMException, OSError, ValueError...
        raise SpecError(f"{path}: cannot parse spec: {' '.join(str(exc).split())}") from exc


def _save(spec: Specfile, path: Path) -> None:
    """Write the edited spec back (atomically: a crash never leaves half a spec)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(str(spec), encoding="utf-8")
    tmp.replace(path)


def _strip_dist(release: str) -> str:
    return _DIST.sub("", release)


def read_spec(path: Path) -> SpecInfo:
    """Read name, version, release, patches and magic comments of a spec.

    Raises:
        SpecError: the spec cannot be parsed.
    """
    spec = _open(path)
    values: dict[str, str] = {}
    patch_values: list[str] = []
    # One pass over the preamble tags: every specfile property re-parses the spec.
    with spec.tags() as tags:
        for tag in tags:
            key = tag.normalized_name.lower()
            if _PATCH_TAG.match(key):
                patch_values.append(tag.value)
            else:
                values.setdefault(key, tag.value)
    magic: dict[str, str] = {}
    with spec.lines() as lines:
        for line in lines:
            match = _MAGIC.match(line)
            if match and match.group(1) not in magic:
                magic[match.group(1)] = match.group(2)
    raw_release = values.get("release", "")
    epoch = spec.expand(values["epoch"]) if values.get("epoch") else None
    return SpecInfo(
        path=path,
        name=spec.expand(values.get("name", "")),
        epoch=epoch or None,
        version=spec.expand(values.get("version", "")),
        raw_release=raw_release,
        release=spec.expand(_strip_dist(raw_release)),
        patches=tuple(spec.expand(v).rsplit("/", 1)[-1] for v in patch_values),
        magic=magic,
    )


def _replace_release_number(raw_release: str, number: str) -> str:
    match = _RELEASE_NUM.match(raw_release)
    rest = match.group(2) if match else ""
    rest = rest.replace("%{?milestone}", "")
    if not _DIST.search(rest):
        rest += "%{?dist}"
    return number + rest


def set_version(path: Path, version: str, release: str = "1") -> None:
    """Set ``Version:`` and reset the numeric part of ``Release:`` (keeping ``%{?dist}``).

    A ``%global milestone`` is dropped with the old release, as rdopkg does.

    Raises:
        SpecError: the spec cannot be parsed.
    """
    spec = _open(path)
    old_release = spec.raw_release
    with spec.tags() as tags:
        tags.version.value = version
        tags.release.value = _replace_release_number(old_release, release)
    with spec.macro_definitions() as macros:
        for macro in [m for m in macros if m.name == "milestone"]:
            macros.remove(macro)
    _save(spec, path)


def update_release(path: Path, change: Callable[[str], str]) -> str:
    """Set ``Release:`` to ``change(raw_release)`` (one parse, one write).

    Returns:
        The new raw Release value.

    Raises:
        SpecError: the spec cannot be parsed, or ``change`` refuses the value.
    """
    spec = _open(path)
    new = change(spec.raw_release)
    with spec.tags() as tags:
        tags.release.value = new
    _save(spec, path)
    return new


def replace_version_in_source(path: Path, old: str, new: str, number: int = 0) -> str | None:
    """Replace a literal ``old`` version in ``Source<number>`` by ``new``.

    Only a whole version is replaced (``1.0.0`` in ``foo-1.0.0.tar.gz``, not in
    ``11.0.0``); locations built from ``%{version}`` have no literal to replace.

    Returns:
        The new location, or None when the location holds no literal ``old``.
    """
    pattern = re.compile(rf"(?<![\d.]){re.escape(old)}(?!\.?\d)")
    spec = _open(path)
    with spec.sources() as sources:
        for source in sources:
            if source.number == number and pattern.search(source.location):
                source.location = pattern.sub(new, source.location)
                location = str(source.location)
                break
        else:
            return None
    _save(spec, path)
    return location


def add_changelog_entry(
    path: Path, changes: Sequence[str], author: str, email: str, date: str | None = None
) -> str:
    """Prepend a ``%changelog`` entry ``* DATE AUTHOR <EMAIL> [E:]V-R`` with ``- change`` lines.

    Args:
        path: the spec.
        changes: one line per change, without the leading ``- ``.
        author: the packager's name (git ``user.name``).
        email: the packager's email (git ``user.email``).
        date: ``%a %b %d %Y``; today (UTC) by default.

    Returns:
        The entry's header line.
    """
    info = read_spec(path)
    day = date or time.strftime("%a %b %d %Y", time.gmtime())
    header = f"* {day} {author} <{email}> {info.vr}"
    spec = _open(path)
    with spec.changelog() as changelog:
        if changelog is None:
            raise SpecError(f"{path}: no %changelog section to add an entry to")
        lines = [f"- {c}" for c in changes] or ["- "]
        changelog.insert(len(changelog), ChangelogEntry(header, lines, [""]))
    _save(spec, path)
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


def set_patches(path: Path, filenames: Sequence[str]) -> None:
    """Replace all ``PatchNNNN:`` lines by ``Patch0001: <file>`` ... in the preamble.

    They go right after the ``# patches_base=`` magic comment block (followed by one
    blank line), else after the last unconditional ``Source`` line, where RDO's
    distgits and rdopkg keep them.

    Raises:
        SpecError: the spec has no anchor for the Patch lines.
    """
    spec = _open(path)
    new = [f"Patch{i:04d}: {name}" for i, name in enumerate(filenames, start=1)]
    with spec.sections() as sections:
        pre = sections.package
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
        else:
            if at < len(pre) and not pre[at].strip():
                at += 1
                pre[at:at] = [*new, ""]
            else:
                pre[at:at] = ["", *new, ""] if at < len(pre) else ["", *new]
    _save(spec, path)


def set_magic_comment(path: Path, key: str, value: str) -> bool:
    """Set the value of an existing ``# key=value`` comment.

    Returns:
        False when the spec has no such comment (nothing is added).
    """
    spec = _open(path)
    with spec.lines() as lines:
        for i, line in enumerate(lines):
            match = re.match(rf"(#\s*{re.escape(key)}\s*=\s*)\S*(.*)$", line)
            if match:
                lines[i] = f"{match.group(1)}{value}{match.group(2)}"
                break
        else:
            return False
    _save(spec, path)
    return True


def set_global_macro(path: Path, name: str, value: str) -> bool:
    """Set the body of an existing ``%global NAME`` (e.g. ``commit``); False if absent."""
    spec = _open(path)
    found = False
    with spec.macro_definitions() as macros:
        for macro in macros:
            if macro.name == name:
                macro.body = value
                found = True
    if found:
        _save(spec, path)
    return found


def spec_requires(path: Path) -> tuple[list[SpecRequire], set[str]]:
    """All ``Requires`` of every (sub)package, as librpm parsed them, and all Provides.

    Returns:
        (requires in spec order with duplicates removed, names the spec provides).
    """
    spec = _open(path)
    requires: list[SpecRequire] = []
    provides: set[str] = set()
    try:
        packages = spec.rpm_spec.packages
    except Exception as exc:
        raise SpecError(f"{path}: rpm cannot parse spec: {' '.join(str(exc).split())}") from exc
    for pkg in packages:
        header = pkg.header
        provides.update(header[rpm.RPMTAG_PROVIDENAME])
        names = header[rpm.RPMTAG_REQUIRENAME]
        versions = header[rpm.RPMTAG_REQUIREVERSION]
        flags = header[rpm.RPMTAG_REQUIREFLAGS]
        for name, version, flag in zip(names, versions, flags, strict=True):
            if name.startswith(("rpmlib(", "/")):
                continue
            req = SpecRequire(name, _SENSE.get(flag & 14, "") if version else "", version)
            if req not in requires:
                requires.append(req)
    return requires, provides


def requires_alignment(path: Path) -> str:
    """The separator the spec uses after ``Requires`` (e.g. ``':       '``)."""
    spec = _open(path)
    with spec.sections() as sections:
        ids = [s.id for s in sections if s.normalized_name == "package"]
    for section_id in ids:
        with spec.tags(section_id) as tags:
            for tag in tags:
                if tag.name == "Requires":
                    return str(tag._separator)
    return ":        "


def sync_requires(path: Path, wanted: Mapping[str, str], *, normalize: bool = True) -> list[str]:
    """Make the spec's Requires carry the wanted versions; add the missing ones.

    Args:
        path: the spec.
        wanted: RPM name in the ``python-`` form → version clause (``">= 1.2"`` or ``""``).
        normalize: match ``python3-x`` in the spec to ``python-x`` in ``wanted``.

    Returns:
        The Requires values written (changed or added), for the report.

    An existing line keeps its name (``python3-x``) and gets the new clause.
    Missing ones go after the last ``Requires`` of the subpackage holding the most
    python Requires, with the same ``python3-`` prefix that subpackage uses.
    """
    spec = _open(path)
    written: list[str] = []
    seen: set[str] = set()
    with spec.sections() as sections:
        ids = [s.id for s in sections if s.normalized_name == "package"]
    best_id, best_count, prefix = ids[0], -1, "python3-"
    for section_id in ids:
        with spec.tags(section_id) as tags:
            count = 0
            for tag in tags:
                if tag.name != "Requires":
                    continue
                name = tag.value.split()[0]
                key = normalize_python_name(name) if normalize else name
                if key.startswith("python-"):
                    count += 1
                    if name.startswith("python3-"):
                        prefix = "python3-"
                if key in wanted and key not in seen:
                    seen.add(key)
                    value = f"{name} {wanted[key]}".strip()
                    if value != tag.value:
                        tag.value = value
                        written.append(value)
            if count > best_count:
                best_id, best_count = section_id, count
    missing = [k for k in wanted if k not in seen]
    if missing:
        with spec.tags(best_id) as tags:
            reqs = [i for i, t in enumerate(tags) if t.name == "Requires"]
            at = reqs[-1] + 1 if reqs else len(tags)
            separator = requires_alignment(path)
            for key in missing:
                name = prefix + key.removeprefix("python-") if key.startswith("python-") else key
                value = f"{name} {wanted[key]}".strip()
                tags.insert(at, Tag("Requires", value, separator, Comments()))
                at += 1
                written.append(value)
    _save(spec, path)
    return written


def normalize_python_name(name: str) -> str:
    """``python3-foo`` / ``python2-foo`` → ``python-foo`` (how rdopkg compares names)."""
    return re.sub(r"^python[23]-", "python-", name)
