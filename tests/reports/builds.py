"""Helpers to put build rows into a test database, with explicit ids.

Ids are explicit so that page blocks are predictable on every back end (server
sequences do not restart when a test's transaction is rolled back).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from trunkline.db.models import BuildStatus, Commit, InstallStatus
from trunkline.publish.layout import build_relpath

DAY = 86_400
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def sha(text: str) -> str:
    """A deterministic 40-hex commit hash."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@dataclass
class Builds:
    """Adds builds with consecutive ids and increasing build times."""

    session: Session
    next_id: int = 1
    rows: list[Commit] = field(default_factory=list)

    def add(
        self,
        project: str,
        status: BuildStatus = BuildStatus.SUCCESS,
        *,
        dt_build: int | None = None,
        **columns: Any,
    ) -> Commit:
        """Add one build of ``project`` (flushed); extra keyword args set columns."""
        i = self.next_id
        self.next_id += 1
        chash, dhash = sha(f"up-{project}-{i}"), sha(f"dg-{project}-{i}")
        built = dt_build if dt_build is not None else T0 + i * 600
        values: dict[str, Any] = {
            "id": i,
            "dt_commit": built - 300,
            "dt_distro": built - 400,
            "dt_build": built,
            "project_name": project,
            "commit_hash": chash,
            "distro_hash": dhash,
            "commit_branch": "master",
            "status": status,
            "repo_dir": "" if status is BuildStatus.RETRY else str(build_relpath(chash, dhash)),
            "version": "1.0.0",
            "release": f"0.{built}.{chash[:7]}.el9",
            "install_status": InstallStatus.UNCHECKED,
            "notes": "" if status is BuildStatus.SUCCESS else "error: it broke",
        }
        values.update(columns)
        row = Commit(**values)
        self.session.add(row)
        self.session.flush()
        self.rows.append(row)
        return row

    def many(self, count: int, projects: list[str]) -> None:
        """Add ``count`` SUCCESS builds cycling over ``projects`` (one flush)."""
        for _ in range(count):
            i = self.next_id
            self.next_id += 1
            project = projects[i % len(projects)]
            chash, dhash = sha(f"up-{project}-{i}"), sha(f"dg-{project}-{i}")
            row = Commit(
                id=i,
                dt_commit=T0 + i * 600 - 300,
                dt_distro=T0 + i * 600 - 400,
                dt_build=T0 + i * 600,
                project_name=project,
                commit_hash=chash,
                distro_hash=dhash,
                status=BuildStatus.SUCCESS,
                repo_dir=str(build_relpath(chash, dhash)),
                version="1.0.0",
                release=f"0.{i}.el9",
            )
            self.session.add(row)
            self.rows.append(row)
        self.session.flush()
