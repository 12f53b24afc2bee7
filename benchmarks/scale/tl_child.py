"""One trunkline build cycle in its own process, measured (``python -m benchmarks.scale.tl_child``).

``bench_scale`` runs every trunkline step in a fresh child so that the memory
peak (``VmHWM`` of this process, ``scale/procpeak.py``: not ``ru_maxrss``, which
Linux carries over from the parent) belongs to that step alone; the peaks of its
helper processes (spec, repodata) summed, and the largest of any child (rpmbuild,
git, a helper), are reported beside it. The child
wraps ``BuildRecorder.record`` to time publishing per build, counts the external
commands per tool (through ``trunkline.process``'s accounting hook), and
prints one JSON object on its last stdout line.

Usage: ``tl_child WORLD_ROOT COUNT DATA_DIR WORKERS [FIRST LAST]``: follow the
first COUNT packages of the world and build only packages FIRST..LAST-1 of them
(all when omitted).
"""

from __future__ import annotations

import atexit
import cProfile
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.scale.procpeak import DescendantPeaks, vm_hwm_kb
from benchmarks.scale.world import ScaleWorld, package_names
from trunkline import process
from trunkline.builder import cycle as cycle_module
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.db import queries
from trunkline.publish.record import BuildRecorder

PHASES = ("_plan", "_dependencies", "_render_reports")
HELPED = ("rpm", "specfile", "createrepo_c")
"""Libraries the builder leaves to its helper processes (spec helper, repodata helper)."""


def _timed(store: list[float], fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            store.append(time.perf_counter() - start)

    return wrapper


def main(argv: list[str]) -> int:
    """Run one cycle as described in the module docstring; print its measures as JSON."""
    root, count, data_dir, workers = Path(argv[0]), int(argv[1]), Path(argv[2]), int(argv[3])
    names = package_names(count)
    selected = names[int(argv[4]) : int(argv[5])] if len(argv) >= 6 else ()
    world = ScaleWorld(root, names)
    logging.basicConfig(level=logging.WARNING)

    publish: list[float] = []
    original = record = BuildRecorder.record
    profile_to = os.environ.get("BENCH_PROFILE_PUBLISH")
    if profile_to:  # a cProfile of every publication, for finding where its time goes
        profiler = cProfile.Profile()

        def profiled(*args: Any, **kwargs: Any) -> Any:
            return profiler.runcall(original, *args, **kwargs)

        record = profiled
        atexit.register(lambda: profiler.dump_stats(profile_to))
    BuildRecorder.record = _timed(publish, record)  # type: ignore[method-assign]
    phases: dict[str, list[float]] = {p: [] for p in PHASES}
    for name in PHASES:
        setattr(BuildCycle, name, _timed(phases[name], getattr(BuildCycle, name)))
    # where a poll goes: fetching (in FETCH_CONCURRENCY threads), planning each package and
    # its DB look-ups (in the cycle's thread); summed seconds, so threads may exceed wall.
    parts: dict[str, list[float]] = {}
    for name in ("refresh_mirror", "plan_package"):
        parts[name] = []
        setattr(cycle_module, name, _timed(parts[name], getattr(cycle_module, name)))
    for name in ("last_processed", "is_processed"):
        parts[name] = []
        setattr(queries, name, _timed(parts[name], getattr(queries, name)))

    commands: Counter[str] = Counter()
    account = process._account

    def counting(args: list[str], seconds: float) -> None:
        key = args[0]
        if key == "git":  # name git commands by their subcommand
            sub = next((a for a in args[1:] if not a.startswith("-") and "/" not in a), "?")
            key = f"git {sub}"
        commands[key] += 1
        account(args, seconds)

    process._account = counting  # type: ignore[assignment]

    cycle = BuildCycle(world.settings(data_dir, count), progress=lambda _msg: None)
    children = DescendantPeaks()
    start = time.perf_counter()
    report = cycle.run(CycleOptions(packages=tuple(selected), workers=workers))
    wall = time.perf_counter() - start
    children.stop()
    statuses = Counter(o.status.value for o in report.outcomes)
    result = {
        "wall": wall,
        "built": len(report.outcomes),
        "statuses": dict(statuses),
        "source_errors": report.source_errors[:3],
        "publish": publish,
        "plan": sum(phases["_plan"]),
        "dependencies": sum(phases["_dependencies"]),
        "render": sum(phases["_render_reports"]),
        "parts": {k: [len(v), sum(v)] for k, v in parts.items()},
        "build_seconds": sum(o.seconds for o in report.outcomes),
        "tools": process.tool_seconds(),
        "commands": dict(commands),
        "maxrss_kb": vm_hwm_kb(),  # this process's own peak since exec
        "helpers_kb": children.helpers_kb,  # the spec and repodata helpers' peaks, summed
        "children_maxrss_kb": children.largest_kb,  # the largest of any one child
        # any of these here is memory a helper should hold (issue #10)
        "helped_loaded": sorted({m.split(".")[0] for m in sys.modules} & set(HELPED)),
        "pydantic_loaded": "pydantic" in sys.modules,  # the API's, never the builder's
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
