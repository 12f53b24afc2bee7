"""Which number of ``Release:`` ``fix`` and ``patch`` bump: rdopkg's ``-R INDEX`` rules.

rdopkg's ``fix`` and ``patch`` take ``-R INDEX`` (its "release bump index"), and
trunkline accepts the same values:

- ``last-numeric`` (the default): the last number of the leading numeric part,
  ``1%{?dist}`` → ``2%{?dist}``, ``0.1%{?milestone}%{?dist}`` → ``0.2...``;
- ``MAJOR`` / ``MINOR`` / ``PATCH`` (any case) or ``N``: the Nth dot-separated part
  (from 1) of the Release before its first macro; the parts after it keep their
  values, as in rdopkg (``1.2.3`` with ``-R MAJOR`` → ``2.2.3``);
- ``0``: no bump at all.

Without ``-R``, a DLRN-style Release (``0.DATE.HASH`` or ``0.N.DATE.HASH``) bumps
its second part as rdopkg guesses it: "last numeric" would otherwise read a hash
that starts with digits (``0.20240101120000.0d094ba``) as a number.
"""

from __future__ import annotations

import re
from pathlib import Path

from trunkline.errors import InputError, SpecError
from trunkline.rpmspec import editor

LAST_NUMERIC = "last-numeric"
NO_BUMP = "0"
SEMVER_PARTS = {"MAJOR": 1, "MINOR": 2, "PATCH": 3}
_NUMERIC = re.compile(r"^(\d+(?:\.\d+)*)(.*)$")
_DLRN = re.compile(r"^0\.(?:\d+\.)?\d{14}\.[0-9a-fA-F]{7}")


def guess_index(raw_release: str) -> str:
    """rdopkg's default index for a Release: ``2`` for DLRN styles, else ``last-numeric``."""
    return "2" if _DLRN.match(raw_release) else LAST_NUMERIC


def part_number(index: str) -> int | None:
    """The 1-based part an index names; None for ``last-numeric``.

    Raises:
        InputError: the index is not one rdopkg accepts.
    """
    key = index.strip().upper()
    if key == LAST_NUMERIC.upper():
        return None
    if key in SEMVER_PARTS:
        return SEMVER_PARTS[key]
    if key.isdigit():
        return int(key)
    raise InputError(
        f"--release-part {index!r}: expected MAJOR, MINOR, PATCH, last-numeric, 0 or a part number"
    )


def next_release(raw: str, index: str | None = None, *, where: str = "spec") -> str:
    """The Release after the bump ``index`` names (see the module docstring).

    Args:
        raw: the raw Release value, e.g. ``1%{?dist}``.
        index: rdopkg's ``-R`` value; None guesses it from ``raw``.
        where: the spec path, for error messages.

    Raises:
        InputError: a bad index, or a part the Release does not have.
        SpecError: the chosen part of Release is not a number.
    """
    index = guess_index(raw) if index is None else index
    if index.strip() == NO_BUMP:
        return raw
    number = part_number(index)
    if number is None:
        match = _NUMERIC.match(raw)
        if not match:
            raise SpecError(f"{where}: Release '{raw}' does not start with a number to bump")
        parts = match.group(1).split(".")
        parts[-1] = str(int(parts[-1]) + 1)
        return ".".join(parts) + match.group(2)
    head, percent, tail = raw.partition("%")
    parts = head.split(".")
    if number > len(parts):
        raise InputError(f"{where}: Release '{raw}' has no part {number} to bump (-R {index})")
    if not parts[number - 1].isdigit():
        raise SpecError(
            f"{where}: part {number} of Release '{raw}' is not a number: {parts[number - 1]!r}"
        )
    parts[number - 1] = str(int(parts[number - 1]) + 1)
    return ".".join(parts) + percent + tail


def bump(spec_path: Path, index: str | None = None) -> str:
    """Bump ``Release:`` of a spec by ``index`` and return the new raw value.

    Raises:
        InputError: a bad index (see :func:`next_release`).
        SpecError: the spec cannot be parsed, or Release has nothing to bump.
    """
    if index is not None and index.strip() != NO_BUMP:
        part_number(index)  # refuse a bad index before touching the spec
    where = str(spec_path)
    return editor.update_release(spec_path, lambda raw: next_release(raw, index, where=where))
