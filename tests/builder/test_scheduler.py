"""The build queue's ordering rules, with real threads and timed fake builds."""

from __future__ import annotations

import threading
import time

import pytest

from trunkline.builder.scheduler import QueueItem, run_queue


def queue(*packages: str) -> list[QueueItem[str]]:
    return [QueueItem(i, p, f"{p}#{i}") for i, p in enumerate(packages)]


class Recorder:
    """Builds take a per-package time; records overlap and publication order."""

    def __init__(self, durations: dict[str, float] | None = None) -> None:
        self.durations = durations or {}
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.build_start: dict[str, float] = {}
        self.published: list[str] = []
        self.publish_time: dict[str, float] = {}

    def build(self, item: QueueItem[str]) -> str:
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.build_start[item.payload] = time.monotonic()
        time.sleep(self.durations.get(item.package, 0.05))
        with self.lock:
            self.active -= 1
        return item.payload.upper()

    def publish(self, item: QueueItem[str], built: str) -> str:
        assert built == item.payload.upper()
        self.published.append(item.payload)
        self.publish_time[item.payload] = time.monotonic()
        return built


def test_workers_build_in_parallel() -> None:
    rec = Recorder()
    out = run_queue(queue("a", "b", "c", "d"), rec.build, rec.publish, workers=2)
    assert rec.max_active == 2
    assert sorted(out) == ["A#0", "B#1", "C#2", "D#3"]


def test_one_package_commits_are_sequential_and_in_order() -> None:
    rec = Recorder()
    run_queue(queue("a", "a", "a", "b"), rec.build, rec.publish, workers=3)
    a_order = [p for p in rec.published if p.startswith("a")]
    assert a_order == ["a#0", "a#1", "a#2"]
    assert rec.build_start["a#1"] >= rec.publish_time["a#0"]
    assert rec.build_start["a#2"] >= rec.publish_time["a#1"]


def test_finish_order_publishes_fast_builds_first() -> None:
    rec = Recorder({"slow": 0.3, "fast": 0.01})
    run_queue(queue("slow", "fast"), rec.build, rec.publish, workers=2, order="finish")
    assert rec.published == ["fast#1", "slow#0"]


def test_commit_order_publishes_in_queue_order() -> None:
    rec = Recorder({"slow": 0.3, "fast": 0.01})
    run_queue(queue("slow", "fast"), rec.build, rec.publish, workers=2, order="commit")
    assert rec.published == ["slow#0", "fast#1"]


def test_a_package_waits_for_what_it_buildrequires() -> None:
    rec = Recorder({"lib": 0.2})
    deps = {"client": frozenset({"lib"})}
    run_queue(queue("client", "lib"), rec.build, rec.publish, workers=2, deps=deps)
    assert rec.published == ["lib#1", "client#0"]
    assert rec.build_start["client#0"] >= rec.publish_time["lib#1"]


def test_an_unbroken_cycle_is_an_error_not_a_hang() -> None:
    rec = Recorder()
    deps = {"a": frozenset({"b"}), "b": frozenset({"a"})}
    with pytest.raises(RuntimeError, match="cycle"):
        run_queue(queue("a", "b"), rec.build, rec.publish, workers=2, deps=deps)
