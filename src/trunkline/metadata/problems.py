"""Validation findings: the one-line :class:`Problem` and the collector rules write to.

Kept apart from ``validate.py`` so that rule modules and the editor can share
them without importing each other.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True, order=True)
class Problem:
    """One validation finding.

    Attributes:
        file: metadata file (relative path) or "" when not tied to one.
        line: 1-based line, 0 when unknown.
        severity: ``error`` or ``warning``.
        package: the package (name or project) concerned, or "".
        field: the rdoinfo field concerned, or "".
        message: what is wrong and what was expected.
    """

    file: str
    line: int
    severity: str
    package: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "<metadata>")
        subject = f"package '{self.package}' " if self.package else ""
        fld = f"field '{self.field}': " if self.field else ""
        return f"{where}: {self.severity}: {subject}{fld}{self.message}"


@dataclass
class Context:
    """Collects problems and knows where things were written.

    Attributes:
        marks: id(mapping) -> (line of the mapping, {key: line}) from the line loader.
        problems: what was found so far.
    """

    marks: dict[int, tuple[int, dict[str, int]]]
    problems: list[Problem] = field(default_factory=list)

    def line(self, mapping: object, key: str | None = None) -> int:
        """Line of ``mapping`` (or of its ``key``), 0 if unknown."""
        mark = self.marks.get(id(mapping))
        if mark is None:
            return 0
        if key is not None and key in mark[1]:
            return mark[1][key]
        return mark[0]

    def add(
        self,
        severity: str,
        file: str,
        line: int,
        message: str,
        *,
        package: str = "",
        field: str = "",
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(file, line, severity, package, field, message))


def hint(key: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a key close to a known one, else ""."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Report:
    """The outcome of a validation run."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the metadata invalid."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth a look that do not invalidate the metadata."""
        return [p for p in self.problems if p.severity == WARNING]
