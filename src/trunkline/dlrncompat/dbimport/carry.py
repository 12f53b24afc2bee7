"""Write a DLRN database's rows into trunkline's, in one transaction, idempotently.

Rows keep their keys (``id``, ``username``), so votes and promotions still point
at the same builds and the API answers with the same ids. A row whose key is
already in the target with the same values is skipped (a second run changes
nothing); with other values the whole import stops and rolls back
(:class:`ImportConflictError`), so the target is either untouched or complete.
Tables are streamed batch by batch (``read.BATCH`` rows), inside that one
transaction.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from trunkline.db.models import Base, BuildStatus, InstallStatus, UserRole
from trunkline.dlrncompat.dbimport.read import SourceDb
from trunkline.dlrncompat.dbimport.schema import SERIAL_TABLES, TABLES, TableMap
from trunkline.errors import DatabaseError
from trunkline.ftbfs.lifecycle import replay_history

_ENUMS = {"status": BuildStatus, "install_status": InstallStatus, "role": UserRole}
_STATUSES = {s.value for s in BuildStatus}


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
    """What an import did: per table counts, values filled in, rows not carried.

    ``repo_dirs`` are the carried builds' hashed repo paths (relative to the
    repos dir), for the caller to look for in the tree it serves.
    """

    tables: list[TableResult] = field(default_factory=list)
    filled: Counter[str] = field(default_factory=Counter)
    not_carried: list[str] = field(default_factory=list)
    repo_dirs: list[str] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        """Rows inserted over all tables (0 on a repeated import)."""
        return sum(t.inserted for t in self.tables)


@dataclass
class _Seen:
    """Keys carried so far, that later tables refer to."""

    users: set[str] = field(default_factory=set)
    commits: set[int] = field(default_factory=set)


def _enum_values(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (_ENUMS[k](v) if k in _ENUMS and v is not None else v) for k, v in row.items()}


def _check_status(row: dict[str, Any]) -> None:
    if row["status"] not in _STATUSES:
        raise DatabaseError(
            f"commits id {row['id']}: status {row['status']!r}: expected one of"
            f" {', '.join(sorted(_STATUSES))}; nothing imported"
        )


def _dedupe_projects(rows: Iterable[dict[str, Any]], res: ImportResult) -> list[dict[str, Any]]:
    best: dict[str, dict[str, Any]] = {}
    for row in rows:
        kept = best.get(row["project_name"])
        if kept is None or row["last_email"] > kept["last_email"]:
            if kept is not None:
                res.not_carried.append(_dup_note(kept, row))
            best[row["project_name"]] = row
        else:
            res.not_carried.append(_dup_note(row, kept))
    return sorted(best.values(), key=lambda r: int(r["id"]))


def _dup_note(dropped: dict[str, Any], kept: dict[str, Any]) -> str:
    return (
        f"projects id {dropped['id']}: second row of project {dropped['project_name']!r}"
        f" (kept id {kept['id']}, the newest last_email)"
    )


def _fix_references(
    name: str, rows: Iterable[dict[str, Any]], seen: _Seen, res: ImportResult
) -> list[dict[str, Any]]:
    """Rows whose build exists; an unknown user becomes NULL (both noted in ``res``)."""
    kept = []
    for row in rows:
        if "commit_id" in row and row["commit_id"] not in seen.commits:
            missing = f"build id {row['commit_id']} not in commits"
            res.not_carried.append(f"{name} id {row['id']}: {missing}")
            continue
        if row.get("user") is not None and row["user"] not in seen.users:
            res.filled[f"{name}.user: unknown user {row['user']!r} stored as NULL"] += 1
            row = {**row, "user": None}
        kept.append(row)
    return kept


def _carry_batch(
    conn: Connection, spec: TableMap, rows: list[dict[str, Any]], out: TableResult
) -> None:
    """Insert the rows not there yet; compare DLRN's columns of those that are."""
    if not rows:
        return
    table = Base.metadata.tables[spec.name]
    key = table.c[spec.key]
    compared = spec.column_names
    query = select(*(table.c[c] for c in compared)).where(key.in_([r[spec.key] for r in rows]))
    there = {r._mapping[spec.key]: tuple(r) for r in conn.execute(query)}
    new = []
    for row in rows:
        old = there.get(row[spec.key])
        if old is None:
            new.append(_enum_values(row))
            continue
        for col, was in zip(compared, old, strict=True):
            if was != row[col]:
                raise ImportConflictError(
                    f"{spec.name} {spec.key} {row[spec.key]!r}: already in the target with"
                    f" {col}={was!r}, DLRN has {row[col]!r}; nothing imported"
                )
        out.present += 1
    if new:
        conn.execute(table.insert(), new)
    out.inserted += len(new)


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


def _batches(
    source: SourceDb, spec: TableMap, seen: _Seen, res: ImportResult
) -> Iterator[list[dict[str, Any]]]:
    """``spec``'s rows as they go in: checked, deduplicated, references fixed."""
    if spec.name == "projects":
        rows = [r for batch in source.batches(spec, res.filled) for r in batch]
        yield _dedupe_projects(rows, res)
        return
    for batch in source.batches(spec, res.filled):
        if spec.name == "users":
            seen.users.update(str(r["username"]) for r in batch)
        elif spec.name == "commits":
            for row in batch:
                _check_status(row)
                seen.commits.add(int(row["id"]))
                res.repo_dirs.append(str(row["repo_dir"]))
        else:
            batch = _fix_references(spec.name, batch, seen, res)
        yield batch


def carry(source: SourceDb, target: Engine) -> ImportResult:
    """Insert ``source``'s rows into the (migrated) trunkline database ``target``.

    Raises:
        ImportConflictError: a key is already there with other values (rolled back).
        DatabaseError: a build status trunkline does not know, or either database
            fails (rolled back).
    """
    res, seen = ImportResult(), _Seen()
    try:
        with target.begin() as conn:
            for spec in TABLES:
                out = TableResult(spec.name)
                for batch in _batches(source, spec, seen, res):
                    _carry_batch(conn, spec, batch, out)
                res.tables.append(out)
            _move_sequences(conn)
            # FTBFS periods of the imported history, in the same transaction; history
            # is never announced (no outbox row): see ftbfs/lifecycle.py
            with Session(bind=conn) as session:
                made = replay_history(session)
            if made:
                res.filled["FTBFS periods of the imported builds"] += made
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"database {target.url.render_as_string()}: {getattr(exc, 'orig', None) or exc};"
            " nothing imported"
        ) from None
    return res
