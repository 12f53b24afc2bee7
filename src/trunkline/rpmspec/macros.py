"""Fallback rpm macros so Fedora/EL Python specs parse and build on any host rpm.

RDO distgits use ``%{py3_build}``, ``%{python3_sitelib}``, ``%pyproject_*`` ...,
which come from Fedora's python-rpm-macros; Debian's rpm defines none of them,
so a spec would not even parse (``BuildRequires: %{py3_dist foo}``). trunkline
ships ``data/fallback.macros`` and loads, for a given host, only the definitions
its rpm lacks (and that the builder config does not set): real macros always win.
The filtered file is written once per process and content, and handed to rpm with
``--load`` (rpmbuild) or ``%{load:...}`` (in-process parsing).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

from trunkline.errors import CommandError
from trunkline.process import run

HOST_PYTHON3 = "/usr/bin/python3"

RPM_LOCK = threading.RLock()
"""Guards rpm's process-wide macro context: builds run in worker threads, and a parse
(which resets and redefines macros) must never interleave with another."""

_BLOCK_START = re.compile(r"^%([A-Za-z_][A-Za-z0-9_]*)")


@functools.cache
def _host_python3_version() -> str:
    """``X.Y`` of the host's /usr/bin/python3 (what ``%py3_build`` runs), asked once."""
    try:
        result = run(
            [HOST_PYTHON3, "-Ic", "import sys; print(*sys.version_info[:2], sep='.')"],
            timeout=60,
        )
    except CommandError:
        return "3"
    return result.stdout.strip() or "3"


@functools.cache
def _fallback_text() -> str:
    text = resources.files("trunkline.rpmspec").joinpath("data/fallback.macros").read_text("utf-8")
    version = _host_python3_version()
    text = text.replace("@PYTHON3_VERSION_NODOTS@", version.replace(".", ""))
    return text.replace("@PYTHON3_VERSION@", version)


def _blocks(text: str) -> list[tuple[str, str]]:
    """Split the fallback file into (macro name, definition text) blocks."""
    blocks: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _BLOCK_START.match(line)
        if match is not None:
            blocks.append((match.group(1), line))
        elif blocks:  # a continuation line of the previous definition
            name, body = blocks[-1]
            blocks[-1] = (name, f"{body}\n{line}")
    return blocks


@functools.cache
def _host_defined() -> frozenset[str]:
    """The fallback names the host's own rpm configuration defines (asked once, of ``rpm``).

    One ``rpm --eval`` of ``%{?NAME:NAME}`` per name: the command, not librpm, so
    a builder that only runs rpmbuild never loads librpm (~3 MB and its macro
    tables, issue #10). A host without the rpm command defines none.
    """
    names = [name for name, _ in _blocks(_fallback_text())]
    probe = " ".join(f"%{{?{name}:{name}}}" for name in names)
    try:
        result = run(["rpm", "--eval", probe], timeout=60)
    except CommandError:
        return frozenset()
    return frozenset(result.stdout.split()) & set(names)


def host_defines(name: str) -> bool:
    """Whether the host's rpm configuration defines fallback macro ``name``."""
    return name in _host_defined()


def fallback_names() -> tuple[str, ...]:
    """Names of every macro the fallback file can define."""
    return tuple(name for name, _ in _blocks(_fallback_text()))


def missing_fallback_names(exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Fallback macros this host lacks, minus ``exclude`` (names the config sets)."""
    skip = set(exclude)
    return tuple(n for n in fallback_names() if n not in skip and not host_defines(n))


def fallback_macro_file(exclude: Iterable[str] = ()) -> Path | None:
    """A macro file with the fallback definitions this host's rpm lacks.

    Args:
        exclude: macro names never to define (the builder's own ``macros``).

    Returns:
        The file's path (in the temp dir, named by its content, written once), or
        None when the host defines them all (a Fedora/EL host).
    """
    wanted = set(missing_fallback_names(exclude))
    defs = [body for name, body in _blocks(_fallback_text()) if name in wanted]
    if not defs:
        return None
    text = "\n".join(defs) + "\n"
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"trunkline-fallback-{digest}.macros"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".trunkline-fallback-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return path


def rpm_define_args(
    macros: Mapping[str, str] | None = None, *, dist: str | None = None
) -> list[str]:
    """Command-line options giving rpmbuild the fallback file, dist and the builder's macros.

    Args:
        macros: the builder's extra macros (name without ``%`` -> value).
        dist: the dist tag; None leaves the host's.

    Returns:
        ``["--load", FILE, "--define", "dist .el9s", "--define", "name value", ...]``.
    """
    macros = dict(macros or {})
    args: list[str] = []
    exclude = set(macros) | ({"dist"} if dist is not None else set())
    fallback = fallback_macro_file(exclude)
    if fallback is not None:
        args += ["--load", str(fallback)]
    if dist is not None:
        args += ["--define", f"dist {dist}" if dist else "dist %{nil}"]
    for name, value in macros.items():
        args += ["--define", f"{name.lstrip('%')} {value}"]
    return args
