"""A dashboard site: several builders, each its own config, database and repo tree.

``site.toml`` lists the builders to show, in the order the pages show them::

    [[builder]]
    name = "centos9-master"                 # shown as the Release column
    config = "master/trunkline.toml"        # relative to site.toml

    [[builder]]
    name = "centos9-master-head"
    config = "/srv/head/trunkline.toml"

Each builder's database is opened read-only (``db.engine.open_read_only``) and
never migrated: the dashboard is a viewer beside the running builders.
``site_of_config`` makes a one-builder site from a ``trunkline.toml`` alone.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from trunkline.config import Settings, load_settings
from trunkline.db.engine import open_read_only, session_factory
from trunkline.errors import ConfigError, DatabaseError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
REQUIRED_TABLES = frozenset({"commits", "civotes", "promotions", "ftbfs"})


@dataclass(frozen=True)
class SiteBuilder:
    """One builder of the site: its name, settings and read-only database."""

    name: str
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def repos(self) -> Path:
        """Its repo tree (where ``current``, ``consistent`` and promotion links live)."""
        return self.settings.builder.repos_path


@dataclass(frozen=True)
class Site:
    """Every builder of the dashboard, in the site file's order (names unique)."""

    builders: tuple[SiteBuilder, ...]

    def builder(self, name: str) -> SiteBuilder | None:
        """The builder called ``name``, or None."""
        return next((b for b in self.builders if b.name == name), None)

    def dispose(self) -> None:
        """Close every database connection pool."""
        for b in self.builders:
            b.engine.dispose()


def open_builder(name: str, settings: Settings) -> SiteBuilder:
    """Open one builder's database read-only and check it has the tables the pages read.

    Raises:
        DatabaseError: the database cannot be opened, or predates the ``ftbfs`` table
            (run the builder once to migrate it).
    """
    engine = open_read_only(settings.database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    except Exception as exc:
        engine.dispose()
        raise DatabaseError(f"builder {name}: database cannot be read: {exc}") from None
    missing = REQUIRED_TABLES - tables
    if missing:
        engine.dispose()
        raise DatabaseError(
            f"builder {name}: database lacks table(s) {', '.join(sorted(missing))}"
            " (run 'trunkline build' once to migrate it)"
        )
    return SiteBuilder(name, settings, engine, session_factory(engine))


def _entries(raw: dict[str, Any], path: Path) -> list[tuple[str, Path]]:
    unknown = set(raw) - {"builder"}
    if unknown:
        raise ConfigError(f"{path}: unknown key '{sorted(unknown)[0]}' (expected [[builder]])")
    items = raw.get("builder")
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{path}: no [[builder]] entries (each needs name and config)")
    out: list[tuple[str, Path]] = []
    for i, item in enumerate(items):
        where = f"{path}: builder[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a table with name and config")
        extra = set(item) - {"name", "config"}
        if extra:
            raise ConfigError(f"{where}: unknown key '{sorted(extra)[0]}'")
        name, cfg = item.get("name"), item.get("config")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ConfigError(
                f"{where}: key 'name': expected letters, digits, . _ - (got {name!r})"
            )
        if not isinstance(cfg, str) or not cfg:
            raise ConfigError(f"{where}: key 'config': expected the path of a trunkline.toml")
        if any(n == name for n, _ in out):
            raise ConfigError(f"{where}: name {name!r} appears twice")
        cfg_path = Path(cfg)
        out.append((name, cfg_path if cfg_path.is_absolute() else path.parent / cfg_path))
    return out


def load_site(path: Path) -> Site:
    """Read ``site.toml`` and open every builder it lists.

    Raises:
        ConfigError: the file is missing, not TOML, or an entry is malformed; or a
            builder's own config is invalid.
        DatabaseError: a builder's database cannot be opened read-only.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: site file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read site file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    opened: list[SiteBuilder] = []
    try:
        for name, cfg in _entries(raw, path):
            opened.append(open_builder(name, load_settings(cfg)))
    except BaseException:
        Site(tuple(opened)).dispose()
        raise
    return Site(tuple(opened))


def site_of_config(settings: Settings) -> Site:
    """A one-builder site, named after ``[builder] name``."""
    return Site((open_builder(settings.builder.name, settings),))
