"""Fixtures of the review tests: a SQLite database and a bare review remote (real git)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import GitRepo, git
from tests.notify.reviews import BRANCH, SPEC
from trunkline.db.engine import open_database, session_factory


@pytest.fixture
def factory(tmp_path: Path) -> sessionmaker[Session]:
    return session_factory(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"))


@pytest.fixture
def remote(tmp_path: Path, make_git_repo: Callable[[str], GitRepo]) -> Path:
    """A bare review remote holding the distgit branch (one commit with the spec)."""
    work = make_git_repo("distgit")
    work.commit("Initial packaging", {"openstack-nova.spec": SPEC})
    bare = tmp_path / "nova-distgit.git"
    git(tmp_path, "clone", "-q", "--bare", str(work.path), str(bare))
    git(bare, "branch", "-m", "master", BRANCH)
    return bare
