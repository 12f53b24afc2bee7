"""``trunkline validate``: every problem of a metadata tree, one line each, none hidden.

It runs what distroinfo's parser and rdoinfo's ``verify.py`` check (required
keys, maintainer e-mails, known conf, substitution, buildsys-tags declared by a
release repo, known components, release statuses and a single development
release) and what they miss (unknown keys such as ``source_branch``, overrides
for releases that do not exist, duplicate projects and names, NVRs that do not
start with the package name, distrepos without url, a (package, buildsys-tag)
given two NVRs, a ``buildsys-tags/<tag>.yml`` keyed to another tag). Files are re-read with a
loader that remembers line numbers, so each problem names file and line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from trunkline.metadata.btagsources import check_buildsys_sources
from trunkline.metadata.cache import default_cache_dir
from trunkline.metadata.gcpause import gc_paused
from trunkline.metadata.linecache import Marks, cached_line_loader
from trunkline.metadata.load import Document, merge_documents, parse_info, read_documents
from trunkline.metadata.problems import EMAIL_RE, ERROR, Context, Problem, Report
from trunkline.metadata.rules import check_document, check_releases
from trunkline.metadata.shape import cleaned, shape_problems
from trunkline.metadata.subst import substitute


def validate_tree(
    root: Path, info_files: Sequence[str], *, overrides: Mapping[str, str] | None = None
) -> Report:
    """Validate a metadata tree and return every problem found, sorted by file and line.

    Raises:
        MetadataLoadError: a file cannot be read or parsed at all (nothing to validate).
    """
    marks: Marks = {}
    loader = cached_line_loader(marks, default_cache_dir())
    with gc_paused():
        docs = read_documents(root, info_files, loader=loader, overrides=overrides)
    ctx = Context(marks)
    docs = _usable(ctx, docs)
    info = merge_documents(docs)
    releases = [r for r in info["releases"] if isinstance(r, dict)]
    release_names = {str(r.get("name")) for r in releases}
    declared_btags = {
        str(t)
        for r in releases
        for repo in r.get("repos") or []
        if isinstance(repo, dict)
        for t in repo.get("buildsys-tags") or []
    }
    components = {
        str(c.get("name"))
        for c in info.get("components") or []
        if isinstance(c, dict) and c.get("name")
    }
    where: dict[str, tuple[str, int]] = {}
    for doc in docs:
        check_document(ctx, doc, release_names, declared_btags, where)
    check_releases(ctx, docs)
    check_buildsys_sources(ctx, docs)
    _check_packages(ctx, docs, info, components, where)
    return Report(sorted(set(ctx.problems), key=lambda p: (p.file, p.line, str(p))))


def _usable(ctx: Context, docs: list[Document]) -> list[Document]:
    """Report containers of the wrong type; the documents without them, to check the rest."""
    out = []
    for doc in docs:
        for p in shape_problems(doc.data):
            ctx.add(
                ERROR,
                doc.path,
                ctx.line(p.holder, p.key),
                p.message,
                package=p.package,
                field=p.field,
            )
        out.append(Document(doc.path, cleaned(doc.data)))
    return out


def _check_packages(
    ctx: Context,
    docs: list[Document],
    info: dict[str, Any],
    components: set[str],
    where: dict[str, tuple[str, int]],
) -> None:
    """Checks on expanded packages: conf, substitution, name, maintainers, components, NVRs."""
    configs = info.get("package-configs") or {}
    default = info.get("package-default") or {}
    parsed = parse_info(info)["packages"]
    names: dict[str, list[str]] = defaultdict(list)
    for entry, pkg in zip(info["packages"], parsed, strict=True):
        project = str(entry.get("project"))
        file, line = _place(where, project)
        label = str(pkg.get("name") or project)
        conf = entry.get("conf")
        if conf is not None and conf not in configs:
            ctx.add(
                ERROR,
                file,
                line,
                f"unknown conf {conf!r} (expected one of: {', '.join(sorted(configs))})",
                package=label,
                field="conf",
            )
        template = {
            **default,
            **(configs.get(conf) or {} if isinstance(conf, str) else {}),
            **entry,
        }
        for key in substitute(template)[1]:
            ctx.add(
                ERROR,
                file,
                line,
                f"cannot substitute {template[key]!r} (expected %(key)s naming a package field)",
                package=label,
                field=key,
            )
        if not pkg.get("name"):
            ctx.add(
                ERROR,
                file,
                line,
                "missing (expected the RPM name, from the entry or its conf)",
                package=project,
                field="name",
            )
        else:
            names[str(pkg["name"])].append(project)
        _check_maintainers(ctx, file, line, label, pkg.get("maintainers"))
        comp = pkg.get("component")
        if comp is not None and components and comp not in components:
            ctx.add(
                ERROR,
                file,
                line,
                f"unknown component {comp!r} (expected one declared under 'components')",
                package=label,
                field="component",
            )
        for tag, over in (pkg.get("tags") or {}).items():
            if (
                isinstance(over, dict)
                and "component" in over
                and components
                and over["component"] not in components
            ):
                ctx.add(
                    ERROR,
                    file,
                    line,
                    f"unknown component {over['component']!r} in tag "
                    f"{tag!r} (expected one declared under 'components')",
                    package=label,
                    field=f"tags.{tag}.component",
                )
        for btag, nvr in (pkg.get("buildsys-tags") or {}).items():
            if isinstance(nvr, str) and pkg.get("name") and not nvr.startswith(f"{pkg['name']}-"):
                bfile, bline = where.get(f"{project}\0{btag}", (file, line))
                ctx.add(
                    ERROR,
                    bfile,
                    bline,
                    f"NVR {nvr!r} does not start with the package "
                    f"name (expected '{pkg['name']}-VERSION-RELEASE')",
                    package=label,
                    field=f"buildsys-tags.{btag}",
                )
    for name, projects in names.items():
        if len(projects) > 1:
            for project in projects:
                file, line = _place(where, project)
                others = ", ".join(repr(p) for p in projects if p != project)
                ctx.add(
                    ERROR,
                    file,
                    line,
                    f"duplicate package name (also used by project "
                    f"{others}; expected unique names)",
                    package=name,
                    field="name",
                )


def _place(where: Mapping[str, tuple[str, int]], project: str) -> tuple[str, int]:
    """File and line of a project's defining entry, else of its first entry of any kind."""
    file, line = where.get(project, ("", 0))
    if line:
        return file, line
    return where.get(f"{project}\0", (file, line))


def _check_maintainers(ctx: Context, file: str, line: int, label: str, maint: Any) -> None:
    if maint is None or maint == []:
        ctx.add(
            ERROR,
            file,
            line,
            "missing (expected at least one e-mail)",
            package=label,
            field="maintainers",
        )
        return
    if not isinstance(maint, list):
        ctx.add(
            ERROR,
            file,
            line,
            "not a list (expected a list of e-mails)",
            package=label,
            field="maintainers",
        )
        return
    for m in maint:
        if not isinstance(m, str) or not EMAIL_RE.match(m):
            ctx.add(
                ERROR,
                file,
                line,
                f"{m!r} is not an e-mail address (expected user@domain)",
                package=label,
                field="maintainers",
            )


__all__ = ["Problem", "Report", "validate_tree"]
