"""DLRN's own API on its database vs trunkline's API on the import: same answers.

DLRN 0.26.1 (from PyPI) writes a database with its own models, on SQLite,
PostgreSQL and MariaDB; ``trunkline dlrn import-db`` carries it into a fresh trunkline
database; then DLRN's Flask API (on the original) and trunkline's API (on the
import) run side by side and the real ``dlrnapi`` client asks both the same
questions. Both users log in with the passwords they had in DLRN.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import serve
from tests.dlrncompat.conftest import (
    build_dlrn_world,
    dlrn_db_url,
    import_db,
    serve_dlrn_api,
    trunkline_config,
)
from trunkline.config import load_settings

pytestmark = pytest.mark.db


@dataclass
class Pair:
    """DLRN's API and trunkline's, on the same data, and what DLRN's world holds."""

    dlrn: str
    trunkline: str
    world: dict[str, Any]
    import_output: str
    backend: str
    dlrn_log: Path
    dlrn_sqlite: str


@pytest.fixture(scope="module", params=("sqlite", "postgresql", "mariadb"))
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, dlrn_python: Path
) -> Iterator[Pair]:
    """Both servers on one DLRN world (per back end)."""
    backend: str = request.param
    tmp = tmp_path_factory.mktemp(f"pair-{backend}")
    source = dlrn_db_url(backend, tmp, "dlrnsrc")
    world = build_dlrn_world(dlrn_python, source)
    target = dlrn_db_url(backend, tmp, "dlrndst") if backend != "sqlite" else None
    config = trunkline_config(tmp, target or f"sqlite:///{tmp / 'trunkline.sqlite'}")
    done = import_db(config, source)
    assert done.returncode == 0, done.stderr
    gens = [serve_dlrn_api(dlrn_python, tmp, source), serve(load_settings(config))]
    if backend != "sqlite":
        ref = tmp_path_factory.mktemp("dlrn-sqlite")
        build_dlrn_world(dlrn_python, dlrn_db_url("sqlite", ref, "dlrnsrc"))
        gens.append(serve_dlrn_api(dlrn_python, ref, dlrn_db_url("sqlite", ref, "dlrnsrc")))
    try:
        urls = [next(gen) for gen in gens]
        yield Pair(
            urls[0], urls[1], world, done.stdout, backend, tmp / "dlrn-api.log", urls[2 % len(urls)]
        )
    finally:
        for gen in reversed(gens):
            for _ in gen:
                pass


def ask(exe: Path, url: str, *args: str) -> Any:
    """Run the real client against ``url``; its JSON output (or the error it printed)."""
    proc = subprocess.run(
        [str(exe), "--url", url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
        check=False,
    )
    if proc.returncode != 0:
        return {"exit": proc.returncode}
    return json.loads(proc.stdout)


def normalized(answer: Any) -> Any:
    """What must differ, made equal; everything else is compared as is.

    * ``repo_url``: DLRN joins ``baseurl`` and the repo path with a "/" even when
      the baseurl ends with one (``.../centos9//component/...``); trunkline does not.
    * a vote's ``notes``: DLRN's column may hold NULL (its API itself always writes
      a string), trunkline's is NOT NULL, so the import stores "" and says so.
    """
    if isinstance(answer, list):
        return [normalized(a) for a in answer]
    if isinstance(answer, dict):
        out = dict(answer)
        if isinstance(out.get("repo_url"), str):
            scheme, _, rest = out["repo_url"].partition("://")
            out["repo_url"] = f"{scheme}://{rest.replace('//', '/')}"
        if "notes" in out and out["notes"] is None:
            out["notes"] = ""
        return out
    return answer


def questions(world: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every read question the client can ask of this world."""
    agg = world["aggregate_hash"]
    qs: list[tuple[str, ...]] = [
        ("repo-get",),
        ("repo-get", "--job-id", "tempest"),
        ("repo-get", "--job-id", "tempest", "--success", "true"),
        ("repo-get", "--job-id", "packstack", "--success", "false"),
        ("repo-get", "--sequential-mode", "--previous-job-id", "tempest"),
        ("agg-status", "--agg-hash", agg),
        ("agg-status", "--agg-hash", agg, "--success", "true"),
        ("agg-status", "--agg-hash", "0" * 32),
        ("promotion-get",),
        ("promotion-get", "--promote-name", "current-tripleo"),
        ("promotion-get", "--component", "tripleo"),
        ("promotion-get", "--aggregate-hash", agg),
        ("promotion-get", "--limit", "1", "--offset", "1"),
        ("build-metrics", "--start-date", "2023-01-01", "--end-date", "2024-01-01"),
        (
            "build-metrics",
            "--start-date",
            "2023-01-01",
            "--end-date",
            "2024-01-01",
            "--package-name",
            "python-foo",
        ),
    ]
    for commit in world["commits"]:
        q = ["repo-status", "--commit-hash", commit["commit_hash"]]
        q += ["--distro-hash", commit["distro_hash"]]
        if commit["extended_hash"]:
            q += ["--extended-hash", commit["extended_hash"]]
        qs.append(tuple(q))
        qs.append((*q, "--success", "true"))
    return qs


def test_import_prints_what_it_carried(pair: Pair) -> None:
    out = pair.import_output
    assert "commits: 7 new, 0 already there" in out
    assert "civotes: 5 new" in out and "civotes_agg: 2 new" in out
    assert "promotions: 3 new" in out and "users: 2 new" in out and "projects: 2 new" in out
    assert "filled in: civotes.notes: NULL stored as ''" in out
    assert "commits.repo_dir: DLRN's source checkout path not kept" in out


def test_dlrnapi_client_gets_the_same_answers(dlrnapi: Path, pair: Pair) -> None:
    """Every question, same answer; except where DLRN itself fails on PostgreSQL.

    DLRN 0.26.1 filters votes with ``CIVote.ci_vote == int(success)``, which
    PostgreSQL refuses (``operator does not exist: boolean = integer``): every
    ``--success`` question is an HTTP 500 there. Those are asked of DLRN's API on
    the same world built on SQLite (``pair.dlrn_sqlite``) instead.
    """
    differ, dlrn_failed = [], []
    for q in questions(pair.world):
        theirs = normalized(ask(dlrnapi, pair.dlrn, *q))
        if pair.backend == "postgresql" and theirs == {"exit": 1} and "--success" in q:
            dlrn_failed.append(q)
            theirs = normalized(ask(dlrnapi, pair.dlrn_sqlite, *q))
        ours = normalized(ask(dlrnapi, pair.trunkline, *q))
        if theirs != ours:
            differ.append(f"{' '.join(q)}:\n  DLRN      {theirs}\n  trunkline {ours}")
    assert not differ, "\n".join(differ)
    if dlrn_failed:
        assert "operator does not exist: boolean = integer" in pair.dlrn_log.read_text()


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_dlrn_users_log_in_with_their_old_password(pair: Pair, user: str) -> None:
    password = pair.world["users"][user]
    for base in (pair.dlrn, pair.trunkline):
        good = httpx.post(f"{base}/api/health", auth=(user, password), timeout=30)
        bad = httpx.post(f"{base}/api/health", auth=(user, password + "x"), timeout=30)
        assert (good.status_code, bad.status_code) == (200, 401), base
