"""``trunkline report``: regenerate the static HTML/CSV reports of the repo tree.

The upper-constraints pages (``uc.html``, from the newest stored ``uc report``
run) are written too.

The build cycle already does this after every cycle; the command is for a new
template, a restored tree, or a DB changed by hand (``--full`` ignores the
saved state and recomputes every package).
"""

from __future__ import annotations

import click

from trunkline.cli.app import AppState


@click.command("report")
@click.option("--full", is_flag=True, help="Recompute every package and page (ignore the cache).")
@click.pass_obj
def report_cmd(state: AppState, full: bool) -> None:
    """Write report.html (+ pages), status_report.html/.csv and ftbfs.html into the repos dir."""
    from trunkline.db.engine import open_database, session_factory, session_scope
    from trunkline.reports.render import generate_reports
    from trunkline.reports.uc_page import write_uc_pages

    settings = state.settings()
    b = settings.builder
    engine = open_database(settings.database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            result = generate_reports(
                session, b.repos_path, project_name=b.project_name, baseurl=b.baseurl, full=full
            )
            write_uc_pages(session, b.repos_path, project_name=b.project_name, baseurl=b.baseurl)
    finally:
        engine.dispose()
    click.echo(
        f"{b.repos_path / 'report.html'}: {result.pages_total} page(s); "
        f"{len(result.written)} file(s) written, {result.rows_rendered} package row(s) "
        f"rendered in {result.seconds:.3f}s"
    )


def register(group: click.Group) -> None:
    """Add ``report`` to the root group."""
    group.add_command(report_cmd)
