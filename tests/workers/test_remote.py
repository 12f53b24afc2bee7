"""Builds on remote workers through the real RabbitMQ: redelivery, routing, single writer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builder.cycle_world import make_cycle_world
from tests.workers.harness import (
    WorkerProc,
    delete_queues,
    new_queue,
    published,
    remote_settings,
    rpms_in_current,
    slow_package,
)
from tests.workers.relay import free_port
from trunkline.builder.cycle import BuildCycle, CycleOptions, CycleReport
from trunkline.db.models import BuildStatus

NAMES = ("alpha", "beta", "gamma")


@pytest.fixture
def queue() -> Iterator[str]:
    name = new_queue()
    yield name
    delete_queues(name)


def run_in_thread(cycle: BuildCycle) -> tuple[threading.Thread, list[CycleReport]]:
    reports: list[CycleReport] = []
    thread = threading.Thread(target=lambda: reports.append(cycle.run(CycleOptions())))
    thread.start()
    return thread, reports


def test_a_worker_killed_mid_build_has_its_job_built_again_and_published_once(
    tmp_path: Path, queue: str
) -> None:
    world = make_cycle_world(tmp_path, NAMES)
    slow_package(world, "alpha", 3)
    port = free_port()
    settings = remote_settings(world, queue, port)
    url = f"http://127.0.0.1:{port}"
    first = WorkerProc(tmp_path / "w1", queue, url).start()
    second = WorkerProc(tmp_path / "w2", queue, url)
    try:
        assert first.wait_for("rpmbuild jobs from"), first.output()
        thread, reports = run_in_thread(BuildCycle(settings))
        assert first.wait_for("building alpha"), first.output()
        second.start()  # takes the other jobs meanwhile (one at a time: prefetch 1)
        first.kill()  # mid-build: alpha's %build sleeps 3 s
        thread.join(timeout=60)
        assert not thread.is_alive()
    finally:
        first.stop()
        assert second.stop() == 0
    report = reports[0]
    assert sorted(o.package for o in report.outcomes) == sorted(NAMES)
    assert {o.status for o in report.outcomes} == {BuildStatus.SUCCESS}
    assert published(settings) == {name: ["SUCCESS"] for name in NAMES}
    assert "building alpha" in second.output()  # redelivered after the SIGKILL
    assert "SUCCESS alpha" not in first.output()
    rpms = rpms_in_current(settings)
    assert [r.split("-")[0] for r in rpms] == sorted(NAMES)
    # nothing left behind: no upload area, no work dir of the killed worker's attempt
    assert not any((settings.builder.data_dir / "incoming").iterdir())


def test_a_worker_refuses_a_queue_it_cannot_build_for(tmp_path: Path) -> None:
    worker = WorkerProc(tmp_path / "w", "build.s390x.rpmbuild", "http://127.0.0.1:9").start()
    assert worker.proc is not None
    assert worker.proc.wait(timeout=30) == 2
    out = worker.output().strip().splitlines()
    assert len(out) == 1
    assert "this worker builds" in out[0] and "build.s390x.rpmbuild" in out[0]
