"""Property-based fuzzing of every operation in /openapi.json: no input yields a 5xx.

Runs the schemathesis CLI (a dev dependency) against the live server, with the CI
user's credentials so writes are exercised past authentication.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api import world
from tests.api.conftest import LiveApi

pytestmark = pytest.mark.db

AUTH = "Basic " + base64.b64encode(f"{world.USER}:{world.PASSWORD}".encode()).decode()


def test_schemathesis_finds_no_server_error(live_sqlite: LiveApi) -> None:
    with live_sqlite.sessions() as s:
        b = world.add_build(s, live_sqlite.repos, "pkg-a", 1)
        world.add_vote(s, b, "job", True, 10)
        s.commit()
    st = Path(sys.executable).parent / "st"
    proc = subprocess.run(
        [
            str(st),
            "run",
            f"{live_sqlite.url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "-H",
            f"Authorization: {AUTH}",
            "--max-examples",
            "30",
            "--generation-deterministic",
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "operations" in proc.stdout and "passed" in proc.stdout
