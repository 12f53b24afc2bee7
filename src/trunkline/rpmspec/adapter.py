"""The one place that reads and rewrites spec files, through packit's ``specfile``.

Two jobs: :func:`spec_info` says what a spec builds (name, version, subpackages,
BuildRequires, ...) with real rpm macro expansion, and :func:`rewrite_spec` turns
a distgit's spec into the spec of one trunk build, as DLRN's ``build_srpm.sh``
does: ``%define upstream_version``, ``%global dlrn 1``, ``%global dlrn_nvr`` on
top, ``UPSTREAMVERSION`` placeholders filled, ``Version``/``Release``/``Source0``
set, ``%changelog`` emptied. It works on RDO's master distgits (``Version: XXX``)
and stable ones (real values) alike. Fedora python macros the host rpm lacks are
loaded from the fallback file (``rpmspec/macros.py``) for parsing only; they never
end up in the rewritten spec.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rpm
from specfile.exceptions import SpecfileException
from specfile.specfile import Specfile

from trunkline.errors import SpecError
from trunkline.rpmspec.macros import RPM_LOCK, fallback_macro_file

log = logging.getLogger(__name__)

_ARCHIVE_EXTS = (".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz", ".tar", ".zip", ".gem")
_LOAD_MARK = "# trunkline: fallback macros for parsing only"
_LINE_NO = re.compile(r"^line (\d+):")


@dataclass(frozen=True)
class SpecInfo:
    """What a spec file builds, macros expanded.

    Attributes:
        name: the source package name.
        version: Version (expanded; ``XXX`` in an RDO master distgit).
        release: Release (expanded, including the dist tag if defined).
        epoch: Epoch, or None.
        subpackages: names of the binary packages built (those with a ``%files``), in order.
        buildrequires: BuildRequires with their version constraints, e.g. ``python3-pbr >= 2``.
        requires: Requires of all binary packages, deduplicated, in spec order.
        sources: (number, expanded location) of every Source tag.
        patches: (number, expanded location) of every Patch tag.
    """

    name: str
    version: str
    release: str
    epoch: int | None
    subpackages: tuple[str, ...]
    buildrequires: tuple[str, ...]
    requires: tuple[str, ...]
    sources: tuple[tuple[int, str], ...]
    patches: tuple[tuple[int, str], ...] = ()


def _one_line(text: str, offset: int = 0) -> str:
    """rpm's meaningful line, its line number made relative to the spec as written."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    line = next((ln for ln in reversed(lines) if ln.startswith("line ")), None)
    if line is None:
        line = lines[-1] if lines else "rpm cannot parse it"
    line = line.removeprefix("error: ")
    if offset:
        line = _LINE_NO.sub(lambda m: f"line {max(1, int(m.group(1)) - offset)}:", line)
    return line


def _macro_list(macros: Mapping[str, str]) -> list[tuple[str, str | None]]:
    return [(name.lstrip("%"), value) for name, value in macros.items()]


def _open(spec: Path, macros: Mapping[str, str], *, content: str | None = None) -> Specfile:
    """Parse ``spec`` (or ``content`` standing for it) with the fallback macros loaded."""
    if content is None:
        try:
            content = spec.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"{spec}: cannot be read: {exc}") from exc
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
    except (SpecfileException, ValueError, rpm.error) as exc:
        raise SpecError(f"{spec}: cannot be parsed: {_one_line(str(exc), offset)}") from exc


def _strip_prefix(text: str) -> str:
    first, newline, rest = text.partition("\n")
    if newline and first.startswith("%{load:") and first.endswith(_LOAD_MARK):
        return rest
    return text


def _deps(header: Any, tag: str) -> list[str]:
    """Dependencies of one header as ``name [op version]`` strings."""
    return [dep.DNEVR()[2:] for dep in rpm.ds(header, tag)]


def spec_info(spec: Path, macros: Mapping[str, str]) -> SpecInfo:
    """Read what a spec builds.

    Args:
        spec: the spec file.
        macros: extra rpm macros (the builder's ``build.macros``; ``dist`` goes here too).

    Returns:
        The spec's name, version, release, epoch, subpackages, BuildRequires, Requires, sources.

    Raises:
        SpecError: the file is missing, unreadable or rpm cannot parse it (one line naming it).
    """
    with RPM_LOCK:
        return _spec_info(spec, macros)


