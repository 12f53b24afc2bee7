"""``trunkline build --serve`` as a real process: push hooks from every forge trigger builds,
events go out on the bus, SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from tests.api.conftest import serve as serve_api
from tests.builder.cycle_world import CycleWorld, make_cycle_world
from tests.events.conftest import Validators, check_valid
from tests.events.forge_samples import push
from tests.events.rabbit import AMQP_URL, Consumer
from trunkline.config import load_settings
from trunkline.db.models import BuildStatus, Commit, HookRequest
from trunkline.publish.links import read_link

EXE = Path(sys.executable).parent / "trunkline"
Served = tuple[CycleWorld, Path, "subprocess.Popen[str]"]
FORGES = ("github", "gitlab", "gitea", "forgejo", "gerrit")


def write_config(world: CycleWorld, exchange: str) -> Path:
    hooks = "".join(f'[hooks.{f}]\nsecret = "{f}-secret"\n' for f in FORGES if f != "gerrit")
    path = world.root / "trunkline.toml"
    path.write_text(
        f'[builder]\nname = "served"\ndata_dir = "data"\ndist = ".el9s"\nworkers = 1\n'
        f'[packages]\nsource = "rdoinfo"\npath = "{world.metadata}"\ntag = "trunk"\n'
        f'[events]\namqp_url = "{AMQP_URL}"\nexchange = "{exchange}"\n'
        f"{hooks}"
        f'[hooks.gerrit]\nsecret = "gerrit-secret"\nurl = "{(world.root / "upstream").as_uri()}"\n'
        "[serve]\npoll_interval = 3600.0\nhook_interval = 0.1\n"
    )
    return path


@pytest.fixture
def served(
    tmp_path: Path, bus: Consumer
) -> Iterator[tuple[CycleWorld, Path, subprocess.Popen[str]]]:
    world = make_cycle_world(tmp_path / "world", ("alpha", "beta"))
    config = write_config(world, bus.exchange)
    proc = subprocess.Popen(
        [str(EXE), "--config", str(config), "build", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        yield world, config, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def wait_for(check: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_pushes_from_every_forge_build_in_the_running_service_and_sigterm_stops_it(
    served: Served, bus: Consumer, validators: Validators
) -> None:
    world, config, proc = served
    settings = load_settings(config)
    engine = create_engine(settings.database_url)
    sessions = sessionmaker(engine)

    def built(name: str, commit_hash: str | None = None) -> bool:
        with sessions() as s:
            q = select(func.count(Commit.id)).where(
                Commit.project_name == name, Commit.status == BuildStatus.SUCCESS
            )
            if commit_hash:
                q = q.where(Commit.commit_hash == commit_hash)
            try:
                return bool(s.scalar(q))
            except OperationalError:  # the builder is still creating its tables
                return False

    db_file = settings.builder.data_dir / "trunkline.sqlite"
    wait_for(lambda: db_file.exists() or proc.poll() is not None, "the builder's database")
    assert proc.poll() is None, proc.communicate()[1]
    wait_for(lambda: built("alpha") and built("beta"), "the first full cycle")
    repos = settings.builder.repos_path
    api = serve_api(settings)
    url = next(api)
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            for forge in FORGES:
                head = world.upstream_commit("alpha", f"Change pushed to {forge}")
                where = "alpha" if forge == "gerrit" else world.upstreams["alpha"].url
                headers, body = push(forge, where, "refs/heads/master", f"{forge}-secret")
                resp = client.post(f"/api/hooks/{forge}", content=body, headers=headers)
                assert resp.status_code == 200 and resp.json()["queued"] == ["alpha"], resp.text
                wait_for(lambda h=head: built("alpha", h), f"the build {forge}'s push asked for")
                # current moves right after the commit of the build (publish/record.py)
                wait_for(lambda h=head: h in str(read_link(repos, "current")), "current to move")
            # one more push, then SIGTERM while its cycle may be running
            world.upstream_commit("alpha", "Last change")
            alpha = world.upstreams["alpha"].url
            headers, body = push("github", alpha, "refs/heads/master", "github-secret")
            assert (
                client.post("/api/hooks/github", content=body, headers=headers).status_code == 200
            )

        def taken() -> bool:
            with sessions() as s:
                return not s.scalar(select(func.count(HookRequest.id)))

        wait_for(taken, "the builder to take the last push")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        for _ in api:
            pass
    assert proc.returncode == 0, err
    assert "SIGTERM: finishing running builds, then exiting" in err
    assert "stopped after 1 full and 6 hook cycles (0 failed)" in err
    assert not list(settings.builder.repos_path.rglob("*.tmp*"))  # nothing half-published
    with sessions() as s:
        newest = s.scalars(
            select(Commit).where(Commit.status == BuildStatus.SUCCESS).order_by(Commit.id.desc())
        ).first()
    assert newest is not None
    assert read_link(settings.builder.repos_path, "current") == PurePosixPath(newest.repo_dir)
    finished = [m for m in bus.drain(want=8) if m.topic == "build.finished"]
    for m in finished:
        check_valid(validators, m.topic, m.body)
    assert len({m.message_id for m in finished}) == len(finished) >= 7  # 2 + 5 (+ the last one)
    engine.dispose()
