"""One package's history on one builder: builds, FTBFS periods, repos holding it, votes.

"Repos that hold it" are the repo tree's named links (``current``,
``consistent``, every promotion name): each points at a hashed repo whose
``versions.csv`` (DLRN's format) lists, per package, the build that repo
ships. The CI votes shown are those on the builds those links ship.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.db.models import CIVote, Commit, Ftbfs
from trunkline.web.builds import BuildFilter, BuildItem, builds_page
from trunkline.web.ftbfs import periods_of
from trunkline.web.stats import LinkState, link_state

MAX_BUILDS = 50
MAX_VOTES = 200


@dataclass(frozen=True, slots=True)
class HeldBy:
    """A named link whose repo ships a build of the package."""

    link: LinkState
    commit_hash: str
    distro_hash: str
    nvr: str
    build_id: int | None


@dataclass(frozen=True, slots=True)
class PackageHistory:
    """What the Package page shows for one builder."""

    builder: str
    builds: list[BuildItem]
    nvrs: list[str]
    ftbfs: list[Ftbfs]
    held_by: list[HeldBy]
    votes: list[tuple[str, CIVote]]  # (link name, vote)


def _versions_row(repos: Path, target: str, package: str) -> dict[str, str] | None:
    path = repos / target / "versions.csv"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for row in csv.DictReader(io.StringIO(text)):
        if row.get("Project") == package:
            return row
    return None


def _build_id(session: Session, commit_hash: str, distro_hash: str) -> int | None:
    stmt = (
        select(Commit.id)
        .where(Commit.commit_hash == commit_hash, Commit.distro_hash == distro_hash)
        .order_by(Commit.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def held_by(session: Session, repos: Path, package: str, links: list[str]) -> list[HeldBy]:
    """The named links whose repo ships ``package``, with the build each ships."""
    out = []
    for name in links:
        state = link_state(repos, name)
        if state.target is None:
            continue
        row = _versions_row(repos, state.target, package)
        if row is None:
            continue
        ch, dh = row.get("Source Sha", ""), row.get("Dist Sha", "")
        out.append(HeldBy(state, ch, dh, row.get("Pkg NVR", ""), _build_id(session, ch, dh)))
    return out


def package_history(
    session: Session, builder: str, repos: Path, package: str, links: list[str]
) -> PackageHistory:
    """The package's history on one builder (bounded: the newest builds and votes)."""
    builds = builds_page(
        session, builder, BuildFilter(package=package), after=None, limit=MAX_BUILDS
    )
    nvrs = list(dict.fromkeys(b.nvr for b in builds if b.nvr and b.status == "SUCCESS"))
    held = held_by(session, repos, package, links)
    votes: list[tuple[str, CIVote]] = []
    for h in held:
        if h.build_id is None:
            continue
        stmt = (
            select(CIVote)
            .where(CIVote.commit_id == h.build_id)
            .order_by(CIVote.timestamp.desc())
            .limit(MAX_VOTES)
        )
        votes.extend((h.link.name, v) for v in session.scalars(stmt))
    return PackageHistory(builder, builds, nvrs, periods_of(session, package), held, votes)
