"""Reading DLRN's ``projects.ini`` the way DLRN 0.26.1 does, and saying what it holds.

DLRN (dlrn/shell.py, dlrn/config.py ``ConfigOptions``) reads the file with
``configparser.RawConfigParser`` (no interpolation, keys lower-cased, ``#``/``;``
full-line comments, duplicate keys an error), takes every ``[DEFAULT]`` option
and the options of the two configured drivers' sections, and gives every option
missing from the file its default (``dlrncompat/options.py``). A driver section
inherits ``[DEFAULT]``'s keys, as configparser makes every section do. DLRN then
sets an empty ``configdir`` to ``scriptsdir``.

Unlike DLRN, a missing file, a value of the wrong type or an unknown driver class
is an error here (``ConfigError``, exit 2, one line naming the file, the section and the
option), and options DLRN does not know are listed instead of ignored.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path

from trunkline.dlrncompat.options import (
    BUILD_DRIVERS,
    DLRN_OPTIONS,
    PKGINFO_DRIVERS,
    SECTIONS,
    DlrnOption,
    Value,
)
from trunkline.errors import ConfigError

_NO_DEFAULT_SECTION = "\x00none"  # so [DEFAULT] is read as a section of its own


@dataclass(frozen=True)
class DlrnConfig:
    """What DLRN would run with, read from one projects.ini.

    Attributes:
        path: the file read.
        values: ``(section, name)`` -> the value DLRN uses, for every option of
            ``[DEFAULT]`` and of the active driver sections (defaults included).
        given: the ``(section, name)`` pairs written in the file (known options only).
        unused: options written in the sections of drivers not configured (DLRN skips them).
        unknown: ``(section, name)`` written in the file that DLRN 0.26.1 does not know.
        active: the sections DLRN reads: ``DEFAULT`` and the two drivers'.
    """

    path: Path
    values: dict[tuple[str, str], Value]
    given: frozenset[tuple[str, str]]
    unused: tuple[tuple[str, str], ...]
    unknown: tuple[tuple[str, str], ...]
    active: tuple[str, ...]

    def get(self, section: str, name: str) -> Value:
        """The value DLRN uses for ``[section] name`` (KeyError for an inactive section)."""
        return self.values[(section, name)]

    def text(self, section: str, name: str) -> str:
        """A string option's value, ``""`` for None."""
        value = self.values[(section, name)]
        return "" if value is None else str(value)

    def is_given(self, section: str, name: str) -> bool:
        """True when the file sets the option (else DLRN's default applies)."""
        return (section, name) in self.given


def _parser(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(default_section=_NO_DEFAULT_SECTION)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle, source=str(path))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except configparser.Error as exc:
        raise ConfigError(f"{path}: not a DLRN ini file: {_one_line(exc)}") from None
    return parser


def _one_line(exc: configparser.Error) -> str:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"line {exc.lineno}: text before the first [section]"
    if isinstance(exc, configparser.DuplicateOptionError):
        return f"line {exc.lineno}: [{exc.section}] {exc.option}: set twice"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"line {exc.lineno}: [{exc.section}]: appears twice"
    return " ".join(exc.message.split())


def _typed(path: Path, opt: DlrnOption, raw: str) -> Value:
    """``raw`` converted as DLRN's ``ConfigOptions.parse_config`` does."""
    if opt.kind == "list":
        return raw.split(",")
    if opt.kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{path}: {opt.label}: expected an integer (got {raw!r})") from None
    if opt.kind == "boolean":
        state = configparser.RawConfigParser.BOOLEAN_STATES.get(raw.lower())
        if state is None:
            raise ConfigError(
                f"{path}: {opt.label}: expected a boolean: 1/0, true/false, yes/no, on/off "
                f"(got {raw!r})"
            )
        return state
    return raw


def _raw(parser: configparser.RawConfigParser, section: str, name: str) -> str | None:
    """The text DLRN's ``has_option``/``get`` see: the section's own, else ``[DEFAULT]``'s."""
    for where in (section, "DEFAULT"):
        if parser.has_section(where) and parser.has_option(where, name):
            return parser.get(where, name)
    return None


def _driver_section(path: Path, cls: str, table: dict[str, str], option: str) -> str:
    section = table.get(cls)
    if section is None:
        valid = ", ".join(sorted(table))
        raise ConfigError(
            f"{path}: [DEFAULT] {option}: unknown DLRN driver {cls!r}; expected: {valid}"
        )
    return section


def read_projects_ini(path: Path) -> DlrnConfig:
    """Read ``path`` as DLRN 0.26.1 would.

    Raises:
        ConfigError: missing or unreadable file, not INI, a value of the wrong type, or a
            driver class DLRN does not ship (a one-line message naming file, section, option).
    """
    parser = _parser(path)
    values: dict[tuple[str, str], Value] = {}
    given: set[tuple[str, str]] = set()

    def read(section: str) -> None:
        for opt in DLRN_OPTIONS:
            if opt.section != section:
                continue
            raw = _raw(parser, section, opt.name) if parser.has_section(section) else None
            if raw is None:
                values[(section, opt.name)] = opt.default
            else:
                values[(section, opt.name)] = _typed(path, opt, raw)
                given.add((section, opt.name))

    read("DEFAULT")
    pkginfo = _driver_section(
        path, str(values[("DEFAULT", "pkginfo_driver")]), PKGINFO_DRIVERS, "pkginfo_driver"
    )
    build = _driver_section(
        path, str(values[("DEFAULT", "build_driver")]), BUILD_DRIVERS, "build_driver"
    )
    active = ("DEFAULT", pkginfo, build)
    read(pkginfo)
    read(build)
    if not values[("DEFAULT", "configdir")]:
        values[("DEFAULT", "configdir")] = values[("DEFAULT", "scriptsdir")]
    known = {(o.section, o.name) for o in DLRN_OPTIONS}
    unused: list[tuple[str, str]] = []
    unknown: list[tuple[str, str]] = []
    for section in parser.sections():
        for name in parser.options(section):
            if (section, name) not in known:
                inherited = section == "DEFAULT" and any((s, name) in known for s in active)
                if not inherited:
                    unknown.append((section, name))
            elif section not in active:
                unused.append((section, name))
    return DlrnConfig(
        path=path,
        values=values,
        given=frozenset(given),
        unused=tuple(unused),
        unknown=tuple(unknown),
        active=active,
    )


__all__ = ["SECTIONS", "DlrnConfig", "read_projects_ini"]
