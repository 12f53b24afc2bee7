"""The container shapes the merge and the model rely on, checked per file.

distroinfo assumes them and fails with a Python traceback (``'bool' object is
not iterable``, ``unhashable type: 'list'``) on ``releases: true``, a list as a
``project``, ``repos: 5`` and the like. The loader raises a one-line
:class:`MetadataLoadError` on the first such problem; ``validate`` reports all
of them and checks the rest of the file with the bad parts left out
(:func:`cleaned`). Found by the property-based fuzz in
``tests/metadata/test_fuzz_load.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# top-level key -> expected container; a null is always allowed (distroinfo skips it)
TOP_SHAPES: dict[str, type] = {
    "import": list,
    "releases": list,
    "packages": list,
    "components": list,
    "package-default": dict,
    "package-configs": dict,
}
_NAMES: dict[type, str] = {list: "a list", dict: "a mapping"}
# the merge keys: must be hashable and comparable
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class ShapeProblem:
    """A container of the wrong type, or a merge key that is not a scalar.

    Attributes:
        holder: the mapping holding the bad value (to find its line).
        key: its key in ``holder``.
        field: the rdoinfo field path (``releases.repos``, ``package-configs.core``).
        package: the project concerned, or "".
        message: what was found and what was expected.
    """

    holder: dict[Any, Any]
    key: Any
    field: str
    package: str
    message: str

    def __str__(self) -> str:
        subject = f"package '{self.package}' " if self.package else ""
        return f"{subject}field '{self.field}': {self.message}"


def _bad(value: Any, expected: type) -> bool:
    return value is not None and not isinstance(value, expected)


def _found(value: Any, expected: type) -> str:
    return f"{value!r:.40} is not {_NAMES[expected]}"


def shape_problems(data: dict[Any, Any]) -> Iterator[ShapeProblem]:
    """Every shape problem of one parsed file, in file order."""
    for key, expected in TOP_SHAPES.items():
        if _bad(data.get(key), expected):
            yield ShapeProblem(data, key, key, "", _found(data[key], expected))
    configs = data.get("package-configs")
    if isinstance(configs, dict):
        for name, conf in configs.items():
            if _bad(conf, dict):
                yield ShapeProblem(configs, name, f"package-configs.{name}", "", _found(conf, dict))
    releases = data.get("releases")
    for rel in releases if isinstance(releases, list) else []:
        if isinstance(rel, dict):
            yield from _release_problems(rel)
    packages = data.get("packages")
    for entry in packages if isinstance(packages, list) else []:
        if isinstance(entry, dict):
            yield from _package_problems(entry)


def _release_problems(rel: dict[Any, Any]) -> Iterator[ShapeProblem]:
    name = rel.get("name")
    if name is not None and not isinstance(name, _SCALARS):
        yield ShapeProblem(rel, "name", "releases.name", "", f"{name!r:.40} is not a name")
    if _bad(rel.get("repos"), list):
        yield ShapeProblem(rel, "repos", "releases.repos", "", _found(rel["repos"], list))
    repos = rel.get("repos")
    for repo in repos if isinstance(repos, list) else []:
        if not isinstance(repo, dict):
            continue
        for key in ("distrepos", "buildsys-tags"):
            if _bad(repo.get(key), list):
                yield ShapeProblem(repo, key, f"repos.{key}", "", _found(repo[key], list))


def _package_problems(entry: dict[Any, Any]) -> Iterator[ShapeProblem]:
    project = entry.get("project")
    if project is not None and not isinstance(project, _SCALARS):
        yield ShapeProblem(entry, "project", "project", "", f"{project!r:.40} is not a name")
        return
    label = str(project or "")
    yield from _names(entry, ("conf", "component"), "", label)
    tags = entry.get("tags")
    for tag, over in tags.items() if isinstance(tags, dict) else ():
        if isinstance(over, dict):
            yield from _names(over, ("component",), f"tags.{tag}.", label)
    if _bad(entry.get("tags"), dict):
        yield ShapeProblem(
            entry,
            "tags",
            "tags",
            label,
            "not a mapping (expected release: null or release: {source-branch: REF})",
        )
    if _bad(entry.get("buildsys-tags"), dict):
        yield ShapeProblem(
            entry, "buildsys-tags", "buildsys-tags", label, "not a mapping (expected CBS-TAG: NVR)"
        )


def _names(
    holder: dict[Any, Any], keys: tuple[str, ...], prefix: str, package: str
) -> Iterator[ShapeProblem]:
    """Values looked up by name (a conf template, a component) must be scalars."""
    for key in keys:
        value = holder.get(key)
        if value is not None and not isinstance(value, _SCALARS):
            yield ShapeProblem(
                holder, key, f"{prefix}{key}", package, f"{value!r:.40} is not a name"
            )


def cleaned(data: dict[Any, Any]) -> dict[Any, Any]:
    """A copy of one parsed file without the parts :func:`shape_problems` reports.

    Only the containers on the path to a bad value are copied; the rest is shared.
    """
    problems = list(shape_problems(data))
    if not problems:
        return data
    bad = {(id(p.holder), p.key) for p in problems}
    out: dict[Any, Any] = _drop(data, bad)
    return out


def _drop(value: Any, bad: set[tuple[int, Any]]) -> Any:
    """``value`` without the bad keys (a mapping whose merge key is bad goes entirely).

    Unchanged containers are returned as they are, so validation still finds their lines.
    """
    if isinstance(value, dict):
        hid = id(value)
        out = {k: _drop(v, bad) for k, v in value.items() if (hid, k) not in bad}
        same = len(out) == len(value) and all(out[k] is value[k] for k in out)
        return value if same else out
    if isinstance(value, list):
        items = [
            _drop(v, bad)
            for v in value
            if not (isinstance(v, dict) and {(id(v), "project"), (id(v), "name")} & bad)
        ]
        same = len(items) == len(value) and all(a is b for a, b in zip(items, value, strict=True))
        return value if same else items
    return value
