"""``trunkline notify test-mail``: send one mail through ``[notify]``'s SMTP settings now.

Checks a mail setup (server, TLS, login, From) without waiting for an FTBFS; the
mail goes directly, not through the outbox, so a failure is exit 14 with the
server's reply.
"""

from __future__ import annotations

import click

from trunkline.cli.app import AppState, pass_state
from trunkline.errors import ConfigError, InputError


@click.group("notify")
def notify_group() -> None:
    """Check the notification settings ([notify])."""


@notify_group.command("test-mail")
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="ADDR",
    help="Recipient (repeatable; default: [notify] recipients).",
)
@pass_state
def test_mail_cmd(state: AppState, to: tuple[str, ...]) -> None:
    """Send a test mail through [notify] (exit 14 when the server does not take it)."""
    from trunkline.notify import smtp_transport
    from trunkline.notify.mail import probe_message

    settings = state.settings()
    n = settings.notify
    if not n.smtp_server.strip():
        raise ConfigError(f"{settings.config_path}: [notify] smtp_server is not set: no mail")
    recipients = list(to or n.recipients)
    if not recipients:
        raise InputError("no recipient: pass --to ADDR or set [notify] recipients")
    for addr in recipients:
        if "@" not in addr or any(c.isspace() for c in addr):
            raise InputError(f"--to {addr!r}: not a mail address (user@host)")
    transport = smtp_transport(settings)
    msg = probe_message(
        builder=settings.builder.name, mail_from=n.mail_from, to=recipients, via=transport.address
    )
    click.echo(transport.send(msg, sender=n.mail_from, to=recipients))


def register(group: click.Group) -> None:
    """Add ``notify`` to the root group."""
    group.add_command(notify_group)
