"""Read an upstream ``requirements.txt`` (PEP 508) at a git ref and map it to RPM names.

Lines are parsed with :mod:`packaging.requirements`; environment markers are
evaluated for a chosen Python version (``python_version``), so
``futures;python_version=='2.7'`` disappears for 3.9 as rdopkg does. pip options
(``-r``, ``-e``, ``--index-url``) and blank or comment lines are skipped. The
RPM name of a module comes from pymod2pkg (``oslo.config`` → ``python-oslo-config``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pymod2pkg
from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from trunkline import gitcmd
from trunkline.distgit import gitops
from trunkline.errors import InputError

DEFAULT_PYTHON = "3.9"


@dataclass(frozen=True)
class Req:
    """One requirement that applies to the chosen Python."""

    module: str
    package: str
    specifier: str  # e.g. ">=2.0.0,!=2.1.0" (packaging's canonical form), "" for any

    @property
    def lower_bound(self) -> str | None:
        """The minimum version (``>=``/``>``/``==``/``~=``/``===`` clause), if any."""
        req = Requirement(self.module + self.specifier)
        for spec in req.specifier:
            if spec.operator in (">=", ">", "==", "~=", "==="):
                return spec.version
        return None


def module_to_package(module: str) -> str:
    """The RPM name RDO uses for a Python module (pymod2pkg's ``epel`` map)."""
    return str(pymod2pkg.module2package(module, "epel"))


def _environment(python_version: str) -> dict[str, str]:
    """Every PEP 508 marker variable, fixed: an RDO build target, not the host we run on.

    packaging fills a variable left out from the running interpreter and machine
    (``platform_machine`` would be ``aarch64`` on an ARM host), so none is left out.
    """
    return {
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python_version}.0",
        "platform_python_implementation": "CPython",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_version": "",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "extra": "",
    }


def parse_requirements(
    text: str, *, python_version: str = DEFAULT_PYTHON, source: str = "requirements.txt"
) -> list[Req]:
    """The requirements of ``text`` that apply to ``python_version``, in file order.

    Raises:
        InputError: a line is not a valid PEP 508 requirement, its marker cannot be
            evaluated (``python_version ~= 'x'``), or ``python_version`` is not a version.
    """
    try:
        Version(python_version)
    except InvalidVersion:
        raise InputError(
            f"--python-version {python_version!r}: expected a Python version like 3.9"
        ) from None
    env = _environment(python_version)
    reqs: list[Req] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise InputError(f"{source}:{number}: not a PEP 508 requirement: {exc}") from None
        try:
            applies = req.marker is None or req.marker.evaluate(env)
        except (UndefinedComparison, UndefinedEnvironmentName) as exc:
            raise InputError(
                f"{source}:{number}: marker '{req.marker}' cannot be evaluated: {exc} "
                "(expected a PEP 508 comparison, e.g. python_version >= '3.9')"
            ) from None
        if not applies:
            continue
        specs = sorted(req.specifier, key=lambda s: (s.operator not in (">=", ">"), str(s)))
        reqs.append(Req(req.name, module_to_package(req.name), ",".join(str(s) for s in specs)))
    return reqs


def read_at_ref(repo: Path, ref: str, path: str = "requirements.txt") -> str | None:
    """The text of ``path`` at a git ref, or None when the file does not exist there.

    Raises:
        InputError: the ref does not exist.
    """
    if gitops.rev_parse(repo, ref) is None:
        raise InputError(f"{repo}: git ref '{ref}' does not exist (fetch the 'upstream' remote)")
    result = gitcmd.checkout(repo).run("show", f"{ref}:{path}", check=False)
    return result.stdout if result.ok else None


def requirements_at(repo: Path, ref: str, *, python_version: str = DEFAULT_PYTHON) -> list[Req]:
    """Parsed ``requirements.txt`` of an upstream ref (empty when the file is absent)."""
    text = read_at_ref(repo, ref)
    if text is None:
        return []
    return parse_requirements(text, python_version=python_version, source=f"{ref}:requirements.txt")
