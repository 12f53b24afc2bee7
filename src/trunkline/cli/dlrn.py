"""``trunkline dlrn ...``: bring a DLRN builder over (``import-config``, ``import-db``).

A group so that each step of the switch is one subcommand beside the others.
``import-config`` exit codes: 0 converted (the options not carried are printed, one
line each, on stderr; they do not fail the command); 2 the ini cannot be read as
DLRN reads it, or the output file exists (without ``--force``). ``import-db``: see
``cli/dlrn_db.py``.
"""

from __future__ import annotations

from pathlib import Path

import click

from trunkline.cli.dlrn_db import import_db_cmd
from trunkline.errors import InputError


@click.group("dlrn")
def dlrn_group() -> None:
    """Switch from DLRN: import its projects.ini (import-config) and database (import-db)."""


@dlrn_group.command("import-config")
@click.argument("ini", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the TOML here (default: print it on stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def import_config_cmd(ini: Path, output: Path | None, force: bool) -> None:
    """Convert DLRN's projects.ini INI into a commented trunkline.toml.

    Every option is either carried (the TOML names the DLRN option above each key) or
    printed on stderr as 'INI: [section] option: not carried: why; what to do'.
    """
    from trunkline.dlrncompat.importer import import_config

    if output is not None and output.exists() and not force:
        raise InputError(f"{output}: already exists (use --force to overwrite)")
    result = import_config(ini)
    for line in result.lines:
        click.echo(line, err=True)
    if output is None:
        click.echo(result.toml, nl=False)
        return
    from trunkline.publish.atomic import write_file_atomic

    write_file_atomic(output, result.toml)
    carried = len({e.source for e in result.conversion.carried})
    click.echo(
        f"wrote {output}: {carried} options carried, {len(result.lines)} not carried; "
        f"then run: trunkline -c {output} build --dry-run"
    )


dlrn_group.add_command(import_db_cmd)


def register(group: click.Group) -> None:
    """Add the ``dlrn`` group to the root group."""
    group.add_command(dlrn_group)
