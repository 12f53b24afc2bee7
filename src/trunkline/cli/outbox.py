"""``trunkline outbox list``: the delivery log of mails, reviews and events.

One line per message, newest first: id, state, channel, topic, package, attempts
and what the receiver said last (the error while it is pending or dead).
"""

from __future__ import annotations

import dataclasses
import json
import time

import click

from trunkline.cli.app import AppState, pass_state


@click.group("outbox")
def outbox_group() -> None:
    """Look at the outbox: notifications and events, and how their delivery went."""


def _when(epoch: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) if epoch else "-"


@outbox_group.command("list")
@click.option("--pending", is_flag=True, help="Only messages not delivered yet.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of messages.")
@pass_state
def list_cmd(state: AppState, pending: bool, limit: int, as_json: bool) -> None:
    """List outbox messages, newest first, with their attempts and last error."""
    from trunkline.db.engine import open_database, session_factory, session_scope
    from trunkline.outbox.log import delivery_log

    sessions = session_factory(open_database(state.settings().database_url))
    with session_scope(sessions) as session:
        entries = delivery_log(session, pending_only=pending, limit=limit)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(e) for e in entries], indent=2))
        return
    for e in entries:
        when = (
            f"next {_when(e.next_attempt_at)}"
            if e.state == "pending"
            else f"at {_when(e.delivered_at)}"
            if e.delivered_at
            else ""
        )
        said = e.last_error if e.state != "delivered" else e.last_detail
        click.echo(
            f"{e.id} {e.state} {e.channel} {e.topic} {e.subject or '-'} "
            f"attempts={e.attempts} {when}".rstrip()
            + (f": {said}" if said else "")
        )
    if not entries:
        click.echo("no pending message" if pending else "the outbox is empty")


def register(group: click.Group) -> None:
    """Add ``outbox`` to the root group."""
    group.add_command(outbox_group)
