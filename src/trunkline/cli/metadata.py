"""Metadata commands: ``info``, ``findpkg``, ``release``, ``validate``, ``diff``, ``meta``.

Thin on purpose: parse options, call ``trunkline.metadata``, print. ``--info
DIR|URL[@REF]`` picks the metadata (default: the builder config's ``[packages]
path``/``ref``); the entry file defaults to ``rdo-full.yml`` when the tree has
one (what rdopkg reads), else the config's ``info_files``, else ``rdo.yml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from trunkline.errors import InputError, MetadataError
from trunkline.metadata import Metadata, Package, Release, load_metadata
from trunkline.metadata.source import split_ref

# rdopkg prints these first, in this order, then the rest sorted, maintainers last.
FIRST_FIELDS = ("name", "project", "conf", "upstream", "patches", "distgit")

info_option = click.option(
    "--info", "info_loc", metavar="DIR|URL[@REF]", help="Metadata location (default: config)."
)
info_file_option = click.option(
    "-i",
    "--info-file",
    "info_files",
    multiple=True,
    metavar="FILE",
    help="Entry file(s) (default: rdo-full.yml if present, else rdo.yml).",
)


def _location(ctx: click.Context, info_loc: str | None) -> tuple[str, str | None, tuple[str, ...]]:
    cfg_files: tuple[str, ...] = ()
    if info_loc:  # no config needed (nor pydantic imported): the fast path of every query
        return (*split_ref(info_loc), cfg_files)
    settings = ctx.obj.settings(required=False) if ctx.obj is not None else None
    if settings is not None and settings.packages.path:
        loc, ref = settings.packages.path, settings.packages.ref
        cfg_files = tuple(settings.packages.info_files)
    else:
        raise InputError(
            "--info: no metadata location (pass --info DIR|URL[@REF] or set "
            "[packages] path in the config)"
        )
    return loc, ref, cfg_files


def _open(ctx: click.Context, info_loc: str | None, info_files: Sequence[str]) -> Metadata:
    loc, ref, cfg_files = _location(ctx, info_loc)
    files = tuple(info_files)
    if not files:
        is_dir = ref is None and Path(loc).is_dir()
        files = ("rdo-full.yml",) if is_dir and (Path(loc) / "rdo-full.yml").exists() else ()
        files = files or cfg_files or ("rdo.yml",)
    return load_metadata(loc, ref=ref, info_files=files)


def package_record(pkg: Package) -> dict[str, Any]:
    """A package as rdopkg shows it: rdoinfo keys, rdopkg's order."""
    raw = pkg.raw
    out = {k: raw[k] for k in FIRST_FIELDS if k in raw}
    out.update({k: raw[k] for k in sorted(raw) if k not in out and k != "maintainers"})
    if "maintainers" in raw:
        out["maintainers"] = raw["maintainers"]
    return out


def _print_packages(pkgs: list[Package], fmt: str) -> None:
    records = [package_record(p) for p in pkgs]
    if fmt == "json":
        import json

        click.echo(json.dumps(records, indent=2))
        return
    if fmt == "yaml":
        import yaml  # only here: importing PyYAML costs more than a warm query

        click.echo(yaml.safe_dump(records, sort_keys=False, default_flow_style=False), nl=False)
        return
    click.echo(f"{len(pkgs)} packages found:")
    for rec in records:
        click.echo("")
        click.echo("\n".join(_human_lines(rec)))


def _human_lines(value: dict[str, Any], indent: str = "") -> list[str]:
    """``key: value`` lines, nested dicts indented and lists as ``- item``, like rdopkg."""
    lines: list[str] = []
    for key, val in value.items():
        if isinstance(val, dict) and val:
            lines.append(f"{indent}{key}:")
            lines.extend(_human_lines(val, indent + "  "))
        elif isinstance(val, list) and val:
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}- {item}" for item in val)
        elif val is None or val == {} or val == []:
            lines.append(f"{indent}{key}:")
        else:
            lines.append(f"{indent}{key}: {val}")
    return lines


def _summary(md: Metadata) -> None:
    click.echo("releases & repos:")
    for rel in md.releases:
        click.echo(f"\n{rel.name} ({rel.status})")
        for repo in rel.repos:
            click.echo(f"  {repo.name} built in {repo.buildsys} from {repo.branch} branch")
    counts = md.value_counts("conf")
    total = len(md)
    if total > sum(counts.values()):
        counts["-"] = total - sum(counts.values())
    click.echo(f"\n{total} packages defined:")
    for conf, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {n:5d} using {conf} config")


