"""DLRN's database layout at every Alembic revision, and how each column lands here.

Source: DLRN 0.26.1, ``dlrn/db.py`` (the models ``create_all`` makes) and
``dlrn/migrations/versions/*`` (17 revisions, from ``3c62b0d3ec34`` "initial
creation" to ``6a3d982b967b`` "add versions_csv"). Every column DLRN ever had has a
column of the same name here (trunkline's schema is a superset), except the
pre-``2d503b5034b7`` name ``commits.rpms`` of ``artifacts``.

A column an old revision lacks is filled as DLRN's own migration that added it
fills existing rows (``commit_branch`` "master", ``distgit_dir`` ``repo_dir +
"_distro"``, ``dt_extended`` 0, ``type`` "rpm", the rest NULL), so an imported old
database reads as DLRN itself would read it after ``alembic upgrade head``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[Any, Any]
"""A DLRN row by column name (a SQLAlchemy ``RowMapping`` or a dict)."""

DLRN_REVISIONS: tuple[str, ...] = (
    "3c62b0d3ec34",  # initial creation: commits, projects (unsized strings, ``rpms``)
    "47ebe0522809",  # commits.distgit_dir (= repo_dir + "_distro")
    "1268c799620f",  # commits.commit_branch (= "master")
    "f38ba3389b85",  # string lengths
    "638f980c9169",  # users, civotes
    "4a5651777e5e",  # promotions
    "cab7697f6564",  # civotes.user, promotions.user
    "ade85b2396bc",  # commits.extended_hash, commits.dt_extended (= 0)
    "2a0313a8a7d6",  # users.username 255 characters
    "2d503b5034b7",  # commits.rpms renamed artifacts
    "b6f658f481f8",  # commits.type (= "rpm")
    "f84aca0549fd",  # commits.component
    "7bed5ff86925",  # promotions.component
    "00a31f1f39c0",  # civotes.component
    "7fbd3a18502f",  # promotions.aggregate_hash, civotes_agg
    "837138eb7daa",  # commits.extended_hash 128 characters
    "6a3d982b967b",  # commits.versions_csv
)
"""DLRN's Alembic history, oldest first; the last one is what DLRN 0.26.1 stamps."""

DLRN_HEAD = DLRN_REVISIONS[-1]


@dataclass(frozen=True)
class ColumnMap:
    """Where one target column's value comes from in a DLRN table.

    ``sources`` are tried in order (a renamed column lists its old name last);
    when none exists at the database's revision, ``missing`` computes the value
    from the row as DLRN's migration did. ``if_null`` replaces a NULL that the
    target column (NOT NULL here, nullable in DLRN) cannot hold.
    """

    name: str
    sources: tuple[str, ...] = ()
    missing: Callable[[Row], Any] | None = None
    if_null: Any = None
    derive: Callable[[Row], Any] | None = None
    """Set: the value is computed from the DLRN row, whatever the column holds."""
    derive_note: str = ""

    def source_in(self, present: set[str]) -> str | None:
        """The first of ``sources`` (default: the column's own name) in ``present``."""
        for src in self.sources or (self.name,):
            if src in present:
                return src
        return None


def _const(value: Any) -> Callable[[Row], Any]:
    return lambda _row: value


def hashed_repo_dir(row: Row) -> str:
    """The build's repo path under the repos dir, as DLRN's ``getshardedcommitdir``.

    ``[component/<c>/]<h[:2]>/<h[2:4]>/<h>_<distro[:8]>[_<ext[:8]>]``; an extended
    hash longer than 48 characters is two hashes, and both give 8 characters
    (``_<ext[:8]>_<ext[41:49]>``). A component of None or ``"None"`` has no prefix.
    """
    commit = str(row.get("commit_hash") or "")
    name = commit
    if row.get("distro_hash"):
        name += f"_{str(row['distro_hash'])[:8]}"
    ext = row.get("extended_hash")
    if ext:
        ext = str(ext)
        name += f"_{ext[:8]}" if len(ext) < 49 else f"_{ext[:8]}_{ext[41:49]}"
    component = row.get("component")
    prefix = f"component/{component}/" if component is not None and component != "None" else ""
    return f"{prefix}{commit[:2]}/{commit[2:4]}/{name}"


