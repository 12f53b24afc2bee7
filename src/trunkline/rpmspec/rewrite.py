"""DLRN's rewrite of a distgit spec into the spec of one trunk build (``build_srpm.sh``).

``%global dlrn_nvr``, ``%global dlrn 1`` and ``%define upstream_version`` on top,
``UPSTREAMVERSION`` placeholders filled, ``Version``/``Release``/``Source0`` set,
``%changelog`` emptied. Parsing and writing go through :mod:`.adapter` (the one
owner of specfile); the fallback macros it loads never reach the written spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from trunkline.errors import SpecError
from trunkline.rpmspec.adapter import (
    EditableSpec,
    one_line,
    open_spec,
    read_text,
    spec_info,
    strip_load_prefix,
    write_atomic,
)
from trunkline.rpmspec.macros import RPM_LOCK

_ARCHIVE_EXTS = (".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz", ".tar", ".zip", ".gem")


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

    ``%define upstream_version``, ``%global dlrn 1``, ``%global dlrn_nvr`` on top,
    ``UPSTREAMVERSION`` placeholders filled, ``Version``/``Release``/``Source0``
    set, ``%changelog`` emptied. Works on RDO's master distgits (``Version: XXX``)
    and stable ones (real values) alike.

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
    original = read_text(spec)
    version = version.replace("-", ".", 1)
    text = original.replace("UPSTREAMVERSION", upstream_version)
    sf = open_spec(spec, macros, content=text)
    try:
        name = sf.expanded_name
        nvr_value = dlrn_nvr(name, version, release, source0)
        sf.version = version
        sf.raw_release = f"{release}%{{?dist}}"
        if source0 is not None:
            _set_source0(sf, spec, source0)
        if not keep_changelog:
            with sf.sections() as sections:
                if "changelog" in sections:
                    sections.changelog[:] = []
        body = strip_load_prefix(str(sf))
    except SpecError:
        raise
    except Exception as exc:
        raise SpecError(f"{spec}: cannot be rewritten: {one_line(str(exc))}") from None
    header = (
        f"%global dlrn_nvr {nvr_value}\n"
        "%global dlrn 1\n"
        f"%define upstream_version {upstream_version}\n"
    )
    write_atomic(spec, header + body)
    check = spec_info(spec, macros)
    if check.version != version:
        raise SpecError(
            f"{spec}: Version expands to {check.version!r} after the rewrite, expected {version!r}"
        )


def _set_source0(sf: EditableSpec, spec: Path, source0: str) -> None:
    with sf.sources() as sources:
        for source in sources:
            if source.number == 0:
                source.location = source0
                return
    raise SpecError(f"{spec}: no Source0 tag to point at the tarball {source0}")
