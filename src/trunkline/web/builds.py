"""The Builds page's query: every builder's builds, filtered, by keyset pages.

Rows are ordered newest first by ``(dt_build DESC, builder ASC, id DESC)``
across builders. Each builder's database is asked for at most ``limit`` rows
after the cursor with the same filters, and the merged list is cut to
``limit``: the next page starts after its last row (keyset, never OFFSET, so
page 1000 costs what page 1 costs). Every filter is served by an index
(migration 0011 adds ``(project_name, dt_build)`` and ``(component,
dt_build)``; ``(dt_build)`` serves dates and status); free text matches a
substring of the package names (found among the builder's distinct names,
then looked up by index) or a prefix of the upstream commit hash.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from trunkline.db.models import BuildStatus, Commit
from trunkline.errors import InputError

HEX_PREFIX = re.compile(r"[0-9a-f]{4,64}")
MAX_TEXT_PROJECTS = 500


@dataclass(frozen=True, slots=True)
class BuildFilter:
    """What the Builds page's form asks for (every field optional).

    ``since`` and ``until`` are epoch seconds (``until`` exclusive).
    """

    builder: str | None = None
    package: str | None = None
    component: str | None = None
    status: BuildStatus | None = None
    since: int | None = None
    until: int | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """The last row of a page: where the next page starts."""

    dt_build: int
    builder: str
    id: int

    def encode(self) -> str:
        """``<dt_build>.<id>.<builder>`` (the builder name may contain dots; it comes last)."""
        return f"{self.dt_build}.{self.id}.{self.builder}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse :meth:`encode`'s form.

        Raises:
            InputError: not that form.
        """
        parts = text.split(".", 2)
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
            raise InputError(f"after={text!r}: expected <dt_build>.<id>.<builder>")
        return cls(int(parts[0]), parts[2], int(parts[1]))


@dataclass(frozen=True, slots=True)
class BuildItem:
    """One build row of the page."""

    builder: str
    id: int
    project: str
    component: str | None
    status: str
    dt_build: int
    commit_hash: str
    distro_hash: str
    version: str | None
    release: str | None
    repo_dir: str
    notes: str
    build_seconds: float

    @property
    def cursor(self) -> Cursor:
        """The keyset position of this row."""
        return Cursor(self.dt_build, self.builder, self.id)

    @property
    def nvr(self) -> str:
        """``name-version-release`` when both are known, else empty."""
        if not self.version or not self.release:
            return ""
        return f"{self.project}-{self.version}-{self.release}"


_COLUMNS = (
    Commit.id,
    Commit.project_name,
    Commit.component,
    Commit.status,
    Commit.dt_build,
    Commit.commit_hash,
    Commit.distro_hash,
    Commit.version,
    Commit.release,
    Commit.repo_dir,
    Commit.notes,
    Commit.build_seconds,
)


def parse_day(value: str, field: str) -> int:
    """``YYYY-MM-DD`` (UTC) as epoch seconds.

    Raises:
        InputError: not a date of that form.
    """
    try:
        return calendar.timegm(time.strptime(value, "%Y-%m-%d"))
    except ValueError:
        raise InputError(f"{field}={value!r}: expected a date YYYY-MM-DD") from None


def _after(builder: str, cursor: Cursor | None) -> ColumnElement[bool]:
    if cursor is None:
        return true()
    if builder == cursor.builder:
        # the redundant ``<=`` is the index range; the OR alone makes SQLite scan from the top
        return and_(
            Commit.dt_build <= cursor.dt_build,
            or_(
                Commit.dt_build < cursor.dt_build,
                and_(Commit.dt_build == cursor.dt_build, Commit.id < cursor.id),
            ),
        )
    if builder > cursor.builder:  # sorts after the cursor's builder at the same time
        return Commit.dt_build <= cursor.dt_build
    return Commit.dt_build < cursor.dt_build


def text_condition(text: str, names: list[str]) -> ColumnElement[bool]:
    """Free text: a substring of a package name (case-insensitive) or a commit hash prefix.

    Args:
        text: what the user typed (stripped, non-empty).
        names: the builder's distinct package names (the substring is matched here,
            in Python, so the query stays an indexed ``IN``).
    """
    needle = text.lower()
    hits = [n for n in names if needle in n.lower()][:MAX_TEXT_PROJECTS]
    conds: list[ColumnElement[bool]] = []
    if hits:
        conds.append(Commit.project_name.in_(hits))
    if HEX_PREFIX.fullmatch(needle):
        # a range, not LIKE: a btree serves it under any collation
        upper = needle[:-1] + chr(ord(needle[-1]) + 1)
        conds.append(and_(Commit.commit_hash >= needle, Commit.commit_hash < upper))
    return or_(*conds) if conds else Commit.id < 0


def builds_page(
    session: Session,
    builder: str,
    flt: BuildFilter,
    *,
    after: Cursor | None,
    limit: int,
    names: list[str] | None = None,
) -> list[BuildItem]:
    """At most ``limit`` builds of one builder after ``after``, newest first.

    Args:
        names: the builder's package names, needed when ``flt.text`` is set.
    """
    conds: list[Any] = [_after(builder, after)]
    if flt.package:
        conds.append(Commit.project_name == flt.package)
    if flt.component:
        conds.append(Commit.component == flt.component)
    if flt.status:
        conds.append(Commit.status == flt.status)
    if flt.since is not None:
        conds.append(Commit.dt_build >= flt.since)
    if flt.until is not None:
        conds.append(Commit.dt_build < flt.until)
    if flt.text:
        conds.append(text_condition(flt.text, names or []))
    stmt = (
        select(*_COLUMNS)
        .where(*conds)
        .order_by(Commit.dt_build.desc(), Commit.id.desc())
        .limit(limit)
    )
    return [
        BuildItem(
            builder=builder,
            id=r.id,
            project=r.project_name,
            component=r.component,
            status=str(r.status),
            dt_build=r.dt_build,
            commit_hash=r.commit_hash,
            distro_hash=r.distro_hash,
            version=r.version,
            release=r.release,
            repo_dir=r.repo_dir,
            notes=r.notes,
            build_seconds=r.build_seconds,
        )
        for r in session.execute(stmt)
    ]


def merge_pages(pages: list[list[BuildItem]], limit: int) -> list[BuildItem]:
    """Merge per-builder pages into one page in the site's order."""
    rows = [row for page in pages for row in page]
    rows.sort(key=lambda r: (-r.dt_build, r.builder, -r.id))
    return rows[:limit]


def distinct_names(session: Session, *, limit: int = 20_000) -> list[str]:
    """The builder's distinct package names (an index-only scan), sorted."""
    stmt = select(Commit.project_name).distinct().order_by(Commit.project_name).limit(limit)
    return list(session.scalars(stmt))
