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
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker

from trunkline.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0010"
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
            if _is_new_sqlite_file(engine) and _create_fresh(engine):
                return
            stamped = _stamped_revisions(engine)
            if stamped == {SCHEMA_HEAD}:
                return
            if not stamped and _create_fresh(engine):
                return
            _refuse_dlrn(engine, stamped)
            from alembic import command

            command.upgrade(alembic_config(engine), "head")
        except OperationalError as exc:
            raise DatabaseError(f"database {engine.url!r}: {exc.orig}") from None


def _create_fresh(engine: Engine) -> bool:
    """Create an empty database's schema from the models and stamp it, without Alembic.

    Alembic's own recipe for a new database (``create_all`` then ``stamp head``);
    ``tests/db/test_migrations.py`` checks that the migrations produce exactly the
    models, so both paths give one schema. It saves a new builder Alembic's import
    (with Mako and Pygments, ~11 MB of resident memory for the whole run).

    Only where the creation is all or nothing: PostgreSQL (transactional DDL) and a
    SQLite file that does not exist yet (built beside it, then linked into place).
    MariaDB commits each DDL statement, and an existing SQLite file may hold
    anything, so both go through Alembic, whose per-revision stamps resume.

    Returns:
        True when it created the schema; False when Alembic must do it.
    """
    from trunkline.db.models import Base

    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        from sqlalchemy import inspect

        try:
            with engine.begin() as conn:
                if inspect(conn).get_table_names():
                    return False
                Base.metadata.create_all(conn)
                _stamp_head(conn)
        except (ProgrammingError, IntegrityError):
            return False  # another process created it at the same moment; rolled back
        return True
    if not _is_new_sqlite_file(engine):
        return False
    target = Path(str(engine.url.database))
    scratch = target.with_name(f".{target.name}.{os.getpid()}.creating")
    staging = make_engine(engine.url.set(database=str(scratch)).render_as_string(False))
    try:
        with staging.begin() as conn:
            Base.metadata.create_all(conn)
            _stamp_head(conn)
        staging.dispose()  # the last connection checkpoints the WAL into the file
        try:
            os.link(scratch, target)  # appears whole, and never over a file made meanwhile
        except FileExistsError:
            return False  # another process created it first; Alembic finds it stamped
    finally:
        staging.dispose()
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            leftover.unlink(missing_ok=True)
    return True


def _is_new_sqlite_file(engine: Engine) -> bool:
    """True for a SQLite URL whose file does not exist yet."""
    database = engine.url.database
    return (
        engine.url.get_backend_name() == "sqlite"
        and bool(database)
        and database != ":memory:"
        and not Path(str(database)).exists()
    )


def _stamp_head(conn: Connection) -> None:
    """Write Alembic's version table, as ``alembic stamp head`` makes it."""
    conn.execute(
        text(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
            " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
    )
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": SCHEMA_HEAD})


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


def _read_only_url(url: str) -> tuple[Any, dict[str, Any]]:
    """The URL and connect arguments that make every connection of ``url`` read-only."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"database url {url!r}: not a valid SQLAlchemy URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseError(f"database url {url!r}: a read-only view needs a database file")
        path = Path(parsed.database).resolve()
        if not path.is_file():
            raise DatabaseError(f"database {path}: no such file")
        # SQLite's URI form: mode=ro refuses every write at the file level
        ro = parsed.set(database=f"file:{path}?mode=ro", query={"uri": "true"})
        return ro, {"connect_args": {"timeout": 30, "check_same_thread": False, "uri": True}}
    if backend == "postgresql":
        # every transaction of the session is READ ONLY: a write is an error on the server
        return parsed, {"connect_args": {"options": "-c default_transaction_read_only=on"}}
    if backend in ("mysql", "mariadb"):
        return parsed, {"connect_args": {"init_command": "SET SESSION TRANSACTION READ ONLY"}}
    raise DatabaseError(f"database url {url!r}: no read-only mode known for {backend}")


def _sqlite_read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def open_read_only(url: str) -> Engine:
    """Open the database at ``url`` for reading only, never migrating it.

    SQLite is opened with ``mode=ro`` (and ``query_only``); PostgreSQL sessions
    default to read-only transactions; MariaDB sessions to ``TRANSACTION READ
    ONLY``. A viewer such as the dashboard uses this so no page can write.

    Raises:
        DatabaseError: the URL is malformed, the SQLite file does not exist, or the
            back end has no read-only mode here.
    """
    parsed, kwargs = _read_only_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs["pool_pre_ping"] = True
        kwargs["pool_recycle"] = 3600
    try:
        engine = create_engine(parsed, future=True, **kwargs)
    except (ImportError, SQLAlchemyError) as exc:
        raise DatabaseError(f"database url {make_url(url).render_as_string()}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_read_only_pragmas)
    return engine
