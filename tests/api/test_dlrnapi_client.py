"""The real ``dlrnapi-client`` CLI (from PyPI) against a live server: every command.

The client is DLRN's own; if it works unchanged against trunkline on SQLite and
PostgreSQL, CI systems can switch without touching their jobs.
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
from trunkline.db.models import BuildStatus

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def builds(live: LiveApi) -> dict[str, world.Build]:
    """Three builds (two good, one failed) and three votes, oldest consistent."""
    with live.sessions() as s:
        b1 = world.add_build(s, live.repos, "pkg-a", 1)
        b2 = world.add_build(s, live.repos, "pkg-b", 2)
        b3 = world.add_build(s, live.repos, "pkg-c", 3, BuildStatus.FAILED)
        world.add_vote(s, b1, "consistent", True, 1000)
        world.add_vote(s, b1, "job-a", True, 2000)
        world.add_vote(s, b2, "job-b", False, 3000)
        s.commit()
    return {"b1": b1, "b2": b2, "b3": b3}


def dlrnapi_run(
    exe: Path, live: LiveApi, *args: str, auth: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the client CLI against the live server."""
    creds = ["--username", world.USER, "--password", world.PASSWORD] if auth else []
    return subprocess.run(
        [str(exe), "--url", live.url, *creds, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
        check=False,
    )


def ok(exe: Path, live: LiveApi, *args: str) -> Any:
    """Run the CLI, expect success, return its JSON output."""
    proc = dlrnapi_run(exe, live, *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_repo_get_returns_the_newest_real_ci_vote(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    out = ok(dlrnapi, live, "repo-get")
    assert (out["commit_hash"], out["job_id"], out["success"]) == (
        builds["b2"].commit_hash,
        "job-b",
        False,
    )


def test_repo_get_filters_by_job_and_success(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    assert (
        ok(dlrnapi, live, "repo-get", "--job-id", "job-a")["commit_hash"]
        == builds["b1"].commit_hash
    )
    out = ok(dlrnapi, live, "repo-get", "--success", "true")
    assert (out["job_id"], out["success"]) == ("job-a", True)


def test_repo_get_unknown_job_falls_back_to_real_votes_not_consistent(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    out = ok(dlrnapi, live, "repo-get", "--job-id", "no-such-job", "--success", "true")
    assert out["job_id"] == "job-a"  # DLRN's fallback would drop the filter


def test_repo_get_sequential_mode_does_not_fall_back(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    out = ok(dlrnapi, live, "repo-get", "--sequential-mode", "--previous-job-id", "job-a")
    assert out["commit_hash"] == builds["b1"].commit_hash
    proc = dlrnapi_run(dlrnapi, live, "repo-get", "--sequential-mode", "--previous-job-id", "nope")
    assert proc.returncode != 0
    assert "No vote found" in proc.stderr


def test_repo_use_records_an_in_progress_vote(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    out = ok(dlrnapi, live, "repo-use", "--reporting-job-id", "job-c", "--job-id", "job-a")
    assert (out["commit_hash"], out["job_id"], out["in_progress"]) == (
        builds["b1"].commit_hash,
        "job-c",
        True,
    )
    b1 = builds["b1"]
    votes = ok(
        dlrnapi,
        live,
        "repo-status",
        "--commit-hash",
        b1.commit_hash,
        "--distro-hash",
        b1.distro_hash,
    )
    assert any(v["job_id"] == "job-c" and v["in_progress"] for v in votes)


def test_report_result_then_repo_status_shows_it(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b2 = builds["b2"]
    out = ok(
        dlrnapi,
        live,
        "report-result",
        "--job-id",
        "job-d",
        "--commit-hash",
        b2.commit_hash,
        "--distro-hash",
        b2.distro_hash,
        "--info-url",
        "http://ci/d",
        "--timestamp",
        "4000",
        "--success",
        "true",
        "--notes",
        "fine",
    )
    assert (out["job_id"], out["success"], out["timestamp"]) == ("job-d", True, 4000)
    votes = ok(
        dlrnapi,
        live,
        "repo-status",
        "--commit-hash",
        b2.commit_hash,
        "--distro-hash",
        b2.distro_hash,
        "--success",
        "true",
    )
    assert [(v["job_id"], v["url"], v["notes"]) for v in votes] == [
        ("job-d", "http://ci/d", "fine")
    ]


def test_repo_promote_moves_the_link_and_is_listed(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b1 = builds["b1"]
    out = ok(
        dlrnapi,
        live,
        "repo-promote",
        "--commit-hash",
        b1.commit_hash,
        "--distro-hash",
        b1.distro_hash,
        "--promote-name",
        "tripleo-ci-testing",
    )
    assert out["promote_name"] == "tripleo-ci-testing"
    assert out["repo_hash"] == f"{b1.commit_hash}_{b1.distro_hash[:8]}"
    link = live.repos / "tripleo-ci-testing"
    assert link.is_symlink() and (link / "delorean.repo").is_file()
    assert link.resolve().name == out["repo_hash"]
    listed = ok(dlrnapi, live, "promotion-get", "--promote-name", "tripleo-ci-testing")
    assert [(p["commit_hash"], p["user"]) for p in listed] == [(b1.commit_hash, world.USER)]


def test_repo_promote_batch_promotes_every_pair(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b1, b2 = builds["b1"], builds["b2"]
    pairs = f"{b1.commit_hash}_{b1.distro_hash},{b2.commit_hash}_{b2.distro_hash}"
    out = ok(
        dlrnapi, live, "repo-promote-batch", "--hash-pairs", pairs, "--promote-name", "batch-link"
    )
    assert out["commit_hash"] == b2.commit_hash
    assert (live.repos / "batch-link").resolve().name.startswith(b2.commit_hash)
    listed = ok(dlrnapi, live, "promotion-get", "--promote-name", "batch-link")
    assert {p["commit_hash"] for p in listed} == {b1.commit_hash, b2.commit_hash}


def test_promotion_get_filters_by_hashes_offset_and_limit(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b1 = builds["b1"]
    for name in ("paged", "paged-2"):
        ok(
            dlrnapi,
            live,
            "repo-promote",
            "--commit-hash",
            b1.commit_hash,
            "--distro-hash",
            b1.distro_hash,
            "--promote-name",
            name,
        )
    mine = ok(
        dlrnapi,
        live,
        "promotion-get",
        "--commit-hash",
        b1.commit_hash,
        "--distro-hash",
        b1.distro_hash,
    )
    assert mine and all(p["commit_hash"] == b1.commit_hash for p in mine)
    first = ok(dlrnapi, live, "promotion-get", "--limit", "1")
    assert len(first) == 1
    second = ok(dlrnapi, live, "promotion-get", "--limit", "1", "--offset", "1")
    assert len(second) == 1 and second != first


def test_agg_status_of_an_unknown_aggregate_is_empty(dlrnapi: Path, live: LiveApi) -> None:
    assert ok(dlrnapi, live, "agg-status", "--agg-hash", "0123abcd") == []


def test_build_metrics_counts_successes_and_failures(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    out = ok(
        dlrnapi, live, "build-metrics", "--start-date", "2023-01-01", "--end-date", "2030-01-01"
    )
    assert out == {"succeeded": 2, "failed": 1, "total": 3}
    out = ok(
        dlrnapi,
        live,
        "build-metrics",
        "--start-date",
        "2023-01-01",
        "--end-date",
        "2030-01-01",
        "--package-name",
        "pkg-c",
    )
    assert out == {"succeeded": 0, "failed": 1, "total": 1}


def test_wrong_password_is_refused_and_nothing_is_recorded(
    dlrnapi: Path, live: LiveApi, builds: dict[str, world.Build]
) -> None:
    b2 = builds["b2"]
    proc = subprocess.run(
        [
            str(dlrnapi),
            "--url",
            live.url,
            "--username",
            world.USER,
            "--password",
            "wrong",
            "report-result",
            "--job-id",
            "intruder",
            "--commit-hash",
            b2.commit_hash,
            "--distro-hash",
            b2.distro_hash,
            "--info-url",
            "x",
            "--timestamp",
            "1",
            "--success",
            "true",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0 and "401" in proc.stderr
    votes = ok(
        dlrnapi,
        live,
        "repo-status",
        "--commit-hash",
        b2.commit_hash,
        "--distro-hash",
        b2.distro_hash,
    )
    assert all(v["job_id"] != "intruder" for v in votes)
