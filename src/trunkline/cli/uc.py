"""``trunkline uc``: compare upper-constraints with the repos, and propose the pin updates."""

from __future__ import annotations

import time

import click

from trunkline.cli.app import AppState

STATUSES = ("equal", "lower", "greater", "missing")


@click.group("uc")
def uc_group() -> None:
    """Upper-constraints: the report (uc report) and the pin updates (uc propose)."""


@uc_group.command("report")
@click.option(
    "--uc", "uc_source", metavar="FILE|URL|REPO@REF", help="Constraints (default: [uc] source)."
)
@click.option("--release", metavar="NAME", help="Release column (default: [uc] release).")
@click.option("--python", metavar="3.N", help="Target Python for markers (default: [uc] python).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
)
@click.option(
    "--status",
    "statuses",
    type=click.Choice(STATUSES),
    multiple=True,
    help="Show only these statuses (repeatable; all are stored).",
)
@click.pass_obj
def report_cmd(
    state: AppState,
    uc_source: str | None,
    release: str | None,
    python: str | None,
    fmt: str,
    statuses: tuple[str, ...],
) -> None:
    """Compare each constrained module with the package the repos ship; store the run."""
    from trunkline.constraints.output import as_csv, as_json, as_table
    from trunkline.constraints.service import compute_report, store_report
    from trunkline.db.engine import open_database, session_factory, session_scope
    from trunkline.reports.uc_page import render_uc_html

    if fmt == "html" and len(statuses) > 1:
        from trunkline.errors import InputError

        raise InputError("--status: --format html shows one status or all (got several)")
    settings = state.settings()
    report = compute_report(settings, uc=uc_source, release=release, python=python)
    b = settings.builder
    engine = open_database(settings.database_url)
    html = ""
    try:
        with session_scope(session_factory(engine)) as session:
            store_report(session, settings, report, now=int(time.time()))
            if fmt == "html":
                one = statuses[0] if len(statuses) == 1 else None
                html = render_uc_html(
                    session, project_name=b.project_name, release=report.release, status=one
                )
    finally:
        engine.dispose()
    rows = [r for r in report.rows if not statuses or r.status.value in statuses]
    if fmt == "html":
        click.echo(html, nl=False)
    elif fmt == "json":
        meta = {
            "release": report.release,
            "python": report.python,
            "source": report.source,
            "repos": list(report.repos),
        }
        click.echo(as_json(rows, **meta), nl=False)
    elif fmt == "csv":
        click.echo(as_csv(rows), nl=False)
    else:
        click.echo(as_table(rows), nl=False)


@uc_group.command("propose")
@click.option("--tag", required=True, metavar="TAG", help="Tag whose pins move (flamingo-uc).")
@click.option(
    "--uc", "uc_source", metavar="FILE|URL|REPO@REF", help="Constraints (default: [uc] source)."
)
@click.option("--python", metavar="3.N", help="Target Python for markers (default: [uc] python).")
@click.option(
    "--info", "info_loc", metavar="DIR", help="Metadata git work tree (default: [packages] path)."
)
@click.option(
    "--push", is_flag=True, help="Push the commit to the review remote's refs/for/<branch>."
)
@click.option("--allow-downgrade", is_flag=True, help="Also lower pins above upper-constraints.")
@click.pass_obj
def propose_cmd(
    state: AppState,
    tag: str,
    uc_source: str | None,
    python: str | None,
    info_loc: str | None,
    push: bool,
    allow_downgrade: bool,
) -> None:
    """Write the upper-constraints versions as the tag's source-branch pins, and commit."""
    from pathlib import Path

    from trunkline.constraints.propose import propose
    from trunkline.constraints.ucfile import check_python, parse_constraints, read_source
    from trunkline.errors import InputError

    settings = state.settings(required=False)
    source = uc_source or settings.uc.source
    if not source:
        raise InputError("--uc: no upper-constraints source (pass --uc or set [uc] source)")
    root_text = info_loc or settings.packages.path
    if not root_text or not Path(root_text).is_dir():
        raise InputError(
            f"--info {root_text or '(unset)'}: expected the metadata git work tree "
            "(pass --info DIR or set [packages] path)"
        )
    root = Path(root_text)
    files = ("rdo-full.yml",) if (root / "rdo-full.yml").exists() else settings.packages.info_files
    text, label = read_source(source)
    constraints = parse_constraints(text, check_python(python or settings.uc.python), source=label)
    result = propose(
        root,
        files,
        constraints,
        tag,
        allow_downgrade=allow_downgrade,
        push_remote=settings.uc.review_remote if push else None,
    )
    for bump in result.plan.held:
        click.echo(f"held (pin above upper-constraints; --allow-downgrade to lower): {bump.line()}")
    for bump in result.plan.bumps:
        click.echo(f"bump {bump.line()}")
    if result.commit is None:
        click.echo(f"{tag}: no change")
        return
    click.echo(f"committed {result.commit[:12]}: {len(result.plan.bumps)} pin(s) moved")
    if result.pushed:
        click.echo(f"pushed to {settings.uc.review_remote} {result.pushed}")


def register(group: click.Group) -> None:
    """Add ``uc`` to the root group."""
    group.add_command(uc_group)
