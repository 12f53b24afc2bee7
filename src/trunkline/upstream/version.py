"""Upstream version detection at one commit, without running upstream code.

DLRN runs ``setup.py --version`` in a chroot (which executes the project's code
and needs its build dependencies). trunkline reads the version statically, in
this order, from the commit's tree in the bare mirror:

1. pbr projects (``setup.py`` calls ``setup(pbr=True)``): the newest tag reachable
   from the commit; with commits after it, the next patch version, as pbr's
   ``X.Y.Z+1.devN`` stripped of its dev suffix (what DLRN ends up with);
2. a static version in ``pyproject.toml`` (``[project] version``), ``setup.cfg``
   (``[metadata] version``), a ``setup(version="...")`` literal in ``setup.py``,
   ``metadata.json`` (Puppet modules) or a ``VERSION`` file;
3. the newest reachable tag (``git describe --tags --abbrev=0``; tags named
   ``private-*``, ``*-eol``, ``*-em``, ``*-eom`` are ignored, a leading ``v`` dropped);
4. ``0.0.1``.

Pre-release and dev suffixes are removed the way DLRN removes them
(``.devN``, ``.0rcN``, ``.0bN``, ``.gSHA``), since the NVR's release field
already orders trunk builds.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from trunkline.process import run
from trunkline.upstream.mirror import GIT_ENV, git_dir_args

FALLBACK_VERSION = "0.0.1"
IGNORED_TAGS = ("private-*", "*-eol", "*-em", "*-eom")
_SUFFIX = re.compile(r"(\.dev\d+|\.0rc\d+|\.0b\d+|\.0a\d+|\.g[0-9a-f]{7,}|\+.*)+$")
_VERSIONISH = re.compile(r"^\d+(\.\d+)*([a-z~^].*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class VersionInfo:
    """A detected version and where it came from (``pbr``, ``pyproject.toml``, ``tag``, ...)."""

    version: str
    source: str


def clean_version(raw: str) -> str:
    """Strip a leading ``v`` and DLRN's dev/pre-release suffixes."""
    text = raw.strip()
    if text[:1] in {"v", "V"} and text[1:2].isdigit():
        text = text[1:]
    return _SUFFIX.sub("", text) or text


def _show(mirror: Path, sha: str, path: str) -> str | None:
    result = run(
        [*git_dir_args(mirror), "cat-file", "-p", f"{sha}:{path}"],
        check=False,
        timeout=60,
        env=GIT_ENV,
    )
    return result.stdout if result.ok else None


def _root_files(mirror: Path, sha: str) -> set[str]:
    out = run([*git_dir_args(mirror), "ls-tree", "--name-only", sha], timeout=60, env=GIT_ENV)
    return set(out.stdout.split())


def latest_tag(mirror: Path, sha: str) -> tuple[str, int] | None:
    """The newest tag reachable from ``sha`` and how many commits follow it."""
    argv = [*git_dir_args(mirror), "describe", "--tags", "--long"]
    argv += [f"--exclude={pattern}" for pattern in IGNORED_TAGS]
    result = run([*argv, sha], check=False, timeout=60, env=GIT_ENV)
    if not result.ok:
        return None
    tag, count, _ = result.stdout.strip().rsplit("-", 2)
    return tag, int(count)


def _setup_call_keywords(source: str) -> dict[str, ast.expr]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "setup":
                return {k.arg: k.value for k in node.keywords if k.arg}
    return {}


def _bump_patch(version: str) -> str:
    parts = clean_version(version).split(".")
    nums = [p for p in parts[:3] if p.isdigit()]
    while len(nums) < 3:
        nums.append("0")
    nums[2] = str(int(nums[2]) + 1)
    return ".".join(nums)


def _pbr_version(mirror: Path, sha: str) -> str | None:
    found = latest_tag(mirror, sha)
    if found is None:
        return None
    tag, after = found
    return clean_version(tag) if after == 0 else _bump_patch(tag)


def _static_version(mirror: Path, sha: str, files: set[str]) -> VersionInfo | None:
    if "pyproject.toml" in files:
        try:
            data = tomllib.loads(_show(mirror, sha, "pyproject.toml") or "")
        except tomllib.TOMLDecodeError:
            data = {}
        value = data.get("project", {}).get("version")
        if isinstance(value, str) and value:
            return VersionInfo(clean_version(value), "pyproject.toml")
    if "setup.cfg" in files:
        cfg = configparser.ConfigParser(interpolation=None)
        try:
            cfg.read_string(_show(mirror, sha, "setup.cfg") or "")
            value = cfg.get("metadata", "version", fallback="")
        except configparser.Error:
            value = ""
        if value and _VERSIONISH.match(value):
            return VersionInfo(clean_version(value), "setup.cfg")
    if "setup.py" in files:
        kw = _setup_call_keywords(_show(mirror, sha, "setup.py") or "")
        node = kw.get("version")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return VersionInfo(clean_version(node.value), "setup.py")
    if "metadata.json" in files:
        try:
            value = json.loads(_show(mirror, sha, "metadata.json") or "{}").get("version")
        except (json.JSONDecodeError, AttributeError):
            value = None
        if isinstance(value, str) and value:
            return VersionInfo(clean_version(value), "metadata.json")
    if "VERSION" in files:
        value = (_show(mirror, sha, "VERSION") or "").strip()
        if value and _VERSIONISH.match(value):
            return VersionInfo(clean_version(value), "VERSION")
    return None


def detect_version(mirror: Path, sha: str) -> VersionInfo:
    """Detect the upstream version of commit ``sha`` in the bare ``mirror`` (see module doc)."""
    files = _root_files(mirror, sha)
    if "setup.py" in files:
        kw = _setup_call_keywords(_show(mirror, sha, "setup.py") or "")
        pbr = kw.get("pbr")
        if isinstance(pbr, ast.Constant) and pbr.value is True:
            version = _pbr_version(mirror, sha)
            if version:
                return VersionInfo(version, "pbr")
    static = _static_version(mirror, sha, files)
    if static is not None:
        return static
    found = latest_tag(mirror, sha)
    if found is not None and _VERSIONISH.match(clean_version(found[0])):
        return VersionInfo(clean_version(found[0]), "tag")
    return VersionInfo(FALLBACK_VERSION, "fallback")
