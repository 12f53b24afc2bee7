"""Read an OpenStack ``upper-constraints.txt`` for one target Python.

A line is ``name===version[;marker]`` (PEP 508, parsed by ``packaging``).
Markers are evaluated for the target (``python_version`` and
``python_full_version`` from the target, a Linux/CPython environment for the
rest), so ``alabaster===0.7.16;python_version=='3.9'`` is kept for 3.9 only.
RDO's report-uc.py keeps a line only when its ``python_version`` marker matches
the distro's Python; update-uc.py drops markers altogether (so for a module
listed twice the last line wins there; here the line for the target does).

Sources (:func:`read_source`): a file path, an ``http(s)://`` URL, or a git ref
of a requirements repository written ``REPO@REF`` (``upper-constraints.txt`` at
``REF`` of the repository at path ``REPO``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement

from trunkline import gitcmd
from trunkline.errors import CommandError, InputError

UC_FILE = "upper-constraints.txt"
_PYTHON = re.compile(r"3\.\d{1,2}")


@dataclass(frozen=True)
class Constraint:
    """One module pinned by upper-constraints.

    Attributes:
        module: the name as written (``oslo.config``, ``PyYAML``).
        version: the pinned version (``9.7.1``).
        line: 1-based line number in the source.
    """

    module: str
    version: str
    line: int


def check_python(python: str) -> str:
    """``python`` if it is a ``3.N`` version, else an InputError naming what is expected."""
    if not _PYTHON.fullmatch(python):
        raise InputError(f"--python {python!r}: expected a Python version like 3.12")
    return python


def marker_environment(python: str) -> dict[str, str]:
    """The PEP 508 environment of the target: its Python, on Linux x86_64 CPython."""
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }


def parse_constraints(text: str, python: str, *, source: str = UC_FILE) -> list[Constraint]:
    """The constraints of ``text`` that apply to ``python``, in file order.

    Args:
        text: the file's content.
        python: target Python version (``3.12``).
        source: named in errors.

    Returns:
        one :class:`Constraint` per module (the line whose marker holds).

    Raises:
        InputError: a line is not ``name===version[;marker]``, or two lines for the
            same module both apply to ``python``.
    """
    env = marker_environment(check_python(python))
    out: dict[str, Constraint] = {}
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise InputError(f"{source}:{no}: {exc} (expected name===version)") from None
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator not in ("===", "=="):
            raise InputError(f"{source}:{no}: {line!r}: expected one pin name===version")
        marker: Marker | None = req.marker
        if marker is not None and not marker.evaluate(env):
            continue
        key = req.name.lower()
        if key in out:
            raise InputError(
                f"{source}:{no}: {req.name} already pinned at line {out[key].line} "
                f"for Python {python} (expected one line per module)"
            )
        out[key] = Constraint(req.name, specs[0].version, no)
    return list(out.values())


def read_source(source: str, *, timeout: float = 60.0) -> tuple[str, str]:
    """The text of an upper-constraints source and a label for it.

    Args:
        source: a path, an ``http(s)://`` URL, or ``REPO@REF`` (git).
        timeout: seconds for a download.

    Returns:
        ``(text, label)``.

    Raises:
        InputError: the file, URL or ref cannot be read.
    """
    if source.startswith(("http://", "https://")):
        import httpx

        try:
            resp = httpx.get(source, timeout=timeout, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise InputError(f"--uc {source}: cannot download: {exc}") from None
        if resp.status_code != 200:
            raise InputError(f"--uc {source}: HTTP {resp.status_code} (expected 200)")
        return resp.text, source
    path = Path(source)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"--uc {source}: cannot read: {exc}") from None
    repo, sep, ref = source.rpartition("@")
    if sep and repo and ref and Path(repo).is_dir():
        try:
            text = gitcmd.at(Path(repo)).run("show", f"{ref}:{UC_FILE}").stdout
        except CommandError as exc:
            raise InputError(f"--uc {source}: {exc}") from None
        return text, source
    raise InputError(
        f"--uc {source}: not found (expected a file, an http(s) URL or REPO@REF of a git repo)"
    )
