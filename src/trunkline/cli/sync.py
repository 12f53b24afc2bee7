"""``trunkline sync``: full resync of the repo tree to the ``[replication]`` mirrors.

Build cycles push each new repo as it is published; this command is for a new
mirror, after a failed push, or after a purge run elsewhere. It holds the
builder lock, so the tree does not move under rsync.
"""

from __future__ import annotations

import click

from trunkline.cli.app import AppState
from trunkline.errors import ConfigError


@click.command("sync")
@click.pass_obj
def sync_cmd(state: AppState) -> None:
    """Push the whole repo tree to every mirror: repos first, then links and reports."""
    from trunkline.builder.lock import BuilderLock
    from trunkline.publish.sync import replicate_all

    settings = state.settings()
    if not settings.replication.targets:
        where = settings.config_path or "the config"
        raise ConfigError(f"{where}: [replication] targets is empty; nothing to sync to")
    with BuilderLock(settings.builder.data_dir):
        done = replicate_all(settings)
    for target in done:
        click.echo(f"synced {settings.builder.repos_path} to {target}")


def register(group: click.Group) -> None:
    """Add ``sync`` to the root group."""
    group.add_command(sync_cmd)
