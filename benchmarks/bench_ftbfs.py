"""The FTBFS lifecycle's cost on a cycle with no FTBFS (issue #13: "within noise").

For 10 and 40 small noarch packages (real git, rpmbuild, createrepo_c, SQLite),
it builds every package once, adds one upstream commit to each, and measures the
second cycle: its wall time, the time spent in the lifecycle's hook
(``FtbfsLifecycle.on_recorded``, timed around every call) and the SQL statements
that touch the ``ftbfs`` table. The peer is the same cycle without the hook
(``wall - lifecycle``); the ratio ``wall / peer`` is the overhead. The happy path
must stay at one ``ftbfs`` query per cycle, whatever the number of packages.

``--quick``: 5 packages only.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from tests.builder.cycle_world import make_cycle_world

from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.ftbfs.lifecycle import FtbfsLifecycle

SIZES = (10, 40)


def measure(n: int, workdir: Path) -> tuple[int, float, float, int, int]:
    """(builds, cycle wall s, lifecycle s, hook calls, ftbfs statements) of the 2nd cycle."""
    root = workdir / f"world-{n}"
    names = tuple(f"pkg{i:03d}" for i in range(n))
    world = make_cycle_world(root, names)
    cycle = BuildCycle(world.settings(), senders={})
    cycle.run(CycleOptions())
    for name in names:
        world.upstream_commit(name, "Move on")
    spent, calls, statements = [0.0], [0], [0]
    original = FtbfsLifecycle.on_recorded

    def timed(self: FtbfsLifecycle, *args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        try:
            original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start
            calls[0] += 1

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "ftbfs" in statement.lower():
            statements[0] += 1

    engine = cycle.sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", count)
    FtbfsLifecycle.on_recorded = timed  # type: ignore[method-assign]
    try:
        start = time.monotonic()
        report = cycle.run(CycleOptions())
        wall = time.monotonic() - start
    finally:
        FtbfsLifecycle.on_recorded = original  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", count)
        shutil.rmtree(root, ignore_errors=True)
    return len(report.outcomes), wall, spent[0], calls[0], statements[0]


def main(argv: list[str]) -> int:
    """Print the table; return 1 if the happy path made more than one ftbfs query."""
    sizes = (5,) if "--quick" in argv else tuple(int(a) for a in argv if a.isdigit()) or SIZES
    workdir = Path(tempfile.mkdtemp(prefix="trunkline-bench-ftbfs-"))
    bad = 0
    try:
        print(
            f"{'packages':>8} {'built':>6} {'wall s':>8} {'lifecycle ms':>12} "
            f"{'peer s':>8} {'ratio':>7} {'ftbfs queries':>13}"
        )
        for n in sizes:
            built, wall, spent, _calls, queries = measure(n, workdir)
            peer = wall - spent
            print(
                f"{n:>8} {built:>6} {wall:>8.2f} {spent * 1000:>12.2f} "
                f"{peer:>8.2f} {wall / peer:>6.4f}x {queries:>13}"
            )
            bad += queries > 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if bad else 0
