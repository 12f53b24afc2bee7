"""Commit-to-repo latency on the demo world: a push hook to ``build --serve`` vs polling.

Push: ``trunkline build --serve`` runs as a real process on the demo world (the
first full cycle done); for each round an upstream commit is made, the GitHub
push event is POSTed (signed) to the real API, and the time until the commit's
build is recorded and ``current`` points at it is measured.

Polling (the default without hooks, and the service's safety net): a commit
waits for the next poll — uniformly 0 to ``poll_interval`` seconds, so half of
it on average — and then for one full cycle, measured here on the same world
(every package polled, the changed one built). The table gives the mean and the
worst case for the default ``[serve] poll_interval`` (300 s).

``python -m benchmarks latency [--rounds N]``
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
from tests.api.conftest import serve as serve_api
from tests.events.forge_samples import push

from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import ServeSettings, load_settings
from trunkline.db.models import BuildStatus, Commit
from trunkline.demo.world import DemoWorld, generate_world, git
from trunkline.publish.links import read_link

EXE = Path(sys.executable).parent / "trunkline"
SECRET = "bench-secret"
PACKAGE, PROJECT = "python-foolib", "foolib"


def _commit(world: DemoWorld, n: int) -> str:
    repo = world.upstream(PROJECT)
    (repo / "foolib" / f"bench_{n}.py").write_text(f'"""bench change {n}."""\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Bench change {n}")
    return git(repo, "rev-parse", "HEAD")


def _published(engine: sa.Engine, repos: Path, head: str) -> bool:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Commit.repo_dir).where(
                Commit.commit_hash == head, Commit.status == BuildStatus.SUCCESS
            )
        ).first()
    return row is not None and str(read_link(repos, "current")) == row[0]


def _wait(check: object, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("build not published in time")
        time.sleep(0.02)


def measure_push(world: DemoWorld, rounds: int) -> list[float]:
    """Seconds from the POST of each push to its published repo, ``build --serve`` running."""
    config = world.root / "served.toml"
    config.write_text(world.config_path.read_text() + f'\n[hooks.github]\nsecret = "{SECRET}"\n')
    settings = load_settings(config)
    engine = sa.create_engine(settings.database_url)
    proc = subprocess.Popen(
        [str(EXE), "--config", str(config), "build", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # the service's own first full cycle (nothing new) is over
        if " built: " in line:
            break
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    api = serve_api(settings)
    url = next(api)
    times = []
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            for n in range(rounds):
                head = _commit(world, 100 + n)
                headers, body = push(
                    "github", world.upstream(PROJECT).as_uri(), "refs/heads/master", SECRET
                )
                start = time.monotonic()
                resp = client.post("/api/hooks/github", content=body, headers=headers)
                resp.raise_for_status()
                _wait(lambda h=head: _published(engine, settings.builder.repos_path, h))
                times.append(time.monotonic() - start)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        for _ in api:
            pass
        engine.dispose()
    return times


def measure_cycle(world: DemoWorld, rounds: int) -> list[float]:
    """Seconds of one full cycle (every package polled, the changed one built)."""
    settings = load_settings(world.config_path)
    times = []
    for n in range(rounds):
        _commit(world, 200 + n)
        start = time.monotonic()
        BuildCycle(settings).run(CycleOptions())
        times.append(time.monotonic() - start)
    return times


def main(argv: list[str]) -> int:
    """Print the latency table; return 0."""
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
    workdir = Path(tempfile.mkdtemp(prefix="trunkline-bench-latency-"))
    try:
        world = generate_world(workdir / "demo")
        BuildCycle(load_settings(world.config_path)).run(CycleOptions())  # the cold build
        pushed = measure_push(world, rounds)
        cycle = statistics.median(measure_cycle(world, rounds))
        interval = ServeSettings().poll_interval
        hook = statistics.median(pushed)
        poll_mean, poll_worst = interval / 2 + cycle, interval + cycle
        print(f"demo world, {len(world.packages)} packages, {rounds} rounds, median seconds")
        print(f"{'commit to published repo':<34} {'trunkline s':>11} {'peer s':>8} {'ratio':>7}")
        print(
            f"{'push hook vs polling, mean':<34} {hook:>11.2f} {poll_mean:>8.2f} "
            f"{poll_mean / hook:>6.1f}x"
        )
        print(
            f"{'push hook vs polling, worst':<34} {max(pushed):>11.2f} {poll_worst:>8.2f} "
            f"{poll_worst / max(pushed):>6.1f}x"
        )
        print(
            f"(peer: polling every {interval:g} s, the default; one full cycle "
            f"after a commit: {cycle:.2f} s; pushes: {', '.join(f'{t:.2f}' for t in pushed)})"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
