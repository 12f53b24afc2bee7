"""Read a DLRN database of any schema revision as rows of trunkline's tables.

``read_source(engine)`` reflects the tables that are there (no DLRN code, no
models: an old revision simply lacks columns, see ``schema.py``) and returns, per
table, the rows as dicts keyed by trunkline's column names, plus a note for every
value that could not be carried as it was (a NULL where trunkline needs a value).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, MetaData, Table, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from trunkline.db.engine import SCHEMA_HEAD
from trunkline.dlrncompat.dbimport.schema import DLRN_REVISIONS, TABLES, TableMap
from trunkline.errors import DatabaseError


@dataclass(frozen=True)
class SourceTable:
    """One DLRN table as trunkline rows.

    ``filled`` counts, per "table.column: what", the values that were NULL (or
    absent at this revision) and were given a value here.
    """

    table: TableMap
    rows: tuple[dict[str, Any], ...]
    filled: dict[str, int]


@dataclass(frozen=True)
class SourceDb:
    """A whole DLRN database: its Alembic revision (``None``: made by ``create_all``)."""

    url: str
    revision: str | None
    tables: tuple[SourceTable, ...]

    def rows(self, name: str) -> tuple[dict[str, Any], ...]:
        """The rows of table ``name``."""
        return next(t.rows for t in self.tables if t.table.name == name)


def _revision(engine: Engine, tables: set[str]) -> str | None:
    if "alembic_version" not in tables:
        return None
    with engine.connect() as conn:
        revs = {
            str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
        }
    if not revs:
        return None
    if SCHEMA_HEAD in revs or any(r.isdigit() for r in revs):
        raise DatabaseError(
            f"database {engine.url.render_as_string()}: already a trunkline database"
            f" (alembic revision {', '.join(sorted(revs))}), not a DLRN one"
        )
    unknown = revs - set(DLRN_REVISIONS)
    if unknown:
        raise DatabaseError(
            f"database {engine.url.render_as_string()}: alembic revision"
            f" {', '.join(sorted(unknown))} is not in DLRN 0.26.1's history"
        )
    return max(revs, key=DLRN_REVISIONS.index)


def _convert(value: Any, target_is_bool: bool) -> Any:
    if target_is_bool and value is not None:
        return bool(value)
    return value


_BOOLS = {"ci_vote", "ci_in_progress"}


def _read_table(engine: Engine, spec: TableMap, present: set[str]) -> SourceTable:
    if spec.name not in present:
        return SourceTable(spec, (), {})
    table = Table(spec.name, MetaData(), autoload_with=engine)
    cols = set(table.c.keys())
    with engine.connect() as conn:
        raw = conn.execute(select(table).order_by(table.c[spec.key])).mappings().all()
    filled: Counter[str] = Counter()
    rows = []
    for src in raw:
        row: dict[str, Any] = {}
        for col in spec.columns:
            name = col.source_in(cols)
            if col.derive is not None:
                value = col.derive(src)
                if name is not None and src[name] not in (None, "", value):
                    filled[f"{spec.name}.{col.name}: {col.derive_note}"] += 1
            elif name is None:
                value = col.missing(src) if col.missing else None
                filled[f"{spec.name}.{col.name}: column absent at this revision"] += 1
            else:
                value = _convert(src[name], col.name in _BOOLS)
                if value is None and col.if_null is not None:
                    value = col.if_null
                    filled[f"{spec.name}.{col.name}: NULL stored as {col.if_null!r}"] += 1
            row[col.name] = value
        row.update(spec.extra)
        rows.append(row)
    return SourceTable(spec, tuple(rows), dict(filled))


def read_source(engine: Engine) -> SourceDb:
    """Every DLRN table of the database behind ``engine``.

    Raises:
        DatabaseError: it cannot be read, is a trunkline database, has an Alembic
            revision DLRN never had, or has no ``commits``/``projects`` table.
    """
    url = engine.url.render_as_string()
    try:
        present = set(inspect(engine).get_table_names())
        lacking = [t.name for t in TABLES if t.required and t.name not in present]
        if lacking:
            raise DatabaseError(
                f"database {url}: no {' or '.join(lacking)} table; not a DLRN database"
            )
        revision = _revision(engine, present)
        tables = tuple(_read_table(engine, spec, present) for spec in TABLES)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"database {url}: {getattr(exc, 'orig', None) or exc}") from None
    return SourceDb(url, revision, tables)
