"""A small builder history for retention and replication tests, built once per process.

Real build cycles (git, rpmbuild, createrepo_c, SQLite) produce eight builds of
three packages; tests get a private copy of the data dir (DB + repo tree), so
each can purge or sync it without touching the others:

====  =========  =======  =============================================
 id   package    status   links to (the newest good RPMs at that time)
====  =========  =======  =============================================
 1    alpha #1   SUCCESS  -
 2    beta #1    SUCCESS  alpha#1
 3    gamma #1   SUCCESS  alpha#1, beta#1
 4    alpha #2   SUCCESS  beta#1, gamma#1
 5    beta #2    FAILED   (logs only)
 6    alpha #3   SUCCESS  beta#1, gamma#1
 7    gamma #2   SUCCESS  alpha#3, beta#1
 8    beta #3    SUCCESS  alpha#3, gamma#2       <- current, consistent
====  =========  =======  =============================================
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.builder.cycle_world import make_cycle_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import Settings, settings_from_dict
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import Commit

NAMES = ("alpha", "beta", "gamma")
DAY = 86_400

_template: dict[str, Path] = {}


def _build_template(root: Path) -> Path:
    world = make_cycle_world(root, NAMES)
    cycle = BuildCycle(world.settings(workers=1))
    steps = [
        lambda: None,
        lambda: world.upstream_commit("alpha", "alpha two"),
        lambda: world.break_upstream("beta"),
        lambda: world.upstream_commit("alpha", "alpha three"),
        lambda: world.upstream_commit("gamma", "gamma two"),
        lambda: world.upstream_commit("beta", "beta fixed", "x = 3\n"),
    ]
    for step in steps:
        step()
        cycle.run(CycleOptions(workers=1))
    return root / "data"


def template(factory: pytest.TempPathFactory) -> Path:
    """The data dir of the built history (built on first use, then reused)."""
    if "data" not in _template:
        _template["data"] = _build_template(factory.mktemp("purge-world"))
    return _template["data"]


@dataclass
class History:
    """A private copy of the built history."""

    data: Path

    @property
    def repos(self) -> Path:
        return self.data / "repos"

    def settings(self, **sections: Any) -> Settings:
        raw: dict[str, Any] = {"builder": {"data_dir": str(self.data), "dist": ".el9s"}}
        raw.update(sections)
        return settings_from_dict(raw)

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = open_database(self.settings().database_url)
        try:
            with session_factory(engine)() as session:
                yield session
        finally:
            engine.dispose()

    def rows(self) -> dict[int, Commit]:
        with self.session() as s:
            return {c.id: c for c in s.scalars(select(Commit).order_by(Commit.id))}

    def age(self, ids: list[int], days: float, now: int) -> None:
        """Pretend these builds were made ``days`` ago."""
        with self.session() as s:
            s.execute(update(Commit).where(Commit.id.in_(ids)).values(dt_build=now - days * DAY))
            s.commit()


def copy_history(factory: pytest.TempPathFactory, dest: Path) -> History:
    """A private copy of the history's data dir (symlinks kept as symlinks)."""
    src = template(factory)
    shutil.copytree(src, dest, symlinks=True, ignore=shutil.ignore_patterns("mirrors", "work"))
    return History(dest)


def dangling_links(root: Path) -> list[str]:
    """Symlinks under ``root`` whose target does not exist."""
    bad = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink() and not path.exists():
                bad.append(str(path.relative_to(root)))
    return sorted(bad)
