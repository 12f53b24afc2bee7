"""Builders with remote workers for the tests: settings, worker processes, queue cleanup.

Every test gets its own queue (``build.<arch>.rpmbuild.<pool>``, the pool a random
name) on the real RabbitMQ, so tests and other checkouts sharing the broker never
take each other's jobs; :func:`delete_queues` removes the queue and Dramatiq's
delay and dead-letter queues afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pika
import sqlalchemy as sa

from tests.builder.cycle_world import SPEC, CycleWorld
from trunkline.config import Settings, settings_from_dict
from trunkline.workers.jobs import host_arch, queue_for

TOKEN = "test-token-0123456789abcdef"
AMQP_HOST, AMQP_PORT = "127.0.0.1", 5672
TRUNKLINE = Path(sys.executable).with_name("trunkline")


def amqp_url(host: str = AMQP_HOST, port: int = AMQP_PORT) -> str:
    """The guest URL of the RabbitMQ at ``host:port``."""
    return f"amqp://guest:guest@{host}:{port}/%2F"


def new_queue() -> str:
    """A queue of this host's arch and rpmbuild, in a pool of its own."""
    return f"{queue_for(host_arch(), 'rpmbuild')}.t{uuid.uuid4().hex[:10]}"


def delete_queues(queue: str) -> None:
    """Delete ``queue`` and its ``.DQ``/``.XQ`` siblings from the real broker."""
    params = pika.URLParameters(amqp_url())
    with contextlib.closing(pika.BlockingConnection(params)) as conn:
        channel = conn.channel()
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            channel.queue_delete(queue=name)


def slow_package(world: CycleWorld, name: str, seconds: int) -> None:
    """The package's %build sleeps ``seconds``: time to kill its worker mid-build."""
    spec = SPEC.format(name=name).replace("%build\n", f"%build\nsleep {seconds}\n")
    world.distgits[name].commit("Slow build", {f"{name}.spec": spec})


def remote_raw(world: CycleWorld, queue: str, port: int, **workers: Any) -> dict[str, Any]:
    """The raw config of a builder of ``world`` that sends its jobs to ``queue``."""
    return {
        "builder": {"data_dir": str(world.root / "data"), "dist": ".el9s", "workers": 3},
        "packages": {"source": "rdoinfo", "path": str(world.metadata), "tag": "trunk"},
        "workers": {
            "broker_url": amqp_url(),
            "queue": queue,
            "token": TOKEN,
            "listen": f"127.0.0.1:{port}",
            **workers,
        },
    }


def remote_settings(world: CycleWorld, queue: str, port: int, **workers: Any) -> Settings:
    """Settings of :func:`remote_raw`."""
    return settings_from_dict(remote_raw(world, queue, port, **workers))


class WorkerProc:
    """A ``trunkline worker`` subprocess whose output goes to a file."""

    def __init__(
        self,
        work_dir: Path,
        queue: str,
        builder_url: str,
        broker_url: str | None = None,
        prefix: tuple[str, ...] = (),
    ) -> None:
        self.work_dir = work_dir
        self.log = work_dir.with_suffix(".log")
        self.argv = [
            *prefix,
            str(TRUNKLINE),
            "worker",
            "--broker",
            broker_url or amqp_url(),
            "--builder-url",
            builder_url,
            "--queue",
            queue,
            "--token",
            TOKEN,
            "--work-dir",
            str(work_dir),
        ]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProc:
        self.work_dir.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.work_dir.parent,
                # Dramatiq's own knob: reconnect to the broker after 0.3 s, not 3 s
                env={**env_without_pytest(), "dramatiq_restart_delay": "300"},
            )
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, text: str, timeout: float = 30.0) -> bool:
        """Whether ``text`` appears in the output within ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.output():
                return True
            time.sleep(0.05)
        return False

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM and the exit status (SIGKILL after 20 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def published(settings: Settings) -> dict[str, list[str]]:
    """Package -> the statuses of its rows in the builder's DB, oldest first."""
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT project_name, status FROM commits ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    found: dict[str, list[str]] = {}
    for name, status in rows:
        found.setdefault(name, []).append(status)
    return found


def rpms_in_current(settings: Settings) -> list[str]:
    """The binary RPM file names of the ``current`` repo, sorted."""
    current = settings.builder.repos_path / "current"
    return sorted(p.name for p in current.resolve().rglob("*.rpm") if ".src." not in p.name)


def env_without_pytest() -> dict[str, str]:
    """The environment for a subprocess builder."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
