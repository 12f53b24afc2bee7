"""The new stable builder's config: the trunk builder's, following the new release.

``trunkline-NAME.toml`` is written beside the trunk builder's config: the same
TOML with ``[packages] tag = NAME`` (so the builder follows ``NAME-rdo`` distgits
and the release's upstream branch or pins), its own ``data_dir`` (``<data_dir>-NAME``:
its own database, mirrors and repo tree) and ``builder.name`` ``<name>-NAME``. Keys
that would make two builders share a place -- ``repos_dir``, ``baseurl``,
``[database] url`` -- are not copied (the plan lists them for people to set).
``[stable] tag_pattern`` and ``target_pattern`` are set to the names the new
release's repos declare (``<prefix>-NAME-candidate`` gives
``<prefix>-{release}-{phase}``), so ``trunkline stable`` finds the release's phase
tags without another edit.
Written through tomli_w and checked by loading it back before it is written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from trunkline.config import Settings, settings_from_dict
from trunkline.errors import ConfigError, InputError
from trunkline.publish.atomic import write_file_atomic


def config_path(settings: Settings, name: str) -> Path:
    """Where the new builder's config goes: ``trunkline-NAME.toml`` beside the current one."""
    base = settings.config_path.parent if settings.config_path else Path.cwd()
    return base / f"trunkline-{name}.toml"


def _raw(settings: Settings) -> dict[str, Any]:
    if settings.config_path is None:
        raise ConfigError("release new: needs the trunk builder's config file (--config FILE)")
    try:
        return tomllib.loads(settings.config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{settings.config_path}: cannot be read again: {exc}") from None


def stable_patterns(name: str, entry: Mapping[str, Any]) -> dict[str, str]:
    """``[stable]``'s tag and target patterns for the release ``entry`` (metadata shape).

    From the first repo with a ``<prefix>-NAME-candidate`` buildsys-tag and its
    ``buildsys`` target; empty when the release declares no phase tags.
    """
    for repo in entry.get("repos") or ():
        for tag in repo.get("buildsys-tags") or ():
            if str(tag).endswith(f"{name}-candidate"):
                base = str(tag)[: -len("-candidate")]
                found = {"tag_pattern": base[: -len(name)] + "{release}-{phase}"}
                target = str(repo.get("buildsys") or "")
                if name in target:
                    found["target_pattern"] = target.replace(name, "{release}", 1)
                return found
    return {}


def config_text(settings: Settings, name: str, entry: Mapping[str, Any] | None = None) -> str:
    """The TOML text of the new builder's config (see the module doc); ``entry`` is the
    new release as the metadata will hold it (for ``[stable]``'s patterns).

    Raises:
        ConfigError: the current config cannot be read, or the result would not load.
    """
    raw = _raw(settings)
    if entry is not None:
        patterns = stable_patterns(name, entry)
        if patterns:
            raw["stable"] = {**dict(raw.get("stable") or {}), **patterns}
    builder = dict(raw.get("builder") or {})
    data_dir = str(builder.get("data_dir", "data"))
    builder["data_dir"] = f"{data_dir.rstrip('/')}-{name}"
    builder["name"] = f"{builder.get('name', 'trunkline')}-{name}"
    for key in ("repos_dir", "baseurl"):
        builder.pop(key, None)
    raw["builder"] = builder
    database = dict(raw.get("database") or {})
    database.pop("url", None)
    if database:
        raw["database"] = database
    else:
        raw.pop("database", None)
    packages = dict(raw.get("packages") or {})
    packages["tag"] = name
    raw["packages"] = packages
    text = (
        f"# trunkline config of the {name} stable builder, written by 'trunkline release new'\n"
        f"# from {settings.config_path.name if settings.config_path else 'the trunk config'}\n"
        + tomli_w.dumps(raw)
    )
    settings_from_dict(tomllib.loads(text), source=f"(the {name} builder's config)")
    return text


def existing_config(path: Path, text: str) -> bool:
    """True when ``path`` already holds ``text`` (written by an earlier run).

    Raises:
        InputError: ``path`` exists with other content.
    """
    try:
        have = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from None
    if have != text:
        raise InputError(f"{path}: already exists with other content (move it away first)")
    return True


def write_config(path: Path, text: str) -> None:
    """Write the config atomically."""
    write_file_atomic(path, text)
