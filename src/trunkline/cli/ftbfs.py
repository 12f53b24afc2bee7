"""``trunkline ftbfs list|show``: the packages that fail to build, from the FTBFS periods.

``list`` shows the open periods (``--all``: the closed ones too), ``show PKG`` one
package's whole history; both print JSON with ``--json`` (the shape of
``ftbfs/listing.py``, the same as ``GET /api/ftbfs``).

Exit codes: 0 listed (an empty list too); 2 a bad option; 3 ``show`` of a
package the builder never built.
"""

from __future__ import annotations

import json
import time
from typing import Any

import click

from trunkline.cli.app import AppState


def _culprit(entry: dict[str, Any]) -> str:
    culprit = entry["culprit"]
    named = culprit["upstream_hash"] or culprit["distgit_hash"]
    return f"{culprit['state']} {named[:8]}" if named else culprit["state"]


def _line(entry: dict[str, Any]) -> str:
    from trunkline.ftbfs.listing import age_text

    review = entry["review"]["url"] or entry["review"]["id"] or "-"
    state = "open" if entry["closed_at"] is None else f"fixed by {entry['fix']['fixed_by']}"
    age = age_text(entry["age_seconds"])
    return (
        f"{entry['package']:30s} {entry['component'] or '-':12s} {age:>8s} "
        f"{entry['attempts']:3d}  {_culprit(entry):20s} {state:18s} review {review}  "
        f"{entry['last_failing']['nvr']}  {entry['last_failing']['log_url'] or '-'}"
    )


def _periods(state: AppState, *, closed: bool, package: str | None) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from trunkline.db.engine import open_database, session_factory, session_scope
    from trunkline.db.models import Commit
    from trunkline.errors import UnknownPackageError
    from trunkline.ftbfs.listing import periods

    settings = state.settings()
    engine = open_database(settings.database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            if package is not None and (
                session.scalar(select(Commit.id).where(Commit.project_name == package).limit(1))
                is None
            ):
                raise UnknownPackageError(f"package {package!r}: the builder never built it")
            return periods(session, settings, now=int(time.time()), closed=closed, package=package)
    finally:
        engine.dispose()


@click.group("ftbfs")
def ftbfs_group() -> None:
    """The packages that fail to build from source: open periods, culprits, history."""


@ftbfs_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Closed periods too (newest first).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_obj
def list_cmd(state: AppState, show_all: bool, as_json: bool) -> None:
    """List the packages in FTBFS: age, attempts, culprit, review, last failing NVR, log."""
    entries = _periods(state, closed=show_all, package=None)
    if as_json:
        click.echo(json.dumps(entries, indent=2))
        return
    if not entries:
        click.echo("no package in FTBFS")
    for entry in entries:
        click.echo(_line(entry))


@ftbfs_group.command("show")
@click.argument("package")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_obj
def show_cmd(state: AppState, package: str, as_json: bool) -> None:
    """Show one package's FTBFS periods, open and closed."""
    entries = _periods(state, closed=True, package=package)
    is_open = any(e["closed_at"] is None for e in entries)
    if as_json:
        doc = {"package": package, "in_ftbfs": is_open, "periods": entries}
        click.echo(json.dumps(doc, indent=2))
        return
    click.echo(f"{package}: {'in FTBFS' if is_open else 'builds'}; {len(entries)} period(s)")
    for entry in entries:
        click.echo(_line(entry))


def register(group: click.Group) -> None:
    """Add the ``ftbfs`` group to the root group."""
    group.add_command(ftbfs_group)
