"""The review tests' world: an FTBFS row, its envelopes, the refs a review remote holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import git
from trunkline.db.engine import session_scope
from trunkline.db.models import BuildStatus, Commit, Ftbfs
from trunkline.outbox.dispatch import Envelope

BRANCH = "rpm-master"
SPEC = "Name: openstack-nova\nVersion: 31.0.0\nRelease: 1\n"


def open_ftbfs(factory: sessionmaker[Session]) -> int:
    """An open FTBFS row (and the failing build it points at); its id."""
    with session_scope(factory) as s:
        build = Commit(
            dt_commit=1, dt_distro=1, dt_build=1, project_name="openstack-nova",
            commit_hash="abc1234", distro_hash="def5678", status=BuildStatus.FAILED,
        )  # fmt: skip
        s.add(build)
        s.flush()
        row = Ftbfs(
            project_name="openstack-nova", opened_at=1_764_000_000,
            first_failed_commit_id=build.id, last_failed_commit_id=build.id,
        )  # fmt: skip
        s.add(row)
        s.flush()
        return row.id


def envelope(topic: str, payload: dict[str, Any]) -> Envelope:
    """What the dispatcher hands the review sender."""
    return Envelope("ab" * 16, "review", topic, payload, created_at=1, attempt=1)


def for_refs(bare: Path) -> dict[str, str]:
    """The refs under refs/for/ of the bare repo ``bare``: name -> commit."""
    out = git(bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/for/")
    return dict(line.split(" ") for line in out.splitlines())


def row(factory: sessionmaker[Session], fid: int) -> tuple[Any, ...]:
    """The review id, URL and state recorded with FTBFS ``fid``."""
    with session_scope(factory) as s:
        r = s.get(Ftbfs, fid)
        assert r is not None
        return (r.review_id, r.review_url, r.review_state)
