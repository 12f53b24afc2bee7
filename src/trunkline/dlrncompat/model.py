"""The outcome of converting projects.ini: per DLRN option, a trunkline key or a reason.

Every DLRN option ends in exactly one of three kinds of entry, so none is
silently dropped: :class:`Carried` (a trunkline key and value), :class:`NotCarried`
(it matters, trunkline cannot do it: why, and what to do; printed one per line)
or :class:`Skipped` (nothing to carry: unset, no effect, or a section DLRN does
not read either; written as a comment in the TOML).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TomlValue = str | int | bool | list[str]


@dataclass(frozen=True)
class Carried:
    """A DLRN option that becomes a trunkline key.

    Attributes:
        source: the DLRN option, ``[DEFAULT] datadir``.
        table: the trunkline table, dotted (``build.mock``).
        key: the key in that table.
        value: the value to write.
        note: why the value is what it is, when not the file's text (``DLRN default``).
    """

    source: str
    table: str
    key: str
    value: TomlValue
    note: str = ""


@dataclass(frozen=True)
class NotCarried:
    """A DLRN option with an effect trunkline cannot reproduce."""

    source: str
    why: str
    todo: str

    def line(self, ini: str) -> str:
        """``projects.ini: [DEFAULT] rsyncdest: not carried: <why>; <what to do>``."""
        return f"{ini}: {self.source}: not carried: {self.why}; {self.todo}"


@dataclass(frozen=True)
class Skipped:
    """A DLRN option with nothing to carry (unset, no effect, or not read by DLRN)."""

    source: str
    why: str


Entry = Carried | NotCarried | Skipped


@dataclass(frozen=True)
class Conversion:
    """Every entry of one conversion, in DLRN's option order."""

    entries: tuple[Entry, ...]

    @property
    def carried(self) -> tuple[Carried, ...]:
        """The options that became trunkline keys."""
        return tuple(e for e in self.entries if isinstance(e, Carried))

    @property
    def not_carried(self) -> tuple[NotCarried, ...]:
        """The options trunkline cannot carry."""
        return tuple(e for e in self.entries if isinstance(e, NotCarried))

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """The options with nothing to carry."""
        return tuple(e for e in self.entries if isinstance(e, Skipped))

    def settings_dict(self) -> dict[str, Any]:
        """The carried keys as the nested mapping ``settings_from_dict`` takes."""
        raw: dict[str, Any] = {}
        for entry in self.carried:
            table = raw
            for part in entry.table.split("."):
                table = table.setdefault(part, {})
            table[entry.key] = entry.value
        return raw
