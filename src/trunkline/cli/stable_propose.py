"""``trunkline stable propose``: propose stable updates to new upstream release tags.

Thin: options in, :func:`trunkline.stable.propose.propose` called, one line per
package out, then the status: 0, or 12 when a proposal failed (verification build
or a remote), as ``build`` ends after an FTBFS.
"""

from __future__ import annotations

import click

EXIT_FAILED = 12  # as build's FTBFS: printed results, some of which failed


@click.command("propose")
@click.option("--release", "release", required=True, metavar="NAME", help="The stable release.")
@click.option("--push", is_flag=True, help="Push each verified change for review.")
@click.option(
    "--dry-run", is_flag=True, help="Only say what would be proposed (no build, no push)."
)
@click.option(
    "--author",
    default="trunkline <trunkline@localhost>",
    show_default=True,
    metavar="'NAME <EMAIL>'",
    help="Author of the changes and their changelog entries.",
)
@click.pass_context
def propose_cmd(ctx: click.Context, release: str, push: bool, dry_run: bool, author: str) -> None:
    """Propose updates of the RELEASE-rdo distgits to new upstream release tags.

    Each change (Version, Release 1, changelog) is verified by a local build of the
    tag's tarball; with --push it goes to refs/for/RELEASE-rdo of the review remote.
    """
    from trunkline.errors import InputError
    from trunkline.stable.propose import Outcome, ProposeOptions, State, propose

    if push and dry_run:
        raise InputError("stable propose: --push and --dry-run exclude each other")
    settings = ctx.obj.settings()

    def say(outcome: Outcome) -> None:
        click.echo(outcome.line())

    outcomes = propose(
        settings, release, ProposeOptions(push=push, dry_run=dry_run, author=author), say
    )
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.state.value] = counts.get(o.state.value, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in counts.items()) or "no packages"
    click.echo(f"{release}: {len(outcomes)} packages: {summary}")
    if any(o.state is State.FAILED for o in outcomes):
        ctx.exit(EXIT_FAILED)
