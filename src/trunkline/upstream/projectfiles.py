"""The few files of a commit's top directory that say how the project is versioned.

Read from the bare mirror with git (``ls-tree`` and ``cat-file``: no checkout,
nothing of the project executed):
``setup.py`` (parsed with :mod:`ast`, never run), ``setup.cfg``, ``pyproject.toml``,
``metadata.json`` (Puppet modules) and ``VERSION``. A file that cannot be parsed
counts as absent, the way a build tool that cannot read it would ignore it.
"""

from __future__ import annotations

import ast
import configparser
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline import gitcmd
from trunkline.errors import CommandError, SourceError

INTERESTING = ("setup.py", "setup.cfg", "pyproject.toml", "metadata.json", "VERSION")


@dataclass(frozen=True)
class ProjectFiles:
    """What a commit's top directory holds, parsed.

    Attributes:
        names: every file and folder name at the top of the tree.
        setup_keywords: the keywords of the ``setup(...)`` call in ``setup.py``
            (``{}`` without one), as :mod:`ast` nodes.
        setup_cfg: ``setup.cfg`` as ``{section: {key: value}}``.
        pyproject: ``pyproject.toml`` as a dict.
        metadata_json: ``metadata.json`` as a dict.
        version_file: the stripped text of ``VERSION``, or None.
    """

    names: frozenset[str]
    setup_keywords: dict[str, ast.expr] = field(default_factory=dict)
    setup_cfg: dict[str, dict[str, str]] = field(default_factory=dict)
    pyproject: dict[str, Any] = field(default_factory=dict)
    metadata_json: dict[str, Any] = field(default_factory=dict)
    version_file: str | None = None

    def setup_literal(self, keyword: str) -> object:
        """The literal value of ``setup(keyword=...)``, or None when absent or computed."""
        node = self.setup_keywords.get(keyword)
        if node is None:
            return None
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None

    def toml_table(self, *path: str) -> dict[str, Any]:
        """The ``pyproject.toml`` table at ``path`` (``"tool", "setuptools_scm"``), or ``{}``."""
        table: Any = self.pyproject
        for key in path:
            table = table.get(key) if isinstance(table, dict) else None
        return table if isinstance(table, dict) else {}


def _setup_keywords(source: str) -> dict[str, ast.expr]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "setup":
                return {k.arg: k.value for k in node.keywords if k.arg}
    return {}


def _setup_cfg(text: str) -> dict[str, dict[str, str]]:
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cfg.read_string(text)
    except configparser.Error:
        return {}
    return {name: dict(cfg.items(name)) for name in cfg.sections()}


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def read_project_files(mirror: Path, sha: str) -> ProjectFiles:
    """Read and parse the versioning files of commit ``sha`` in the bare ``mirror``.

    Raises:
        SourceError: ``mirror`` is not a git repository or has no commit ``sha``.
    """
    git = gitcmd.at(mirror)
    try:
        listing = git.run("ls-tree", "-z", "--end-of-options", f"{sha}^{{tree}}", timeout=60)
        names, texts = _top_files(git, listing.stdout)
    except CommandError as exc:
        raise SourceError(f"{mirror}: cannot read the tree of {sha}: {exc.detail}") from None
    version_text = texts.get("VERSION")
    return ProjectFiles(
        names=names,
        setup_keywords=_setup_keywords(texts.get("setup.py") or ""),
        setup_cfg=_setup_cfg(texts.get("setup.cfg") or ""),
        pyproject=_toml(texts.get("pyproject.toml") or ""),
        metadata_json=_json(texts.get("metadata.json") or "{}"),
        version_file=version_text.strip() if version_text is not None else None,
    )


def _top_files(git: gitcmd.Git, listing: str) -> tuple[frozenset[str], dict[str, str | None]]:
    """Every top-level name of an ``ls-tree -z`` listing, and its :data:`INTERESTING` files'
    texts (``cat-file``); a folder bearing one of those names is present but unreadable (None).
    """
    blobs: dict[str, str] = {}
    names: set[str] = set()
    for entry in listing.split("\0"):
        info, _, name = entry.partition("\t")
        if not name:
            continue
        names.add(name)
        fields = info.split()
        if len(fields) == 3 and fields[1] == "blob":
            blobs[name] = fields[2]
    texts: dict[str, str | None] = {}
    for name in INTERESTING:
        if name in names:
            blob = blobs.get(name)
            texts[name] = None if blob is None else git.output("cat-file", "blob", blob)
    return frozenset(names), texts