@click.command("info")
@click.argument("filters", nargs=-1)
@info_option
@info_file_option
@click.option("-t", "--tag", help="Apply this release tag's overrides (source-branch, ...).")
@click.option("--json", "fmt", flag_value="json", help="Print a JSON list of packages.")
@click.option("--yaml", "fmt", flag_value="yaml", help="Print a YAML list of packages.")
@click.pass_context
def info_cmd(
    ctx: click.Context,
    filters: tuple[str, ...],
    info_loc: str | None,
    info_files: tuple[str, ...],
    tag: str | None,
    fmt: str | None,
) -> None:
    """Show packages matching ATTR:REGEX filters (a bare word filters on name).

    `ATTR:~REGEX` negates. Without filters: releases, repos and per-conf counts.
    """
    from trunkline.metadata.query import parse_filter

    parsed = [parse_filter(f) for f in filters]
    md = _open(ctx, info_loc, info_files)
    if not filters and not fmt:
        _summary(md)
        return
    _print_packages(md.filter(parsed, tag=tag), fmt or "text")


@click.command("findpkg")
@click.argument("query")
@info_option
@info_file_option
@click.option("-s", "--strict", is_flag=True, help="Exact name, project or upstream only.")
@click.option("--json", "as_json", is_flag=True, help="Print the package as JSON.")
@click.pass_context
def findpkg_cmd(
    ctx: click.Context,
    query: str,
    info_loc: str | None,
    info_files: tuple[str, ...],
    strict: bool,
    as_json: bool,
) -> None:
    """Find the single best package for a name, project or upstream URL."""
    md = _open(ctx, info_loc, info_files)
    pkg = md.find(query, strict=strict)
    if pkg is None:
        raise MetadataError(
            f"findpkg {query!r}: no package matches (expected a name, project or upstream URL)"
        )
    _print_packages([pkg], "json" if as_json else "text")


@click.command("release")
@info_option
@info_file_option
@click.option("-r", "--release", "name", help="Only this release.")
@click.option("-R", "--repo", help="Only releases with this repo (e.g. el9s).")
@click.option("-s", "--status", help="Only releases with this status (maintained, eol, ...).")
@click.option("-p", "--package", help="Releases a package is built for, with its pins.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the same fields).")
@click.pass_context
def release_cmd(
    ctx: click.Context,
    info_loc: str | None,
    info_files: tuple[str, ...],
    name: str | None,
    repo: str | None,
    status: str | None,
    package: str | None,
    as_json: bool,
) -> None:
    """Show releases (or the releases a package is built for, its pins and NVRs)."""
    md = _open(ctx, info_loc, info_files)
    if package and as_json:
        _echo_json(_package_releases_json(md, md.package(package)))
        return
    if package:
        pkg = md.package(package)
        pins = pkg.pins()
        releases = md.releases_of(pkg)
        for rel in releases:
            pin = pins.get(rel.name)
            click.echo(
                f"{rel.name}: {pin if pin else rel.upstream_branch or '-'}"
                f"{' (pinned)' if pin else ''}"
            )
        # Pins on tags that are not releases: the upper-constraints tags (flamingo-uc)
        # the constraints bot maintains, which release tooling compares against.
        shown = {rel.name for rel in releases}
        for tag, pin in sorted(pins.items()):
            if tag not in shown:
                click.echo(f"{tag}: {pin} (pinned tag, not a release)")
        for btag, nvr in sorted(pkg.buildsys_tags.items()):
            click.echo(f"  {btag}: {nvr}")
        return
    rels = [md.release(name)] if name else md.releases
    rels = [r for r in rels if (not status or r.status == status)]
    rels = [r for r in rels if (not repo or any(x.name == repo for x in r.repos))]
    if as_json:
        _echo_json([_release_json(r) for r in rels])
        return
    if not name:
        click.echo(" ".join(r.name for r in rels))
        return
    for rel in rels:
        for key in ("name", "status", "branch", "identifier", "upstream_branch"):
            val = getattr(rel, key)
            if val is not None:
                click.echo(f"{key}: {val}")
        if rel.source_branch:
            click.echo(f"source_branch: {rel.source_branch}")
        click.echo(f"repos: {', '.join(r.name for r in rel.repos)}")


def _echo_json(data: object) -> None:
    import json

    click.echo(json.dumps(data, indent=2, default=str))


