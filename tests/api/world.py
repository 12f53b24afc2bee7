"""A small builder world for API tests: builds with repos on disk, users, votes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from trunkline.api.auth import create_user
from trunkline.db.models import BuildStatus, CIVote, Commit, UserRole

__all__ = ["Commit"]
from trunkline.publish import layout

USER, PASSWORD = "ci", "s3cret-pass"
VIEWER = "viewer"


@dataclass(frozen=True)
class Build:
    """Hashes of one seeded build."""

    id: int
    project: str
    commit_hash: str
    distro_hash: str
    component: str | None


def add_build(
    session: Session,
    repos: Path,
    project: str,
    n: int,
    status: BuildStatus = BuildStatus.SUCCESS,
    component: str | None = None,
    dt: int = 1_700_000_000,
) -> Build:
    """Add one build row and (unless RETRY) its repo dir with a .repo file."""
    commit_hash = f"{n:02x}" + "ab" * 19
    distro_hash = f"{n:02x}" + "cd" * 19
    rel = layout.build_relpath(commit_hash, distro_hash, None, component)
    (repos / rel).mkdir(parents=True, exist_ok=True)
    (repos / rel / "delorean.repo").write_text(
        f"[delorean{'-component-' + component if component else ''}]\nbaseurl=file:///{rel}\n"
    )
    (repos / rel / "versions.csv").write_text("Project,Source Repo\n" + f"{project},x\n")
    row = Commit(
        dt_commit=dt + n,
        dt_distro=dt + n,
        dt_build=dt + n,
        project_name=project,
        repo_dir=str(rel),
        commit_hash=commit_hash,
        distro_hash=distro_hash,
        status=status,
        component=component,
    )
    session.add(row)
    session.flush()
    return Build(row.id, project, commit_hash, distro_hash, component)


def add_vote(
    session: Session, build: Build, job: str, success: bool, ts: int, component: str | None = None
) -> None:
    """Add one finished CI vote."""
    session.add(
        CIVote(
            commit_id=build.id,
            ci_name=job,
            ci_url=f"http://ci.example/{job}",
            ci_vote=success,
            ci_in_progress=False,
            timestamp=ts,
            notes="",
            component=component if component is not None else build.component,
        )
    )


def add_users(session: Session) -> None:
    """The read-write CI user and a read-only viewer."""
    create_user(session, USER, PASSWORD)
    create_user(session, VIEWER, PASSWORD, UserRole.READ_ONLY)
