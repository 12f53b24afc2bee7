"""``trunkline build --serve``: the builder as a long-running service.

The service runs a full cycle at start and then every ``[serve] poll_interval``
seconds (the safety net: a push whose hook was lost is built at the next poll),
and looks at the push-hook queue (``hook_requests``, filled by
``POST /api/hooks/<forge>``) every ``[serve] hook_interval`` seconds; queued
packages get a cycle of their own at once (poll and build of those packages
only). The API and the builder share only the database, so a table is the hand-off
(one indexed, bounded ``SELECT`` per look; nothing on SQLite, PostgreSQL or
MariaDB that one of them lacks).

Stopping (SIGTERM or SIGINT, see ``cli/build.py``): no new build starts, builds
already running finish and are recorded and published, the outbox gets a last
delivery pass, then :func:`serve` returns. A cycle that fails (lock held by a
manual ``trunkline build``, metadata unreadable) is logged and the service goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from trunkline.builder.cycle import BuildCycle, CycleOptions, CycleReport
from trunkline.errors import TrunklineError
from trunkline.events import hookqueue

log = logging.getLogger(__name__)


@dataclass
class ServeStats:
    """What a service did: cycles run, and how many of them hooks asked for."""

    full_cycles: int = 0
    hook_cycles: int = 0
    failed_cycles: int = 0


def take_hooked(cycle: BuildCycle) -> list[str]:
    """Take the queued packages of push hooks (removes them from the queue)."""
    with cycle.sessions() as session:
        names = hookqueue.take(session)
        session.commit()
    return names


def serve(
    cycle: BuildCycle,
    stop: threading.Event,
    *,
    base: CycleOptions | None = None,
    on_report: Callable[[CycleReport], None] = lambda _r: None,
    clock: Callable[[], float] = time.monotonic,
) -> ServeStats:
    """Run cycles until ``stop`` is set; see the module docstring.

    Args:
        cycle: the builder (built with ``keep_delivering=True``; closed here at the end).
        stop: set by the signal handler (which also sets ``cycle.cancel``).
        base: the options of every cycle (workers, head-only...); packages are set here.
        on_report: receives every cycle's report (the CLI prints it).
    """
    full = base or CycleOptions()
    conf = cycle.settings.serve
    stats = ServeStats()
    next_full = clock()
    try:
        while not stop.is_set():
            if clock() >= next_full:
                take_hooked(cycle)  # a full cycle covers them
                _one(cycle, full, stats, on_report)
                stats.full_cycles += 1
                next_full = clock() + conf.poll_interval
                continue
            names = take_hooked(cycle)
            if names:
                log.info("push hooks: cycle of %s", ", ".join(names))
                _one(cycle, replace(full, packages=tuple(names)), stats, on_report)
                stats.hook_cycles += 1
                continue
            stop.wait(max(0.0, min(conf.hook_interval, next_full - clock())))
    finally:
        cycle.close()
    return stats


def _one(
    cycle: BuildCycle,
    options: CycleOptions,
    stats: ServeStats,
    on_report: Callable[[CycleReport], None],
) -> None:
    try:
        report = cycle.run(options)
    except TrunklineError as exc:
        stats.failed_cycles += 1
        log.error("cycle failed: %s", exc)
        return
    on_report(report)