def _release_json(rel: Release) -> dict[str, object]:
    """A release as ``release --json`` prints it (the text form's fields)."""
    keys = ("name", "status", "branch", "identifier", "upstream_branch", "source_branch")
    found: dict[str, object] = {key: getattr(rel, key) for key in keys}
    found["repos"] = [r.name for r in rel.repos]
    return found


def _package_releases_json(md: Metadata, pkg: Package) -> dict[str, object]:
    """``release -p NAME --json``: its releases with the ref built, its pins, its NVRs."""
    pins = pkg.pins()
    releases = md.releases_of(pkg)
    shown = {rel.name for rel in releases}
    return {
        "package": pkg.name,
        "releases": [
            {
                "release": rel.name,
                "ref": pins.get(rel.name) or rel.upstream_branch,
                "pinned": bool(pins.get(rel.name)),
            }
            for rel in releases
        ],
        "pinned_tags": {tag: pin for tag, pin in sorted(pins.items()) if tag not in shown},
        "buildsys_tags": dict(sorted(pkg.buildsys_tags.items())),
    }


@click.command("validate")
@info_option
@info_file_option
@click.option("-W", "--warnings/--no-warnings", "show_warnings", default=True)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the problems as a JSON list (file, line, severity, package, field, message).",
)
@click.pass_context
def validate_cmd(
    ctx: click.Context,
    info_loc: str | None,
    info_files: tuple[str, ...],
    show_warnings: bool,
    as_json: bool,
) -> None:
    """Check the metadata: one line per problem; exit 3 when any error."""
    from trunkline.metadata.api import resolve_location
    from trunkline.metadata.cache import default_cache_dir
    from trunkline.metadata.source import checkout_tree
    from trunkline.metadata.validate import validate_tree

    loc, ref, cfg_files = _location(ctx, info_loc)
    files = tuple(info_files)
    cdir = default_cache_dir()
    where = resolve_location(loc, ref, (files or cfg_files or ("rdo.yml",))[0], cdir)
    if where.directory is not None:
        root = where.directory
        if not files:
            files = ("rdo-full.yml",) if (root / "rdo-full.yml").exists() else ()
        report = validate_tree(root, files or cfg_files or ("rdo.yml",))
    else:
        assert where.git is not None
        with checkout_tree(where.git, cdir / "scratch") as root:
            if not files:
                files = ("rdo-full.yml",) if (root / "rdo-full.yml").exists() else ()
            report = validate_tree(root, files or cfg_files or ("rdo.yml",))
    shown = [*report.errors, *(report.warnings if show_warnings else ())]
    if as_json:
        import dataclasses
        import json

        click.echo(json.dumps([dataclasses.asdict(p) for p in shown], indent=1))
    else:
        for problem in shown:
            click.echo(str(problem))
    click.echo(f"{len(report.errors)} errors, {len(report.warnings)} warnings", err=True)
    if report.errors:
        raise MetadataError(f"validate: {len(report.errors)} errors (first: {report.errors[0]})")


