"""Report regeneration at scale, side by side with DLRN 0.26.1 (issue #5).

For 15,000 and 150,000 synthetic builds over 700 packages (bulk-inserted into
SQLite: 85 % SUCCESS, 10 % FAILED, 5 % RETRY), it times trunkline's full
regeneration, an incremental one after one more build, and a no-change one;
then DLRN's ``dlrn.reporting.genreports`` (report.html, status_report.html/csv,
queue.html) on the same rows in DLRN's own schema (created by DLRN, so without
the indexes trunkline adds). DLRN runs in its own venv, ``.peers/dlrn``, created
here on first use (``pip install dlrn==0.26.1 'SQLAlchemy<2'``). Targets: 0.05 s
at 15k and 0.5 s at 150k builds.

``python -m benchmarks reports`` (both sizes, with DLRN); ``main(["15000", "--no-dlrn"])``
runs one size without DLRN.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from trunkline.db.engine import open_database
from trunkline.db.models import Commit
from trunkline.errors import CommandError
from trunkline.process import run
from trunkline.publish.layout import build_relpath
from trunkline.reports.render import generate_reports

SIZES = (15_000, 150_000)
PACKAGES = 700
RUNS = 3
ROOT = Path(__file__).resolve().parent.parent
DLRN_VENV = ROOT / ".peers" / "dlrn"
DLRN_COLUMNS = (
    *("id", "type", "dt_commit", "dt_distro", "dt_extended", "dt_build", "project_name"),
    *("repo_dir", "distgit_dir", "commit_hash", "distro_hash", "extended_hash"),
    *("commit_branch", "status", "component", "artifacts", "notes", "flags", "versions_csv"),
)
INCREMENTS = 5

# Runs inside DLRN's venv: argv = db url, datadir, packages json, runs; prints seconds as JSON.
DLRN_SCRIPT = r"""
import configparser, json, sys, time
from dlrn.config import ConfigOptions
from dlrn.db import getSession
from dlrn.reporting import genreports
url, datadir, pkgfile, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
session = getSession(url)
if runs == 0:
    sys.exit(0)
cp = configparser.RawConfigParser()
cp.read_dict({"DEFAULT": {"datadir": datadir, "target": "centos9", "source": "master",
              "reponame": "delorean", "project_name": "RDO", "baseurl": "http://127.0.0.1/"}})
ConfigOptions(cp)
packages = json.load(open(pkgfile))
times = []
for _ in range(runs):
    pkgs = [dict(p) for p in packages]
    start = time.perf_counter()
    genreports(pkgs, False, session, [])
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def package_names(n: int = PACKAGES) -> list[str]:
    """The synthetic package names."""
    return [f"python-pkg{i:04d}" for i in range(n)]


def synthetic_rows(count: int, packages: list[str], seed: int = 42) -> Iterator[dict[str, object]]:
    """``count`` build rows (DLRN's columns + trunkline's), deterministic for ``seed``."""
    rng = random.Random(seed)
    base = 1_600_000_000
    for i in range(1, count + 1):
        name = packages[rng.randrange(len(packages))]
        chash = hashlib.sha1(f"up{i}".encode(), usedforsecurity=False).hexdigest()
        dhash = hashlib.sha1(f"dg{i}".encode(), usedforsecurity=False).hexdigest()
        roll = rng.random()
        status = "SUCCESS" if roll < 0.85 else "FAILED" if roll < 0.95 else "RETRY"
        dt = base + i * 600
        release = f"0.{dt}.{chash[:7]}.el9"
        rel = "" if status == "RETRY" else str(build_relpath(chash, dhash))
        arts = (
            f"repos/{rel}/{name}-1.2.0-{release}.src.rpm,repos/{rel}/{name}-1.2.0-{release}.noarch.rpm"
            if status == "SUCCESS"
            else None
        )
        yield {
            "id": i,
            "type": "rpm",
            "dt_commit": dt - 300,
            "dt_distro": dt - 400,
            "dt_extended": 0,
            "dt_build": dt,
            "project_name": name,
            "repo_dir": rel,
            "distgit_dir": "",
            "commit_hash": chash,
            "distro_hash": dhash,
            "extended_hash": None,
            "commit_branch": "master",
            "status": status,
            "component": None,
            "artifacts": arts,
            "notes": "" if status == "SUCCESS" else f"error: build of {name} failed <b>here</b>",
            "flags": 0,
            "versions_csv": None,
            "version": "1.2.0",
            "release": release,
            "retries": 0,
            "install_status": "UNCHECKED",
            "unmet_buildrequires": "",
            "build_seconds": 12.5,
        }


def fill_trunkline(url: str, rows: list[dict[str, object]]) -> None:
    """Create the schema (Alembic) and bulk-insert ``rows``."""
    engine = open_database(url)
    with engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(Commit), rows[start : start + 20_000])
    engine.dispose()


