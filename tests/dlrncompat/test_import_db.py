"""``trunkline dlrn import-db`` on databases DLRN 0.26.1 wrote: idempotent, all or nothing,
honest about what it could not carry, and the only way in (trunkline refuses to open
a DLRN database directly, in one line).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.dlrncompat.conftest import (
    EXE,
    build_dlrn_world,
    dlrn_alembic,
    dlrn_db_url,
    import_db,
    trunkline_config,
)
from trunkline.db.models import Base, Commit, Ftbfs, OutboxMessage

pytestmark = pytest.mark.db
TABLES = ("users", "projects", "commits", "civotes", "civotes_agg", "promotions")


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of trunkline's DLRN tables, ordered by key."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {
            name: [tuple(r) for r in conn.execute(sa.select(Base.metadata.tables[name]))]
            for name in TABLES
        }
    engine.dispose()
    return {name: sorted(rows, key=repr) for name, rows in out.items()}


def target_url(backend: str, tmp: Path) -> str:
    """A fresh trunkline database on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'trunkline.sqlite'}"
    return dlrn_db_url(backend, tmp, "dlrndst")


def execute(url: str, *statements: str) -> None:
    """Run SQL on a database (to make a DLRN database that DLRN's API could have left)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(sa.text(sql))
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
def test_second_run_changes_nothing_and_new_builds_follow_the_carried_ids(
    dlrn_python: Path, tmp_path: Path, backend: str
) -> None:
    source = dlrn_db_url(backend, tmp_path, "dlrnsrc")
    world = build_dlrn_world(dlrn_python, source)
    target = target_url(backend, tmp_path)
    repos = tmp_path / "dlrn-datadir" / "repos"  # DLRN's tree, adopted where it lies
    for commit in world["commits"]:
        (repos / commit["repo_path"]).mkdir(parents=True)
    config = trunkline_config(tmp_path, target, repos=repos)
    first = import_db(config, source)
    assert first.returncode == 0, first.stderr
    assert "imported 21 rows" in first.stdout
    assert f"repo tree: {repos}: 7 of 7 builds' repos found there\n" in first.stdout
    # the imported history gets its FTBFS periods, and announces nothing
    assert "filled in: FTBFS periods of the imported builds (2 rows)" in first.stdout
    engine = sa.create_engine(target)
    with Session(engine) as s:
        periods = [
            (p.project_name, p.first_failed_commit_id, p.fix_commit_id, p.fixed_by)
            for p in s.scalars(sa.select(Ftbfs).order_by(Ftbfs.id))
        ]
        assert s.scalars(sa.select(OutboxMessage)).all() == []
    engine.dispose()
    assert periods == [("python-bar", 2, 6, "both"), ("python-foo", 7, None, None)]
    before = dump(target)
    again = import_db(config, source)
    assert again.returncode == 0, again.stderr
    assert "nothing to import: every row is already in" in again.stdout
    assert "commits: 0 new, 7 already there" in again.stdout
    assert dump(target) == before
    # the hashed repo path is DLRN's own getshardedcommitdir()
    by_hash = {row[9]: row for row in before["commits"]}
    for commit in world["commits"]:
        assert by_hash[commit["commit_hash"]][7] == commit["repo_path"]
    engine = sa.create_engine(target)
    with Session(engine) as s:
        s.add(
            Commit(
                dt_commit=1,
                dt_distro=1,
                dt_build=1,
                project_name="python-new",
                commit_hash="f" * 40,
                distro_hash="e" * 40,
                status="SUCCESS",
            )
        )
        s.commit()
        assert s.scalars(sa.select(sa.func.max(Commit.id))).one() == 8
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
def test_a_conflict_in_the_last_table_rolls_back_the_first_ones(
    dlrn_python: Path, tmp_path: Path, backend: str
) -> None:
    source = dlrn_db_url(backend, tmp_path, "dlrnsrc")
    build_dlrn_world(dlrn_python, source)
    target = target_url(backend, tmp_path)
    config = trunkline_config(tmp_path, target)
    assert import_db(config, source).returncode == 0
    before = dump(target)
    # DLRN went on: a new build (commits are carried before promotions) and a
    # promotion row that now says something else than what was imported.
    execute(
        source,
        "INSERT INTO commits (id, type, dt_commit, dt_distro, dt_extended, dt_build,"
        " project_name, commit_hash, distro_hash, status, flags, notes, repo_dir, distgit_dir,"
        " commit_branch) VALUES (8, 'rpm', 1, 1, 0, 1, 'python-foo', 'aa', 'bb', 'SUCCESS',"
        " 0, '', '', '', 'master')",
        "UPDATE promotions SET promotion_name = 'renamed' WHERE id = 3",
    )
    done = import_db(config, source)
    assert done.returncode == 9
    assert done.stderr.strip().splitlines() == [
        "trunkline: error: promotions id 3: already in the target with"
        " promotion_name='current-tripleo', DLRN has 'renamed'; nothing imported"
    ]
    assert dump(target) == before


def big_dlrn_db(python: Path, tmp: Path, builds: int) -> str:
    """A DLRN SQLite database with ``builds`` more builds than the world has."""
    url = dlrn_db_url("sqlite", tmp, "big")
    build_dlrn_world(python, url)
    engine = sa.create_engine(url)
    rows = [
        {
            "id": 100 + n,
            "commit_hash": f"{n:040x}",
            "distro_hash": f"{n + 1:040x}",
            "status": "SUCCESS",
            "project_name": f"python-p{n % 50}",
        }
        for n in range(builds)
    ]
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO commits (id, type, dt_commit, dt_distro, dt_extended, dt_build,"
                " project_name, repo_dir, distgit_dir, commit_hash, distro_hash, commit_branch,"
                " status, notes, flags) VALUES (:id, 'rpm', 1, 1, 0, 1, :project_name, '', '',"
                " :commit_hash, :distro_hash, 'master', :status, '', 0)"
            ),
            rows,
        )
    engine.dispose()
    return url


def test_killed_midway_the_target_is_untouched_or_complete(
    dlrn_python: Path, tmp_path: Path
) -> None:
    """SIGKILL at several moments of a ~3 s import of 30 000 builds: all or nothing."""
    source = big_dlrn_db(dlrn_python, tmp_path, 30000)
    target = target_url("sqlite", tmp_path)
    config = trunkline_config(tmp_path, target)
    assert run_trunkline(config, "user", "list").returncode == 0  # schema made beforehand
    killed_running, counts = 0, []
    for delay in (0.6, 1.0, 1.4, 1.8, 2.2, 2.6, 3.0):
        proc = subprocess.Popen(
            [str(EXE), "--config", str(config), "dlrn", "import-db", source],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        killed_running += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts.append(len(dump(target)["commits"]))
        assert counts[-1] in {0, 30007}, counts
    assert killed_running >= 2, counts
    done = import_db(config, source)
    assert done.returncode == 0, done.stderr
    assert len(dump(target)["commits"]) == 30007


def test_what_cannot_be_carried_is_printed(dlrn_python: Path, tmp_path: Path) -> None:
    source = dlrn_db_url("sqlite", tmp_path, "dlrnsrc")
    build_dlrn_world(dlrn_python, source)
    # What DLRN on SQLite (no foreign keys enforced) can hold and trunkline cannot.
    execute(
        source,
        "INSERT INTO civotes (id, commit_id, ci_name, ci_url, ci_vote, ci_in_progress,"
        " timestamp, notes, user) VALUES (50, 999, 'j', 'u', 1, 0, 5, 'n', 'alice')",
        "INSERT INTO promotions (id, commit_id, promotion_name, timestamp, user)"
        " VALUES (50, 1, 'p', 5, 'carol')",
        "INSERT INTO projects (id, project_name, last_email) VALUES (50, 'python-foo', 1)",
    )
    target = target_url("sqlite", tmp_path)
    done = import_db(trunkline_config(tmp_path, target), source)
    assert done.returncode == 0, done.stderr
    assert "  not carried: civotes id 50: build id 999 not in commits\n" in done.stdout
    assert (
        "  not carried: projects id 50: second row of project 'python-foo'"
        " (kept id 1, the newest last_email)\n" in done.stdout
    )
    assert "  filled in: promotions.user: unknown user 'carol' stored as NULL (1 row)\n" in (
        done.stdout
    )
    assert len(dump(target)["promotions"]) == 4


def test_an_unknown_build_status_stops_before_writing(dlrn_python: Path, tmp_path: Path) -> None:
    source = dlrn_db_url("sqlite", tmp_path, "dlrnsrc")
    build_dlrn_world(dlrn_python, source)
    execute(source, "UPDATE commits SET status = 'BUILDING' WHERE id = 2")
    target = target_url("sqlite", tmp_path)
    done = import_db(trunkline_config(tmp_path, target), source)
    assert done.returncode == 9
    assert done.stderr == (
        "trunkline: error: commits id 2: status 'BUILDING': expected one of FAILED, RETRY,"
        " SUCCESS; nothing imported\n"
    )
    assert all(not rows for rows in dump(target).values())


def run_trunkline(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed script with ``config``."""
    return subprocess.run(
        [str(EXE), "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("backend", "made_by"),
    [("sqlite", "models"), ("sqlite", "alembic"), ("postgresql", "models")],
)
def test_pointing_trunkline_at_a_dlrn_database_is_one_line_naming_the_import(
    dlrn_python: Path, tmp_path: Path, backend: str, made_by: str
) -> None:
    url = dlrn_db_url(backend, tmp_path, "dlrnsrc")
    if made_by == "alembic":
        dlrn_alembic(dlrn_python, tmp_path, url, "head")
    else:
        build_dlrn_world(dlrn_python, url)
    before = dump_dlrn_tables(url)
    config = trunkline_config(tmp_path, url)
    for args in (
        ("user", "list"),
        ("purge", "--older-than", "1", "--dry-run"),
        ("report",),
        ("api",),
    ):
        done = run_trunkline(config, *args)
        assert done.returncode == 9, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr
        assert "a DLRN database" in lines[0]
        assert "'trunkline dlrn import-db DLRN_DB_URL'" in lines[0]
    assert dump_dlrn_tables(url) == before


def dump_dlrn_tables(url: str) -> list[str]:
    """The table names of a database (to see that nothing was added to it)."""
    engine = sa.create_engine(url)
    names = sorted(sa.inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_sources_that_are_not_dlrn_databases_are_refused(tmp_path: Path) -> None:
    config = trunkline_config(tmp_path, f"sqlite:///{tmp_path / 'trunkline.sqlite'}")
    other = tmp_path / "other.sqlite"
    execute(f"sqlite:///{other}", "CREATE TABLE foo (id INTEGER)")
    cases = {
        f"sqlite:///{tmp_path / 'missing.sqlite'}": (2, "no SQLite file at"),
        f"sqlite:///{other}": (9, "no projects or commits table; not a DLRN database"),
        "not a url": (2, "not a valid SQLAlchemy URL"),
    }
    for url, (code, message) in cases.items():
        done = import_db(config, url)
        assert (done.returncode, len(done.stderr.splitlines())) == (code, 1), done.stderr
        assert message in done.stderr
    own = tmp_path / "own.sqlite"
    assert (
        run_trunkline(trunkline_config(tmp_path, f"sqlite:///{own}"), "user", "list").returncode
        == 0
    )
    config = trunkline_config(tmp_path, f"sqlite:///{tmp_path / 'trunkline.sqlite'}")
    done = import_db(config, f"sqlite:///{own}")
    assert done.returncode == 9
    assert "already a trunkline database (alembic revision" in done.stderr