def _distgit_dir(row: Row) -> str:
    return f"{row.get('repo_dir') or ''}_distro"


@dataclass(frozen=True)
class TableMap:
    """One DLRN table carried into the table of the same name here."""

    name: str
    key: str
    columns: tuple[ColumnMap, ...]
    required: bool = True
    """False for tables an old revision does not have yet (read as empty)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """trunkline-only columns and the value an imported row gets (DLRN never set them)."""

    @property
    def column_names(self) -> tuple[str, ...]:
        """The target columns written, in order."""
        return tuple(c.name for c in self.columns)


def _c(name: str, if_null: Any = None, **kw: Any) -> ColumnMap:
    return ColumnMap(name, if_null=if_null, **kw)


USERS = TableMap(
    "users",
    "username",
    (_c("username"), _c("password", "")),
    required=False,
    extra={"role": "read-write"},  # DLRN lets every user vote and promote
)
PROJECTS = TableMap(
    "projects",
    "id",
    (_c("id"), _c("project_name", ""), _c("last_email", 0)),
)
COMMITS = TableMap(
    "commits",
    "id",
    (
        _c("id"),
        _c("type", "rpm", missing=_const("rpm")),
        _c("dt_commit", 0),
        _c("dt_distro", 0),
        _c("dt_extended", 0, missing=_const(0)),
        _c("dt_build", 0),
        _c("project_name", ""),
        ColumnMap(
            "repo_dir",
            derive=hashed_repo_dir,
            derive_note="DLRN's source checkout path not kept (no such column here);"
            " holds the build's hashed repo path, as trunkline's builds do",
        ),
        _c("distgit_dir", "", missing=_distgit_dir),
        _c("commit_hash", ""),
        _c("distro_hash", ""),
        _c("extended_hash", missing=_const(None)),
        _c("commit_branch", "", missing=_const("master")),
        _c("status"),
        _c("component", missing=_const(None)),
        _c("artifacts", sources=("artifacts", "rpms")),
        _c("notes", ""),
        _c("flags", 0),
        _c("versions_csv", missing=_const(None)),
    ),
    extra={
        "version": None,
        "release": None,
        "retries": 0,
        "install_status": "UNCHECKED",
        "unmet_buildrequires": "",
        "build_seconds": 0.0,
    },
)
_VOTE_COLUMNS = (
    _c("id"),
    _c("ci_name", ""),
    _c("ci_url", ""),
    _c("ci_vote", False),
    _c("ci_in_progress", False),
    _c("timestamp", 0),
    _c("notes", ""),
    _c("user", missing=_const(None)),
)
CIVOTES = TableMap(
    "civotes",
    "id",
    (
        *_VOTE_COLUMNS[:1],
        _c("commit_id"),
        *_VOTE_COLUMNS[1:],
        _c("component", missing=_const(None)),
    ),
    required=False,
)
CIVOTES_AGG = TableMap(
    "civotes_agg",
    "id",
    (*_VOTE_COLUMNS[:1], _c("ref_hash", ""), *_VOTE_COLUMNS[1:]),
    required=False,
)
PROMOTIONS = TableMap(
    "promotions",
    "id",
    (
        _c("id"),
        _c("commit_id"),
        _c("promotion_name", ""),
        _c("timestamp", 0),
        _c("user", missing=_const(None)),
        _c("component", missing=_const(None)),
        _c("aggregate_hash", missing=_const(None)),
    ),
    required=False,
    extra={"automatic": False},
)

TABLES: tuple[TableMap, ...] = (USERS, PROJECTS, COMMITS, CIVOTES, CIVOTES_AGG, PROMOTIONS)
"""Every DLRN table, in an order that satisfies the foreign keys (users and commits first)."""

SERIAL_TABLES = ("projects", "commits", "civotes", "civotes_agg", "promotions")
"""Tables whose integer ``id`` is carried as is (PostgreSQL sequences are moved past it)."""
