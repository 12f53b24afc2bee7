"""How ``trunkline build`` shows a cycle as it goes: a live display on a terminal, lines otherwise.

Both are :class:`~trunkline.builder.events.CycleWatcher`\\ s. :class:`PlainProgress`
writes one line per event on stderr (``queued 3 builds``, ``building alpha
1a2b3c4d on worker 1``, ``published alpha alpha-1.0-1 (2.1s)``, ``failed broken
...: error``), for logs and pipes. :class:`LiveProgress` redraws, with ``rich``,
a summary line (queued / building / published / failed / retry counts and the
elapsed time) and one row per worker (what it builds, for how long), plus the
last few results; it is used when stdout is a terminal. Workers are numbered from
1 in the order they first build.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

import click
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

# the cycle's status -> the word the display uses
WORDS = {"SUCCESS": "published", "FAILED": "failed", "RETRY": "retry"}
RECENT = 5  # finished builds shown under the workers


@dataclass
class _Running:
    package: str
    commit_hash: str
    since: float


class _State:
    """Counts, what each worker builds, and the last results (shared by both displays)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started_at = clock()
        self.lock = threading.Lock()
        self.total = 0
        self.counts = dict.fromkeys(WORDS.values(), 0)
        self.workers: dict[str, int] = {}
        self.running: dict[int, _Running | None] = {}
        self.recent: deque[str] = deque(maxlen=RECENT)

    def worker(self, name: str) -> int:
        """The number of the worker thread ``name`` (1, 2... in order of first use)."""
        return self.workers.setdefault(name, len(self.workers) + 1)

    def start(self, package: str, commit_hash: str, worker: str) -> int:
        """Note a build on ``worker``; return the worker's number (hold ``lock``)."""
        number = self.worker(worker)
        self.running[number] = _Running(package, commit_hash, self.clock())
        return number

    def finish(self, package: str, commit_hash: str, status: str) -> str:
        """Count a result and free its worker; return its word (hold ``lock``)."""
        word = WORDS.get(status, status.lower())
        self.counts[word] = self.counts.get(word, 0) + 1
        for number, run in self.running.items():
            if run is not None and (run.package, run.commit_hash) == (package, commit_hash):
                self.running[number] = None
        return word

    @property
    def building(self) -> int:
        return sum(1 for r in self.running.values() if r is not None)

    @property
    def queued(self) -> int:
        return self.total - self.building - sum(self.counts.values())

    def summary(self) -> str:
        """``queued 2 · building 1 · published 3 · failed 0 · retry 0 · 12.3s``."""
        parts = [f"queued {self.queued}", f"building {self.building}"]
        parts += [f"{word} {n}" for word, n in self.counts.items()]
        return " · ".join(parts) + f" · {self.clock() - self.started_at:.1f}s"


class PlainProgress:
    """One stderr line per event (not a terminal)."""

    def __init__(self) -> None:
        self.state = _State()

    def queued(self, builds: Sequence[tuple[str, str]]) -> None:
        """``queued N builds``."""
        self.state.total = len(builds)
        click.echo(f"queued {len(builds)} builds", err=True)

    def started(self, package: str, commit_hash: str, worker: str) -> None:
        """``building NAME HASH8 on worker N``."""
        with self.state.lock:
            number = self.state.start(package, commit_hash, worker)
        click.echo(f"building {package} {commit_hash[:8]} on worker {number}", err=True)

    def finished(self, package: str, commit_hash: str, status: str, detail: str) -> None:
        """``published NAME NVR`` / ``failed NAME HASH8: error`` / ``retry ...``."""
        with self.state.lock:
            word = self.state.finish(package, commit_hash, status)
            summary = self.state.summary()
        click.echo(f"{word} {package} {commit_hash[:8]}: {detail} ({summary})", err=True)


class LiveProgress:
    """A live ``rich`` display on stdout while the cycle runs (a terminal)."""

    def __init__(self, console: Console | None = None) -> None:
        self.state = _State()
        self.console = console or Console()
        self.live = Live(
            get_renderable=self.render,
            console=self.console,
            refresh_per_second=4,
            transient=False,
        )

    def __enter__(self) -> LiveProgress:
        self.live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.live.stop()  # draws the final state once more

    def render(self) -> Group:
        """The summary line, a row per worker, the last results."""
        s = self.state
        with s.lock:
            now = s.clock()
            table = Table(box=None, show_header=False, pad_edge=False)
            for number in sorted(s.running):
                run = s.running[number]
                if run is None:
                    table.add_row(f"worker {number}", "idle", "")
                else:
                    what = f"building {run.package} {run.commit_hash[:8]}"
                    table.add_row(f"worker {number}", what, f"{now - run.since:.1f}s")
            recent = [Text(line) for line in s.recent]
            summary = Text(s.summary(), style="bold")
        return Group(summary, table, *recent)

    def queued(self, builds: Sequence[tuple[str, str]]) -> None:
        """Set the queue's length."""
        with self.state.lock:
            self.state.total = len(builds)

    def started(self, package: str, commit_hash: str, worker: str) -> None:
        """Show the build on its worker's row."""
        with self.state.lock:
            self.state.start(package, commit_hash, worker)

    def finished(self, package: str, commit_hash: str, status: str, detail: str) -> None:
        """Count the result, free its worker's row, add it to the last results."""
        with self.state.lock:
            word = self.state.finish(package, commit_hash, status)
            self.state.recent.append(f"{word} {package} {commit_hash[:8]}: {detail}")
