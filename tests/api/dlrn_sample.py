"""DLRN's test samples (tests/api/dlrn_samples/*.yaml) loaded into a live server's database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete

from tests.api.conftest import LiveApi
from trunkline.db.models import BuildStatus, CIVote, CIVoteAggregate, Commit, Promotion, User
from trunkline.publish import layout

SAMPLES = Path(__file__).parent / "dlrn_samples"
INT_COLUMNS = ("id", "dt_commit", "dt_distro", "dt_build", "flags", "commit_id", "timestamp")


def _row(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: int(v) if k in INT_COLUMNS else v for k, v in raw.items()}


def load_sample(live: LiveApi, name: str) -> None:
    """Replace the builds, votes and promotions by those of a DLRN sample."""
    data = yaml.safe_load((SAMPLES / f"{name}.yaml").read_text())
    with live.sessions() as s:
        for model in (Promotion, CIVoteAggregate, CIVote, Commit):
            s.execute(delete(model))
        for raw in data.get("commits", []):
            row = _row(raw)
            rel = layout.build_relpath(
                row["commit_hash"],
                row["distro_hash"],
                row.get("extended_hash"),
                row.get("component"),
            )
            (live.repos / rel).mkdir(parents=True, exist_ok=True)
            s.add(Commit(**{**row, "repo_dir": str(rel), "status": BuildStatus(row["status"])}))
        s.flush()
        for key, model in (("civotes", CIVote), ("civotes_agg", CIVoteAggregate)):
            s.add_all(model(**_row(raw)) for raw in data.get(key, []))
        s.add_all(Promotion(**_row(raw)) for raw in data.get("promotions", []))
        s.commit()


def add_sample_users(live: LiveApi) -> None:
    """DLRN's test user ``foo`` (password ``bar``) with its sha512_crypt hash."""
    users = yaml.safe_load((SAMPLES / "commits_2.yaml").read_text())["users"]
    with live.sessions() as s:
        s.add_all(User(**u) for u in users)
        s.commit()
