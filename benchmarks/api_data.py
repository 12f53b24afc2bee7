"""The API benchmark's world: the same synthetic rows, loaded into trunkline and DLRN.

``synth(scale)`` makes ~15,000 builds over 500 packages, ~20,000 CI votes and
~3,000 promotions times ``scale`` (seeded, so every run compares the same data);
``load_trunkline`` bulk-inserts them through trunkline's models, ``load_dlrn``
through DLRN 0.26.1's own SQLAlchemy models (bulk: its ``loadYAML`` commits row
by row) in DLRN's virtualenv under ``.peers/dlrn``, created on first use.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
DLRN_VENV = ROOT / ".peers" / "dlrn"
USER, PASSWORD = "admin", "password"
BASE_TS = 1_700_000_000


@dataclass(frozen=True)
class Data:
    """Synthetic rows, as plain dicts shared by both loaders."""

    commits: list[dict[str, Any]]
    votes: list[dict[str, Any]]
    promotions: list[dict[str, Any]]


def synth(scale: int, seed: int = 42) -> Data:
    """15k builds/500 packages/20k votes/3k promotions, times ``scale``."""
    rnd = random.Random(seed)
    n_commits, n_pkgs = 15_000 * scale, 500 * scale
    commits = []
    for i in range(1, n_commits + 1):
        r = rnd.random()
        status = "SUCCESS" if r < 0.85 else "FAILED" if r < 0.95 else "RETRY"
        ch = f"{rnd.getrandbits(160):040x}"
        dh = f"{rnd.getrandbits(160):040x}"
        commits.append(
            {
                "id": i,
                "dt_commit": BASE_TS + i * 60,
                "dt_distro": BASE_TS + i * 60,
                "dt_build": BASE_TS + i * 60 + 30,
                "project_name": f"python-pkg{rnd.randrange(n_pkgs):04d}",
                "repo_dir": f"{ch[:2]}/{ch[2:4]}/{ch}_{dh[:8]}",
                "commit_hash": ch,
                "distro_hash": dh,
                "status": status,
                "type": "rpm",
                "notes": "",
                "flags": 0,
                "distgit_dir": "",
                "commit_branch": "master",
            }
        )
    good = [c["id"] for c in commits if c["status"] == "SUCCESS"]
    votes = []
    for i in range(1, 20_000 * scale + 1):
        votes.append(
            {
                "id": i,
                "commit_id": rnd.choice(good),
                "ci_name": rnd.choice(["consistent", "job-a", "job-b", "job-c", "tripleo-ci"]),
                "ci_url": "http://ci.example/job",
                "ci_vote": rnd.random() < 0.7,
                "ci_in_progress": False,
                "timestamp": BASE_TS + i * 50,
                "notes": "",
                "user": USER,
            }
        )
    promotions = []
    for i in range(1, 3_000 * scale + 1):
        promotions.append(
            {
                "id": i,
                "commit_id": rnd.choice(good),
                "promotion_name": rnd.choice(
                    ["current-passed-ci", "tripleo-ci-testing", "promoted"]
                ),
                "timestamp": BASE_TS + i * 300,
                "user": USER,
            }
        )
    return Data(commits, votes, promotions)


def load_trunkline(data: Data, workdir: Path) -> Path:
    """Write a trunkline config + DB under ``workdir``; return the config path."""
    from trunkline.api.auth import hash_password
    from trunkline.db.engine import open_database, session_factory
    from trunkline.db.models import CIVote, Commit, Promotion, User

    db = workdir / "trunkline.sqlite"
    cfg = workdir / "trunkline.toml"
    cfg.write_text(
        f'[builder]\ndata_dir = "{workdir / "data"}"\nbaseurl = "http://localhost/repos"\n'
        f'[database]\nurl = "sqlite:///{db}"\n'
    )
    engine = open_database(f"sqlite:///{db}")
    with session_factory(engine)() as s:
        s.add(User(username=USER, password=hash_password(PASSWORD)))
        s.flush()
        s.execute(insert(Commit), data.commits)
        s.execute(insert(CIVote), data.votes)
        s.execute(insert(Promotion), [{**p, "automatic": False} for p in data.promotions])
        s.commit()
    engine.dispose()
    return cfg


DLRN_LOADER = """
import json, sys
from passlib.hash import sha512_crypt
from dlrn.db import getSession, Commit, CIVote, Promotion, User
data = json.load(open(sys.argv[2]))
s = getSession(sys.argv[1])
s.add(User(username=data['user'], password=sha512_crypt.hash(data['password'])))
s.commit()
s.bulk_insert_mappings(Commit, data['commits'])
s.bulk_insert_mappings(CIVote, data['votes'])
s.bulk_insert_mappings(Promotion, data['promotions'])
s.commit()
"""


def ensure_dlrn() -> Path:
    """DLRN 0.26.1's venv (created on first use); return its python."""
    py = DLRN_VENV / "bin" / "python"
    if not (DLRN_VENV / "bin" / "dlrn").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(DLRN_VENV)], check=True)
        pip = [str(DLRN_VENV / "bin" / "pip"), "install", "-q"]
        subprocess.run([*pip, "dlrn==0.26.1", "SQLAlchemy<2", "setuptools"], check=True)
    return py


def load_dlrn(data: Data, workdir: Path) -> Path:
    """Write DLRN's DB + configs under ``workdir``; return the API config path."""
    py = ensure_dlrn()
    db = workdir / "dlrn.sqlite"
    payload = workdir / "dlrn-data.json"
    payload.write_text(
        json.dumps(
            {
                "user": USER,
                "password": PASSWORD,
                "commits": [
                    {k: v for k, v in c.items() if k != "id"} | {"id": c["id"]}
                    for c in data.commits
                ],
                "votes": data.votes,
                "promotions": data.promotions,
            }
        )
    )
    subprocess.run([str(py), "-c", DLRN_LOADER, f"sqlite:///{db}", str(payload)], check=True)
    payload.unlink()
    repos = workdir / "dlrn-data" / "repos"
    repos.mkdir(parents=True)
    ini = workdir / "projects.ini"
    ini.write_text(
        "[DEFAULT]\n"
        f"datadir={workdir / 'dlrn-data'}\nscriptsdir={workdir}\nbaseurl=http://localhost/repos\n"
        "distro=rpm-master\nsource=master\ntarget=centos9\nreponame=delorean\n"
        f"project_name=RDO\ndatabase_connection=sqlite:///{db}\npkginfo_driver="
        "dlrn.drivers.rdoinfo.RdoInfoDriver\nbuild_driver=dlrn.drivers.mockdriver.MockBuildDriver\n"
        "templatedir=\n"
    )
    api_cfg = workdir / "dlrn_api.cfg"
    api_cfg.write_text(
        f"DB_PATH = 'sqlite:///{db}'\nREPO_PATH = '{repos}'\nCONFIG_FILE = '{ini}'\n"
    )
    return api_cfg
