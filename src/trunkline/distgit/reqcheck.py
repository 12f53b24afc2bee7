"""``trunkline distgit reqcheck``: upstream ``requirements.txt`` against the spec's Requires.

Every requirement (mapped to its RPM name by pymod2pkg) falls in one category:

- ``met``: the spec requires it with a minimum version at least the one upstream asks
  (compared as PEP 440 versions, falling back to rpm's rules, so ``>= 1.10`` meets
  ``>=1.10.0`` and a stricter ``>= 2.1`` meets ``>=2.0``; rdopkg compares the strings
  and calls both a mismatch);
- ``any``: the spec requires it without a version but upstream asks for one;
- ``mismatch``: the spec's minimum is lower than upstream's;
- ``missing``: the spec does not require it;
- ``generated``: the spec does not require it, but it is a Python requirement and
  the spec uses pyproject-rpm-macros, whose dependency generator makes the
  ``python3dist(...)`` Requires from upstream's metadata at build time (RDO
  dropped its hand-written Python Requires when it switched to them).

Spec Requires no requirement asks for are ``excess``, or ``removed`` when an older
upstream version did require them. An override file (rdopkg's format,
``packages: {all: [...], <srpm>: [{name, version}]}``) replaces upstream's version
or, with an empty version, ignores the requirement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from trunkline import gitcmd
from trunkline.distgit import gitops
from trunkline.distgit.requirements import DEFAULT_PYTHON, Req, requirements_at
from trunkline.errors import InputError
from trunkline.rpmspec import editor
from trunkline.rpmspec import requires as spec_reqs
from trunkline.rpmspec.versions import compare_versions

CATEGORIES = ("met", "any", "mismatch", "missing", "generated", "excess", "removed")
_PYPROJECT = re.compile(
    r"^\s*%\{?(pyproject_install|pyproject_wheel|pyproject_buildrequires)\b", re.M
)
EXIT_MISSING = 2
EXIT_MISMATCH = 4


@dataclass(frozen=True)
class CheckedReq:
    """One line of the report: the package, upstream's clause and the spec's."""

    name: str
    wanted: str = ""  # upstream specifier, e.g. ">=2.0.0"
    spec: str = ""  # the spec's clause, e.g. ">= 2.0.0"
    overridden: str | None = None  # upstream's clause when an override replaced it


@dataclass(frozen=True)
class ReqCheck:
    """The full comparison, one tuple per category."""

    ref: str
    met: tuple[CheckedReq, ...] = ()
    any: tuple[CheckedReq, ...] = ()
    mismatch: tuple[CheckedReq, ...] = ()
    missing: tuple[CheckedReq, ...] = ()
    generated: tuple[CheckedReq, ...] = ()
    excess: tuple[CheckedReq, ...] = ()
    removed: tuple[CheckedReq, ...] = ()
    ignored: tuple[str, ...] = field(default_factory=tuple)

    def exit_code(self, strict: bool) -> int:
        """0, or with ``strict`` 2 when something is missing, else 4 on a mismatch."""
        if not strict:
            return 0
        if self.missing:
            return EXIT_MISSING
        if self.mismatch:
            return EXIT_MISMATCH
        return 0

    def categories(self) -> dict[str, list[str]]:
        """Category → sorted package names (what the side-by-side check compares)."""
        return {c: sorted(r.name for r in getattr(self, c)) for c in CATEGORIES}


def _compare(spec_version: str, wanted: str) -> int:
    """Compare as PEP 440 versions (``1.10`` == ``1.10.0``), else with rpm's rules."""
    try:
        a, b = Version(spec_version), Version(wanted)
    except InvalidVersion:
        return compare_versions(spec_version, wanted)
    return (a > b) - (a < b)


def _strip_epoch(version: str) -> str:
    return version.partition(":")[2] if ":" in version else version


def _spec_clauses(path: Path) -> dict[str, list[spec_reqs.SpecRequire]]:
    requires, provides = spec_reqs.spec_requires(path)
    own = {spec_reqs.normalize_python_name(p) for p in provides}
    result: dict[str, list[spec_reqs.SpecRequire]] = {}
    for req in requires:
        name = spec_reqs.normalize_python_name(req.name)
        if name in own:
            continue
        result.setdefault(name, []).append(req)
    return result


