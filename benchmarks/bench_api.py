"""REST API speed, trunkline vs DLRN 0.26.1, on the same synthetic database.

Generates ~15,000 builds over 500 packages, ~20,000 CI votes and ~3,000
promotions (and a 10x variant), loads the same rows into a trunkline database
(SQLAlchemy bulk insert) and into a DLRN database (DLRN's own models, bulk, in
its own virtualenv under ``.peers/dlrn``: ``dlrn==0.26.1 'SQLAlchemy<2'``), starts
both servers on 127.0.0.1 (``trunkline api`` under uvicorn; DLRN's Flask app,
threaded) and measures requests/s, p50 and p99 of the same requests, one client,
keep-alive (``httpclient.py``: stdlib http.client, ~0.1 ms of client work per call
where httpx spends ~0.4 ms, which would count in both sides' p50). Ratios are
DLRN p50 / trunkline p50 (higher is better for trunkline).

Each request type runs for ``--seconds`` (at least 3 calls). DLRN's slowest
pages take seconds per call at 150k builds, so every request type also has a
time budget (``--budget``, 20 s): a side stops after the call that exhausts it,
and the table says how many calls were measured (``n``) so a p99 of 1 call is
read for what it is. Each row says whether the issue's target is met:
simple GETs no slower than DLRN (``>=1x``); promotions, civotes.html and
last_tested_repo ``>=10x``; authenticated POSTs ``>=5x``; and every trunkline
GET p99 under 50 ms at 15k builds and 200 ms at 150k.

``python -m benchmarks api`` (both scales) or
``python -m benchmarks.bench_api [--scale 1] [--scale 10] [--seconds S] [--budget S]``
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.api_data import (
    BASE_TS,
    DLRN_VENV,
    PASSWORD,
    USER,
    Data,
    load_dlrn,
    load_trunkline,
    synth,
)
from benchmarks.httpclient import LightClient, Reply


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until ``url`` answers (or the server died)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start: {log.read_text()[-2000:]}")


def start(argv: list[str], env: dict[str, str], log: Path, health: str) -> subprocess.Popen[bytes]:
    """Start a server process, logging to ``log``."""
    with open(log, "wb") as fh:
        proc = subprocess.Popen(argv, env=env, stdout=fh, stderr=subprocess.STDOUT)
    wait_up(health, proc, log)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server we started."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@dataclass(frozen=True)
class Stat:
    """Latency summary of one request type (``n`` measured calls)."""

    rps: float
    p50: float
    p99: float
    n: int


def measure(call: Callable[[], Reply], seconds: float, expect: int, budget: float) -> Stat:
    """Call repeatedly: 1 warm-up, then until ``seconds`` passed (3 to 2000 calls).

    Stops early once ``budget`` seconds (warm-up included) are spent; a warm-up
    that alone exceeds half the budget is the only sample.
    """
    t0 = time.perf_counter()
    r = call()
    warm = time.perf_counter() - t0
    if r.status_code != expect:
        raise RuntimeError(f"{r.method} {r.url}: {r.status_code} {r.text[:200]}")
    samples: list[float] = [warm] if warm > budget / 2 else []
    start_all = time.perf_counter()
    while not samples or (
        time.perf_counter() - t0 < budget
        and (
            len(samples) < 3 or (time.perf_counter() - start_all < seconds and len(samples) < 2000)
        )
    ):
        t0_call = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0_call)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return Stat(
        len(samples) / sum(samples), statistics.median(samples) * 1000, p99 * 1000, len(samples)
    )


def requests_for(data: Data, dlrn: bool) -> list[tuple[str, Callable[[LightClient], Reply], int]]:
    """The measured requests (DLRN wants "success" as a string)."""
    voted = next(c for c in data.commits if c["id"] == data.votes[-1]["commit_id"])
    hashes = {"commit_hash": voted["commit_hash"], "distro_hash": voted["distro_hash"]}
    ts = {"n": 0}

    def report(c: LightClient) -> Reply:
        ts["n"] += 1
        body = {
            **hashes,
            "job_id": "bench",
            "url": "http://x",
            "timestamp": BASE_TS + ts["n"],
            "success": "true" if dlrn else True,
        }
        return c.post("/api/report_result", json=body, auth=(USER, PASSWORD))

    def promote(c: LightClient) -> Reply:
        body = {**hashes, "promote_name": "bench-link"}
        return c.post("/api/promote", json=body, auth=(USER, PASSWORD))

    return [
        ("GET health", lambda c: c.get("/api/health"), 200),
        ("GET repo_status", lambda c: c.get("/api/repo_status", params=hashes), 200),
        (
            "GET last_tested_repo",
            lambda c: c.get("/api/last_tested_repo", params={"max_age": 0}),
            200,
        ),
        (
            "GET last_tested_repo job",
            lambda c: c.get(
                "/api/last_tested_repo", params={"max_age": 0, "job_id": "job-b", "success": "true"}
            ),
            200,
        ),
        ("GET promotions", lambda c: c.get("/api/promotions"), 200),
        (
            "GET promotions limit=100",
            lambda c: c.get("/api/promotions", params={"limit": 100}),
            200,
        ),
        ("GET civotes.html", lambda c: c.get("/api/civotes.html"), 200),
        (
            "GET metrics/builds",
            lambda c: c.get(
                "/api/metrics/builds", params={"start_date": "2023-01-01", "end_date": "2030-01-01"}
            ),
            200,
        ),
        ("POST report_result", report, 201),
        ("POST promote", promote, 201),
    ]


def run_scale(scale: int, seconds: float, budget: float) -> list[tuple[str, Stat, Stat]]:
    """Load both DBs at ``scale``, serve both, measure both."""
    workdir = Path(tempfile.mkdtemp(prefix=f"trunkline-bench-api-{scale}-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        data = synth(scale)
        voted = next(c for c in data.commits if c["id"] == data.votes[-1]["commit_id"])
        cfg = load_trunkline(data, workdir)
        (workdir / "data" / "repos" / voted["repo_dir"]).mkdir(parents=True)
        api_cfg = load_dlrn(data, workdir)
        tport, dport = free_port(), free_port()
        trunk_exe = str(Path(sys.executable).parent / "trunkline")
        procs.append(
            start(
                [
                    trunk_exe,
                    "--config",
                    str(cfg),
                    "api",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(tport),
                ],
                dict(os.environ),
                workdir / "trunkline.log",
                f"http://127.0.0.1:{tport}/api/health",
            )
        )
        runner = f"from dlrn.api import app; app.run(host='127.0.0.1', port={dport}, threaded=True)"
        procs.append(
            start(
                [str(DLRN_VENV / "bin" / "python"), "-c", runner],
                {**os.environ, "CONFIG_FILE": str(api_cfg)},
                workdir / "dlrn.log",
                f"http://127.0.0.1:{dport}/api/health",
            )
        )
        rows = []
        dlrn_timeout = max(120.0, budget * 2)
        with (
            LightClient(f"http://127.0.0.1:{tport}", timeout=120) as tc,
            LightClient(f"http://127.0.0.1:{dport}", timeout=dlrn_timeout) as dc,
        ):
            for (name, call, code), (_, dcall, dcode) in zip(
                requests_for(data, False), requests_for(data, True), strict=True
            ):
                t = measure(functools.partial(call, tc), seconds, code, budget)
                d = measure(functools.partial(dcall, dc), seconds, dcode, budget)
                rows.append((name, t, d))
        return rows
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(workdir, ignore_errors=True)


# Issue targets: minimum p50 ratio DLRN/trunkline per request (GETs also have a p99 cap).
SPEEDUP = {
    "GET health": 1.0,
    "GET repo_status": 1.0,
    "GET metrics/builds": 1.0,
    "GET last_tested_repo": 10.0,
    "GET last_tested_repo job": 10.0,
    "GET promotions": 10.0,
    "GET promotions limit=100": 10.0,
    "GET civotes.html": 10.0,
    "POST report_result": 5.0,
    "POST promote": 5.0,
}
P99_CAP_MS = {1: 50.0, 10: 200.0}


def verdict(name: str, scale: int, t: Stat, d: Stat) -> str:
    """``ok`` or what misses: the speed-up target and, for GETs, the p99 cap."""
    misses = []
    want = SPEEDUP.get(name, 1.0)
    if d.p50 / t.p50 < want:
        misses.append(f"<{want:g}x")
    cap = P99_CAP_MS.get(scale, 200.0)
    if name.startswith("GET") and t.p99 >= cap:
        misses.append(f"p99>={cap:g}ms")
    return "ok" if not misses else "MISS " + ",".join(misses)


def _arg(argv: list[str], name: str, default: str) -> str:
    return next((argv[i + 1] for i, a in enumerate(argv) if a == name), default)


def main(argv: list[str]) -> int:
    """Print the side-by-side table for each scale (1 and 10 by default).

    Returns the number of rows that miss their target (0 when every target is met).
    """
    scales = [int(argv[i + 1]) for i, a in enumerate(argv) if a == "--scale"] or [1, 10]
    seconds = float(_arg(argv, "--seconds", "2"))
    budget = float(_arg(argv, "--budget", "20"))
    missed = 0
    for scale in scales:
        print(
            f"\n{15_000 * scale} builds / {500 * scale} packages / {20_000 * scale} votes / "
            f"{3_000 * scale} promotions (per request: {seconds:g} s, budget {budget:g} s)"
        )
        print(
            f"{'request':<26} {'tl n':>5} {'tl req/s':>9} {'tl p50':>8} {'tl p99':>8} "
            f"{'dlrn n':>6} {'dlrn req/s':>10} {'dlrn p50':>9} {'dlrn p99':>9} {'ratio':>7} "
            f"{'target':>6}  verdict"
        )
        for name, t, d in run_scale(scale, seconds, budget):
            outcome = verdict(name, scale, t, d)
            missed += outcome != "ok"
            print(
                f"{name:<26} {t.n:>5} {t.rps:>9.0f} {t.p50:>7.1f}ms {t.p99:>7.1f}ms "
                f"{d.n:>6} {d.rps:>10.1f} {d.p50:>8.1f}ms {d.p99:>8.1f}ms "
                f"{d.p50 / t.p50:>6.1f}x {SPEEDUP.get(name, 1.0):>5g}x  "
                f"{outcome}",
                flush=True,
            )
    return missed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
