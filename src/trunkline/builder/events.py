"""What a build cycle tells a watcher as it goes: the queue, each start, each result.

``BuildCycle(settings, watcher=...)`` calls these from two threads: ``started``
from the worker thread that builds (``worker`` is that thread's name, so a
display can show what each worker does), ``queued`` and ``finished`` from the
cycle's own thread. A watcher must not raise; it only observes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class CycleWatcher(Protocol):
    """Receives a cycle's progress (cli/progress.py shows it)."""

    def queued(self, builds: Sequence[tuple[str, str]]) -> None:
        """The queue, in build order: (package, commit hash) pairs."""
        ...

    def started(self, package: str, commit_hash: str, worker: str) -> None:
        """A build started on ``worker`` (the worker thread's name)."""
        ...

    def finished(self, package: str, commit_hash: str, status: str, detail: str) -> None:
        """A build was recorded: ``status`` SUCCESS, FAILED or RETRY; ``detail``: NVR or error."""
        ...
