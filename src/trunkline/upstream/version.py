"""The upstream version of one commit, and the RPM Version a trunk build of it gets.

DLRN runs ``setup.py --version`` in a chroot (which executes the project's code and
needs its build dependencies). trunkline asks the same libraries that answer
there — pbr and setuptools-scm, which only read git — on the commit of the bare
mirror, and reads static files itself for what they do not cover. First rule
that applies wins:

1. ``metadata.json`` (Puppet modules; DLRN prefers it even when a ``setup.py``
   exists): its ``version``, the last number + 1 when commits follow a tag equal
   to it (DLRN's ``.Z`` bump);
2. pbr projects (:mod:`trunkline.upstream.pbr_version`): pbr's own answer;
3. setuptools-scm / hatch-vcs projects (:mod:`trunkline.upstream.scm_version`):
   setuptools-scm's own answer with the project's options;
4. a static version: ``pyproject.toml`` ``[project] version``, ``setup.cfg``
   ``[metadata] version``, a ``setup(version="...")`` literal, a ``VERSION`` file;
5. the nearest tag that is a version (:func:`version_tag`; other tags such as
   ``deploy-marker``, ``private-*``, ``*-eol``/``-em``/``-eom`` are skipped), its last
   number + 1 when commits follow a final-release tag (DLRN's ``.Z`` bump); after a
   pre-release tag the release it leads to;
6. ``0.0.1`` (DLRN's fallback).

The rule's answer is the *upstream* version (``%{upstream_version}``, the sdist's
``PBR_VERSION``); the RPM Version is its normalisation,
:func:`trunkline.rpmspec.nvr.normalize_version`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from trunkline import gitcmd
from trunkline.rpmspec.nvr import normalize_version
from trunkline.upstream.pbr_version import pbr_pre_version, pbr_version, uses_pbr
from trunkline.upstream.projectfiles import ProjectFiles, read_project_files
from trunkline.upstream.scm_version import scm_options, scm_version

FALLBACK_VERSION = "0.0.1"
IGNORED_TAGS = ("private-*", "*-eol", "*-em", "*-eom")
_MAX_SKIPPED_TAGS = 50
_PREFIX = re.compile(r"^[vVrR](?=\d)")
# a dotted number with an optional suffix: 1.0.0-rc1, 2.1~beta, 0.10.1.11.ga5f0e3c
_VERSIONISH = re.compile(r"^\d+(\.\d+)+([-~^._+]?[0-9A-Za-z][0-9A-Za-z.~^_+-]*)?$")


@dataclass(frozen=True)
class VersionInfo:
    """The version of one commit and where it came from.

    Attributes:
        version: the RPM Version a trunk build gets (``1.0.0``).
        upstream: what the rule produced (``1.0.0.0rc2.dev3``): ``%{upstream_version}``.
        source: the rule: ``metadata.json``, ``pbr``, ``setuptools-scm``,
            ``pyproject.toml``, ``setup.cfg``, ``setup.py``, ``VERSION``, ``tag``
            or ``fallback``.
        tag: the nearest version tag reachable from the commit, or None.
        distance: commits between that tag and the commit (0 without a tag).
    """

    version: str
    upstream: str
    source: str
    tag: str | None = None
    distance: int = 0


def tag_version(tag: str) -> str | None:
    """The version a tag names (``v1.2.3`` -> ``1.2.3``), or None for other tags.

    DLRN's ignored tags (``private-*``, ``*-eol``, ``*-em``, ``*-eom``) are not
    versions. A leading ``v``/``V``/``r``/``R`` is dropped as DLRN does; the rest must
    be a PEP 440 version or a dotted number with a suffix (``1.0.0-rc1``, ``2.1~beta``).
    """
    if any(fnmatch.fnmatchcase(tag, pattern) for pattern in IGNORED_TAGS):
        return None
    text = _PREFIX.sub("", tag.strip())
    try:
        Version(text)
    except InvalidVersion:
        return text if _VERSIONISH.match(text) else None
    return text


def version_tag(mirror: Path, sha: str) -> tuple[str, int] | None:
    """The nearest tag reachable from ``sha`` that names a version, and the commits after it.

    ``git describe --tags`` without DLRN's ignored tags, skipping (and excluding
    in turn) any tag that is not a version, up to 50 of them.
    """
    excludes = [f"--exclude={pattern}" for pattern in IGNORED_TAGS]
    for _ in range(_MAX_SKIPPED_TAGS):
        result = gitcmd.bare(mirror).run(
            "describe", "--tags", "--long", *excludes, sha, check=False, timeout=60
        )
        if not result.ok:
            return None
        tag, count, _ = result.stdout.strip().rsplit("-", 2)
        if tag_version(tag) is not None:
            return tag, int(count)
        excludes.append(f"--exclude={tag}")
    return None


def bump_last(version: str) -> str:
    """DLRN's ``.Z`` bump: the last dot-separated number + 1 (``1.2.3`` -> ``1.2.4``).

    A version that is a pre-release already names the release it leads to, so it
    becomes that release instead (``1.10rc1`` -> ``1.10``): bumping it (DLRN's
    ``1.11``) would sort above that release.
    """
    try:
        parsed = Version(version)
    except InvalidVersion:
        parsed = None
    if parsed is not None and parsed.pre is not None:
        return ".".join(str(p) for p in parsed.release)
    head, _, last = version.rpartition(".")
    digits = re.match(r"\d+", last)
    if digits is None:
        return version
    bumped = str(int(digits.group()) + 1)
    return f"{head}.{bumped}" if head else bumped


def _static(files: ProjectFiles) -> tuple[str, str] | None:
    project = files.toml_table("project")
    value = project.get("version")
    if isinstance(value, str) and value.strip():
        return value.strip(), "pyproject.toml"
    value = files.setup_cfg.get("metadata", {}).get("version", "").strip()
    if value and _VERSIONISH.match(value):
        return value, "setup.cfg"
    value = files.setup_literal("version")
    if isinstance(value, str) and value.strip():
        return value.strip(), "setup.py"
    if files.version_file and _VERSIONISH.match(files.version_file):
        return files.version_file, "VERSION"
    return None


def _metadata_json(files: ProjectFiles, found: tuple[str, int] | None) -> str | None:
    value = files.metadata_json.get("version")
    if not isinstance(value, str) or not value.strip():
        return None
    version = value.strip()
    if found is not None and found[1] > 0 and tag_version(found[0]) == version:
        return bump_last(version)
    return version


def _upstream(mirror: Path, sha: str, found: tuple[str, int] | None) -> tuple[str, str]:
    files = read_project_files(mirror, sha)
    if "metadata.json" in files.names:
        puppet = _metadata_json(files, found)
        if puppet is not None:
            return puppet, "metadata.json"
    if uses_pbr(files):
        return pbr_version(mirror, sha, pbr_pre_version(files)), "pbr"
    options = scm_options(files)
    if options is not None:
        return scm_version(mirror, sha, options), "setuptools-scm"
    static = _static(files)
    if static is not None:
        return static
    if found is not None:
        tagged = tag_version(found[0]) or FALLBACK_VERSION
        return (bump_last(tagged) if found[1] else tagged), "tag"
    return FALLBACK_VERSION, "fallback"


def detect_version(mirror: Path, sha: str) -> VersionInfo:
    """The version of commit ``sha`` in the bare ``mirror`` (rules in the module doc).

    Raises:
        SourceError: pbr or setuptools-scm cannot compute the project's version.
        CommandError: git cannot read the commit.
    """
    found = version_tag(mirror, sha)
    upstream, source = _upstream(mirror, sha, found)
    tag, distance = found if found is not None else (None, 0)
    return VersionInfo(normalize_version(upstream), upstream, source, tag, distance)
