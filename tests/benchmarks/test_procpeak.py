"""The scale benchmark's memory measure: a process's own peak, not its parent's.

Linux carries the high-water mark of the address space a child was started from
over ``exec``, so ``ru_maxrss`` of a child of a large parent is the parent's size.
``procpeak`` reads ``VmHWM`` instead; these tests make a large parent and check
that its small child is measured small, and that a descendant's peak is sampled.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.scale.procpeak import DescendantPeaks, vm_hwm_kb

ROOT = Path(__file__).resolve().parents[2]
BIG = 120 * 1024 * 1024


def _touch(size: int) -> bytearray:
    block = bytearray(size)
    block[::4096] = b"x" * len(block[::4096])
    return block


def test_a_small_child_of_a_large_parent_is_measured_small() -> None:
    block = _touch(BIG)
    del block  # the parent's peak stays, its pages go
    code = (
        "import resource; from benchmarks.scale.procpeak import vm_hwm_kb; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, vm_hwm_kb())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    ru_maxrss, own = (int(v) for v in out.stdout.split())
    assert ru_maxrss >= BIG // 1024  # the kernel's figure: the parent's peak
    assert own < 40 * 1024  # the child's own: an interpreter, nothing more
    assert vm_hwm_kb() >= BIG // 1024


def test_descendants_are_sampled_with_their_own_peak() -> None:
    peaks = DescendantPeaks(interval=0.01)
    code = (
        "import time; b = bytearray(64 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
        "time.sleep(0.5)"
    )
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.3)
    finally:
        child.wait()
    peaks.stop()
    assert child.pid in peaks.peaks
    assert 64 * 1024 <= peaks.largest_kb < 64 * 1024 + 40 * 1024
    assert peaks.helpers_kb == 0  # not a trunkline module


def test_a_child_not_yet_execed_is_not_taken_for_a_large_one() -> None:
    # Between vfork and exec a child shares its parent's address space: sampled then,
    # a small git or rpm would be recorded at the builder's size. Here the "parent" is
    # a 64 MB python that keeps forking children which sleep without exec'ing.
    code = (
        "import os, time; b = bytearray(64 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])\n"
        "for _ in range(3):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        time.sleep(0.2); os._exit(0)\n"
        "    os.waitpid(pid, 0)\n"
    )
    peaks = DescendantPeaks(interval=0.01)
    subprocess.run([sys.executable, "-c", code], check=True)
    peaks.stop()
    assert len(peaks.peaks) == 1  # the python itself, not its un-exec'ed forks
