"""Alembic is the schema authority: one head, and migrations equal the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.conftest import BACKENDS, fresh_server_database
from trunkline.db.engine import SCHEMA_HEAD, alembic_config, make_engine, open_database
from trunkline.db.models import Base, BuildStatus, Commit


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    assert script.get_heads() == [SCHEMA_HEAD]


def test_opening_a_current_database_skips_alembic(tmp_path: Path) -> None:
    """An up-to-date database opens without importing Alembic (a builder's memory)."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    open_database(url).dispose()  # created and migrated
    probe = (
        "import sys\n"
        "from trunkline.db.engine import open_database\n"
        f"open_database({url!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
    with make_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            SCHEMA_HEAD
        )


def test_an_old_database_is_still_migrated(tmp_path: Path) -> None:
    """A database stamped with an older revision is brought to head through Alembic."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0001")
    engine.dispose()
    open_database(url).dispose()
    with make_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            SCHEMA_HEAD
        )


def _empty_database(backend: str, tmp_path: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.sqlite'}"
    return fresh_server_database(backend, name)


def _schema_diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_models(backend: str, tmp_path: Path) -> None:
    """Alembic's whole history, run on an empty database, gives exactly the models."""
    from alembic import command

    engine = make_engine(_empty_database(backend, tmp_path, "tl_alembic_path"))
    try:
        command.upgrade(alembic_config(engine), "head")
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_new_database_is_created_from_the_models_without_alembic(
    backend: str, tmp_path: Path
) -> None:
    """A new SQLite file or empty PostgreSQL database: create_all + stamp, Alembic unloaded."""
    url = _empty_database(backend, tmp_path, "tl_fresh_path")
    probe = (
        "import sys\n"
        "from trunkline.db.engine import open_database\n"
        f"open_database({url!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            stamp = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert stamp == SCHEMA_HEAD
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()
    if backend == "sqlite":  # nothing left beside it
        assert sorted(p.name for p in tmp_path.iterdir()) == ["tl_fresh_path.sqlite"]


def test_a_database_created_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    """Two processes opening one new SQLite path: the second adopts the first's file."""
    from trunkline.db import engine as engine_module

    url = f"sqlite:///{tmp_path / 'race.sqlite'}"
    first = open_database(url)
    with first.begin() as conn:
        conn.execute(sa.text("INSERT INTO projects (project_name, last_email) VALUES ('x', 0)"))
    second = make_engine(url)
    # the second process checked before the first created the file
    assert engine_module._create_fresh(second) is False
    with second.connect() as conn:
        assert conn.execute(sa.text("SELECT project_name FROM projects")).scalar() == "x"
    first.dispose()
    second.dispose()


def test_commit_roundtrip(db_session: sa.orm.Session) -> None:
    db_session.add(
        Commit(
            dt_commit=1,
            dt_distro=2,
            dt_build=3,
            project_name="python-foo",
            commit_hash="a" * 40,
            distro_hash="b" * 40,
            status=BuildStatus.FAILED,
        )
    )
    db_session.flush()
    got = db_session.scalars(sa.select(Commit).where(Commit.project_name == "python-foo")).one()
    assert got.status is BuildStatus.FAILED
    assert got.flags == 0
