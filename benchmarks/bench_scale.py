"""The builder at scale, side by side with DLRN 0.26.1 (issue #5, ``make bench``).

It makes a synthetic world of 700 small noarch packages (1,400 real local git
repos: bare upstreams tagged 1.0.0 and distgits) and measures, for trunkline
and for DLRN running its real code with offline stand-ins (``dlrn_shim/``: a
static package-info driver over the same repos, an rpmbuild build driver and a
mock-less ``build_srpm.sh``), in this order:

1. a cold cycle of the first 200 packages with 2 workers (both from empty);
2. (setup, not compared) trunkline builds the other 500; DLRN's state is
   seeded with the same 500 builds (rows, hard-linked RPMs and clones, see
   ``scale/dlrn_side.py``);
3. a no-change poll cycle of all 700 packages;
4. a cycle with 10 changed upstreams (2 workers), whose builds give the
   publish time per build at 700 packages (trunkline: ``BuildRecorder.record``;
   DLRN: ``post_build`` + ``process_build_result``, its serial post-processing);
5. the peak RSS of each builder process (target: DLRN's or below, issue #10), of
   the builder with its helper processes (trunkline's spec and repodata helpers;
   DLRN has none), and of its largest child (rpmbuild, git, createrepo_c, a
   helper). Peaks are ``VmHWM`` (``scale/procpeak.py``): ``ru_maxrss`` of a child
   includes the peak of the process that started it.

Every step runs in a child process. Targets (issue #5): no-change poll < 3 s,
cold 200 >= 3x faster than DLRN, publish <= 0.15 s per build; (issue #10) the
builder's memory peak no higher than DLRN's.
``BENCH_SCALE_PACKAGES=60`` (or ``--quick``) runs a smaller world;
``--no-dlrn`` skips DLRN; ``BENCH_SCALE_KEEP=1`` keeps the work dir.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.scale.dlrn_side import ensure_dlrn_venv, run_dlrn, seed_from_trunkline, write_ini
from benchmarks.scale.world import BASE_TIME, ScaleWorld, add_upstream_commit, make_world
from trunkline.process import run

PACKAGES = 700
COLD = 200
CHANGED = 10
WORKERS = 2
QUICK = 60
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    """One line of the table: a step measured on both sides."""

    step: str
    trunkline: float | None
    dlrn: float | None
    target: str
    tl_mb: float | None = None
    dlrn_mb: float | None = None
    ok: bool | None = None


def tl_cycle(world: ScaleWorld, count: int, data: Path, workers: int, *sel: int) -> dict[str, Any]:
    """One trunkline cycle in a child process; its JSON measures (``scale/tl_child.py``)."""
    argv = [sys.executable, "-m", "benchmarks.scale.tl_child", str(world.root), str(count)]
    argv += [str(data), str(workers), *(str(s) for s in sel)]
    out = run(argv, cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, timeout=7200)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    failed = {k: v for k, v in result["statuses"].items() if k != "SUCCESS"}
    if failed or result["source_errors"]:
        print(f"  warning: trunkline cycle: {failed} {result['source_errors']}")
    return result


def _mb(result: dict[str, Any] | None) -> float | None:
    return result["maxrss_kb"] / 1024 if result else None


def _wall(result: dict[str, Any] | None) -> float | None:
    return float(result["wall"]) if result else None


def _mean(values: list[float]) -> float | None:
    return statistics.mean(values) if values else None


def _fmt(value: float | None, width: int, digits: int = 2) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def print_table(rows: list[Row]) -> None:
    """The one table: step, trunkline, DLRN, ratio, target, memory peaks."""
    print(
        f"{'step':<42} {'trunkline':>9} {'DLRN':>8} {'DLRN/tl':>8} {'target':>10} "
        f"{'tl MB':>6} {'DLRN MB':>7}"
    )
    for r in rows:
        ratio = r.dlrn / r.trunkline if r.dlrn is not None and r.trunkline else None
        verdict = "" if r.ok is None else (" ok" if r.ok else " MISSED")
        print(
            f"{r.step:<42} {_fmt(r.trunkline, 9, 3)} {_fmt(r.dlrn, 8, 3)} "
            f"{(f'{ratio:>7.1f}x' if ratio else f'{chr(45):>8}')} {r.target + verdict:>10} "
            f"{_fmt(r.tl_mb, 6, 0)} {_fmt(r.dlrn_mb, 7, 0)}",
            flush=True,
        )


def _details(name: str, result: dict[str, Any], packages: int) -> None:
    commands = result.get("commands", {})
    total = sum(commands.values())
    per_pkg = total / packages if packages else 0
    top = ", ".join(f"{k} {v}" for k, v in sorted(commands.items(), key=lambda kv: -kv[1])[:8])
    print(
        f"  {name}: wall {result['wall']:.2f}s = plan {result.get('plan', 0):.2f}s "
        f"+ deps {result.get('dependencies', 0):.2f}s + reports {result.get('render', 0):.2f}s "
        f"+ build/publish; {total} commands ({per_pkg:.1f}/package): {top}"
    )
    parts = result.get("parts", {})
    if parts:
        print("    summed: " + ", ".join(f"{k} {n}x {s:.2f}s" for k, (n, s) in parts.items()))


def measure(size: int, workdir: Path, with_dlrn: bool) -> list[Row]:
    """Run every step (module docstring) in ``workdir``; return the table rows."""
    cold = min(COLD, max(1, size * COLD // PACKAGES))  # 200 of 700, same share when smaller
    changed = min(CHANGED, size)
    start = time.monotonic()
    world = make_world(workdir / "world", size, (cold,))
    print(f"world: {size} packages, {2 * size} git repos in {time.monotonic() - start:.1f}s")
    python = ensure_dlrn_venv() if with_dlrn else None
    tl_data, dl_data = workdir / "trunkline", workdir / "dlrn"

    tl_cold = tl_cycle(world, size, tl_data, WORKERS, 0, cold)
    _details(f"trunkline cold {cold}", tl_cold, cold)
    dl_cold = None
    if python is not None:
        ini_cold = write_ini(dl_data, world.dlrn_packages(cold), WORKERS)
        dl_cold = run_dlrn(python, ini_cold)
        print(f"  DLRN cold {cold}: wall {dl_cold['wall']:.2f}s, failed {dl_cold['failed']}")

    setup = tl_cycle(world, size, tl_data, 0, cold, size) if size > cold else None
    if setup is not None:
        print(f"  setup: trunkline built the other {setup['built']} in {setup['wall']:.1f}s")
    ini = None
    if python is not None:
        ini = write_ini(dl_data, world.dlrn_packages(size), WORKERS)
        seeded = seed_from_trunkline(
            f"sqlite:///{tl_data / 'trunkline.sqlite'}",
            tl_data / "repos",
            dl_data,
            set(world.names[:cold]),
            {n: (str(world.upstream(n)), str(world.distgit(n))) for n in world.names},
        )
        print(f"  setup: DLRN seeded with {seeded} builds and their clones")

    tl_poll = tl_cycle(world, size, tl_data, WORKERS)
    _details(f"trunkline no-change poll {size}", tl_poll, size)
    dl_poll = run_dlrn(python, ini) if python is not None and ini is not None else None

    for k in range(changed):
        add_upstream_commit(world, world.names[k * size // changed], BASE_TIME + 60 * size + k)
    tl_changed = tl_cycle(world, size, tl_data, WORKERS)
    _details(f"trunkline {changed} changed", tl_changed, size)
    dl_changed = run_dlrn(python, ini) if python is not None and ini is not None else None

    publish = _mean(tl_changed["publish"])
    results = [tl_cold, tl_poll, tl_changed]
    dl_results = [r for r in (dl_cold, dl_poll, dl_changed) if r is not None]
    return [
        Row(
            f"no-change poll, {size} pkgs (s)",
            tl_poll["wall"],
            _wall(dl_poll),
            "< 3 s",
            _mb(tl_poll),
            _mb(dl_poll),
            tl_poll["wall"] < 3.0,
        ),
        Row(
            f"cycle, {changed} changed of {size} (s)",
            tl_changed["wall"],
            _wall(dl_changed),
            "",
            _mb(tl_changed),
            _mb(dl_changed),
        ),
        Row(
            f"cold cycle, {cold} pkgs, {WORKERS} workers (s)",
            tl_cold["wall"],
            _wall(dl_cold),
            ">= 3x",
            _mb(tl_cold),
            _mb(dl_cold),
            None if dl_cold is None else dl_cold["wall"] >= 3 * tl_cold["wall"],
        ),
        Row(
            f"publish per build at {size} pkgs (s)",
            publish,
            _mean(dl_changed["post"]) if dl_changed else None,
            "<= 0.15 s",
            ok=None if publish is None else publish <= 0.15,
        ),
        Row(
            f"publish per build, cold {cold} (s)",
            _mean(tl_cold["publish"]),
            _mean(dl_cold["post"]) if dl_cold else None,
            "",
        ),
        Row(
            "memory peak, builder process (MB)",
            _peak(results),
            _peak(dl_results) if dl_results else None,
            "<= DLRN",
            ok=None if not dl_results else _peak(results) <= _peak(dl_results),
        ),
        Row(
            "memory peak, builder + helpers (MB)",
            max((r["maxrss_kb"] + r.get("helpers_kb", 0)) / 1024 for r in results),
            _peak(dl_results) if dl_results else None,
            "",
        ),
        Row(
            "memory peak, largest child process (MB)",
            _peak(results, "children_maxrss_kb"),
            _peak(dl_results, "children_maxrss_kb") if dl_results else None,
            "",
        ),
    ]


def _peak(results: list[dict[str, Any]], key: str = "maxrss_kb") -> float:
    """The largest ``key`` (kB) of ``results``, in MB."""
    return max(r.get(key, 0) for r in results) / 1024


def main(argv: list[str]) -> int:
    """Print the side-by-side table; return how many rows miss their target."""
    size = int(os.environ.get("BENCH_SCALE_PACKAGES", QUICK if "--quick" in argv else PACKAGES))
    with_dlrn = "--no-dlrn" not in argv
    workdir = Path(tempfile.mkdtemp(prefix="trunkline-bench-scale-"))
    rows: list[Row] = []
    try:
        rows = measure(size, workdir, with_dlrn)
        print()
        print_table(rows)
    finally:
        if os.environ.get("BENCH_SCALE_KEEP"):
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return sum(r.ok is False for r in rows)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
