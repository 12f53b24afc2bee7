"""The cold 200-package cycle on 1, 2 and 3 remote workers (issue #17, ``make bench``).

The scale benchmark's synthetic world (``scale/world.py``): a builder follows
the first 200 packages, from empty, and its build jobs go through the real
RabbitMQ on loopback (a queue of its own) to N ``trunkline worker`` processes on
this machine; the "peer" column is the same cycle with the default local
workers (``-j 2``, no broker). Every run starts from an empty data dir.

Honest reading: every worker here shares the same 2 cores (with the builder and
whatever else runs), so adding workers past 2 cannot add CPU. The table also
gives the CPU seconds the workers spent (their children included) and, from
them, what N workers with a core each would take: the builder's own CPU
seconds (polling, serving, publishing: taken as serial) plus the workers' CPU
seconds divided by N. That is a model, said as one, not a measure.

``BENCH_WORKERS_PACKAGES=60`` (or ``--quick``) runs a smaller world.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import closing
from pathlib import Path

import pika

from benchmarks.scale.world import ScaleWorld, make_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import settings_from_dict
from trunkline.workers.jobs import host_arch, queue_for

PACKAGES = 200
QUICK = 60
AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F"
TOKEN = "bench-workers-token-0123456789"
TRUNKLINE = Path(sys.executable).with_name("trunkline")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _delete_queue(queue: str) -> None:
    with closing(pika.BlockingConnection(pika.URLParameters(AMQP))) as conn:
        channel = conn.channel()
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            channel.queue_delete(queue=name)


def _wait_ready(logs: list[Path], timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not all(log.exists() and "jobs from" in log.read_text() for log in logs):
        if time.monotonic() > end:
            raise RuntimeError(f"workers not ready after {timeout:.0f}s: {logs}")
        time.sleep(0.1)


def cold_cycle(world: ScaleWorld, count: int, data: Path, workers: int) -> dict[str, float]:
    """One cold cycle; ``workers`` 0 means local builds (-j 2), else N remote workers."""
    raw: dict[str, object] = {
        "builder": {"data_dir": str(data), "dist": ".el9s", "workers": workers or 2},
        "packages": {"source": "rdoinfo", "path": str(world.metadata(count)), "tag": "trunk"},
    }
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    queue = f"{queue_for(host_arch(), 'rpmbuild')}.bench{uuid.uuid4().hex[:8]}"
    if workers:
        port = _free_port()
        raw["workers"] = {
            "broker_url": AMQP,
            "queue": queue,
            "token": TOKEN,
            "listen": f"127.0.0.1:{port}",
        }
        for i in range(workers):
            argv = [str(TRUNKLINE), "worker", "--broker", AMQP, "--queue", queue]
            argv += ["--builder-url", f"http://127.0.0.1:{port}", "--token", TOKEN]
            argv += ["--work-dir", str(data.parent / f"{data.name}-w{i}")]
            log = data.parent / f"{data.name}-w{i}.log"
            with log.open("wb") as out:
                procs.append(subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT))
            logs.append(log)
        _wait_ready(logs)  # the cycle is timed, not the workers' start
    settings = settings_from_dict(raw)  # type: ignore[arg-type]
    cpu_self, cpu_children = _self_cpu(), _children_cpu()
    start = time.perf_counter()
    try:
        report = BuildCycle(settings, progress=lambda _m: None).run(CycleOptions())
        wall = time.perf_counter() - start
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=120)
        if workers:
            _delete_queue(queue)
    ok = sum(o.status.value == "SUCCESS" for o in report.outcomes)
    return {
        "wall": wall,
        "ok": ok,
        "built": len(report.outcomes),
        "builder_cpu": _self_cpu() - cpu_self,
        # local: rpmbuild & co. of the builder; remote: the workers and their children
        "build_cpu": _children_cpu() - cpu_children,
    }


def main(argv: list[str]) -> int:
    """Print the table; return 1 if a cycle did not build every package."""
    size = int(os.environ.get("BENCH_WORKERS_PACKAGES", QUICK if "--quick" in argv else PACKAGES))
    workdir = Path(tempfile.mkdtemp(prefix="trunkline-bench-workers-"))
    cores = os.cpu_count() or 1
    try:
        start = time.monotonic()
        world = make_world(workdir / "world", size)
        print(
            f"world: {size} packages in {time.monotonic() - start:.1f}s; {cores} cores here",
            flush=True,
        )
        local = cold_cycle(world, size, workdir / "local", 0)
        print(f"  local -j 2: {local['wall']:.1f}s", flush=True)
        rows = []
        for n in (1, 2, 3):
            rows.append((n, cold_cycle(world, size, workdir / f"remote{n}", n)))
            print(f"  {n} remote worker(s): {rows[-1][1]['wall']:.1f}s", flush=True)
        return _table(size, local, rows)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _table(size: int, local: dict[str, float], rows: list[tuple[int, dict[str, float]]]) -> int:
    print()
    print(
        f"cold {size}-package cycle   wall (s)  pkgs/min  vs local -j2  worker CPU (s)  "
        f"1 core/worker (model, s)"
    )
    print(
        f"local -j 2 (peer)       {local['wall']:9.1f} {60 * size / local['wall']:9.1f}  "
        f"{'1.00x':>12}  {local['build_cpu']:14.1f}  {'-':>24}"
    )
    failed = local["ok"] != size
    for n, r in rows:
        serial = max(0.0, r["builder_cpu"])  # the builder's own work: plan, serve, publish
        model = serial + r["build_cpu"] / n
        print(
            f"{n} remote worker(s)      {r['wall']:9.1f} {60 * size / r['wall']:9.1f}  "
            f"{local['wall'] / r['wall']:11.2f}x  {r['build_cpu']:14.1f}  {model:24.1f}"
        )
        failed |= r["ok"] != size
    print(
        "\nAll workers share this machine's cores: past the core count a worker adds no CPU.\n"
        "The model: builder CPU (serial) + workers' CPU / N, i.e. one dedicated core per worker."
    )
    return int(failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
