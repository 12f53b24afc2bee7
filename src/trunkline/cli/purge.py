"""``trunkline purge``: remove hashed repos older than N days, never one that is still used.

Thin wrapper over the recording service
(:meth:`trunkline.publish.record.BuildRecorder.purge`; what is kept and why is
documented in :mod:`trunkline.publish.purge`). The run holds the builder lock, so
no build cycle publishes meanwhile; with ``[replication] targets`` the mirrors
are resynced afterwards (``--delete-after``), so they lose the purged repos too.
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import TYPE_CHECKING

import click

from trunkline.cli.app import AppState

if TYPE_CHECKING:
    from trunkline.publish.purge import PurgePlan, PurgeResult


@click.command("purge")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    required=True,
    metavar="DAYS",
    help="Purge builds whose build time is more than DAYS days ago.",
)
@click.option("--dry-run", is_flag=True, help="List what would go; change nothing.")
@click.option("--component", default=None, help="Only purge builds of this component.")
@click.option("--verbose-kept", "-k", is_flag=True, help="Also list the old repos kept, and why.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the plan (and what was done) as one JSON object."
)
@click.pass_obj
def purge_cmd(
    state: AppState,
    older_than: int,
    dry_run: bool,
    component: str | None,
    verbose_kept: bool,
    as_json: bool,
) -> None:
    """Remove old hashed repos and flag their builds as purged in the DB."""
    from trunkline.builder.lock import BuilderLock
    from trunkline.db.engine import open_database, session_factory, session_scope
    from trunkline.publish.record import BuildRecorder

    settings = state.settings()
    recorder = BuildRecorder(settings)
    engine = open_database(settings.database_url)
    try:
        lock = contextlib.nullcontext() if dry_run else BuilderLock(settings.builder.data_dir)
        with lock, session_scope(session_factory(engine)) as s:
            plan = recorder.plan_purge(
                s, older_than_days=older_than, now=int(time.time()), component=component
            )
            if as_json:
                done = None if dry_run else recorder.purge(s, plan)
                click.echo(json.dumps(_plan_json(plan, done), indent=2))
                return
            verb = "would " if dry_run else ""
            for item in plan.items:
                what = {"remove": "remove", "strip": "strip", "mark": "mark purged"}[item.action]
                extra = (
                    f", keeping {len(item.keep_files)} linked file(s)" if item.keep_files else ""
                )
                who = ", ".join(item.projects) or "already purged"
                click.echo(f"{verb}{what} {item.relpath} ({who}{extra})")
            if verbose_kept or dry_run:
                for kept in plan.kept:
                    click.echo(f"keep {kept.relpath}: {kept.reason}")
            if dry_run:
                click.echo(f"dry run: {len(plan.items)} repo(s) would go, {len(plan.kept)} kept")
                return
            result, resynced = recorder.purge(s, plan)
        click.echo(
            f"purged: {result.removed} removed, {result.stripped} stripped, "
            f"{result.flagged} build(s) flagged; {len(plan.kept)} old repo(s) kept"
        )
        if resynced:
            click.echo(f"mirrors resynced: {', '.join(resynced)}")
    finally:
        recorder.close()
        engine.dispose()


def _plan_json(plan: PurgePlan, done: tuple[PurgeResult, list[str]] | None) -> dict[str, object]:
    """``purge --json``: every repo that goes (or would) and why the others stay.

    ``result`` is None with ``--dry-run``, else the counts of what was done.
    """
    items = [
        {
            "action": item.action,
            "relpath": str(item.relpath),
            "projects": list(item.projects),
            "keep_files": len(item.keep_files),
        }
        for item in plan.items
    ]
    kept = [{"relpath": str(k.relpath), "reason": k.reason} for k in plan.kept]
    result = None
    if done is not None:
        res, resynced = done
        result = {
            "removed": res.removed,
            "stripped": res.stripped,
            "flagged": res.flagged,
            "resynced": resynced,
        }
    return {"items": items, "kept": kept, "result": result}


def register(group: click.Group) -> None:
    """Add ``purge`` to the root group."""
    group.add_command(purge_cmd)
