"""Orchestration overhead of one build cycle (issue: the trunk builder).

For 1, 10 and 50 small noarch packages (real git upstreams and distgits, real
rpmbuild, real createrepo_c), it runs one cold build cycle and prints
trunkline's wall time, the time spent inside rpmbuild and createrepo_c, and the
overhead ratio ``wall / (rpmbuild + createrepo_c)``: how much the builder itself
adds on top of the tools that do the real work. ``--events`` runs the same cycle
with ``[events] amqp_url`` set (RabbitMQ on 127.0.0.1:5672): the outbox inserts of
every event in the build's own transactions, delivery on its own thread.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from tests.builder.cycle_world import make_cycle_world

from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import settings_from_dict
from trunkline.process import reset_tool_seconds, tool_seconds

SIZES = (1, 10, 50)
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def measure(n: int, workdir: Path, events: bool = False) -> tuple[float, float, float, int]:
    """Build a world of ``n`` packages once; return (wall, rpmbuild s, createrepo_c s, built)."""
    root = workdir / f"world-{n}"
    world = make_cycle_world(root, tuple(f"pkg{i:03d}" for i in range(n)))
    settings = world.settings()
    if events:
        raw = settings.to_dict()
        raw["events"] = {"amqp_url": AMQP_URL, "exchange": "trunkline-bench"}
        settings = settings_from_dict(raw)
    cycle = BuildCycle(settings)
    reset_tool_seconds()
    start = time.monotonic()
    report = cycle.run(CycleOptions())
    wall = time.monotonic() - start
    tools = tool_seconds()
    shutil.rmtree(root, ignore_errors=True)
    return wall, tools.get("rpmbuild", 0.0), tools.get("createrepo_c", 0.0), len(report.outcomes)


def main(argv: list[str]) -> int:
    """Print the overhead table; return 0."""
    events = "--events" in argv
    sizes = tuple(int(a) for a in argv if a != "--events") or SIZES
    workdir = Path(tempfile.mkdtemp(prefix="trunkline-bench-cycle-"))
    try:
        print(
            f"{'packages':>8} {'built':>6} {'wall s':>8} {'rpmbuild s':>10} "
            f"{'createrepo s':>12} {'other s':>8} {'overhead':>9}"
        )
        for n in sizes:
            wall, rpmb, crepo, built = measure(n, workdir, events)
            tools = rpmb + crepo
            ratio = wall / tools if tools else float("nan")
            print(
                f"{n:>8} {built:>6} {wall:>8.2f} {rpmb:>10.2f} {crepo:>12.2f} "
                f"{wall - tools:>8.2f} {ratio:>8.2f}x"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
