"""The dashboard's database side: read-only opening on every back end, and indexed filters.

The EXPLAIN test runs on PostgreSQL with 20,000 analysed builds (enough that
the planner prefers an index when one serves the query) and checks that no
Builds page query scans the ``commits`` table sequentially.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.conftest import fresh_server_database
from tests.web import world
from trunkline.db.engine import open_read_only
from trunkline.db.models import Base, BuildStatus, Commit
from trunkline.errors import DatabaseError
from trunkline.web.builds import BuildFilter, Cursor, builds_page, text_condition
from trunkline.web.site import load_site

pytestmark = pytest.mark.db


def _url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'ro.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return fresh_server_database(backend, f"trunkline_web_ro_{worker}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
def test_a_read_only_engine_reads_and_refuses_every_write(backend: str, tmp_path: Path) -> None:
    url = _url(backend, tmp_path)
    writer = sa.create_engine(url)
    Commit.__table__.create(writer)  # type: ignore[attr-defined]
    with Session(writer) as s:
        s.add(Commit(dt_commit=1, dt_distro=1, dt_build=1, project_name="p", commit_hash="a",
                     distro_hash="b", status=BuildStatus.SUCCESS))  # fmt: skip
        s.commit()
    writer.dispose()
    ro = open_read_only(url)
    try:
        with Session(ro) as s:
            assert s.scalar(sa.select(sa.func.count()).select_from(Commit)) == 1
        with Session(ro) as s, pytest.raises(sa.exc.DBAPIError):
            s.execute(sa.update(Commit).values(notes="changed"))
            s.commit()
        with Session(ro) as s, pytest.raises(sa.exc.DBAPIError):
            s.execute(sa.text("CREATE TABLE intruder (x INTEGER)"))
            s.commit()
    finally:
        ro.dispose()


def test_read_only_needs_an_existing_sqlite_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"ro\.sqlite: no such file"):
        open_read_only(f"sqlite:///{tmp_path / 'ro.sqlite'}")
    assert not (tmp_path / "ro.sqlite").exists()  # not created either


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"no \[\[builder\]\] entries"),
        ("[[builder]]\nname = 'a'\n", r"builder\[0\]: key 'config': expected the path"),
        ("[[builder]]\nname = 'a/b'\nconfig = 'x.toml'\n", r"builder\[0\]: key 'name'"),
        ("[[builder]]\nname = 'a'\nconfig = 'x.toml'\nurl = 1\n", r"unknown key 'url'"),
        ("[site]\n", r"unknown key 'site'"),
        ("[[builder]]\nname = 'a'\nconfig = 'nope.toml'\n", r"nope\.toml: config file not found"),
        ("[[builder\n", r"not valid TOML"),
    ],
)
def test_bad_site_files_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(text)
    with pytest.raises(Exception, match=message) as info:
        load_site(site)
    assert "\n" not in str(info.value)


# --- the Builds page's queries use indexes (PostgreSQL's planner) ---------------------------

FILTERS: list[tuple[str, BuildFilter, str | None]] = [
    ("none", BuildFilter(), None),
    ("package", BuildFilter(package="python-pkg0042"), None),
    ("component", BuildFilter(component="glance"), None),
    ("status", BuildFilter(status=BuildStatus.RETRY), None),
    ("dates", BuildFilter(since=1_700_100_000, until=1_700_200_000), None),
    ("text", BuildFilter(text="pkg004"), None),
    ("hash", BuildFilter(text=world.sha("u777")[:6]), None),
    ("page 2", BuildFilter(package="python-pkg0042"), "1700500000.9000.b"),
]


@pytest.fixture(scope="module")
def pg_builds() -> Any:
    """A PostgreSQL database with 20,000 builds over 200 packages, analysed."""
    url = fresh_server_database("postgresql", f"trunkline_web_explain_{os.getpid()}")
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)  # the models' indexes, as the migrations make them
    comps = ["glance", "nova", "cinder", "swift", "clients"]
    rows = [
        {
            "id": i, "dt_commit": 1_700_000_000 + i * 60, "dt_distro": 1_700_000_000 + i * 60,
            "dt_build": 1_700_000_000 + i * 60, "project_name": f"python-pkg{i % 200:04d}",
            "commit_hash": world.sha(f"u{i}"), "distro_hash": world.sha(f"d{i}"),
            "status": ("SUCCESS", "FAILED", "SUCCESS", "SUCCESS", "RETRY")[i % 5] if i % 7 else
            "FAILED", "component": comps[i % 5], "type": "rpm",
        }
        for i in range(1, 20_001)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.insert(Commit), rows)
        conn.execute(sa.text("ANALYZE commits"))
    yield engine
    engine.dispose()


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out = [plan]
    for child in plan.get("Plans", []):
        out += _plan_nodes(child)
    return out


@pytest.mark.parametrize(("name", "flt", "after"), FILTERS, ids=[f[0] for f in FILTERS])
def test_builds_page_queries_use_an_index(
    pg_builds: sa.Engine, name: str, flt: BuildFilter, after: str | None
) -> None:
    names = [f"python-pkg{i:04d}" for i in range(200)]
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM commits" in statement:
            captured.append((statement, params))

    sa.event.listen(pg_builds, "before_cursor_execute", capture)
    try:
        with Session(pg_builds) as s:
            cursor = Cursor.decode(after) if after else None
            got = builds_page(s, "b", flt, after=cursor, limit=51, names=names)
    finally:
        sa.event.remove(pg_builds, "before_cursor_execute", capture)
    assert got, name  # the filter matches rows: the plan is for a real page
    ((sql, params),) = captured
    with pg_builds.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar_one()
    nodes = _plan_nodes(plan[0]["Plan"])
    scans = {n["Node Type"] for n in nodes if n.get("Relation Name") == "commits"}
    assert scans and "Seq Scan" not in scans, json.dumps(plan, indent=1)
    indexes = {n.get("Index Name") for n in nodes}  # bitmap index scans name no relation
    assert indexes - {None}, json.dumps(plan, indent=1)


def test_text_matches_names_and_hash_prefixes() -> None:
    cond = text_condition("OSLO", ["python-oslo-config", "openstack-nova"])
    sql = str(cond.compile(compile_kwargs={"literal_binds": True}))
    assert "'python-oslo-config'" in sql and "nova" not in sql
    hexcond = str(text_condition("abc1", []).compile(compile_kwargs={"literal_binds": True}))
    assert "commits.commit_hash >= 'abc1'" in hexcond and "< 'abc2'" in hexcond