@click.command("diff")
@click.argument("old", default="HEAD~")
@click.argument("new", default="HEAD")
@info_option
@info_file_option
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.pass_context
def diff_cmd(
    ctx: click.Context,
    old: str,
    new: str,
    info_loc: str | None,
    info_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Packages added, removed or changed between two revisions of a metadata git repo."""
    from trunkline.errors import EntryFileMissingError
    from trunkline.metadata.diff import diff_metadata

    loc, _ref, cfg_files = _location(ctx, info_loc)
    files = tuple(info_files) or cfg_files

    def at(ref: str) -> Metadata:
        if files:
            return load_metadata(loc, ref=ref, info_files=files)
        try:  # rdo-full.yml where the revision has it, else rdo.yml (as --help says)
            return load_metadata(loc, ref=ref, info_files=("rdo-full.yml",))
        except EntryFileMissingError:
            return load_metadata(loc, ref=ref, info_files=("rdo.yml",))

    result = diff_metadata(at(old), at(new))
    if as_json:
        import json

        data = {
            "added": [p.name for p in result.added],
            "removed": [p.name for p in result.removed],
            "changed": [
                {
                    "name": c.name,
                    "project": c.project,
                    "tags_added": c.tags_added,
                    "tags_removed": c.tags_removed,
                    "pins": c.pins,
                    "overrides": c.overrides,
                    "buildsys_tags": c.buildsys_tags,
                    "attributes": c.attributes,
                    "needs_rebuild": c.needs_rebuild,
                }
                for c in result.changed
            ],
        }
        click.echo(json.dumps(data, indent=2, default=str))
        return
    for pkg in result.added:
        click.echo(f"+ {pkg.name}")
    for pkg in result.removed:
        click.echo(f"- {pkg.name}")
    for change in result.changed:
        click.echo(f"~ {change.describe()}")


@click.group("meta")
def meta_group() -> None:
    """Edit the metadata (keeps comments; validates before writing)."""


edit_dir_option = click.option(
    "--info", "info_loc", metavar="DIR", help="Metadata work tree to edit (default: config)."
)


def _editor(ctx: click.Context, info_loc: str | None, info_files: Sequence[str]) -> Any:
    from trunkline.metadata.edit import MetadataEditor

    loc, ref, cfg_files = _location(ctx, info_loc)
    root = Path(loc)
    if ref is not None or not root.is_dir():
        raise InputError(f"--info {loc}: edits need a local directory (no @REF, no URL)")
    files = tuple(info_files)
    if not files:
        files = ("rdo-full.yml",) if (root / "rdo-full.yml").exists() else cfg_files
    return MetadataEditor(root, files or ("rdo.yml",))


def _save(editor: Any) -> None:
    for rel in editor.save():
        click.echo(f"updated {rel}")


@meta_group.command("pin")
@click.argument("package")
@click.argument("tag")
@click.argument("ref")
@edit_dir_option
@info_file_option
@click.pass_context
def pin_cmd(
    ctx: click.Context,
    package: str,
    tag: str,
    ref: str,
    info_loc: str | None,
    info_files: tuple[str, ...],
) -> None:
    """Pin PACKAGE to upstream REF for release TAG (tags.TAG.source-branch)."""
    editor = _editor(ctx, info_loc, info_files)
    editor.pin(package, tag, ref)
    _save(editor)


@meta_group.command("unpin")
@click.argument("package")
@click.argument("tag")
@edit_dir_option
@info_file_option
@click.pass_context
def unpin_cmd(
    ctx: click.Context, package: str, tag: str, info_loc: str | None, info_files: tuple[str, ...]
) -> None:
    """Remove PACKAGE's source-branch pin for release TAG."""
    editor = _editor(ctx, info_loc, info_files)
    editor.unpin(package, tag)
    _save(editor)


@meta_group.command("tag")
@click.argument("package")
@click.argument("tag")
@edit_dir_option
@info_file_option
@click.pass_context
def tag_cmd(
    ctx: click.Context, package: str, tag: str, info_loc: str | None, info_files: tuple[str, ...]
) -> None:
    """Add PACKAGE to release TAG."""
    editor = _editor(ctx, info_loc, info_files)
    editor.add_tag(package, tag)
    _save(editor)


@meta_group.command("set-nvr")
@click.argument("package")
@click.argument("buildsys_tag")
@click.argument("nvr")
@edit_dir_option
@info_file_option
@click.pass_context
def set_nvr_cmd(
    ctx: click.Context,
    package: str,
    buildsys_tag: str,
    nvr: str,
    info_loc: str | None,
    info_files: tuple[str, ...],
) -> None:
    """Set PACKAGE's NVR in build-system tag BUILDSYS_TAG."""
    editor = _editor(ctx, info_loc, info_files)
    editor.set_nvr(package, buildsys_tag, nvr)
    _save(editor)


@meta_group.command("add-package")
@click.argument("project")
@click.option("--conf", required=True, help="package-configs template to use.")
@click.option("--name", help="RPM name, when the template's is not right.")
@click.option("--maintainer", "maintainers", multiple=True, help="Maintainer e-mail (repeat).")
@click.option("--file", "file", default="rdo.yml", show_default=True, help="File to add it to.")
@edit_dir_option
@info_file_option
@click.pass_context
def add_package_cmd(
    ctx: click.Context,
    project: str,
    conf: str,
    name: str | None,
    maintainers: tuple[str, ...],
    file: str,
    info_loc: str | None,
    info_files: tuple[str, ...],
) -> None:
    """Add PROJECT as a new package using a conf template."""
    editor = _editor(ctx, info_loc, info_files)
    editor.add_package(project, conf, file=file, name=name, maintainers=maintainers)
    _save(editor)


def register(group: click.Group) -> None:
    """Add this module's commands to the root group (``release`` is cli/release.py's group)."""
    for cmd in (info_cmd, findpkg_cmd, validate_cmd, diff_cmd, meta_group):
        group.add_command(cmd)
