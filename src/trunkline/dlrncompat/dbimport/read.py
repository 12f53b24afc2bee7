"""Read a DLRN database of any schema revision as rows of trunkline's tables.

``open_source(engine)`` checks what the database is (its DLRN revision, the tables
it has); ``SourceDb.batches(spec, filled)`` then streams one table, ordered by key,
as lists of dicts keyed by trunkline's column names (no DLRN code, no models: an
old revision simply lacks columns, see ``schema.py``), counting in ``filled`` every
value that could not be carried as it was. Streaming keeps memory flat: a DLRN
database of half a million builds is never held at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, MetaData, Table, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from trunkline.db.engine import SCHEMA_HEAD
from trunkline.dlrncompat.dbimport.schema import DLRN_REVISIONS, TABLES, Row, TableMap
from trunkline.errors import DatabaseError

BATCH = 500
"""Rows per batch read from the source (and inserted into the target)."""


@dataclass(frozen=True)
class SourceDb:
    """A DLRN database: its Alembic revision (``None``: made by ``create_all``)."""

    engine: Engine
    url: str
    revision: str | None
    present: frozenset[str]

    def batches(self, spec: TableMap, filled: Counter[str]) -> Iterator[list[dict[str, Any]]]:
        """Table ``spec`` in batches of trunkline rows, by key; empty if it is absent.

        ``filled`` counts, per "table.column: what", the values given here.
        """
        if spec.name not in self.present:
            return
        try:
            table = Table(spec.name, MetaData(), autoload_with=self.engine)
            cols = set(table.c.keys())
            query = select(table).order_by(table.c[spec.key])
            with self.engine.connect() as conn:
                opts = conn.execution_options(stream_results=True, yield_per=BATCH)
                for part in opts.execute(query).mappings().partitions(BATCH):
                    yield [_row(spec, cols, src, filled) for src in part]
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"database {self.url}: {getattr(exc, 'orig', None) or exc}"
            ) from None


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


def _row(spec: TableMap, cols: set[str], src: Row, filled: Counter[str]) -> dict[str, Any]:
    """One DLRN row as a trunkline row of ``spec``'s table."""
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
    return row


def open_source(engine: Engine) -> SourceDb:
    """The DLRN database behind ``engine``, checked, ready to be read.

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
    except SQLAlchemyError as exc:
        raise DatabaseError(f"database {url}: {getattr(exc, 'orig', None) or exc}") from None
    return SourceDb(engine, url, revision, frozenset(present))
