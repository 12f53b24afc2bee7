"""``trunkline distgit``: maintainer tools run inside a distgit checkout (rdopkg's commands).

Thin: each command parses its options, calls one function of
:mod:`trunkline.distgit` and prints the result. Errors are raised and turned
into one line by ``cli/app.py``.
"""

from __future__ import annotations

from pathlib import Path

import click

from trunkline.errors import InputError

DISTGIT_OPTION = click.option(
    "--distgit",
    "-C",
    "distgit",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("."),
    show_default=True,
    help="The distgit checkout.",
)


RELEASE_PART_OPTION = click.option(
    "--release-part",
    "-R",
    "release_part",
    default=None,
    metavar="INDEX",
    help="Release number to bump: MAJOR, MINOR, PATCH, N (1-based), 0 (none) or "
    "last-numeric (default; the 2nd part for DLRN-style 0.DATE.HASH).",
)


@click.group("distgit")
def distgit() -> None:
    """Maintainer tools for distgits: clone, new-version, fix, patch, reqcheck, lint."""


@distgit.command("clone")
@click.argument("package")
@click.option("--info", "info", default=None, help="Metadata: a directory or git URL.")
@click.option("--info-file", "info_files", multiple=True, help="Entry file (default rdo.yml).")
@click.option("--master", "-m", is_flag=True, help="Clone master-distgit instead of distgit.")
@click.option("--user", "-u", default=None, help="User for the ssh review remotes.")
@click.option("--dest", "-d", type=click.Path(path_type=Path), default=None, help="Target dir.")
@click.pass_context
def clone_cmd(
    ctx: click.Context,
    package: str,
    info: str | None,
    info_files: tuple[str, ...],
    master: bool,
    user: str | None,
    dest: Path | None,
) -> None:
    """Clone PACKAGE's distgit and add the upstream, patches and review remotes."""
    from trunkline.distgit.clone import clone

    files = info_files
    if info is None:
        settings = ctx.obj.settings(required=False)
        info = settings.packages.path
        files = files or settings.packages.info_files
    if not info:
        raise InputError("clone: no metadata location (pass --info DIR|URL or set packages.path)")
    result = clone(
        package, info, dest=dest, master=master, user=user, info_files=files or ("rdo.yml",)
    )
    click.echo(f"cloned {result.distgit} into {result.path}")
    for remote, url in result.remotes.items():
        click.echo(f"  remote {remote}: {url}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


@distgit.command("new-version")
@click.argument("version", required=False)
@click.option("--bump-only", "-b", is_flag=True, help="Only Version/Release/changelog.")
@click.option("--local-patches", "-l", is_flag=True, help="Use the local patches branch.")
@click.option("--continue", "-c", "cont", is_flag=True, help="Resume after fixing a conflict.")
@click.option("--abort", is_flag=True, help="Abandon a stopped new-version.")
@click.option(
    "--changelog-commits",
    is_flag=True,
    help="List the upstream commit subjects in the %changelog entry.",
)
@DISTGIT_OPTION
def new_version_cmd(
    version: str | None,
    bump_only: bool,
    local_patches: bool,
    cont: bool,
    abort: bool,
    changelog_commits: bool,
    distgit: Path,
) -> None:
    """Update to VERSION (default: the newest upstream tag) and rebase the patches.

    With a lookaside 'sources' file, the new tarball is made offline from the
    upstream tag (git archive) and 'sources' gets its SHA512.
    """
    from trunkline.distgit import newversion

    repo = distgit.resolve()
    if abort:
        st = newversion.abort_new_version(repo)
        click.echo(f"aborted new-version to {st.new_version}; the distgit is unchanged")
        return
    if cont:
        result = newversion.continue_new_version(repo)
    else:
        result = newversion.new_version(
            repo,
            version,
            bump_only=bump_only,
            local=local_patches,
            changelog_commits=changelog_commits,
        )
    if result.conflict_worktree is not None:
        click.echo(
            f"rebase onto {result.new_version} stopped: {result.conflict_detail}\n"
            f"resolve the conflict in {result.conflict_worktree} (git add the files), then run\n"
            f"  trunkline distgit new-version --continue   (or --abort)",
            err=True,
        )
        raise click.exceptions.Exit(1)
    click.echo(f"updated {result.old_version} -> {result.new_version}: commit {result.commit}")
    for name in result.patches:
        click.echo(f"  patch {name}")
    update = result.source_update
    if update is not None and update.source0_rewritten:
        click.echo(f"  Source0 -> {update.source0 or 'new version'}")
    if update is not None and update.tarball is not None:
        click.echo(f"  tarball {update.tarball.name} (sources: SHA512 {update.sha512[:16]}...)")
    if result.upstream_changes:
        click.echo(f"upstream changes: {len(result.upstream_changes)} commits")
    if result.requirements is not None:
        click.echo("requirements.txt changes:")
        for line in result.requirements.lines():
            click.echo(f"  {line}")


@distgit.command("fix")
@click.option("--message", "-m", "messages", multiple=True, help="Changelog line (repeatable).")
@RELEASE_PART_OPTION
@DISTGIT_OPTION
def fix_cmd(messages: tuple[str, ...], release_part: str | None, distgit: Path) -> None:
    """Bump Release, add a changelog entry and commit."""
    from trunkline.distgit.fix import fix
    from trunkline.distgit.release import NO_BUMP, part_number

    if release_part is not None and release_part.strip() != NO_BUMP:
        part_number(release_part)  # refuse a bad -R before opening an editor
    lines = list(messages)
    if not lines:
        text = click.edit("\n# One changelog line per line; lines starting with # are ignored.\n")
        lines = [ln for ln in (text or "").splitlines() if ln.strip() and not ln.startswith("#")]
    result = fix(distgit.resolve(), lines, release_part=release_part)
    click.echo(f"{result.nvr}: commit {result.commit}")


@distgit.command("patch")
@click.option("--local-patches", "-l", is_flag=True, help="Use the local patches branch.")
@click.option("--patches-branch", "-p", default=None, help="Patches ref to use.")
@click.option("--no-bump", "-B", is_flag=True, help="No Release bump, no changelog entry.")
@click.option("--amend", "-a", is_flag=True, help="Amend the previous commit.")
@RELEASE_PART_OPTION
@DISTGIT_OPTION
def patch_cmd(
    local_patches: bool,
    patches_branch: str | None,
    no_bump: bool,
    amend: bool,
    release_part: str | None,
    distgit: Path,
) -> None:
    """Regenerate the patch files from the patches branch and commit."""
    from trunkline.distgit.patch import patch

    result = patch(
        distgit.resolve(),
        local=local_patches,
        patches_branch=patches_branch,
        no_bump=no_bump,
        amend=amend,
        release_part=release_part,
    )
    if result.commit is None:
        click.echo(f"patches are up to date with {result.update.head}")
        return
    click.echo(
        f"{len(result.update.files)} patches on {result.update.base} "
        f"from {result.update.head}: {result.commit}"
    )


@distgit.command("reqcheck")
@click.option("--ref", "-R", default=None, help="Upstream ref (default: tag of Version).")
@click.option(
    "--output", "-o", type=click.Choice(["text", "json", "spec"]), default="text", show_default=True
)
@click.option("--strict", "-S", is_flag=True, help="Exit 2 on missing, 4 on mismatch.")
@click.option("--python-version", "-p", default="3.9", show_default=True, help="For markers.")
@click.option("--override", "-O", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--sync", "sync_spec", is_flag=True, help="Write the Requires into the spec.")
@DISTGIT_OPTION
def reqcheck_cmd(
    ref: str | None,
    output: str,
    strict: bool,
    python_version: str,
    override: Path | None,
    sync_spec: bool,
    distgit: Path,
) -> None:
    """Compare upstream requirements.txt with the spec's Requires."""
    from trunkline.distgit import reqcheck
    from trunkline.rpmspec.editor import find_spec
    from trunkline.rpmspec.requires import requires_alignment

    repo = distgit.resolve()
    result = reqcheck.reqcheck(repo, ref=ref, python_version=python_version, override_file=override)
    click.echo(f"requirements.txt at upstream ref {result.ref}", err=True)
    if output == "json":
        click.echo(reqcheck.format_json(result))
    elif output == "spec":
        click.echo(reqcheck.format_spec(result, requires_alignment(find_spec(repo))))
    else:
        click.echo(reqcheck.format_text(result))
    if sync_spec:
        for value in reqcheck.sync(repo, result):
            click.echo(f"synced Requires: {value}", err=True)
    code = result.exit_code(strict)
    if code:
        raise click.exceptions.Exit(code)


@distgit.command("reqdiff")
@click.argument("refs", nargs=-1)
@click.option("--python-version", "-p", default="3.9", show_default=True)
@DISTGIT_OPTION
def reqdiff_cmd(refs: tuple[str, ...], python_version: str, distgit: Path) -> None:
    """Requirements changes between two upstream refs.

    With no REF: the tag of the spec's Version and the newest upstream tag; with one
    REF: the tag of the spec's Version and REF.
    """
    from trunkline.distgit import gitops
    from trunkline.distgit.newversion import latest_version
    from trunkline.distgit.reqdiff import reqdiff
    from trunkline.rpmspec.editor import find_spec, read_spec

    repo = distgit.resolve()
    if len(refs) > 2:
        raise InputError("reqdiff: expected at most two refs (OLD NEW)")
    if len(refs) == 2:
        old, new = refs
    else:
        old = gitops.spec_upstream_ref(repo, read_spec(find_spec(repo)))
        new = refs[0] if refs else gitops.version_tag(repo, latest_version(repo))
    result = reqdiff(repo, old, new, python_version=python_version)
    click.echo(f"requirements.txt {old} -> {new}")
    for line in result.lines():
        click.echo(line)


@distgit.command("lint")
@click.option(
    "--checks",
    type=click.Choice(["sanity", "rpmlint", "all"]),
    default="all",
    show_default=True,
)
@click.option(
    "--srpm",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Also run rpmlint on this SRPM.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the problems as a JSON list (level, check, message).",
)
@DISTGIT_OPTION
def lint_cmd(checks: str, srpm: Path | None, as_json: bool, distgit: Path) -> None:
    """Sanity checks of the spec and patches, and rpmlint when installed (exit 23)."""
    from trunkline.distgit.lint import EXIT_PROBLEMS, lint

    chosen = ("sanity", "rpmlint") if checks == "all" else (checks,)
    problems = lint(distgit.resolve(), chosen, srpm=srpm)
    if as_json:
        import dataclasses
        import json

        click.echo(json.dumps([dataclasses.asdict(p) for p in problems], indent=1))
    else:
        for problem in problems:
            click.echo(str(problem))
        if not problems:
            click.echo("no problems found")
    if any(p.level == "E" for p in problems):
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def register(group: click.Group) -> None:
    """Add ``trunkline distgit`` to the root group."""
    group.add_command(distgit)
