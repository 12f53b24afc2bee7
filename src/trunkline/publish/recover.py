"""After a crash: point ``current``/``consistent`` at the builds the DB recorded.

A kill between committing a build and moving its links leaves the links one
build behind (see :mod:`trunkline.publish.record`). The DB is the truth: the
newest SUCCESS is ``current``; the newest build with a CI vote named
``consistent`` (written in the same transaction as the row) is ``consistent``.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.db import queries
from trunkline.db.models import CIVote, Commit
from trunkline.publish import layout
from trunkline.publish.links import move_link

log = logging.getLogger(__name__)

CONSISTENT_VOTE = "consistent"


def reconcile_links(session: Session, repos: Path, *, use_components: bool) -> list[str]:
    """Move every ``current``/``consistent`` link that is behind the DB.

    Returns:
        The links that were moved (``current``, ``<component>/consistent``...).
    """
    moved: list[str] = []
    components: list[str | None] = [None]
    if use_components:
        components = list(queries.components(session))
    for component in components:
        newest = queries.newest_success(session, component=component, indexed_only=True)
        if newest is not None and newest.repo_dir and _moved(repos, "current", newest, component):
            moved.append("current" if component is None else f"{component}/current")
        vote_stmt = (
            select(Commit)
            .join(CIVote, CIVote.commit_id == Commit.id)
            .where(CIVote.ci_name == CONSISTENT_VOTE)
            .order_by(Commit.id.desc())
            .limit(1)
        )
        if component is not None:
            vote_stmt = vote_stmt.where(Commit.component == component)
        cons = session.scalars(vote_stmt).first()
        if cons is not None and cons.repo_dir and _moved(repos, "consistent", cons, component):
            moved.append("consistent" if component is None else f"{component}/consistent")
    return moved


def _moved(repos: Path, name: str, commit: Commit, component: str | None) -> bool:
    target = PurePosixPath(commit.repo_dir)
    link = layout.link_dir(repos, component) / name
    if not (repos / target).is_dir():
        log.warning("%s: DB names %s but it is not on disk", name, target)
        return False
    if link.is_symlink() and link.resolve() == (repos / target).resolve():
        return False
    move_link(repos, name, target, component)
    return True
