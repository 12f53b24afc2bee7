"""Which number of ``Release:`` ``fix`` and ``patch`` bump: rdopkg's ``-R INDEX`` rules.

rdopkg's ``fix`` and ``patch`` take ``-R INDEX`` (its "release bump index"), and
trunkline accepts the same values:

- ``last-numeric`` (the default): the last number of the leading numeric part,
  ``1%{?dist}`` → ``2%{?dist}``, ``0.1%{?milestone}%{?dist}`` → ``0.2...``;
- ``MAJOR`` / ``MINOR`` / ``PATCH`` (any case) or ``N``: the Nth dot-separated part
  (from 1) of the Release before its first macro; the parts after it keep their
  values, as in rdopkg (``1.2.3`` with ``-R MAJOR`` → ``2.2.3``);
- ``0``: no bump at all.

Without ``-R`` the field depends on the form (every form RDO and Fedora use):

- ``N%{?dist}`` → N+1; ``0.N%{?milestone}%{?dist}`` → 0.(N+1) (RDO pre-releases);
- ``N.M%{?dist}`` (sub-release) → N.(M+1), as rdopkg's last-numeric;
- ``N%{?dist}.M`` (Fedora's stable-branch minor bump) → ``N%{?dist}.(M+1)``;
- DLRN's ``release_numbering`` forms: ``0.DATE.HASH`` and ``0.N.DATE.HASH`` bump
  their second part as rdopkg guesses, ``MINOR.DATE.HASH`` its first: "last
  numeric" would read a hash that starts with digits (``0d094ba``) as a number;
- ``%autorelease`` (rpmautospec) is never bumped: the next commit bumps it.
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
_DLRN = re.compile(r"^(\d+)\.(?:\d+\.)?\d{14}\.[0-9a-fA-F]{7}")
_POST_DIST = re.compile(r"^(.*%\{\??dist\}?\.)(\d+)$")
_AUTORELEASE = re.compile(r"^%\{?\??autorelease\b")


def guess_index(raw_release: str) -> str:
    """The default index for a Release: ``2`` for DLRN's ``0.`` forms (rdopkg's guess),
    ``1`` for DLRN's ``MINOR.DATE.HASH``, else ``last-numeric``."""
    match = _DLRN.match(raw_release)
    if match is None:
        return LAST_NUMERIC
    return "2" if match.group(1) == "0" else "1"


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
    if index.strip() == NO_BUMP or _AUTORELEASE.match(raw.strip()):
        return raw
    number = part_number(index)
    post = _POST_DIST.match(raw)
    if number is None and post:
        return f"{post.group(1)}{int(post.group(2)) + 1}"
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
    info = editor.read_spec(spec_path)
    if info.autorelease or (index is not None and index.strip() == NO_BUMP):
        return info.raw_release
    if info.placeholder:
        raise InputError(
            f"{spec_path}: Release is DLRN's placeholder '{info.raw_release}' "
            "(trunk builds set it); nothing to bump"
        )
    return editor.update_release(spec_path, lambda raw: next_release(raw, index, where=where))
