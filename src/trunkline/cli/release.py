"""``trunkline release``: show releases (the old query, also ``release show``) or start one.

``release`` with no subcommand (``release -p PKG``, ``release -r NAME``...) is the
query of :mod:`trunkline.cli.metadata`, unchanged; ``release show`` is the same
command; ``release new NAME --from PROMOTION`` is release time
(:mod:`trunkline.releasetime`): it prints the plan, then does what is not done yet.
"""

from __future__ import annotations

from typing import Any

import click

from trunkline.cli.metadata import release_cmd
from trunkline.errors import InputError


@click.group(
    "release",
    invoke_without_command=True,
    params=list(release_cmd.params),
)
@click.pass_context
def release_group(ctx: click.Context, /, **options: Any) -> None:
    """Show releases (release show, the default) or start a stable release (release new)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(release_cmd, **options)
        return
    given = [p.opts[0] for p in release_cmd.params if options.get(p.name) not in (None, False, ())]
    if given:
        raise InputError(
            f"release {ctx.invoked_subcommand}: {', '.join(given)} given before the subcommand "
            f"(put options after '{ctx.invoked_subcommand}')"
        )


release_group.add_command(release_cmd, "show")


@release_group.command("new")
@click.argument("name")
@click.option(
    "--from",
    "promotion",
    required=True,
    metavar="PROMOTION",
    help="The promoted repo to branch from: current, consistent or a promotion name.",
)
@click.option(
    "--identifier",
    metavar="ID",
    help="Upstream series (2026.1): follow stable/ID instead of stable/NAME.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.pass_context
def new_cmd(
    ctx: click.Context, name: str, promotion: str, identifier: str | None, dry_run: bool
) -> None:
    """Start release NAME from a promoted repo: branches, metadata, pins, builder config.

    Resumable and idempotent: a step already done is left as it is; a rerun after
    everything is done changes nothing.
    """
    from trunkline.builder.lock import BuilderLock
    from trunkline.releasetime.apply import apply_plan, describe
    from trunkline.releasetime.plan import make_plan

    settings = ctx.obj.settings()
    with BuilderLock(settings.builder.data_dir):  # its links and mirrors hold still meanwhile
        plan = make_plan(settings, name, promotion, identifier=identifier)
        for line in describe(plan):
            click.echo(line)
        if dry_run:
            click.echo("dry run: nothing changed")
            return
        if plan.done:
            click.echo(f"nothing to do: release {name} is in place")
        else:
            apply_plan(settings, plan, click.echo)
    click.echo("remains for people:")
    for line in plan.remaining:
        click.echo(f"  - {line}")


def register(group: click.Group) -> None:
    """Add ``release`` to the root group."""
    group.add_command(release_group)
