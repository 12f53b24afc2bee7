"""Write a DLRN database's rows into trunkline's, in one transaction, idempotently.

Rows keep their keys (``id``, ``username``), so votes and promotions still point
at the same builds and the API answers with the same ids. A row whose key is
already in the target with the same values is skipped (a second run changes
nothing); with other values the whole import stops and rolls back
(:class:`ImportConflictError`), so the target is either untouched or complete.

What DLRN can hold and trunkline cannot is reported, never silently dropped:

* a vote or promotion of a build id that is not in ``commits`` (DLRN on SQLite
  does not enforce foreign keys) is not carried and listed;
* a vote or promotion by a user not in ``users`` is carried with ``user`` NULL;
* a second ``projects`` row of the same project name (trunkline's is unique) is
  not carried: the row with the newest ``last_email`` wins;
* a build status other than SUCCESS, FAILED, RETRY stops the import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, select, text
from sqlalchemy.exc import SQLAlchemyError

from trunkline.db.models import Base, BuildStatus, InstallStatus, UserRole
from trunkline.dlrncompat.dbimport.read import SourceDb
from trunkline.dlrncompat.dbimport.schema import SERIAL_TABLES, TableMap
from trunkline.errors import DatabaseError

BATCH = 500
_ENUMS = {"status": BuildStatus, "install_status": InstallStatus, "role": UserRole}


class ImportConflictError(DatabaseError):
    """A row of the DLRN database is already in the target with other values."""


@dataclass
class TableResult:
    """How many rows of one table were inserted, or were already there."""

    name: str
    inserted: int = 0
    present: int = 0


@dataclass
class ImportResult:
    """What an import did: per table counts, values filled in, rows not carried."""

    tables: list[TableResult] = field(default_factory=list)
    filled: dict[str, int] = field(default_factory=dict)
    not_carried: list[str] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        """Rows inserted over all tables (0 on a repeated import)."""
        return sum(t.inserted for t in self.tables)


def _enum_values(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (_ENUMS[k](v) if k in _ENUMS and v is not None else v) for k, v in row.items()}


def _check_statuses(source: SourceDb) -> None:
    known = {s.value for s in BuildStatus}
    bad = Counter(str(r["status"]) for r in source.rows("commits") if r["status"] not in known)
    if bad:
        listed = ", ".join(f"{s!r} ({n} builds)" for s, n in sorted(bad.items()))
        raise DatabaseError(
            f"database {source.url}: commits.status {listed}: expected one of"
            f" {', '.join(sorted(known))}; nothing imported"
        )


def _dedupe_projects(rows: Iterable[dict[str, Any]], result: ImportResult) -> list[dict[str, Any]]:
    best: dict[str, dict[str, Any]] = {}
    for row in rows:
        kept = best.get(row["project_name"])
        if kept is None or row["last_email"] > kept["last_email"]:
            if kept is not None:
                result.not_carried.append(_dup_note(kept, row))
            best[row["project_name"]] = row
        else:
            result.not_carried.append(_dup_note(row, kept))
    return sorted(best.values(), key=lambda r: int(r["id"]))


def _dup_note(dropped: dict[str, Any], kept: dict[str, Any]) -> str:
    return (
        f"projects id {dropped['id']}: second row of project {dropped['project_name']!r}"
        f" (kept id {kept['id']}, the newest last_email)"
    )


def _fix_references(
    name: str, rows: Iterable[dict[str, Any]], users: set[str], commits: set[int], res: ImportResult
) -> list[dict[str, Any]]:
    """Rows whose build exists; an unknown user becomes NULL (both noted in ``res``)."""
    kept = []
    for row in rows:
        if "commit_id" in row and row["commit_id"] not in commits:
            res.not_carried.append(
                f"{name} id {row['id']}: build id {row['commit_id']} not in commits"
            )
            continue
        if row.get("user") is not None and row["user"] not in users:
            key = f"{name}.user: unknown user {row['user']!r} stored as NULL"
            res.filled[key] = res.filled.get(key, 0) + 1
            row = {**row, "user": None}
        kept.append(row)
    return kept


def _existing(
    conn: Connection, table: Table, key: str, cols: Iterable[str]
) -> dict[Any, tuple[Any, ...]]:
    names = list(cols)
    rows = conn.execute(select(*(table.c[c] for c in names)))
    return {r._mapping[key]: tuple(r) for r in rows}


def _carry_table(
    conn: Connection, spec: TableMap, rows: list[dict[str, Any]], res: ImportResult
) -> None:
    """Insert the rows not there yet; compare DLRN's columns of those that are."""
    name, key = spec.name, spec.key
    table = Base.metadata.tables[name]
    compared = spec.column_names
    there = _existing(conn, table, key, compared) if rows else {}
    out = TableResult(name)
    new = []
    for row in rows:
        old = there.get(row[key])
        if old is None:
            new.append(_enum_values(row))
            continue
        for col, was in zip(compared, old, strict=True):
            if was != row[col]:
                raise ImportConflictError(
                    f"{name} {key} {row[key]!r}: already in the target with {col}={was!r},"
                    f" DLRN has {row[col]!r}; nothing imported"
                )
        out.present += 1
    for start in range(0, len(new), BATCH):
        conn.execute(table.insert(), new[start : start + BATCH])
    out.inserted = len(new)
    res.tables.append(out)


def _move_sequences(conn: Connection) -> None:
    """PostgreSQL: let the next id of each table come after the carried ones."""
    if conn.dialect.name != "postgresql":
        return
    for name in SERIAL_TABLES:  # our own constant table names, not input
        sql = (
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"  # noqa: S608
            f" COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
        )
        conn.execute(text(sql))


def carry(source: SourceDb, target: Engine) -> ImportResult:
    """Insert ``source``'s rows into the (migrated) trunkline database ``target``.

    Raises:
        ImportConflictError: a key is already there with other values (rolled back).
        DatabaseError: a build status trunkline does not know, or the target fails.
    """
    _check_statuses(source)
    res = ImportResult()
    for table in source.tables:
        for note, count in table.filled.items():
            res.filled[note] = res.filled.get(note, 0) + count
    users = {str(r["username"]) for r in source.rows("users")}
    commits = {int(r["id"]) for r in source.rows("commits")}
    try:
        with target.begin() as conn:
            for table in source.tables:
                name = table.table.name
                rows = list(table.rows)
                if name == "projects":
                    rows = _dedupe_projects(rows, res)
                elif name in {"civotes", "civotes_agg", "promotions"}:
                    rows = _fix_references(name, rows, users, commits, res)
                _carry_table(conn, table.table, rows, res)
            _move_sequences(conn)
    except ImportConflictError:
        raise
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"database {target.url.render_as_string()}: {getattr(exc, 'orig', None) or exc};"
            " nothing imported"
        ) from None
    return res
