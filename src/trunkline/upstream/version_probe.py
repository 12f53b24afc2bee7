"""Ask pbr or setuptools-scm for the version of the repository in the current directory.

Run as a child process (``python -m trunkline.upstream.version_probe KIND ARG``)
from the root that :func:`trunkline.upstream.commitview.commit_view` made, so the
library's own code runs unchanged: it finds the repository the way it does under
``setup.py --version`` (the current directory), with the environment overrides
(``SETUPTOOLS_SCM_PRETEND_VERSION``, ``PBR_VERSION``, ``GIT_DIR``...) removed, and
its warnings, logging and global state stay out of the builder's process. Only
git metadata is read; no upstream file is executed.

* ``setuptools-scm OPTIONS_JSON``: ``setuptools_scm.get_version(root=".", **OPTIONS)``
  with the project's own ``[tool.setuptools_scm]`` options (those this
  setuptools-scm's ``get_version`` accepts). Used for every setuptools-scm build.
* ``pbr PRE_VERSION``: ``pbr.packaging._get_version_from_git(PRE_VERSION or None)``,
  the function behind pbr's ``setup.py --version`` once ``PBR_VERSION`` and
  ``PKG-INFO`` are ruled out. Builds call pbr in-process
  (:mod:`trunkline.upstream.pbr_version`); this entry is the untouched reference.

The answer is printed as the last line, ``version=<value>``; a failure exits 1 with
the library's message on stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Literal

from trunkline.errors import CommandError, CommandTimeoutError, SourceError
from trunkline.process import run

MARKER = "version="
ProbeKind = Literal["pbr", "setuptools-scm"]
# Settings that would make the libraries answer something other than git's history.
_OVERRIDES = ("PBR_VERSION", "OSLO_PACKAGE_VERSION")
_OVERRIDE_PREFIXES = ("SETUPTOOLS_SCM_", "VCS_VERSIONING_")
_GIT_LOCATION = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
)


def probe(root: Path, kind: ProbeKind, arg: str, *, timeout: float = 300.0) -> str:
    """Run this module in a child process at ``root``; return the version it printed.

    Args:
        root: a work-tree root whose ``.git`` is the commit to ask about.
        kind: which library answers.
        arg: pbr's pre-version (may be empty) or setuptools-scm's options as JSON.
        timeout: seconds before the child is killed.

    Raises:
        SourceError: the library could not compute a version (its message, one line).
        CommandTimeoutError: the child ran past ``timeout``.
    """
    argv = [sys.executable, "-m", "trunkline.upstream.version_probe", kind, arg]
    try:
        result = run(argv, cwd=root, timeout=timeout)
    except CommandTimeoutError:
        raise
    except CommandError as exc:
        raise SourceError(f"{kind} cannot compute the version: {exc.detail}") from None
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise SourceError(f"{kind} printed no version")
    return lines[-1][len(MARKER) :].strip()


def _clean_environment() -> None:
    for key in list(os.environ):
        if key in _OVERRIDES or key in _GIT_LOCATION or key.startswith(_OVERRIDE_PREFIXES):
            del os.environ[key]


def _pbr(pre_version: str) -> str:
    from pbr import packaging  # type: ignore[import-untyped]

    value = packaging._get_version_from_git(pre_version or None)
    return str(value)


def _setuptools_scm(options_json: str) -> str:
    import inspect

    from setuptools_scm import get_version

    known = set(inspect.signature(get_version).parameters) - {"root"}
    options: dict[str, Any] = json.loads(options_json)
    return str(get_version(root=".", **{k: v for k, v in options.items() if k in known}))


def main(argv: list[str]) -> int:
    """Print ``version=<value>`` for KIND (``pbr`` or ``setuptools-scm``); 0 or 1."""
    if len(argv) != 2 or argv[0] not in ("pbr", "setuptools-scm"):
        print(
            "usage: version_probe {pbr PRE_VERSION | setuptools-scm OPTIONS_JSON}", file=sys.stderr
        )
        return 2
    kind, arg = argv
    _clean_environment()
    try:
        value = _pbr(arg) if kind == "pbr" else _setuptools_scm(arg)
    except Exception as exc:  # the library's own failure, reported as one line
        print(f"{kind}: {type(exc).__name__}: {exc}".replace("\n", " "), file=sys.stderr)
        return 1
    if not value:
        print(f"{kind}: no version found in git", file=sys.stderr)
        return 1
    print(f"{MARKER}{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