def _spec_info(spec: Path, macros: Mapping[str, str]) -> SpecInfo:
    sf = _open(spec, macros)
    rs = sf.rpm_spec
    src_header = rs.sourceHeader
    epoch = src_header["epoch"]
    subpackages = []
    requires: list[str] = []
    for pkg in rs.packages:
        header = pkg.header
        if pkg.fileList is None and pkg.fileFile is None:
            continue  # no %files section: rpmbuild emits no package
        subpackages.append(str(header["name"]))
        for dep in _deps(header, "requirename"):
            if dep not in requires:
                requires.append(dep)
    sources: list[tuple[int, str]] = []
    patches: list[tuple[int, str]] = []
    for location, number, kind in rs.sources:
        (patches if kind == rpm.RPMBUILD_ISPATCH else sources).append((int(number), location))
    return SpecInfo(
        name=str(src_header["name"]),
        version=str(src_header["version"]),
        release=str(src_header["release"]),
        epoch=int(epoch) if epoch is not None else None,
        subpackages=tuple(subpackages),
        buildrequires=tuple(_deps(src_header, "requirename")),
        requires=tuple(requires),
        sources=tuple(sorted(sources)),
        patches=tuple(sorted(patches)),
    )


def dlrn_nvr(name: str, version: str, release: str, source0: str | None) -> str:
    """DLRN's ``dlrn_nvr``: the Source0 tarball's name without extension, else ``N-V-R``."""
    if source0:
        base = source0.rsplit("/", 1)[-1]
        for ext in _ARCHIVE_EXTS:
            if base.endswith(ext):
                return base[: -len(ext)]
        return base
    return f"{name}-{version}-{release}"


def rewrite_spec(
    spec: Path,
    *,
    version: str,
    upstream_version: str,
    release: str,
    source0: str | None,
    keep_changelog: bool,
    macros: Mapping[str, str],
) -> None:
    """Rewrite ``spec`` in place into the spec of one trunk build, as DLRN does.

    Args:
        spec: the spec file (a copy in the build's topdir, never the distgit).
        version: the RPM Version (normalised; ``-`` becomes ``.``).
        upstream_version: the version upstream reports; ``%{upstream_version}`` and
            ``UPSTREAMVERSION`` placeholders get it.
        release: the Release without dist, e.g. ``0.20251118100000.0d094ba``;
            written as ``<release>%{?dist}``.
        source0: the tarball's file name for Source0; None keeps the spec's Source0.
        keep_changelog: keep ``%changelog`` entries (else the section is emptied).
        macros: extra rpm macros used while parsing.

    Raises:
        SpecError: the spec cannot be parsed or rewritten (one line naming the file).
    """
    with RPM_LOCK:
        _rewrite(spec, version, upstream_version, release, source0, keep_changelog, macros)


def _rewrite(
    spec: Path,
    version: str,
    upstream_version: str,
    release: str,
    source0: str | None,
    keep_changelog: bool,
    macros: Mapping[str, str],
) -> None:
    try:
        original = spec.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{spec}: cannot be read: {exc}") from exc
    version = version.replace("-", ".", 1)
    text = original.replace("UPSTREAMVERSION", upstream_version)
    sf = _open(spec, macros, content=text)
    name = sf.expanded_name
    nvr_value = dlrn_nvr(name, version, release, source0)
    try:
        sf.version = version
        sf.raw_release = f"{release}%{{?dist}}"
        if source0 is not None:
            _set_source0(sf, spec, source0)
        if not keep_changelog:
            with sf.sections() as sections:
                if "changelog" in sections:
                    sections.changelog[:] = []
    except SpecfileException as exc:
        raise SpecError(f"{spec}: cannot be rewritten: {_one_line(str(exc))}") from exc
    header = (
        f"%global dlrn_nvr {nvr_value}\n"
        "%global dlrn 1\n"
        f"%define upstream_version {upstream_version}\n"
    )
    body = _strip_prefix(str(sf))
    spec.write_text(header + body, encoding="utf-8")
    check = _spec_info(spec, macros)
    if check.version != version:
        raise SpecError(
            f"{spec}: Version expands to {check.version!r} after the rewrite, expected {version!r}"
        )


def _set_source0(sf: Specfile, spec: Path, source0: str) -> None:
    with sf.sources() as sources:
        for source in sources:
            if source.number == 0:
                source.location = source0
                return
    raise SpecError(f"{spec}: no Source0 tag to point at the tarball {source0}")
