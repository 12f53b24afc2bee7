"""DLRN 0.26.1 beside trunkline: its venv, its projects.ini, its runs, its seeded state.

DLRN runs from its own venv (``.peers/dlrn``, shared with ``bench_reports``):
it is created here on first use under a lock file, so two benchmarks starting
at once do not install into the same directory together, and reused when the
``.bench-ready`` marker says a previous install finished. Each DLRN cycle runs
``benchmarks/dlrn_shim/run_dlrn.py`` in a child process with the shim drivers
on ``PYTHONPATH`` and returns that script's JSON measures.

To compare the steps at 700 packages without building 500 packages twice,
DLRN's state is *seeded* from trunkline's: one SUCCESS row per package in
DLRN's own table (same commit and distgit hashes, so DLRN's dedupe finds
nothing new) and the RPM files hard-linked into DLRN's sharded dirs (so
DLRN's post-build symlinks and createrepo_c see 700 real packages); their
upstreams and distgits are cloned where DLRN's rdoinfo driver clones them
(``git clone URL <datadir>/<name>`` and ``<name>_distro``), as its own first
run would, but without its ~0.1 s per ``sh`` call.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from trunkline.db.models import BuildStatus, Commit
from trunkline.errors import CommandError
from trunkline.process import run

ROOT = Path(__file__).resolve().parent.parent.parent
DLRN_VENV = ROOT / ".peers" / "dlrn"
SHIM = ROOT / "benchmarks" / "dlrn_shim"
READY = ".bench-ready"
PINS = ("dlrn==0.26.1", "SQLAlchemy<2", "setuptools")


def ensure_dlrn_venv() -> Path | None:
    """DLRN's python (installing DLRN into ``.peers/dlrn`` first if needed); None if it fails."""
    python = DLRN_VENV / "bin" / "python"
    if (DLRN_VENV / READY).exists():
        return python
    DLRN_VENV.parent.mkdir(parents=True, exist_ok=True)
    with (DLRN_VENV.parent / "dlrn.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (DLRN_VENV / READY).exists():  # another benchmark installed it meanwhile
            return python
        try:
            run([sys.executable, "-m", "venv", "--clear", str(DLRN_VENV)], timeout=300)
            run([str(python), "-m", "pip", "install", "-q", *PINS], timeout=900)
        except CommandError as exc:
            print(f"bench_scale: cannot install DLRN into {DLRN_VENV}: {exc}")
            return None
        (DLRN_VENV / READY).touch()
    return python


def write_ini(datadir: Path, packages_json: Path, workers: int) -> Path:
    """DLRN's projects.ini for one data dir (from ``dlrn_shim/projects.ini``)."""
    datadir.mkdir(parents=True, exist_ok=True)
    text = (SHIM / "projects.ini").read_text()
    for key, value in {
        "@DATADIR@": str(datadir),
        "@SHIMDIR@": str(SHIM),
        "@WORKERS@": str(workers),
        "@PACKAGES@": str(packages_json),
    }.items():
        text = text.replace(key, value)
    ini = datadir / "projects.ini"
    ini.write_text(text)
    return ini


def run_dlrn(python: Path, ini: Path, *options: str) -> dict[str, Any]:
    """One ``dlrn`` cycle with ``ini``; its JSON measures (see ``run_dlrn.py``)."""
    # ROOT too: run_dlrn.py measures memory with benchmarks/scale/procpeak.py (stdlib only)
    env = {"PYTHONPATH": f"{SHIM}{os.pathsep}{ROOT}", "PYTHONWARNINGS": "ignore"}
    out = run(
        [str(python), str(SHIM / "run_dlrn.py"), str(ini), *options],
        cwd=ini.parent,
        env=env,
        timeout=3600,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _clone(url: str, dest: Path) -> None:
    if not dest.exists():
        run(["git", "clone", "-q", url, str(dest)], timeout=600)


def seed_from_trunkline(
    tl_database_url: str,
    tl_repos: Path,
    datadir: Path,
    skip: set[str],
    urls: dict[str, tuple[str, str]],
) -> int:
    """Copy trunkline's last good build of every package not in ``skip`` into DLRN's state.

    Args:
        tl_database_url: trunkline's DB.
        tl_repos: trunkline's repo tree.
        datadir: DLRN's data dir (its DB exists: DLRN ran once).
        skip: packages DLRN built itself.
        urls: package name -> (upstream, distgit) to clone.

    Returns:
        How many packages were seeded.
    """
    engine = create_engine(tl_database_url)
    with Session(engine) as session:
        rows = session.scalars(
            select(Commit).where(Commit.status == BuildStatus.SUCCESS).order_by(Commit.id)
        ).all()
        newest = {r.project_name: r for r in rows if r.project_name not in skip}
        records = []
        for name, row in sorted(newest.items()):
            artifacts = []
            for rel in row.artifact_list:
                src, dest = tl_repos / rel, datadir / "repos" / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                if not dest.exists():
                    os.link(src, dest)
                artifacts.append(f"repos/{rel}")
            records.append(
                (
                    "rpm",
                    row.dt_commit,
                    row.dt_distro,
                    0,
                    row.dt_build,
                    name,
                    str(datadir / name),
                    str(datadir / f"{name}_distro/"),
                    row.commit_hash,
                    row.distro_hash,
                    row.commit_branch,
                    "SUCCESS",
                    ",".join(artifacts),
                    "OK",
                    0,
                )
            )
    engine.dispose()
    clones = []
    for name in newest:
        upstream, distgit = urls[name]
        clones += [(upstream, datadir / name), (distgit, datadir / f"{name}_distro")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda job: _clone(*job), clones))
    with sqlite3.connect(datadir / "commits.sqlite") as conn:
        conn.executemany(
            "INSERT INTO commits (type, dt_commit, dt_distro, dt_extended, dt_build, project_name,"
            " repo_dir, distgit_dir, commit_hash, distro_hash, commit_branch, status, artifacts,"
            " notes, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            records,
        )
    return len(records)
