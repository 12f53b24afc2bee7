"""Alembic is the schema authority: one head, and migrations equal the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from trunkline.db.engine import alembic_config, make_engine
from trunkline.db.models import Base, BuildStatus, Commit


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    assert len(script.get_heads()) == 1


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
