"""Dashboard speed: every page, server-side p50/p99, at 15k and 150k builds per builder.

Serves a cached three-builder site (``web_data.py``) with ``trunkline web
--site`` under uvicorn on 127.0.0.1 and asks each page (and each Builds filter)
repeatedly over one keep-alive connection. The server-side time is the
``Server-Timing: app;dur=`` header the dashboard sets around each request
(routing, queries and rendering); the client-side p99 is printed beside it.
Target (issue #15): every page under 100 ms p99 server-side at 150k builds
per builder. There is no peer: DLRN has no multi-builder dashboard.

``python -m benchmarks web`` (both sizes) or ``python -m benchmarks.bench_web
[--builds N] [--seconds S]``.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

from benchmarks.bench_api import free_port, start, stop
from benchmarks.httpclient import LightClient
from benchmarks.web_data import ensure_site

TARGET_MS = 100.0
SIZES = (15_000, 150_000)
TIMING = re.compile(r"app;dur=([0-9.]+)")


def _day(days_ago: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() - days_ago * 86_400))


def requests_for() -> list[tuple[str, str]]:
    """The measured requests: every page, and the Builds page with each filter."""
    return [
        ("overview", "/"),
        ("builds", "/builds"),
        ("builds builder", "/builds?builder=centos9-epoxy"),
        ("builds package", "/builds?package=python-pkg0042"),
        ("builds component", "/builds?component=glance"),
        ("builds status", "/builds?status=RETRY"),
        ("builds dates", f"/builds?since={_day(10)}&until={_day(8)}"),
        ("builds text", "/builds?q=pkg012"),
        ("builds hash", "/builds?q=abcd12"),
        ("builds all filters", "/builds?package=python-pkg0007&status=FAILED&q=pkg0007"),
        ("builds deep page", "/builds?after=1.1.centos9-master"),
        ("ftbfs", "/ftbfs"),
        ("ftbfs filtered", "/ftbfs?q=pkg01"),
        ("package", "/packages/python-pkg0042"),
        ("promotions", "/promotions"),
        ("uc", "/uc"),
    ]


def measure(client: LightClient, path: str, seconds: float) -> tuple[float, float, float, int]:
    """(server p50, server p99, client p99) in ms and the number of calls."""
    server: list[float] = []
    wall: list[float] = []
    client.get(path)  # warm-up
    start_all = time.perf_counter()
    while len(server) < 5 or (time.perf_counter() - start_all < seconds and len(server) < 1000):
        t0 = time.perf_counter()
        reply = client.raw_get(path)
        wall.append((time.perf_counter() - t0) * 1000)
        status, timing = reply
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        server.append(timing)
    server.sort()
    wall.sort()

    def p99(v: list[float]) -> float:
        return v[min(len(v) - 1, int(len(v) * 0.99))]

    return statistics.median(server), p99(server), p99(wall), len(server)


class TimedClient(LightClient):
    """A LightClient that also returns the Server-Timing duration."""

    def raw_get(self, path: str) -> tuple[int, float]:
        """GET ``path``: (status, server ms)."""
        self._conn.request("GET", path)
        resp = self._conn.getresponse()
        resp.read()
        m = TIMING.search(resp.getheader("Server-Timing") or "")
        return resp.status, float(m[1]) if m else float("nan")


def run_size(builds: int, seconds: float) -> int:
    """Measure every request at one size; return how many miss the target."""
    site = ensure_site(builds)
    port = free_port()
    exe = str(Path(sys.executable).parent / "trunkline")
    argv = [exe, "web", "--site", str(site), "--host", "127.0.0.1", "--port", str(port)]
    log = site.parent / "web.log"
    proc = start(argv, dict(os.environ), log, f"http://127.0.0.1:{port}/uc")
    missed = 0
    try:
        print(f"\n{builds} builds per builder, 3 builders (per request: {seconds:g} s)")
        print(f"{'request':<20} {'n':>5} {'srv p50':>9} {'srv p99':>9} {'client p99':>11}  verdict")
        with TimedClient(f"http://127.0.0.1:{port}", timeout=60) as client:
            for name, path in requests_for():
                p50, p99, cp99, n = measure(client, path, seconds)
                ok = p99 < TARGET_MS
                missed += not ok
                verdict = "ok" if ok else f"MISS p99>={TARGET_MS:g}ms"
                print(f"{name:<20} {n:>5} {p50:>7.1f}ms {p99:>7.1f}ms {cp99:>9.1f}ms  {verdict}")
    finally:
        stop(proc)
    return missed


def main(argv: list[str]) -> int:
    """Print the table for each size; return the number of requests over the target."""
    sizes = [int(argv[i + 1]) for i, a in enumerate(argv) if a == "--builds"] or list(SIZES)
    seconds = next((float(argv[i + 1]) for i, a in enumerate(argv) if a == "--seconds"), 2.0)
    return sum(run_size(n, seconds) for n in sizes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
