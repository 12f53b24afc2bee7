"""One engine per process, schema brought to the Alembic head on open.

``open_database(url)`` is the only way code gets an engine: it creates the
SQLite file's directory, turns on WAL and foreign keys for SQLite (so readers,
such as the API, never block the builder), and runs the Alembic migrations up to
head, so an old database is upgraded in place and a new one is created through
the same path as every later change.

Alembic (with Mako and Pygments under it, ~11 MB of a builder's resident memory)
is imported only when the database is not already at ``SCHEMA_HEAD``: opening an
up-to-date database reads ``alembic_version`` with one plain query.
``tests/db/test_migrations.py`` checks that ``SCHEMA_HEAD`` is Alembic's head.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from trunkline.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0004"
"""The newest migration's revision; a database stamped with it needs no Alembic at all."""
_migrate_lock = threading.Lock()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` without touching the schema.

    Raises:
        DatabaseError: the URL is malformed or names an unknown driver.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"database url {url!r}: not a valid SQLAlchemy URL") from None
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_recycle"] = 3600
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, SQLAlchemyError) as exc:
        raise DatabaseError(f"database url {parsed.render_as_string()}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> AlembicConfig:
    """An Alembic config that runs our packaged migrations on ``engine``."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent).

    Raises:
        DatabaseError: the server cannot be reached or a migration fails.
    """
    with _migrate_lock:
        try:
            stamped = _stamped_revisions(engine)
            if stamped == {SCHEMA_HEAD}:
                return
            _refuse_dlrn(engine, stamped)
            from alembic import command

            command.upgrade(alembic_config(engine), "head")
        except OperationalError as exc:
            raise DatabaseError(f"database {engine.url!r}: {exc.orig}") from None


def _refuse_dlrn(engine: Engine, stamped: set[str]) -> None:
    """Stop before migrating a DLRN database: Alembic would stack our tables on DLRN's.

    A DLRN database is one stamped with a revision of DLRN's Alembic history, or
    (made by DLRN's ``create_all``) one with a ``commits`` table and no stamp.

    Raises:
        DatabaseError: it is one; the message names the import command.
    """
    from sqlalchemy import inspect

    from trunkline.dlrncompat.dbimport.schema import DLRN_REVISIONS

    dlrn = stamped & set(DLRN_REVISIONS)
    if not dlrn and (stamped or "commits" not in inspect(engine).get_table_names()):
        return
    what = f"alembic revision {', '.join(sorted(dlrn))}" if dlrn else "no alembic_version"
    raise DatabaseError(
        f"database {engine.url.render_as_string()}: a DLRN database ({what}), not trunkline's;"
        " point [database] url at a new database and run 'trunkline dlrn import-db DLRN_DB_URL'"
    )


def _stamped_revisions(engine: Engine) -> set[str]:
    """The revisions in the database's ``alembic_version`` table; empty when it has none."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return {str(row) for row in rows}
    except ProgrammingError:  # no such table yet (PostgreSQL, MariaDB)
        return set()
    except OperationalError as exc:
        if "no such table" in str(exc.orig):  # SQLite says it this way
            return set()
        raise


def open_database(url: str, *, migrate_schema: bool = True) -> Engine:
    """Open (and by default migrate) the database at ``url``."""
    engine = make_engine(url)
    if migrate_schema:
        migrate(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
