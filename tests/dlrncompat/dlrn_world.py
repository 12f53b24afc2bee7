"""Build a DLRN database with DLRN 0.26.1's own models (run by the peer venv's python).

Usage: ``python dlrn_world.py DB_URL`` prints one JSON object with what the test
asks about (hashes, users and their passwords). The rows cover what the API
answers from: builds of every status, with and without a component and an
extended hash, votes on builds and on aggregates (passed, failed, in progress,
with and without notes), promotions of builds and of aggregates, two projects
and two users whose passwords are hashed as ``dlrn-user`` hashes them.

It imports only DLRN and what DLRN depends on (the peer venv has nothing else).
"""

import json
import sys
from typing import Any

from dlrn.db import CIVote, CIVote_Aggregate, Commit, Project, Promotion, User, getSession
from passlib.hash import sha512_crypt

USERS = {"alice": "alice-old-password", "bob": "bob-old-password"}
T0 = 1700000000


def _hash(n: int, width: int = 40) -> str:
    return f"{n:02x}" * (width // 2)


def build_world(url: str) -> dict[str, Any]:
    session = getSession(url)
    for name, password in sorted(USERS.items()):
        session.add(User(username=name, password=sha512_crypt.hash(password)))
    session.add(Project(project_name="python-foo", last_email=T0 - 10))
    session.add(Project(project_name="python-bar", last_email=0))
    statuses = ["SUCCESS", "FAILED", "SUCCESS", "RETRY", "SUCCESS", "SUCCESS", "FAILED"]
    components = ["tripleo", "tripleo", "common", None, "common", "tripleo", None]
    commits = []
    for i, (status, component) in enumerate(zip(statuses, components, strict=True)):
        project = "python-foo" if i % 2 == 0 else "python-bar"
        commit = Commit(
            project_name=project,
            repo_dir=f"/data/{project}",
            distgit_dir=f"/data/{project}_distro",
            commit_hash=_hash(i + 1),
            distro_hash=_hash(i + 101),
            extended_hash=_hash(i + 201) if i == 4 else None,
            dt_commit=T0 + 100 * i,
            dt_distro=T0 + 100 * i + 1,
            dt_extended=T0 + 100 * i + 2 if i == 4 else 0,
            dt_build=T0 + 100 * i + 50,
            commit_branch="master",
            status=status,
            component=component,
            artifacts=f"repos/xx/{project}-1.0-{i}.el9.noarch.rpm",
            notes=f"built {i}" if status != "SUCCESS" else "OK",
            flags=0,
            type="rpm",
        )
        session.add(commit)
        commits.append(commit)
    session.commit()
    votes = [
        (0, "tempest", True, False, "all good", "alice"),
        (0, "packstack", False, False, None, "bob"),
        (2, "tempest", True, False, "", "alice"),
        (4, "tempest", False, True, "running", "bob"),
        (5, "puppet", True, False, "ok", "alice"),
    ]
    for idx, job, ok, running, notes, user in votes:
        commit = commits[idx]
        session.add(
            CIVote(
                commit_id=commit.id,
                ci_name=job,
                ci_url=f"https://ci.example/{job}/{idx}",
                ci_vote=ok,
                ci_in_progress=running,
                timestamp=T0 + 1000 + idx,
                notes=notes,
                user=user,
                component=commit.component,
            )
        )
    agg = "ab" * 16
    for n, (job, ok, user) in enumerate([("tripleo-ci", True, "alice"), ("rdo-ci", False, "bob")]):
        session.add(
            CIVote_Aggregate(
                ref_hash=agg,
                ci_name=job,
                ci_url=f"https://ci.example/agg/{n}",
                ci_vote=ok,
                ci_in_progress=False,
                timestamp=T0 + 2000 + n,
                notes=f"agg {n}",
                user=user,
            )
        )
    promotions = [
        (0, "current-tripleo", None, "alice"),
        (2, "consistent", agg, "bob"),
        (5, "current-tripleo", agg, "alice"),
    ]
    for n, (idx, name, agg_hash, user) in enumerate(promotions):
        commit = commits[idx]
        session.add(
            Promotion(
                commit_id=commit.id,
                promotion_name=name,
                timestamp=T0 + 3000 + n,
                user=user,
                component=commit.component,
                aggregate_hash=agg_hash,
            )
        )
    session.commit()
    out = {
        "users": USERS,
        "aggregate_hash": agg,
        "commits": [
            {
                "commit_hash": c.commit_hash,
                "distro_hash": c.distro_hash,
                "extended_hash": c.extended_hash,
                "status": c.status,
                "component": c.component,
                "repo_path": c.getshardedcommitdir(),
            }
            for c in commits
        ],
        "since": T0,
        "until": T0 + 100 * len(commits) + 100,
    }
    session.remove()
    return out


if __name__ == "__main__":
    print(json.dumps(build_world(sys.argv[1])))
