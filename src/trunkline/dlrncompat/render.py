"""The commented trunkline.toml of a conversion.

Each key is preceded by a comment naming the DLRN option it comes from; the
options not carried and those with nothing to carry are listed, as comments, at
the end, so the file alone tells what happened to every option. Values are
written by ``tomli_w`` (quoting and escaping are its job); the text is checked by
loading it back through ``settings_from_dict`` before anyone writes it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from trunkline.config import settings_from_dict
from trunkline.dlrncompat.model import Carried, Conversion

TABLE_ORDER = ("builder", "database", "packages", "build", "build.mock", "replication")


def _value(value: object) -> str:
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def _key_lines(entry: Carried) -> list[str]:
    comment = f"# {entry.source}" + (f" ({entry.note})" if entry.note else "")
    return [comment, f"{entry.key} = {_value(entry.value)}"]


def render_toml(conversion: Conversion, ini: Path) -> str:
    """The TOML text of ``conversion`` read from ``ini``.

    Raises:
        ConfigError: the text does not load as trunkline settings (a bug in a rule).
    """
    lines = [
        f"# trunkline builder configuration converted from {ini}",
        "# by 'trunkline dlrn import-config' (the options of DLRN 0.26.1). Each key names",
        "# the DLRN option it comes from; the options not carried are listed at the end.",
    ]
    tables: dict[str, list[Carried]] = {}
    for entry in conversion.carried:
        tables.setdefault(entry.table, []).append(entry)
    order = [t for t in TABLE_ORDER if t in tables] + sorted(set(tables) - set(TABLE_ORDER))
    for table in order:
        lines += ["", f"[{table}]"]
        for entry in tables[table]:
            lines += _key_lines(entry)
    if conversion.not_carried:
        lines += ["", "# Not carried (also printed by import-config):"]
        lines += [f"#   {e.source}: {e.why}; {e.todo}" for e in conversion.not_carried]
    if conversion.skipped:
        lines += ["", "# Nothing to carry:"]
        lines += [f"#   {e.source}: {e.why}" for e in conversion.skipped]
    text = "\n".join(lines) + "\n"
    settings_from_dict(tomllib.loads(text), source=f"(converted from {ini})")
    return text