def _spec_lower_bound(clauses: list[spec_reqs.SpecRequire]) -> str | None:
    for clause in clauses:
        if clause.op in (">=", ">", "="):
            return _strip_epoch(clause.version)
    return None


def _clause_text(clauses: list[spec_reqs.SpecRequire]) -> str:
    return ",".join(f"{c.op} {_strip_epoch(c.version)}" for c in clauses if c.op)


def load_overrides(path: Path, package: str) -> dict[str, str]:
    """Overrides for one source package: RPM name → version clause ('' = ignore).

    Raises:
        InputError: the file is not in rdopkg's override format.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read override file: {exc}") from None
    packages = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(packages, dict):
        raise InputError(f"{path}: expected a 'packages:' mapping of package → overrides")
    result: dict[str, str] = {}
    for key in ("all", package):
        for item in packages.get(key) or []:
            if not isinstance(item, dict) or "name" not in item:
                raise InputError(f"{path}: packages.{key}: each item needs 'name' (and 'version')")
            version = str(item.get("version") or "")
            if version and not _is_specifier(version):
                raise InputError(
                    f"{path}: packages.{key}: {item['name']}: version {version!r} "
                    "is not a version clause like '>= 1.2'"
                )
            result[str(item["name"])] = version
    return result


def _is_specifier(clause: str) -> bool:
    try:
        SpecifierSet(clause.replace(" ", ""))
    except InvalidSpecifier:
        return False
    return True


def _older_tags(repo: Path, version: str, limit: int = 10) -> list[str]:
    listed = gitcmd.checkout(repo).output("tag", "--list").split()
    tags = [t for t in listed if t.lstrip("v")[:1].isdigit()]
    older = [t for t in tags if compare_versions(t.lstrip("v"), version) < 0]
    older.sort(key=lambda t: [int(p) if p.isdigit() else 0 for p in t.lstrip("v").split(".")])
    return older[-limit:]


def check(
    reqs: list[Req],
    spec: Mapping[str, list[spec_reqs.SpecRequire]],
    *,
    ref: str,
    overrides: Mapping[str, str] | None = None,
    past: set[str] | None = None,
    generator: bool = False,
) -> ReqCheck:
    """Sort requirements into categories (see the module docstring).

    ``generator``: the spec uses pyproject-rpm-macros (missing Python
    requirements are ``generated``).
    """
    overrides = overrides or {}
    cats: dict[str, list[CheckedReq]] = {c: [] for c in CATEGORIES}
    ignored: list[str] = []
    seen: set[str] = set()
    for req in reqs:
        seen.add(req.package)
        wanted, lower, overridden = req.specifier, req.lower_bound, None
        if req.package in overrides:
            if not overrides[req.package]:
                ignored.append(req.package)
                continue
            overridden, wanted = wanted, overrides[req.package]
            lower = Req(req.module, req.package, wanted.replace(" ", "")).lower_bound
        clauses = spec.get(req.package)
        if clauses is None:
            python = generator and req.package.startswith("python-")
            cats["generated" if python else "missing"].append(
                CheckedReq(req.package, wanted, "", overridden)
            )
            continue
        item = CheckedReq(req.package, wanted, _clause_text(clauses), overridden)
        spec_lower = _spec_lower_bound(clauses)
        if lower is None:
            cats["met"].append(item)
        elif spec_lower is None:
            cats["any"].append(item)
        elif _compare(spec_lower, lower) >= 0:
            cats["met"].append(item)
        else:
            cats["mismatch"].append(item)
    for name, clauses in spec.items():
        if name in seen:
            continue
        item = CheckedReq(name, "", _clause_text(clauses))
        cats["removed" if past and name in past else "excess"].append(item)
    return ReqCheck(
        ref,
        met=tuple(cats["met"]),
        any=tuple(cats["any"]),
        mismatch=tuple(cats["mismatch"]),
        missing=tuple(cats["missing"]),
        generated=tuple(cats["generated"]),
        excess=tuple(cats["excess"]),
        removed=tuple(cats["removed"]),
        ignored=tuple(ignored),
    )


def reqcheck(
    repo: Path,
    *,
    ref: str | None = None,
    python_version: str = DEFAULT_PYTHON,
    override_file: Path | None = None,
) -> ReqCheck:
    """Compare the upstream requirements at ``ref`` with the distgit's spec.

    Args:
        repo: the distgit (with the upstream history fetched into it).
        ref: the upstream ref; default the tag of the spec's Version.
        python_version: for evaluating environment markers.
        override_file: rdopkg-style overrides.
    """
    spec_path = editor.find_spec(repo)
    info = editor.read_spec(spec_path)
    if ref is None:
        try:
            ref = gitops.spec_upstream_ref(repo, info)
        except InputError:
            gitops.fetch(repo, "upstream", tags=True)
            ref = gitops.spec_upstream_ref(repo, info)
    reqs = requirements_at(repo, ref, python_version=python_version)
    overrides = load_overrides(override_file, info.name) if override_file else None
    past: set[str] = set()
    checked = ref[1:] if ref[:1] == "v" else ref
    for tag in _older_tags(repo, checked if checked[:1].isdigit() else info.version):
        past.update(r.package for r in requirements_at(repo, tag, python_version=python_version))
    generator = bool(_PYPROJECT.search(spec_path.read_text(encoding="utf-8", errors="replace")))
    return check(
        reqs,
        _spec_clauses(spec_path),
        ref=ref,
        overrides=overrides,
        past=past,
        generator=generator,
    )


def sync(repo: Path, result: ReqCheck) -> list[str]:
    """Write upstream's minimum versions into the spec for any, mismatch and missing.

    Returns:
        The Requires values written.
    """
    wanted: dict[str, str] = {}
    for item in (*result.any, *result.mismatch, *result.missing):
        lower = Req(item.name, item.name, item.wanted.replace(" ", "")).lower_bound
        wanted[item.name] = f">= {lower}" if lower else ""
    if not wanted:
        return []
    return spec_reqs.sync_requires(editor.find_spec(repo), wanted)


_TITLES = {
    "met": "MET",
    "any": "VERSION NOT ENFORCED",
    "mismatch": "VERSION MISMATCH",
    "missing": "MISSING",
    "generated": "GENERATED (pyproject-rpm-macros dependency generator)",
    "excess": "EXCESS",
    "removed": "REMOVED",
}


def _pretty(clause: str) -> str:
    """``>=2.0,!=2.1`` → ``>= 2.0,!= 2.1`` (rdopkg's spacing); already spaced stays as is."""
    parts = []
    for part in clause.split(","):
        part = part.strip()
        version = part.lstrip("<>=!~").strip()
        parts.append(f"{part[: len(part) - len(part.lstrip('<>=!~'))]} {version}")
    return ",".join(parts)


def format_text(result: ReqCheck) -> str:
    """rdopkg-like text: one block per non-empty category."""
    blocks: list[str] = []
    for cat in CATEGORIES:
        items = getattr(result, cat)
        if not items:
            continue
        lines = [f"{_TITLES[cat]}:"]
        for item in items:
            line = f"  {item.name}"
            clause = item.wanted or (item.spec if cat in ("excess", "removed") else "")
            if clause:
                line += f" {_pretty(clause)}"
            if item.spec and cat not in ("excess", "removed"):
                line += f"  ({item.spec} in .spec"
                if item.overridden is not None:
                    line += f", {_pretty(item.overridden)} has been overridden"
                line += ")"
            lines.append(line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else "no requirements"


def format_json(result: ReqCheck) -> str:
    """``{"met": [{"name", "vers"}], ...}`` like rdopkg (``vers`` is the spec's for mismatch)."""
    out: dict[str, object] = {}
    for cat in CATEGORIES:
        entries = []
        for item in getattr(result, cat):
            vers = item.spec if cat in ("mismatch", "excess", "removed") else item.wanted
            entries.append({"name": item.name, "vers": _pretty(vers) if vers else None})
        out[cat] = entries
    out["ref"] = result.ref
    out["ignored"] = list(result.ignored)
    return json.dumps(out, indent=2, sort_keys=True)


def format_spec(result: ReqCheck, separator: str = ":        ") -> str:
    """``Requires:`` lines (in the spec's alignment) for everything upstream asks for."""
    lines = []
    for cat in ("met", "any", "mismatch", "missing"):
        for item in getattr(result, cat):
            clause = f" {_pretty(item.wanted)}" if item.wanted else ""
            lines.append(f"Requires{separator}{item.name}{clause}")
    return "\n".join(lines)


def as_dict(result: ReqCheck) -> dict[str, object]:
    """Plain-data form (for tests and tooling)."""
    return asdict(result)
