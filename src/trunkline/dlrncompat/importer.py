"""``trunkline dlrn import-config``'s service: projects.ini in, trunkline.toml text out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trunkline.dlrncompat.convert import convert
from trunkline.dlrncompat.model import Conversion
from trunkline.dlrncompat.projects_ini import read_projects_ini
from trunkline.dlrncompat.render import render_toml


@dataclass(frozen=True)
class ImportedConfig:
    """The TOML text, and what happened to each option (``lines``: the not-carried ones)."""

    toml: str
    conversion: Conversion
    lines: tuple[str, ...]


def import_config(ini: Path) -> ImportedConfig:
    """Convert DLRN's ``ini`` into a commented trunkline.toml.

    Raises:
        ConfigError: the file cannot be read as DLRN reads it (one line: file, section, option).
    """
    conversion = convert(read_projects_ini(ini))
    toml = render_toml(conversion, ini)
    lines = tuple(e.line(str(ini)) for e in conversion.not_carried)
    return ImportedConfig(toml, conversion, lines)
