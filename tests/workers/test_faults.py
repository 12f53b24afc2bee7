"""Faults a builder with remote workers meets, each made for real.

* the broker down when the builder starts and again mid-cycle: a TCP relay in
  front of the real RabbitMQ is stopped (connections reset, then refused) and
  started again; jobs wait and the builder says for which broker;
* the database cut mid-cycle (PostgreSQL: new connections refused and the
  builder's backends terminated): one line, exit 9, and the next run resumes
  with nothing half-recorded;
* the repo tree's filesystem full during publish (a small tmpfs): the publish
  fails in one line, ``current`` and the DB are untouched, the next run completes.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.builder.cycle_world import make_cycle_world
from tests.conftest import PG_ADMIN_URL, fresh_server_database
from tests.workers.harness import (
    TRUNKLINE,
    WorkerProc,
    amqp_url,
    delete_queues,
    env_without_pytest,
    new_queue,
    published,
    remote_settings,
    rpms_in_current,
    slow_package,
)
from tests.workers.relay import Relay, free_port
from trunkline.builder.cycle import BuildCycle, CycleOptions, CycleReport
from trunkline.config import Settings, settings_from_dict
from trunkline.errors import PublishError

NAMES = ("alpha", "beta", "gamma")


@pytest.fixture
def queue() -> Iterator[str]:
    name = new_queue()
    yield name
    delete_queues(name)


def _said(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in r.getMessage() for r in list(caplog.records))


def _wait(predicate: object, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.05)
    return False


def test_broker_down_at_start_and_mid_cycle_jobs_wait_and_each_is_published_once(
    tmp_path: Path, queue: str, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_cycle_world(tmp_path, NAMES)
    slow_package(world, "alpha", 2)
    broker = Relay(("127.0.0.1", 5672))  # not started: the broker is down
    port = free_port()
    settings = remote_settings(world, queue, port, broker_url=amqp_url(port=broker.port))
    settings = settings.replace(builder=settings.builder.replace(workers=1))
    worker = WorkerProc(
        tmp_path / "w1", queue, f"http://127.0.0.1:{port}", amqp_url(port=broker.port)
    ).start()
    reports: list[CycleReport] = []
    caplog.set_level(logging.WARNING, logger="trunkline.workers.remote")
    thread = threading.Thread(
        target=lambda: reports.append(BuildCycle(settings).run(CycleOptions()))
    )
    try:
        thread.start()
        assert _wait(lambda: _said(caplog, "waiting for the broker") >= 1, 20)
        assert f"127.0.0.1:{broker.port}" in caplog.records[-1].getMessage()
        broker.start()
        assert worker.wait_for("building alpha", 30), worker.output()
        broker.stop()  # mid-build: the worker's and the builder's connections are cut
        assert _wait(lambda: _said(caplog, "waiting for the broker") >= 2, 20)
        broker.start()
        thread.join(timeout=60)
        assert not thread.is_alive()
    finally:
        worker.stop()
        broker.stop()
    assert _said(caplog, "broker reachable again") >= 2
    assert [o.status.value for o in reports[0].outcomes] == ["SUCCESS"] * 3
    assert published(settings) == {name: ["SUCCESS"] for name in NAMES}
    assert [r.split("-")[0] for r in rpms_in_current(settings)] == sorted(NAMES)


def _hashed_repos(repos: Path) -> set[str]:
    return {p.name for p in repos.glob("??/??/*_*") if p.is_dir()}


def _build(cfg: Path, stderr: Path) -> subprocess.Popen[bytes]:
    with stderr.open("wb") as err:
        return subprocess.Popen(
            [str(TRUNKLINE), "-c", str(cfg), "build"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env_without_pytest(),
        )


@pytest.fixture
def pg_url() -> Iterator[tuple[str, str]]:
    name = f"trunkline_wk_{uuid.uuid4().hex[:10]}"
    url = fresh_server_database("postgresql", name)
    yield name, url
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_database_cut_mid_cycle_fails_in_one_line_and_the_next_run_resumes(
    tmp_path: Path, pg_url: tuple[str, str]
) -> None:
    name, url = pg_url
    world = make_cycle_world(tmp_path, ("alpha", "beta"))
    slow_package(world, "alpha", 3)
    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(
        f'[builder]\ndata_dir = "{tmp_path / "data"}"\ndist = ".el9s"\n'
        f'[database]\nurl = "{url}"\n'
        f'[packages]\nsource = "rdoinfo"\npath = "{world.metadata}"\ntag = "trunk"\n'
    )
    log = tmp_path / "first.err"
    proc = _build(cfg, log)
    assert _wait(lambda: "building alpha" in log.read_text(), 30), log.read_text()
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:  # the server goes away for this builder
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
        assert proc.wait(timeout=60) == 9
        errors = [line for line in log.read_text().splitlines() if "error" in line.lower()]
        assert len(errors) == 1 and errors[0].startswith("trunkline: error: postgresql"), errors
        assert "Traceback" not in log.read_text()
        with admin.connect() as conn:  # back
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        admin.dispose()
    settings = settings_from_dict(
        {
            "builder": {"data_dir": str(tmp_path / "data"), "dist": ".el9s"},
            "database": {"url": url},
            "packages": {"source": "rdoinfo", "path": str(world.metadata), "tag": "trunk"},
        }
    )
    cycle = BuildCycle(settings)
    try:
        second = cycle.run(CycleOptions())  # resumes: alpha only, if beta was in
    finally:
        bind = cycle.sessions.kw["bind"]
        bind.dispose()
    assert {o.status.value for o in second.outcomes} == {"SUCCESS"}
    assert published(settings) == {"alpha": ["SUCCESS"], "beta": ["SUCCESS"]}
    repos = tmp_path / "data" / "repos"
    assert len(_hashed_repos(repos)) == 2  # one per row: nothing half-recorded
    assert not list(repos.glob("??/??/.tmp-*"))


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs: the repo tree's own filesystem."""
    mount = tmp_path / "repos"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(path: Path, leave: int) -> Path:
    """Fill ``path``'s filesystem but ``leave`` bytes; returns the filler file."""
    st = os.statvfs(path)
    filler = path / "filler"
    filler.write_bytes(b"\0" * (st.f_bavail * st.f_frsize - leave))
    return filler


def test_the_repo_filesystem_full_during_publish_leaves_current_and_the_db_untouched(
    tmp_path: Path, small_fs: Path
) -> None:
    world = make_cycle_world(tmp_path, ("alpha",))
    settings: Settings = world.settings(repos_dir=str(small_fs), workers=1)
    assert BuildCycle(settings).run(CycleOptions()).outcomes[0].status.value == "SUCCESS"
    before = os.readlink(small_fs / "current")
    world.upstream_commit("alpha", "A change")
    filler = _fill(small_fs, 4096)
    with pytest.raises(PublishError) as failed:
        BuildCycle(settings).run(CycleOptions())
    message = str(failed.value)
    assert "No space left on device" in message and "current not moved" in message
    assert "\n" not in message and failed.value.exit_code == 8
    assert os.readlink(small_fs / "current") == before
    assert published(settings) == {"alpha": ["SUCCESS"]}
    filler.unlink()  # space is back
    assert BuildCycle(settings).run(CycleOptions()).outcomes[0].status.value == "SUCCESS"
    assert published(settings) == {"alpha": ["SUCCESS", "SUCCESS"]}
    assert os.readlink(small_fs / "current") != before
    assert not list(small_fs.glob("??/??/.tmp-*"))
