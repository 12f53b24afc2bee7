"""Every schema revision of DLRN's Alembic history imports as DLRN itself would read it.

For each of DLRN 0.26.1's 17 revisions: DLRN's own ``alembic upgrade REV`` makes
two empty databases, the same rows are written in the columns that revision has,
and one is brought to DLRN's head by DLRN's own ``alembic upgrade head`` (the
oracle: what DLRN fills in for columns an old database lacks). ``trunkline dlrn
import-db`` on the old original must give exactly the upgraded copy's rows;
``repo_dir`` is the one column that differs on purpose (it holds the hashed repo
path, see ``dbimport/schema.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.dlrncompat.conftest import dlrn_alembic, dlrn_db_url, import_db, trunkline_config
from trunkline.dlrncompat.dbimport.schema import DLRN_REVISIONS, TABLES, hashed_repo_dir

pytestmark = pytest.mark.db
KEYS = {t.name: t.key for t in TABLES}
IF_NULL = {(t.name, c.name): c.if_null for t in TABLES for c in t.columns}
"""What a NULL becomes where trunkline's column is NOT NULL (the import says so)."""
PASSWORD_HASH = "$6$rounds=656000$abcdefgh$" + "x" * 86

ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [{"username": "alice", "password": PASSWORD_HASH}],
    "projects": [{"id": 1, "project_name": "python-foo", "last_email": 1700000000}],
    "commits": [
        {
            "id": n,
            "dt_commit": 1700000000 + n,
            "dt_distro": 1700000100 + n,
            "dt_build": 1700000200 + n,
            "project_name": "python-foo",
            "repo_dir": "/home/dlrn/data/python-foo",
            "commit_hash": f"{n:02d}" * 20,
            "distro_hash": f"{n + 50:02d}" * 20,
            "status": status,
            "rpms": f"repos/{n}/foo.rpm",
            "artifacts": f"repos/{n}/foo.rpm",
            "notes": "OK",
            "flags": 0,
        }
        for n, status in ((1, "SUCCESS"), (2, "FAILED"), (3, "RETRY"))
    ],
    "civotes": [
        {
            "id": 1,
            "commit_id": 1,
            "ci_name": "tempest",
            "ci_url": "https://ci/1",
            "ci_vote": 1,
            "ci_in_progress": 0,
            "timestamp": 1700001000,
            "notes": "good",
            "user": "alice",
        }
    ],
    "civotes_agg": [
        {
            "id": 1,
            "ref_hash": "ab" * 16,
            "ci_name": "agg-ci",
            "ci_url": "https://ci/agg",
            "ci_vote": 0,
            "ci_in_progress": 1,
            "timestamp": 1700002000,
            "notes": "agg",
            "user": "alice",
        }
    ],
    "promotions": [
        {
            "id": 1,
            "commit_id": 1,
            "promotion_name": "current-tripleo",
            "timestamp": 1700003000,
            "user": "alice",
        }
    ],
}


def _tables(url: str) -> dict[str, sa.Table]:
    """DLRN's tables present in the database at ``url``, reflected."""
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, only=lambda name, _meta: name in KEYS)
    engine.dispose()
    return dict(meta.tables)


def fill_old_layout(url: str) -> None:
    """Write ``ROWS`` into the columns this database's revision has."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for name in KEYS:  # users and commits before what refers to them
            table = _tables(url).get(name)
            for row in ROWS[name] if table is not None else []:
                conn.execute(
                    table.insert().values({c.name: row[c.name] for c in table.c if c.name in row})
                )
    engine.dispose()


def dump(url: str, tables: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    """``tables`` (name -> columns) of a database, rows ordered by key."""
    found = _tables(url)
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        for name, cols in tables.items():
            table = found[name]
            query = sa.select(*(table.c[c] for c in cols)).order_by(table.c[KEYS[name]])
            out[name] = [dict(r._mapping) for r in conn.execute(query)]
    engine.dispose()
    return out


CASES = [("sqlite", rev) for rev in DLRN_REVISIONS] + [
    ("postgresql", rev) for rev in (DLRN_REVISIONS[0], "cab7697f6564", "2d503b5034b7")
]


@pytest.mark.parametrize(("backend", "revision"), CASES)
def test_every_dlrn_revision_imports_as_dlrn_upgrades_it(
    dlrn_python: Path, tmp_path: Path, backend: str, revision: str
) -> None:
    """SQLite at every revision; PostgreSQL at the first, the one that adds users and
    votes' users, and the one that renames ``rpms``."""
    old = dlrn_db_url(backend, tmp_path, "dlrnold")
    upgraded = dlrn_db_url(backend, tmp_path, "dlrnupg")
    for url in (old, upgraded):
        dlrn_alembic(dlrn_python, tmp_path, url, revision)
        fill_old_layout(url)
    dlrn_alembic(dlrn_python, tmp_path, upgraded, "head")

    target = dlrn_db_url(backend, tmp_path, "dlrndst")
    done = import_db(trunkline_config(tmp_path, target), old)
    assert done.returncode == 0, done.stderr
    assert f"alembic revision {revision}" in done.stdout

    present = {name: list(table.c.keys()) for name, table in _tables(upgraded).items()}
    theirs = dump(upgraded, present)
    ours = dump(target, present)
    for row in ours["commits"]:
        dlrn_row = next(r for r in theirs["commits"] if r["id"] == row["id"])
        assert row.pop("repo_dir") == hashed_repo_dir(dlrn_row)
        dlrn_row.pop("repo_dir")
    differ = [
        f"{table} {KEYS[table]}={mine[KEYS[table]]} {col}: DLRN {dlrn[col]!r}, here {mine[col]!r}"
        for table in theirs
        for mine, dlrn in zip(ours[table], theirs[table], strict=True)
        for col in dlrn
        if mine[col] != dlrn[col]
        and not (
            dlrn[col] is None
            and IF_NULL[table, col] is not None
            and mine[col] == IF_NULL[table, col]
        )
    ]
    assert not differ, "\n".join(differ)
    assert set(_tables(old)) <= set(ours)
