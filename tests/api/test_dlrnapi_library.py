"""The real ``dlrnapi_client`` Python library (PyPI) against a live server.

CI tooling (RDO's promoter, job scripts) imports ``dlrnapi_client`` and calls
``DefaultApi`` with its generated models (``Params``, ``Params2``, ``Params3``,
``Promotion``, ``PromotionQuery`` ...), which deserialize our JSON into their own
classes: if they round-trip here, on SQLite and PostgreSQL, that tooling works
unchanged. The library runs in its own virtualenv (it pins old dependencies)
through ``dlrnapi_lib_driver.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.api import world
from tests.api.conftest import LiveApi

pytestmark = pytest.mark.db

DRIVER = Path(__file__).with_name("dlrnapi_lib_driver.py")


@pytest.fixture(scope="module")
def builds(live: LiveApi) -> dict[str, world.Build]:
    """Two good builds; the older has a consistent vote and a job-a success."""
    with live.sessions() as s:
        b1 = world.add_build(s, live.repos, "pkg-a", 1)
        b2 = world.add_build(s, live.repos, "pkg-b", 2)
        world.add_vote(s, b1, "consistent", True, 1000)
        world.add_vote(s, b1, "job-a", True, 2000)
        s.commit()
    return {"b1": b1, "b2": b2}


def call(
    dlrnapi: Path,
    live: LiveApi,
    method: str,
    model: str,
    password: str = world.PASSWORD,
    **args: Any,
) -> dict[str, Any]:
    """One library call through the driver; its ``{"ok": ...}`` or ``{"status": ...}``."""
    return calls(dlrnapi, live, [(method, model, args)], password)[0]


def calls(
    dlrnapi: Path,
    live: LiveApi,
    plan: list[tuple[str, str, Any]],
    password: str = world.PASSWORD,
) -> list[dict[str, Any]]:
    """Several library calls in one client process."""
    specs = [
        {
            "call": m,
            "model": model,
            "args": a,
            "batch": isinstance(a, list),
            "password": password,
        }
        for m, model, a in plan
    ]
    proc = subprocess.run(
        [str(dlrnapi.parent / "python"), str(DRIVER), live.url, world.USER],
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def test_last_tested_repo_get_deserializes_into_a_repo(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    got = call(dlrnapi, live, "api_last_tested_repo_get", "Params", max_age=0, job_id="job-a")
    repo = got["ok"]
    assert (repo["commit_hash"], repo["distro_hash"]) == (
        builds["b1"].commit_hash,
        builds["b1"].distro_hash,
    )
    assert (repo["job_id"], repo["success"], repo["in_progress"], repo["timestamp"]) == (
        "job-a",
        True,
        False,
        2000,
    )


def test_last_tested_repo_get_without_a_match_is_a_400(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    got = call(
        dlrnapi,
        live,
        "api_last_tested_repo_get",
        "Params",
        max_age=0,
        sequential_mode=True,
        previous_job_id="never-ran",
    )
    assert got["status"] == 400
    assert json.loads(got["body"]) == {"message": "No vote found"}


def test_report_result_then_repo_status_returns_the_vote(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b2 = builds["b2"]
    hashes = {"commit_hash": b2.commit_hash, "distro_hash": b2.distro_hash}
    reported, status = calls(
        dlrnapi,
        live,
        [
            (
                "api_report_result_post",
                "Params3",
                {
                    **hashes,
                    "job_id": "lib-job",
                    "url": "http://ci/lib",
                    "timestamp": 5000,
                    "success": True,
                    "notes": "from the library",
                },
            ),
            ("api_repo_status_get", "Params2", hashes),
        ],
    )
    vote = reported["ok"]
    assert (vote["job_id"], vote["success"], vote["timestamp"], vote["url"]) == (
        "lib-job",
        True,
        5000,
        "http://ci/lib",
    )
    assert vote["commit_hash"] == b2.commit_hash
    assert [(v["job_id"], v["notes"], v["in_progress"]) for v in status["ok"]] == [
        ("lib-job", "from the library", False)
    ]


def test_report_result_on_unknown_hashes_is_a_400(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    got = call(
        dlrnapi,
        live,
        "api_report_result_post",
        "Params3",
        job_id="j",
        commit_hash="f" * 40,
        distro_hash="e" * 40,
        url="u",
        timestamp=1,
        success=False,
    )
    assert got["status"] == 400
    assert json.loads(got["body"]) == {
        "message": "commit_hash+distro_hash+extended_hash combination not found"
    }


def test_promote_then_promotions_get_lists_it(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b1 = builds["b1"]
    promoted, listed = calls(
        dlrnapi,
        live,
        [
            (
                "api_promote_post",
                "Promotion",
                {
                    "commit_hash": b1.commit_hash,
                    "distro_hash": b1.distro_hash,
                    "promote_name": "lib-promoted",
                },
            ),
            ("api_promotions_get", "PromotionQuery", {"promote_name": "lib-promoted"}),
        ],
    )
    p = promoted["ok"]
    repo_hash = f"{b1.commit_hash}_{b1.distro_hash[:8]}"
    assert (p["promote_name"], p["repo_hash"], p["user"]) == ("lib-promoted", repo_hash, world.USER)
    assert (live.repos / "lib-promoted").resolve().name == repo_hash
    assert [(x["commit_hash"], x["promote_name"], x["repo_hash"]) for x in listed["ok"]] == [
        (b1.commit_hash, "lib-promoted", repo_hash)
    ]


def test_promote_batch_with_the_library_moves_every_link(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b1, b2 = builds["b1"], builds["b2"]
    pairs = [
        {"commit_hash": b.commit_hash, "distro_hash": b.distro_hash, "promote_name": "lib-batch"}
        for b in (b1, b2)
    ]
    got = calls(dlrnapi, live, [("api_promote_batch_post", "Promotion", pairs)])[0]
    assert got["ok"]["commit_hash"] == b2.commit_hash
    assert (live.repos / "lib-batch").resolve().name.startswith(b2.commit_hash)


def test_promote_with_a_wrong_password_is_a_401_and_moves_nothing(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b2 = builds["b2"]
    got = call(
        dlrnapi,
        live,
        "api_promote_post",
        "Promotion",
        password="not-the-password",
        commit_hash=b2.commit_hash,
        distro_hash=b2.distro_hash,
        promote_name="lib-intruder",
    )
    assert got["status"] == 401
    assert not (live.repos / "lib-intruder").exists()


def test_build_metrics_through_the_library(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    got = call(
        dlrnapi,
        live,
        "api_build_metrics_get",
        "MetricsRequest",
        start_date="2023-01-01",
        end_date="2030-01-01",
    )
    assert got["ok"] == {"succeeded": 2, "failed": 0, "total": 2}
