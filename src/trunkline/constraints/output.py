"""The report as text: an aligned table, CSV (report-uc's columns plus ours) or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from trunkline.constraints.report import UcRow, counts

COLUMNS = (
    "Release",
    "ModName",
    "ModVers",
    "PkgName",
    "PkgVers",
    "Source",
    "Status",
    "AlsoIn",
    "MappedBy",
)


def _cells(row: UcRow) -> list[str]:
    return [
        row.release,
        row.module,
        row.uc_version,
        row.package,
        row.packaged,
        row.repo,
        row.status.value,
        ",".join(row.also),
        row.mapped_by,
    ]


def as_csv(rows: Sequence[UcRow]) -> str:
    """CSV with a header row; the first seven columns are report-uc.py's."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_cells(r) for r in rows)
    return buf.getvalue()


def as_table(rows: Sequence[UcRow]) -> str:
    """Aligned columns and a last line of counts per status."""
    table = [list(COLUMNS), *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table
    ]
    total = ", ".join(f"{k} {v}" for k, v in counts(rows).items())
    return "\n".join([*lines, f"{len(rows)} module(s): {total}"]) + "\n"


def as_json(rows: Sequence[UcRow], **meta: object) -> str:
    """``{**meta, "counts": {...}, "rows": [...]}``, indented."""
    doc = {**meta, "counts": counts(rows), "rows": [r.as_dict() for r in rows]}
    return json.dumps(doc, indent=2) + "\n"
