"""Peak resident memory of a measured process and of its descendants, read from /proc.

``getrusage``'s ``ru_maxrss`` cannot be used: Linux carries a process's high-water
mark over ``exec`` (``exec_mmap`` keeps the old address space's peak in the
signal struct), and Python starts children with ``vfork``/``posix_spawn``, whose
old address space is the *parent's*. A child started by a 70 MB bench process
reports at least 70 MB whatever it does itself, and a builder's ``rpmbuild``
reports the builder's size. ``VmHWM`` in ``/proc/<pid>/status`` is the peak of
the address space since ``exec`` only: that is what a step costs.

Descendants are sampled (every ``interval`` seconds, by a daemon thread walking
``/proc``): each one's latest ``VmHWM`` is kept by pid, so a long-lived helper's
peak is exact and a short-lived tool's is a lower bound. A descendant whose
command line is still its parent's has not exec'ed yet and is skipped: until
``exec`` a vfork child shares its parent's address space and ``VmHWM``. Stdlib only: DLRN's venv
runs it too (``dlrn_shim/run_dlrn.py``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

HELPER_MARK = "-m trunkline."
"""A descendant whose command line runs a trunkline module (``python -m trunkline.…``)
is a helper of the builder: the spec and repodata helpers."""


def vm_hwm_kb(pid: int | str = "self") -> int:
    """``VmHWM`` of a process in kB (0 if it is gone or has no address space)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            found[int(entry.name)] = int(fields[1])
    return found


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


class DescendantPeaks:
    """Samples the ``VmHWM`` of every descendant of this process until :meth:`stop`."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peaks: dict[int, int] = {}  # pid -> its latest VmHWM, kB
        self.helpers: set[int] = set()  # pids whose command names a trunkline module
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="procpeak", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.sample(me)
            self._stop.wait(self.interval)

    def sample(self, root: int) -> None:
        """Read the ``VmHWM`` of every live descendant of ``root`` once."""
        parents = _parents()
        children: dict[int, list[int]] = {}
        for pid, ppid in parents.items():
            children.setdefault(ppid, []).append(pid)
        todo = list(children.get(root, ()))
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, ()))
            command = _cmdline(pid)
            if not command or command == _cmdline(parents[pid]):
                # not exec'ed yet: a vfork child shares its parent's address space,
                # so its VmHWM is the parent's (a forked one's starts as the parent's)
                continue
            peak = vm_hwm_kb(pid)
            if peak:
                if pid not in self.peaks and HELPER_MARK in command:
                    self.helpers.add(pid)
                self.peaks[pid] = max(peak, self.peaks.get(pid, 0))

    def stop(self) -> None:
        """Stop sampling (after one last sample)."""
        self._stop.set()
        self._thread.join()
        self.sample(os.getpid())

    @property
    def largest_kb(self) -> int:
        """The largest peak of any one descendant seen, kB."""
        return max(self.peaks.values(), default=0)

    @property
    def helpers_kb(self) -> int:
        """The sum of the helpers' peaks, kB (what the builder moved out of itself)."""
        return sum(self.peaks[pid] for pid in self.helpers)
