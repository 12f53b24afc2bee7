"""Routing by queue and the [workers] section: what a worker and a builder accept."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dramatiq import Message

from tests.workers.harness import WorkerProc, amqp_url, delete_queues, new_queue
from trunkline.config import settings_from_dict
from trunkline.errors import ConfigError, InputError
from trunkline.workers.broker import make_broker
from trunkline.workers.jobs import ACTOR_NAME, JobMessage, check_queue


def test_a_worker_retries_a_job_while_the_builder_is_down_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    queue = new_queue()
    worker = WorkerProc(tmp_path / "w", queue, "http://127.0.0.1:9").start()
    broker = make_broker(amqp_url())
    job = JobMessage("j1", "alpha", None, "1.0", "1", ".el9s", 60.0, False, "0" * 64)
    try:
        assert worker.wait_for(f"rpmbuild jobs from {queue}"), worker.output()
        broker.enqueue(Message(queue, ACTOR_NAME, (), job.to_json(), {}))
        assert _wait_count(worker, "alpha: the builder failed, retried later: GET", 2)
        assert worker.stop() == 0
    finally:
        broker.close()
        delete_queues(queue)
    assert worker.output().splitlines()[-1] == "worker stopped"
    assert "Traceback" not in worker.output()


def _wait_count(worker: WorkerProc, text: str, count: int, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if worker.output().count(text) >= count:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize(
    ("queue", "accepted"),
    [
        ("build.x86_64.rpmbuild", True),
        ("build.x86_64.rpmbuild.team-a", True),  # a pool: one builder's workers
        ("build.aarch64.rpmbuild", False),  # another architecture
        ("build.x86_64.mock", False),  # another driver
        ("build.x86_64", False),
        ("x86_64.rpmbuild", False),
        ("build.x86_64.rpmbuild.a.b", False),
    ],
)
def test_a_worker_takes_only_the_queues_of_its_arch_and_driver(queue: str, accepted: bool) -> None:
    if accepted:
        check_queue(queue, "x86_64", "rpmbuild")
    else:
        with pytest.raises(InputError, match="--queue"):
            check_queue(queue, "x86_64", "rpmbuild")


@pytest.mark.parametrize(
    ("workers", "field"),
    [
        ({"broker_url": "http://rabbit/"}, "broker_url"),
        ({"broker_url": "amqp://rabbit/", "token": "short"}, "token"),
        ({"broker_url": "amqp://rabbit/"}, "token"),
        ({"queue": "x86_64"}, "queue"),
        ({"listen": "8780"}, "listen"),
        ({"listen": "0.0.0.0:99999"}, "listen"),
        ({"brokerurl": "amqp://rabbit/"}, "brokerurl"),
    ],
)
def test_a_bad_workers_section_is_one_line_naming_the_key(
    workers: dict[str, str], field: str
) -> None:
    with pytest.raises(ConfigError) as exc:
        settings_from_dict({"workers": workers})
    assert field in str(exc.value) and "\n" not in str(exc.value)
