"""Per-file validation rules: keys, tags, buildsys-tags, duplicates, releases.

These rules look at each document as written (before merging), so every
problem carries the file and line it comes from. ``validate.py`` runs them and
adds the checks that need the merged, expanded packages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trunkline.metadata.load import Document
from trunkline.metadata.problems import ERROR, WARNING, Context, hint
from trunkline.metadata.schema import (
    COMPONENT_KEYS,
    DISTREPO_KEYS,
    PACKAGE_KEYS,
    RELEASE_KEYS,
    RELEASE_STATUSES,
    REPO_KEYS,
    SPECIAL_TAGS,
    TAG_OVERRIDE_KEYS,
    TOP_KEYS,
    VERSION_LOCKED,
)

_OVERLAY_KEYS = frozenset({"project", "tags", "buildsys-tags"})


def _unknown_keys(
    ctx: Context,
    file: str,
    mapping: Mapping[Any, Any],
    known: Iterable[str],
    what: str,
    *,
    package: str = "",
    prefix: str = "",
) -> None:
    known = frozenset(known)
    for key in mapping:
        if key not in known:
            ctx.add(
                ERROR,
                file,
                ctx.line(mapping, key),
                f"unknown key in {what}{hint(str(key), known)}",
                package=package,
                field=f"{prefix}{key}",
            )


def check_document(
    ctx: Context,
    doc: Document,
    releases: set[str],
    declared_btags: set[str],
    where: dict[str, tuple[str, int]],
) -> None:
    """Check one file: top-level keys, templates, components and every package entry.

    ``where`` is filled with the location of each project's defining entry (and
    ``project\\0btag`` with the line of each NVR, ``project\\0`` with its first
    entry of any kind) for the merged-level checks.
    """
    file, data = doc.path, doc.data
    _unknown_keys(ctx, file, data, TOP_KEYS, "the top level")
    default = data.get("package-default")
    if isinstance(default, dict):
        _unknown_keys(
            ctx, file, default, PACKAGE_KEYS, "package-default", prefix="package-default."
        )
    for name, conf in (data.get("package-configs") or {}).items():
        if isinstance(conf, dict):
            _unknown_keys(
                ctx,
                file,
                conf,
                PACKAGE_KEYS,
                f"package-configs.{name}",
                prefix=f"package-configs.{name}.",
            )
    for comp in data.get("components") or []:
        if not isinstance(comp, dict) or not comp.get("name"):
            ctx.add(
                ERROR,
                file,
                ctx.line(comp),
                "entry without a name (expected '- name: X')",
                field="components",
            )
        else:
            _unknown_keys(ctx, file, comp, COMPONENT_KEYS, "a component", prefix="components.")
    packages = data.get("packages")
    if packages is None:
        return
    if not isinstance(packages, list):
        ctx.add(
            ERROR,
            file,
            ctx.line(data, "packages"),
            "not a list (expected a list of package entries)",
            field="packages",
        )
        return
    seen: dict[str, int] = {}
    for entry in packages:
        _check_entry(ctx, file, entry, releases, declared_btags, where, seen)


def _check_entry(
    ctx: Context,
    file: str,
    entry: Any,
    releases: set[str],
    declared_btags: set[str],
    where: dict[str, tuple[str, int]],
    seen: dict[str, int],
) -> None:
    if not isinstance(entry, dict):
        ctx.add(
            ERROR,
            file,
            0,
            f"entry {entry!r} is not a mapping (expected project: NAME, ...)",
            field="packages",
        )
        return
    line = ctx.line(entry)
    project = entry.get("project")
    if not project:
        ctx.add(
            ERROR,
            file,
            line,
            "missing (expected the rdoinfo project name)",
            package=str(entry.get("name") or ""),
            field="project",
        )
        return
    project = str(project)
    _unknown_keys(ctx, file, entry, PACKAGE_KEYS, "a package entry", package=project)
    defining = bool(set(entry) - _OVERLAY_KEYS)
    if project in seen and defining:
        ctx.add(
            ERROR,
            file,
            line,
            f"duplicate project (also defined at {file}:{seen[project]}; "
            "expected one entry per project)",
            package=project,
            field="project",
        )
    elif defining and project in where and where[project][1] and where[project][0] != file:
        first = where[project]
        ctx.add(
            ERROR,
            file,
            line,
            f"duplicate project (also defined at {first[0]}:{first[1]}; "
            "expected one entry per project)",
            package=project,
            field="project",
        )
    where.setdefault(f"{project}\0", (file, line))
    if defining:
        seen.setdefault(project, line)
        where.setdefault(project, (file, line))
    elif project not in where:
        where[project] = (file, 0)
    tags = entry.get("tags")
    if tags is not None:
        _check_tags(ctx, file, project, tags, entry, releases)
    btags = entry.get("buildsys-tags")
    if btags is not None:
        _check_btags(ctx, file, project, btags, entry, declared_btags, where)


def _tag_known(tag: str, releases: set[str]) -> bool:
    return tag in releases or tag in SPECIAL_TAGS or tag.removesuffix("-uc") in releases


def _check_tags(
    ctx: Context, file: str, project: str, tags: Any, entry: Any, releases: set[str]
) -> None:
    if not isinstance(tags, dict):
        ctx.add(
            ERROR,
            file,
            ctx.line(entry, "tags"),
            "not a mapping (expected release: null or release: {source-branch: REF})",
            package=project,
            field="tags",
        )
        return
    for tag, over in tags.items():
        tline = ctx.line(tags, tag)
        if releases and not _tag_known(str(tag), releases):
            severity = ERROR if isinstance(over, dict) else WARNING
            ctx.add(
                severity,
                file,
                tline,
                f"tag {tag!r} names no release (expected one of the "
                "releases, RELEASE-uc, or " + ", ".join(sorted(SPECIAL_TAGS)) + ")",
                package=project,
                field=f"tags.{tag}",
            )
        if over is None:
            continue
        if not isinstance(over, dict):
            ctx.add(
                ERROR,
                file,
                tline,
                f"{over!r} is not a mapping (expected null or {{source-branch: REF}})",
                package=project,
                field=f"tags.{tag}",
            )
        elif tag == VERSION_LOCKED:
            for rel, val in over.items():
                if rel not in releases or val is not None:
                    ctx.add(
                        ERROR,
                        file,
                        ctx.line(over, rel),
                        f"{rel!r}: expected a release name with a null value",
                        package=project,
                        field=f"tags.{tag}.{rel}",
                    )
        else:
            _unknown_keys(
                ctx,
                file,
                over,
                TAG_OVERRIDE_KEYS,
                f"the overrides of tag {tag!r}",
                package=project,
                prefix=f"tags.{tag}.",
            )
            sb = over.get("source-branch")
            if "source-branch" in over and (sb is None or isinstance(sb, dict | list)):
                ctx.add(
                    ERROR,
                    file,
                    ctx.line(over, "source-branch"),
                    f"{sb!r} is not a ref (expected a branch, tag or commit)",
                    package=project,
                    field=f"tags.{tag}.source-branch",
                )


def _check_btags(
    ctx: Context,
    file: str,
    project: str,
    btags: Any,
    entry: Any,
    declared: set[str],
    where: dict[str, tuple[str, int]],
) -> None:
    if not isinstance(btags, dict):
        ctx.add(
            ERROR,
            file,
            ctx.line(entry, "buildsys-tags"),
            "not a mapping (expected CBS-TAG: NVR)",
            package=project,
            field="buildsys-tags",
        )
        return
    for btag, nvr in btags.items():
        bline = ctx.line(btags, btag)
        where.setdefault(f"{project}\0{btag}", (file, bline))
        if btag != VERSION_LOCKED and declared and btag not in declared:
            ctx.add(
                ERROR,
                file,
                bline,
                f"buildsys-tag {btag!r} is not declared by any release "
                "repo (expected one of releases[].repos[].buildsys-tags)",
                package=project,
                field=f"buildsys-tags.{btag}",
            )
        if btag != VERSION_LOCKED and not isinstance(nvr, str):
            ctx.add(
                ERROR,
                file,
                bline,
                f"{nvr!r} is not an NVR (expected NAME-VERSION-RELEASE)",
                package=project,
                field=f"buildsys-tags.{btag}",
            )


def check_releases(ctx: Context, docs: list[Document]) -> None:
    """Release structure, statuses, a single development release, repos and distrepos."""
    development: list[tuple[str, int, str]] = []
    for doc in docs:
        for rel in doc.data.get("releases") or []:
            file, line = doc.path, ctx.line(rel)
            if not isinstance(rel, dict) or not rel.get("name"):
                ctx.add(
                    ERROR,
                    file,
                    line,
                    "release without a name (expected name: RELEASE)",
                    field="releases",
                )
                continue
            name = str(rel["name"])
            _unknown_keys(ctx, file, rel, RELEASE_KEYS, f"release {name!r}", prefix="releases.")
            status = rel.get("status")
            if status not in RELEASE_STATUSES:
                ctx.add(
                    ERROR,
                    file,
                    ctx.line(rel, "status"),
                    f"release {name!r}: status "
                    f"{status!r} (expected one of {', '.join(RELEASE_STATUSES)})",
                    field="status",
                )
            elif status == "development":
                development.append((file, ctx.line(rel, "status"), name))
            repos = rel.get("repos")
            if not isinstance(repos, list):
                ctx.add(
                    ERROR,
                    file,
                    line,
                    f"release {name!r}: missing (expected a list of repos)",
                    field="repos",
                )
                continue
            for repo in repos:
                _check_repo(ctx, file, name, rel, repo)
    if len(development) > 1:
        names = ", ".join(d[2] for d in development)
        for file, line, name in development[1:]:
            ctx.add(
                ERROR,
                file,
                line,
                f"release {name!r}: more than one development release "
                f"({names}; expected exactly one)",
                field="status",
            )


def _check_repo(ctx: Context, file: str, release: str, rel: dict[str, Any], repo: Any) -> None:
    if not isinstance(repo, dict) or not repo.get("name"):
        ctx.add(
            ERROR,
            file,
            ctx.line(rel, "repos"),
            f"release {release!r}: repo without a name (expected name: el9s)",
            field="repos",
        )
        return
    label = f"release {release!r} repo {repo['name']!r}"
    _unknown_keys(ctx, file, repo, REPO_KEYS, label, prefix="repos.")
    if not repo.get("branch") and not rel.get("branch"):
        ctx.add(
            ERROR,
            file,
            ctx.line(repo),
            f"{label}: no branch (expected branch on the repo or its release)",
            field="branch",
        )
    for dr in repo.get("distrepos") or []:
        if not isinstance(dr, dict):
            continue
        _unknown_keys(ctx, file, dr, DISTREPO_KEYS, f"{label} distrepo", prefix="distrepos.")
        if not dr.get("url"):
            ctx.add(
                ERROR,
                file,
                ctx.line(dr),
                f"{label}: distrepo {dr.get('name')!r} has no url (expected url: BASEURL)",
                field="distrepos.url",
            )
