"""Fixtures of the stable-build tests: the world, the installed script, CI votes through the API."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api import world as api_world
from tests.api.conftest import serve
from tests.buildsys.world import StableWorld, make_world
from trunkline.config import load_settings
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import User

EXE = Path(sys.executable).parent / "trunkline"


@dataclass(frozen=True)
class Ran:
    """How the installed script ended."""

    code: int
    out: str
    err: str


def trunkline(config: Path, *args: str) -> Ran:
    """Run the installed ``trunkline`` script (the door users use) with ``config``."""
    got = subprocess.run(
        [str(EXE), "-c", str(config), *args], capture_output=True, text=True, timeout=300
    )
    return Ran(got.returncode, got.stdout, got.stderr)


@pytest.fixture(scope="module")
def stable_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StableWorld]:
    """One world per module (git repos, a GPG key)."""
    made = make_world(tmp_path_factory.mktemp("stable"))
    try:
        yield made
    finally:
        made.close()


@contextmanager
def ci_api(config: Path) -> Iterator[Callable[..., None]]:
    """Serve the builder's real API on loopback; yield ``vote(job, repo_hash, success=True)``,
    which reports a CI result on a phase repo (``aggregate_hash``) as CI does."""
    settings = load_settings(config)
    with session_factory(open_database(settings.database_url))() as session:
        if session.get(User, api_world.USER) is None:
            api_world.add_users(session)
            session.commit()
    gen = serve(settings)
    url = next(gen)

    def vote(job: str, repo_hash: str, *, success: bool = True) -> None:
        with httpx.Client(base_url=url, auth=(api_world.USER, api_world.PASSWORD)) as client:
            got = client.post(
                "/api/report_result",
                json={
                    "job_id": job,
                    "url": f"https://ci.example.org/{job}",
                    "timestamp": int(time.time()),
                    "success": success,
                    "aggregate_hash": repo_hash,
                },
            )
        assert got.status_code == 201, got.text

    try:
        yield vote
    finally:
        next(gen, None)
