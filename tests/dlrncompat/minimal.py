"""A tiny DLRN database without DLRN: its first Alembic revision, written by hand.

For tests that need a DLRN database but not DLRN itself (the exit-code table).
The layout is ``3c62b0d3ec34_initial_creation.py``'s (``commits`` with ``rpms``,
``projects``), stamped as DLRN's Alembic stamps it; ``test_import_db_revisions.py``
checks the import of that revision against DLRN's own migrations.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa


def write_minimal_dlrn_db(path: Path) -> Path:
    """One build and one project at DLRN's first schema revision; return ``path``."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE commits (id INTEGER NOT NULL PRIMARY KEY, dt_commit INTEGER,"
                " dt_distro INTEGER, dt_build INTEGER, project_name VARCHAR,"
                " repo_dir VARCHAR, commit_hash VARCHAR, distro_hash VARCHAR, status VARCHAR,"
                " rpms VARCHAR, notes VARCHAR, flags INTEGER)"
            )
        )
        conn.execute(
            sa.text(
                "CREATE TABLE projects (id INTEGER NOT NULL PRIMARY KEY,"
                " project_name VARCHAR, last_email INTEGER)"
            )
        )
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('3c62b0d3ec34')"))
        conn.execute(
            sa.text(
                "INSERT INTO commits VALUES (1, 1700000000, 1700000001, 1700000002,"
                " 'python-foo', '/home/dlrn/data/python-foo', :h, :d, 'SUCCESS', '', 'OK', 0)"
            ),
            {"h": "a" * 40, "d": "b" * 40},
        )
        conn.execute(sa.text("INSERT INTO projects VALUES (1, 'python-foo', 0)"))
    engine.dispose()
    return path
