"""``trunkline init``: write a commented example configuration."""

from __future__ import annotations

from pathlib import Path

import click

from trunkline.config_example import EXAMPLE_CONFIG
from trunkline.errors import InputError


@click.command("init")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("trunkline.toml"),
    show_default=True,
    help="Where to write the example config.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_cmd(output: Path, force: bool) -> None:
    """Write a commented example trunkline.toml to start a builder from."""
    if output.exists() and not force:
        raise InputError(f"{output}: already exists (use --force to overwrite)")
    output.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    click.echo(f"wrote {output}; edit [packages] path/tag, then run: trunkline -c {output} build")


def register(group: click.Group) -> None:
    """Add ``init`` to the root group."""
    group.add_command(init_cmd)
