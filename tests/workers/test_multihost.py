"""The builder and three workers on four hosts (network namespaces), the demo world.

RabbitMQ and PostgreSQL are reached over the veth LAN; the builder serves the
sources and takes the RPMs on its own LAN address. One worker is killed with
SIGKILL in the middle of a build: every package of the demo world is still
published exactly once (its DB row and its RPM in ``current``).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL, fresh_server_database
from tests.workers.harness import (
    TOKEN,
    TRUNKLINE,
    WorkerProc,
    amqp_url,
    delete_queues,
    env_without_pytest,
    new_queue,
    published,
    rpms_in_current,
)
from tests.workers.netns import Lan
from trunkline.config import settings_from_dict
from trunkline.demo.world import PACKAGES, generate_world, git

WORKERS = ("w1", "w2", "w3")
SLOW = "demo-data"  # its %install sleeps: time to kill its worker mid-build


@pytest.fixture
def queue() -> Iterator[str]:
    name = new_queue()
    yield name
    delete_queues(name)


@pytest.fixture
def pg_db() -> Iterator[tuple[str, str]]:
    name = f"trunkline_mh_{uuid.uuid4().hex[:10]}"
    yield name, fresh_server_database("postgresql", name)
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _slow_down(spec: Path) -> None:
    text = spec.read_text()
    spec.write_text(text.replace("%install\n", "%install\nsleep 3\n", 1))
    git(spec.parent, "commit", "-qam", "Slow install", date="2025-12-01 10:00:00 +0000")


def test_the_demo_world_builds_across_three_worker_hosts_with_one_killed(
    tmp_path: Path, queue: str, pg_db: tuple[str, str]
) -> None:
    db_name, local_db_url = pg_db
    world = generate_world(tmp_path / "world")
    _slow_down(world.distgit(SLOW) / f"{SLOW}.spec")
    with Lan(("builder", *WORKERS)) as lan:
        amqp = amqp_url(lan.gateway, lan.relay(5672))
        db_url = f"postgresql+psycopg://postgres@{lan.gateway}:{lan.relay(5432)}/{db_name}"
        listen = f"{lan.addresses['builder']}:8780"
        cfg = tmp_path / "builder.toml"
        cfg.write_text(
            f'[builder]\ndata_dir = "{tmp_path / "data"}"\ndist = ".el9s"\nworkers = 4\n'
            f'[database]\nurl = "{db_url}"\n'
            f'[packages]\nsource = "rdoinfo"\npath = "{world.root / "metadata"}"\n'
            'tag = "trunk"\n'
            f'[workers]\nbroker_url = "{amqp}"\nqueue = "{queue}"\ntoken = "{TOKEN}"\n'
            f'listen = "{listen}"\n'
        )
        workers = {
            host: WorkerProc(
                tmp_path / host,
                queue,
                f"http://{listen}",
                amqp,
                prefix=tuple(lan.argv(host)),
            ).start()
            for host in WORKERS
        }
        err = tmp_path / "builder.err"
        try:
            with err.open("wb") as out:
                builder = subprocess.Popen(
                    lan.argv("builder", str(TRUNKLINE), "-c", str(cfg), "build"),
                    stdout=subprocess.DEVNULL,
                    stderr=out,
                    env=env_without_pytest(),
                )
            victim = _first_building(workers, SLOW, timeout=60)
            workers[victim].kill()
            assert builder.wait(timeout=90) == 0, err.read_text()
        finally:
            for worker in workers.values():
                worker.stop()
    names = sorted(p.name for p in PACKAGES)
    settings = settings_from_dict(
        {"builder": {"data_dir": str(tmp_path / "data")}, "database": {"url": local_db_url}}
    )
    assert published(settings) == {name: ["SUCCESS"] for name in names}
    outputs = {host: w.output() for host, w in workers.items()}
    rebuilt_by = [h for h in WORKERS if h != victim and f"building {SLOW}" in outputs[h]]
    assert rebuilt_by, outputs  # the killed worker's job was redelivered to another host
    assert f"SUCCESS {SLOW}" not in outputs[victim]
    assert sum("building" in outputs[h] for h in WORKERS) >= 2  # built across hosts
    srpm_names = {r.rsplit("-", 2)[0] for r in rpms_in_current(settings)}
    assert len(srpm_names) >= len(names)


def _first_building(workers: dict[str, WorkerProc], package: str, timeout: float) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for host, worker in workers.items():
            if f"building {package}" in worker.output():
                return host
        time.sleep(0.05)
    raise AssertionError({h: w.output() for h, w in workers.items()})