def time_trunkline(url: str, repos: Path, extra: list[dict[str, object]]) -> dict[str, float]:
    """Seconds of a full regeneration (median of RUNS, no saved state), of the incremental
    one after each single new build in ``extra`` (median and worst: the worst is the
    build that starts a new page block, when every page shifts), and of a no-change run.
    """
    engine = open_database(url, migrate_schema=False)

    def once(session: Session) -> float:
        return generate_reports(session, repos, project_name="RDO", baseurl="").seconds

    with Session(engine) as session:
        full = []
        for _ in range(RUNS):
            shutil.rmtree(repos, ignore_errors=True)
            full.append(once(session))
        incremental = []
        for row in extra:
            session.execute(insert(Commit), [row])
            session.commit()
            incremental.append(once(session))
        noop = [once(session) for _ in range(RUNS)]
    engine.dispose()
    return {
        "full": statistics.median(full),
        "incremental": statistics.median(incremental),
        "worst": max(incremental),
        "nochange": statistics.median(noop),
    }


def ensure_dlrn_venv() -> Path | None:
    """DLRN 0.26.1's python, installing it into ``.peers/dlrn`` on first use."""
    python = DLRN_VENV / "bin" / "python"
    marker = DLRN_VENV / ".bench-ready"
    if marker.exists():
        return python
    try:
        run([sys.executable, "-m", "venv", str(DLRN_VENV)], timeout=300)
        pins = ["dlrn==0.26.1", "SQLAlchemy<2", "setuptools"]
        run([str(python), "-m", "pip", "install", "-q", *pins], timeout=900)
    except CommandError as exc:
        print(f"bench_reports: cannot install DLRN into {DLRN_VENV}: {exc}")
        return None
    marker.touch()
    return python


def time_dlrn(python: Path, workdir: Path, rows: list[dict[str, object]]) -> float | None:
    """Median seconds of DLRN's genreports on ``rows`` (its own schema, filled by plain SQL)."""
    db = workdir / "dlrn.sqlite"
    url = f"sqlite:///{db}"
    pkgfile = workdir / "packages.json"
    pkgfile.write_text(
        json.dumps(
            [{"name": n, "upstream": f"https://github.com/openstack/{n}"} for n in package_names()]
        )
    )
    script = workdir / "dlrn_bench.py"
    script.write_text(DLRN_SCRIPT)
    env = {"PYTHONWARNINGS": "ignore"}
    datadir = workdir / "dlrn-data"
    run([str(python), str(script), url, str(datadir), str(pkgfile), "0"], env=env, timeout=300)
    with sqlite3.connect(db) as conn:
        marks = ",".join("?" * len(DLRN_COLUMNS))
        conn.executemany(
            f"INSERT INTO commits ({','.join(DLRN_COLUMNS)}) VALUES ({marks})",  # noqa: S608
            ([r[c] for c in DLRN_COLUMNS] for r in rows),
        )
    out = run(
        [str(python), str(script), url, str(datadir), str(pkgfile), str(RUNS)],
        env=env,
        timeout=1800,
    )
    return float(statistics.median(json.loads(out.stdout.strip().splitlines()[-1])))


def main(argv: list[str]) -> int:
    """Print the side-by-side table; return how many sizes miss the target.

    The target is judged on ``+1 build s``, the regeneration a build cycle pays
    after each build (median); ``full`` (no saved state) and ``(worst)`` (a new
    page block shifts every page) are shown beside it.
    """
    with_dlrn = "--no-dlrn" not in argv
    sizes = tuple(int(a) for a in argv if a.isdigit()) or SIZES
    python = ensure_dlrn_venv() if with_dlrn else None
    workdir = Path(tempfile.mkdtemp(prefix="trunkline-bench-reports-"))
    print(
        f"{'builds':>8} {'pkgs':>5} {'full s':>7} {'+1 build s':>10} {'(worst)':>8} "
        f"{'no-op s':>8} {'DLRN s':>7} {'DLRN/full':>9} {'DLRN/+1':>8} {'target s':>8}  verdict"
    )
    missed = 0
    try:
        for n in sizes:
            names = package_names()
            rows = list(synthetic_rows(n + INCREMENTS, names))
            extra = rows[n:]
            del rows[n:]
            url = f"sqlite:///{workdir / f'tl-{n}.sqlite'}"
            fill_trunkline(url, rows)
            t = time_trunkline(url, workdir / f"repos-{n}", extra)
            dlrn = time_dlrn(python, workdir, rows) if python is not None else None
            target = 0.05 if n <= 15_000 else 0.5
            met = t["incremental"] <= target
            missed += not met
            ratio = f"{dlrn / t['full']:>8.1f}x" if dlrn else f"{'-':>9}"
            ratio_inc = f"{dlrn / t['incremental']:>7.0f}x" if dlrn else f"{'-':>8}"
            dlrn_s = f"{dlrn:>7.3f}" if dlrn else f"{'-':>7}"
            print(
                f"{n:>8} {len(names):>5} {t['full']:>7.3f} {t['incremental']:>10.3f} "
                f"{t['worst']:>8.3f} {t['nochange']:>8.3f} {dlrn_s} {ratio} {ratio_inc} "
                f"{target:>8.2f}  {'ok' if met else 'MISSED'}",
                flush=True,
            )
            (workdir / "dlrn.sqlite").unlink(missing_ok=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return missed
