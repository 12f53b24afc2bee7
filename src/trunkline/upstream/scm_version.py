"""The version setuptools-scm gives one commit, computed by setuptools-scm itself.

A project is versioned by setuptools-scm when, at that commit:

* ``pyproject.toml`` has a ``[tool.setuptools_scm]`` table (its options are used);
* ``[tool.hatch.version] source = "vcs"`` (hatch-vcs, which calls setuptools-scm
  with ``raw-options``, ``tag-pattern`` as ``tag_regex`` and ``fallback-version``);
* ``setup.py`` calls ``setup(use_scm_version=True | {...})``;
* or ``[build-system] requires`` names setuptools-scm and ``[project] dynamic``
  lists ``version`` (setuptools-scm ≥ 8 then infers the version with defaults).

``setuptools_scm.get_version`` then runs in a child process on a private git
directory at the commit, with a clean index (:mod:`trunkline.upstream.commitview`),
so the project's ``version_scheme``/``local_scheme``/``tag_regex`` give exactly what
``setup.py --version`` would in a fresh checkout. Options that write files
(``version_file``, ``write_to``) or point elsewhere (``root``, ``relative_to``,
``parse``) are dropped; an option the installed setuptools-scm does not know is
ignored the way its own ``pyproject.toml`` reader warns and goes on. Unless the
project chose its own ``git describe`` command or tag settings, ``private-*`` tags
are excluded from it, as DLRN deletes them before ``setup.py --version`` ("they
could interfere with setuptools", scripts/common-functions).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from trunkline.errors import SourceError
from trunkline.upstream.commitview import commit_view
from trunkline.upstream.projectfiles import ProjectFiles
from trunkline.upstream.version_probe import probe

_DROPPED = frozenset(
    {
        "root",
        "relative_to",
        "fallback_root",
        "write_to",
        "write_to_template",
        "version_file",
        "version_file_template",
        "parse",
        "search_parent_directories",
        "version_cls",
    }
)
# setuptools-scm's default describe command, without DLRN's private-* tags
DESCRIBE = ["git", "describe", "--dirty", "--tags", "--long", "--abbrev=40"]
DESCRIBE += ["--match", "*[0-9]*", "--exclude", "private-*"]
_SCM_REQUIREMENT = re.compile(r"^\s*setuptools[-_.]scm\b", re.IGNORECASE)


def _requires_scm(files: ProjectFiles) -> bool:
    requires = files.toml_table("build-system").get("requires", [])
    dynamic = files.toml_table("project").get("dynamic", [])
    if not isinstance(requires, list) or not isinstance(dynamic, list):
        return False
    return "version" in dynamic and any(
        isinstance(r, str) and _SCM_REQUIREMENT.match(r) for r in requires
    )


def scm_options(files: ProjectFiles) -> dict[str, Any] | None:
    """The ``get_version`` options of a setuptools-scm project, or None for any other project."""
    table = files.toml_table("tool", "setuptools_scm")
    if table or "setuptools_scm" in files.toml_table("tool"):
        return {k: v for k, v in table.items() if k not in _DROPPED}
    hatch = files.toml_table("tool", "hatch", "version")
    if hatch.get("source") == "vcs":
        raw = hatch.get("raw-options", {})
        options = dict(raw) if isinstance(raw, dict) else {}
        if isinstance(hatch.get("tag-pattern"), str):
            options["tag_regex"] = hatch["tag-pattern"]
        if isinstance(hatch.get("fallback-version"), str):
            options["fallback_version"] = hatch["fallback-version"]
        return {k: v for k, v in options.items() if k not in _DROPPED}
    if "setup.py" in files.names and "use_scm_version" in files.setup_keywords:
        value = files.setup_literal("use_scm_version")
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items() if k not in _DROPPED}
        if value is True:
            return {}
    if _requires_scm(files):
        return {}
    return None


def scm_version(mirror: Path, sha: str, options: dict[str, Any]) -> str:
    """What setuptools-scm says for commit ``sha`` of the bare ``mirror`` (``1.2.4.dev3+g1a2b3c4``).

    Raises:
        SourceError: setuptools-scm cannot compute a version; the message is its own.
    """
    if not {"git_describe_command", "scm", "tag"} & set(options):
        options = {**options, "scm": {"git": {"describe_command": DESCRIBE}}}
    with commit_view(mirror, sha, clean_index=True) as root:
        try:
            return probe(root, json.dumps(options, default=str))
        except SourceError as exc:
            raise SourceError(f"{mirror}: commit {sha[:12]}: {exc}") from None
