"""Alembic is the schema authority: one head, and migrations equal the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

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


def test_migrations_match_models(db_engine: sa.Engine) -> None:
    with db_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


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
