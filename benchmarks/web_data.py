"""The dashboard benchmark's site: three builders of ``builds`` synthetic builds each.

Each builder is a SQLite database (made through trunkline's migrations, so with
every index) with 700 packages, builds over the last ``builds / 2000`` days
(85 % SUCCESS, 10 % FAILED, 5 % RETRY), ~2 % of the packages in an open FTBFS
and closed FTBFS periods, 20,000 CI votes and 3,000 promotions; the second
builder's builds have components. The site is cached under
``benchmarks/.work/web/`` and remade when the size, the schema head or the ISO
week changes (build times are relative to the day it was made, so "today"
and the charts' windows hold data).
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work" / "web"
BUILDERS = ("centos9-master", "centos9-master-head", "centos9-epoxy")
PACKAGES = 700
COMPONENTS = ("baremetal", "cinder", "clients", "cloudops", "common", "compute", "glance",
              "manila", "network", "octavia", "security", "swift", "tempest", "ui")  # fmt: skip
DAY = 86_400


def _rows(builds: int, seed: int, components: bool, now: int) -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(seed)
    span = max(1, builds // 2000) * DAY
    step = span / builds
    start = now - span
    commits: list[dict[str, Any]] = []
    comp_of = {p: COMPONENTS[p % len(COMPONENTS)] for p in range(PACKAGES)}
    for i in range(1, builds + 1):
        r = rnd.random()
        status = "SUCCESS" if r < 0.85 else "FAILED" if r < 0.95 else "RETRY"
        p = rnd.randrange(PACKAGES)
        ch, dh = f"{rnd.getrandbits(160):040x}", f"{rnd.getrandbits(160):040x}"
        dt = int(start + i * step)
        commits.append(
            {
                "id": i, "dt_commit": dt - 300, "dt_distro": dt - 300, "dt_build": dt,
                "project_name": f"python-pkg{p:04d}",
                "repo_dir": f"{ch[:2]}/{ch[2:4]}/{ch}_{dh[:8]}",
                "commit_hash": ch, "distro_hash": dh, "status": status, "type": "rpm",
                "notes": "error: Bad exit status" if status == "FAILED" else "",
                "flags": 0, "distgit_dir": "", "commit_branch": "master",
                "component": comp_of[p] if components else None, "version": "1.2.3",
                "release": f"0.{dt}.{ch[:7]}.el9", "build_seconds": rnd.uniform(30, 600),
            }
        )  # fmt: skip
    good = [c for c in commits if c["status"] == "SUCCESS"]
    failed = [c for c in commits if c["status"] == "FAILED"]
    votes = [
        {
            "id": i, "commit_id": rnd.choice(good)["id"],
            "ci_name": rnd.choice(["consistent", "job-a", "job-b", "tripleo-ci", "tempest"]),
            "ci_url": "https://ci.example/job", "ci_vote": rnd.random() < 0.7,
            "ci_in_progress": False, "timestamp": start + int(i * span / 20_000), "notes": "",
        }
        for i in range(1, 20_001)
    ]  # fmt: skip
    promotions = [
        {
            "id": i, "commit_id": rnd.choice(good)["id"],
            "promotion_name": rnd.choice(["current-passed-ci", "tripleo-ci-testing", "promoted"]),
            "timestamp": start + int(i * span / 3_000), "automatic": True,
        }
        for i in range(1, 3_001)
    ]  # fmt: skip
    ftbfs = []
    for i, c in enumerate(rnd.sample(failed, min(len(failed), 3_000)), start=1):
        is_open = i <= PACKAGES // 50
        ftbfs.append(
            {
                "id": i, "project_name": c["project_name"], "component": c["component"],
                "opened_at": c["dt_build"],
                "closed_at": None if is_open else c["dt_build"] + rnd.randrange(3600, 5 * DAY),
                "first_failed_commit_id": c["id"], "last_failed_commit_id": c["id"],
                "attempts": rnd.randrange(1, 6), "culprit_state": "single",
                "culprit_commit_hash": c["commit_hash"],
            }
        )  # fmt: skip
    return {"commits": commits, "votes": votes, "promotions": promotions, "ftbfs": ftbfs}


def _load(db: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    from trunkline.db.engine import open_database, session_factory
    from trunkline.db.models import CIVote, Commit, Ftbfs, Promotion

    engine = open_database(f"sqlite:///{db}")
    with session_factory(engine)() as s:
        s.execute(insert(Commit), rows["commits"])
        s.execute(insert(CIVote), rows["votes"])
        s.execute(insert(Promotion), rows["promotions"])
        s.execute(insert(Ftbfs), rows["ftbfs"])
        s.commit()
    engine.dispose()


def ensure_site(builds: int) -> Path:
    """The site.toml of a cached three-builder site of ``builds`` builds each."""
    from trunkline.db.engine import SCHEMA_HEAD

    key = f"{builds}-{SCHEMA_HEAD}-{time.strftime('%G-W%V')}"
    base = WORK / str(builds)
    site = base / "site.toml"
    if site.exists() and (base / ".key").read_text() == key:
        return site
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    now = int(time.time())
    lines = []
    for n, name in enumerate(BUILDERS):
        bdir = base / name
        bdir.mkdir()
        print(f"web bench: generating {builds} builds for {name}", flush=True)
        _load(bdir / "trunkline.sqlite", _rows(builds, 42 + n, n == 1, now))
        (bdir / "trunkline.toml").write_text(
            f'[builder]\nname = "{name}"\nuse_components = {"true" if n == 1 else "false"}\n'
            f'[database]\nurl = "sqlite:///{bdir / "trunkline.sqlite"}"\n'
            '[promotion.rules]\n"current-passed-ci" = ["job-a", "tripleo-ci"]\n'
        )
        lines += ["[[builder]]", f'name = "{name}"', f'config = "{name}/trunkline.toml"', ""]
    site.write_text("\n".join(lines))
    (base / ".key").write_text(key)
    return site
