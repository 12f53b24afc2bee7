"""Ask setuptools-scm for the version of the repository in the current directory.

Run as a child process (``python -m trunkline.upstream.version_probe OPTIONS_JSON``)
from the root that :func:`trunkline.upstream.commitview.commit_view` made:
``setuptools_scm.get_version(root=".", **OPTIONS)`` with the project's own
options (those this setuptools-scm's ``get_version`` accepts). The library's code
runs unchanged, with the environment overrides that would make it answer
something other than git's history (``SETUPTOOLS_SCM_PRETEND_VERSION``,
``GIT_DIR``...) removed, and its warnings, logging and global state stay out of
the builder's process. Only git metadata is read; no upstream file is executed.

The answer is printed as the last line, ``version=<value>``; a failure exits 1 with
the library's message on stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from trunkline.errors import CommandError, CommandTimeoutError, SourceError
from trunkline.process import run

MARKER = "version="
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


def probe(root: Path, options_json: str, *, timeout: float = 300.0) -> str:
    """Run this module in a child process at ``root``; return the version it printed.

    Args:
        root: a work-tree root whose ``.git`` is the commit to ask about.
        options_json: setuptools-scm's ``get_version`` options as a JSON object.
        timeout: seconds before the child is killed.

    Raises:
        SourceError: setuptools-scm could not compute a version (its message, one line).
        CommandTimeoutError: the child ran past ``timeout``.
    """
    argv = [sys.executable, "-m", "trunkline.upstream.version_probe", options_json]
    try:
        result = run(argv, cwd=root, timeout=timeout)
    except CommandTimeoutError:
        raise
    except CommandError as exc:
        raise SourceError(f"setuptools-scm cannot compute the version: {exc.detail}") from None
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise SourceError("setuptools-scm printed no version")
    return lines[-1][len(MARKER) :].strip()


def _clean_environment() -> None:
    for key in list(os.environ):
        if key in _GIT_LOCATION or key.startswith(_OVERRIDE_PREFIXES):
            del os.environ[key]


def _setuptools_scm(options_json: str) -> str:
    import inspect

    from setuptools_scm import get_version

    known = set(inspect.signature(get_version).parameters) - {"root"}
    options: dict[str, Any] = json.loads(options_json)
    return str(get_version(root=".", **{k: v for k, v in options.items() if k in known}))


def main(argv: list[str]) -> int:
    """Print ``version=<value>``; 0, or 1 when setuptools-scm fails, 2 on bad usage."""
    if len(argv) != 1:
        print("usage: python -m trunkline.upstream.version_probe OPTIONS_JSON", file=sys.stderr)
        return 2
    _clean_environment()
    try:
        value = _setuptools_scm(argv[0])
    except Exception as exc:  # the library's own failure, reported as one line
        print(f"{type(exc).__name__}: {exc}".replace("\n", " "), file=sys.stderr)
        return 1
    if not value:
        print("no version found in git", file=sys.stderr)
        return 1
    print(f"{MARKER}{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
