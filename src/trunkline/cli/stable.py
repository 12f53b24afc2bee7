"""``trunkline stable``: the stable releases' commands, one module per subcommand.

The group is filled from one table, :data:`SUBCOMMANDS` (name -> module under
``trunkline.cli``, attribute). Another stable command joins by adding its row,
e.g. ``"build": ("stable_build", "build_cmd")`` for ``cli/stable_build.py``'s
``build_cmd`` (keep those modules light: import the heavy parts inside the command).
"""

from __future__ import annotations

import importlib

import click

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "propose": ("stable_propose", "propose_cmd"),
}


@click.group("stable")
def stable_group() -> None:
    """Stable releases: propose updates to new upstream release tags for review."""


for _name, (_module, _attr) in SUBCOMMANDS.items():
    stable_group.add_command(
        getattr(importlib.import_module(f"trunkline.cli.{_module}"), _attr), _name
    )


def register(group: click.Group) -> None:
    """Add ``stable`` to the root group."""
    group.add_command(stable_group)
