"""``trunkline ftbfs list|show`` and ``GET /api/ftbfs`` over periods the lifecycle made.

The periods come from the real lifecycle rules applied to build rows (no rpmbuild:
the rules read rows, not RPMs), on a real SQLite DB; the CLI is the installed
script, the API a real server on loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from tests.api.conftest import serve
from trunkline.cli.app import cli
from trunkline.config import Settings, settings_from_dict
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import BuildStatus, Commit
from trunkline.ftbfs.lifecycle import FtbfsLifecycle, replay_history
from trunkline.outbox.routing import Router
from trunkline.publish.finished import FinishedBuild

T0 = 1_700_000_000
S, F = BuildStatus.SUCCESS, BuildStatus.FAILED


def _record(session: Session, life: FtbfsLifecycle, name: str, n: int, status: BuildStatus) -> None:
    build = FinishedBuild(
        project=name,
        commit_hash=f"{n:x}" * 40,
        distro_hash=f"{n % 2 + 10:x}" * 40,
        commit_branch="master",
        dt_commit=T0 + n,
        dt_distro=T0,
        dt_build=T0 + 100 * n,
        status=status,
        version="1.0",
        release=f"0.{n}",
    )
    row = Commit(
        dt_commit=build.dt_commit,
        dt_distro=build.dt_distro,
        dt_build=build.dt_build,
        project_name=name,
        repo_dir=f"aa/bb/{name}{n}" if status is not BuildStatus.SUCCESS else "",
        commit_hash=build.commit_hash,
        distro_hash=build.distro_hash,
        commit_branch="master",
        status=status,
        version="1.0",
        release=f"0.{n}",
    )
    session.add(row)
    session.flush()
    life.on_recorded(session, row, build, None)
    session.commit()


@pytest.fixture(scope="module")
def builder(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("ftbfs-listing")
    settings = settings_from_dict(
        {"builder": {"data_dir": str(tmp / "data"), "baseurl": "http://repos.example/r"}}
    )
    (tmp / "cfg.toml").write_text(
        f'[builder]\ndata_dir = "{tmp / "data"}"\nbaseurl = "http://repos.example/r"\n'
    )
    factory = session_factory(open_database(settings.database_url))
    life = FtbfsLifecycle(settings, Router())
    with factory() as session:
        for name, n, status in [
            ("alpha", 1, S), ("alpha", 2, F), ("alpha", 3, F), ("alpha", 4, S),  # closed
            ("beta", 5, F), ("beta", 6, F),  # open since its first build
            ("gamma", 7, S),  # never in FTBFS
            ("alpha", 8, F),  # open again
        ]:  # fmt: skip
            _record(session, life, name, n, status)
    return settings


def _cli(settings: Settings, *args: str) -> Result:
    """The command in-process (the exit-code table runs it through the installed script)."""
    cfg = settings.builder.data_dir.parent / "cfg.toml"
    return CliRunner().invoke(cli, ["-c", str(cfg), "ftbfs", *args])


def test_list_json_gives_the_open_periods_oldest_first(builder: Settings) -> None:
    done = _cli(builder, "list", "--json")
    assert done.exit_code == 0, done.output
    entries = json.loads(done.stdout)
    assert [(e["package"], e["attempts"]) for e in entries] == [("beta", 2), ("alpha", 1)]
    beta = entries[0]
    assert beta["opened_at"] == T0 + 500 and beta["closed_at"] is None
    assert beta["culprit"]["state"] == "unknown"  # no good build to compare with
    assert beta["last_failing"]["nvr"] == "beta-1.0-0.6.el9s"
    assert beta["last_failing"]["log_url"] == "http://repos.example/r/aa/bb/beta6/build.log"
    assert set(beta["review"]) == {"id", "url", "state"} and beta["fix"] is None


def test_list_all_adds_the_closed_history_and_show_one_package(builder: Settings) -> None:
    entries = json.loads(_cli(builder, "list", "--all", "--json").stdout)
    closed = [e for e in entries if e["closed_at"] is not None]
    assert [(e["package"], e["attempts"], e["fix"]["fixed_by"]) for e in closed] == [
        ("alpha", 2, "both")
    ]
    assert closed[0]["age_seconds"] == 200  # opened by build 2, closed by build 4
    shown = json.loads(_cli(builder, "show", "alpha", "--json").stdout)
    assert shown["in_ftbfs"] is True and len(shown["periods"]) == 2
    text = _cli(builder, "show", "gamma")
    assert text.exit_code == 0 and "gamma: builds; 0 period(s)" in text.stdout
    cfg = builder.builder.data_dir.parent / "cfg.toml"
    unknown = subprocess.run(
        [sys.executable, "-m", "trunkline", "-c", str(cfg), "ftbfs", "show", "nosuch"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert unknown.returncode == 3
    assert unknown.stderr.strip().splitlines() == [
        "trunkline: error: package 'nosuch': the builder never built it"
    ]
    listed = _cli(builder, "list")
    assert listed.exit_code == 0 and listed.stdout.splitlines()[0].startswith("beta ")


def test_api_answers_the_same_as_the_cli(builder: Settings) -> None:
    gen = serve(builder)
    url = next(gen)
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            open_now = client.get("/api/ftbfs").json()
            every = client.get("/api/ftbfs", params={"closed": 1}).json()
            one = client.get("/api/ftbfs", params={"package": "beta"}).json()
            page = client.get("/api/report.html", params={"package": "alpha"}).text
            never = client.get("/api/report.html", params={"package": "gamma"}).text
    finally:
        for _ in gen:
            pass
    cli = json.loads(_cli(builder, "list", "--json").stdout)
    drop_age = [{k: v for k, v in e.items() if k != "age_seconds"} for e in cli]
    assert [{k: v for k, v in e.items() if k != "age_seconds"} for e in open_now] == drop_age
    assert len(every) == 3 and [e["package"] for e in one] == ["beta"]
    # the package's report page: its FTBFS history, open first, then the closed period
    history = page.split('<table id="ftbfs">', 1)[1].split("</table>", 1)[0]
    rows = history.split("<tr class=")[1:]
    assert len(rows) == 2
    assert "<td>open</td>" in rows[0] and "alpha-1.0-0.8.el9s" in rows[0]
    assert "<td>2023-11-14 22:20:00</td>" in rows[1]  # closed by build 4 (T0 + 400)
    assert "both: <code>4444444444</code>" in rows[1]
    assert "Never in FTBFS." in never


def test_replay_history_makes_the_same_periods_silently(builder: Settings, tmp_path: Path) -> None:
    """An imported DB (rows without periods) gets the periods the live rules would make."""
    from sqlalchemy import select

    from trunkline.db.models import Ftbfs, OutboxMessage

    src = session_factory(open_database(builder.database_url))
    copy_settings = settings_from_dict({"builder": {"data_dir": str(tmp_path / "d")}})
    dst = session_factory(open_database(copy_settings.database_url))
    with src() as a, dst() as b:
        for row in a.scalars(select(Commit).order_by(Commit.id)):
            b.add(Commit(**{c.key: getattr(row, c.key) for c in Commit.__table__.columns}))
        b.commit()
        assert replay_history(b) == 3
        b.commit()

        def shape(s: Session) -> list[tuple[object, ...]]:
            return [
                (p.project_name, p.opened_at, p.closed_at, p.attempts, p.fixed_by,
                 p.first_failed_commit_id, p.last_failed_commit_id, p.last_good_commit_id)
                for p in s.scalars(select(Ftbfs).order_by(Ftbfs.id))
            ]  # fmt: skip

        assert shape(b) == shape(a)
        assert b.scalars(select(OutboxMessage)).all() == []
        assert replay_history(b) == 0  # packages with periods are left alone
