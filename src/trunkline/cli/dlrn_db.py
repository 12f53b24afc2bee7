"""``trunkline dlrn import-db DLRN_DB_URL``: carry a DLRN database into trunkline's.

The source is only read (any DLRN schema revision, SQLite, PostgreSQL or MariaDB);
the target is the builder's own database (``[database] url``), migrated first and
written in one transaction (see ``dlrncompat/dbimport/carry.py``). The repo tree
is not touched: it is adopted where it lies by pointing ``[builder] repos_dir``
at DLRN's ``<datadir>/repos``, which this command reminds of.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from trunkline.cli.app import AppState
from trunkline.errors import DatabaseError, InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _source_engine(url: str) -> Engine:
    """A plain engine on the DLRN database: no pragmas, no migration, never a new file."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"DLRN_DB_URL {url!r}: not a valid SQLAlchemy URL") from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in {"", ":memory:"} or not Path(path).is_file():
            raise InputError(f"DLRN_DB_URL {url!r}: no SQLite file at {path or '(none)'}")
    try:
        return create_engine(parsed)
    except (ImportError, SQLAlchemyError) as exc:
        raise DatabaseError(f"DLRN_DB_URL {parsed.render_as_string()}: {exc}") from None


def _revision_line(revision: str | None) -> str:
    from trunkline.dlrncompat.dbimport.schema import DLRN_HEAD, DLRN_REVISIONS

    if revision is None:
        return "no alembic_version (made by create_all), read as DLRN 0.26.1's tables"
    step = DLRN_REVISIONS.index(revision) + 1
    newest = ", the newest" if revision == DLRN_HEAD else ""
    return f"alembic revision {revision} ({step} of {len(DLRN_REVISIONS)}{newest})"


@click.command("import-db")
@click.argument("dlrn_db_url")
@click.pass_obj
def import_db_cmd(state: AppState, dlrn_db_url: str) -> None:
    """Carry the DLRN database at DLRN_DB_URL (builds, votes, promotions, projects, users)
    into this builder's database, in one transaction; a second run changes nothing."""
    from trunkline.db.engine import open_database
    from trunkline.dlrncompat.dbimport.carry import carry
    from trunkline.dlrncompat.dbimport.read import open_source

    settings = state.settings()
    source = _source_engine(dlrn_db_url)
    target = open_database(settings.database_url)
    if source.url == target.url:
        raise InputError(f"DLRN_DB_URL {dlrn_db_url!r}: is this builder's own database")
    try:
        db = open_source(source)
        click.echo(f"DLRN database {db.url}: {_revision_line(db.revision)}")
        result = carry(db, target)
    finally:
        source.dispose()
        target.dispose()
    for table in result.tables:
        click.echo(f"  {table.name}: {table.inserted} new, {table.present} already there")
    for note, count in sorted(result.filled.items()):
        click.echo(f"  filled in: {note} ({count} row{'' if count == 1 else 's'})")
    for note in result.not_carried:
        click.echo(f"  not carried: {note}")
    where = target.url.render_as_string()
    if result.inserted:
        click.echo(f"imported {result.inserted} rows into {where}")
    else:
        click.echo(f"nothing to import: every row is already in {where}")
    _echo_repo_tree(settings.builder.repos_path, result.repo_dirs)


def _echo_repo_tree(repos: Path, repo_dirs: list[str]) -> None:
    """Say how many of the builds' hashed repos are in the tree trunkline will serve."""
    found = sum(1 for rel in repo_dirs if (repos / rel).is_dir())
    line = f"repo tree: {repos}: {found} of {len(repo_dirs)} builds' repos found there"
    if repo_dirs and not found:
        line += "; to adopt DLRN's tree where it lies set [builder] repos_dir = <datadir>/repos"
    click.echo(line)
