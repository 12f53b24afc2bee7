"""The trunk NVR convention: release strings, NVRs, RPM file names, version normalisation.

Every trunk build of a package gets ``VERSION-0.<UTC build timestamp>.<short hash>``:
the leading ``0.`` sorts a trunk build below the real release of the same
version, the build timestamp makes every new build of a package sort above
every earlier one (:func:`next_build_time`), the hash says which upstream
commit it is. ``normalize_version`` turns what upstream reports (pbr's
``7.0.0.0rc2.dev1``, git describe's ``1.0.0-3-gabc``) into an RPM version the
way DLRN does, so trunkline's NVRs match DLRN's for the same commit.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from packaging.version import InvalidVersion, Version

from trunkline.errors import InputError

Numbering = Literal["0.date.hash", "0.1.date.hash", "minor.date.hash"]

FALLBACK_VERSION = "0.0.1"

# DLRN's setversionandrelease rules, in order: (pattern, pre-release label group or None).
_VERSION_RULES: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"^([^-]*)-(.+)"), None),  # 1.0.0-d7f1b849, git describe output
    (re.compile(r"(.*)\.0(rc.+)"), "rc"),  # 7.0.0.0rc2.dev1
    (re.compile(r"(.*)\.0(b.+)"), "b"),  # 2.0.0.0b4.dev15
    (re.compile(r"(.*)\.0(a.+)"), "a"),  # 7.0.0.0a1.dev1
    (re.compile(r"(.*)\.(dev.+)"), None),  # 2014.2.dev50.g99bef1f, 2.0.1.dev17
    (re.compile(r"(.*)\.(g.+)"), None),  # 0.10.1.11.ga5f0e3c
    (re.compile(r"(.*)\.(pre.*)"), "pre"),  # 1.8.0.pre
)
_PLAIN_VERSION = re.compile(r"^[.0-9]*$")
_RPM_VERSION = re.compile(r"^[0-9][0-9A-Za-z._+~^]*$")
_PRE_LABEL = re.compile(r"^(rc|b|a|pre)(\d*)(?![A-Za-z])")
_STAMP_FORMAT = "%Y%m%d%H%M%S"  # DLRN's RELEASE_DATE, in UTC
# the date field of 0.DATE.HASH, 0.1.DATE.HASH, MINOR.DATE.HASH (then maybe .dist)
_RELEASE_STAMP = re.compile(r"^(?:0\.1|\d+)\.(\d{14})\.[0-9a-f]{7}(?:\.|$)")
# pbr's pre-release form: X.Y.Z.0rcN (SemanticVersion.release_string), optionally .devM
_OPENSTACK_PRE = re.compile(r"^\d+\.\d+\.\d+\.0(a|b|rc)\d+(\.dev\d+)?$")
# a PEP 440 local version label: 1.2.4.dev3+g1a2b3c4, 1.2.3+d20250101
_LOCAL = re.compile(r"^[0-9][^+]*\+[A-Za-z0-9][A-Za-z0-9.]*$")


def release_string(
    dt_build: int, commit_hash: str, *, numbering: Numbering = "0.date.hash", minor: int = 0
) -> str:
    """The Release of a trunk build: ``<prefix>.<UTC build time>.<hash7>``.

    The date is the *build's* time, not the upstream commit's, as in DLRN
    (``build.py`` sets ``commit.dt_build = int(time())`` when the build starts and
    exports it as ``RELEASE_DATE``, ``%Y%m%d%H%M%S`` UTC; ``scripts/common-functions``
    forms ``RELEASE``): a distgit-only change rebuilds the same upstream commit and
    must still get a new, higher NVR. Pick ``dt_build`` with :func:`next_build_time`
    so that it never ties with or goes below an earlier build of the package.

    Args:
        dt_build: the build's time, seconds since the epoch (UTC).
        commit_hash: the upstream commit hash; its first 7 characters are used.
        numbering: DLRN's ``release_numbering``: ``0.date.hash`` (default),
            ``0.1.date.hash`` or ``minor.date.hash``.
        minor: the leading number for ``minor.date.hash`` (DLRN's ``release_minor``).

    Returns:
        e.g. ``0.20251118100000.0d094ba``.

    Raises:
        InputError: an unknown numbering scheme, an empty/non-hex hash or a
            negative ``minor``.
    """
    if not re.fullmatch(r"[0-9a-fA-F]{7,}", commit_hash):
        raise InputError(f"commit hash {commit_hash!r}: expected at least 7 hex digits")
    stamp = time.strftime(_STAMP_FORMAT, time.gmtime(dt_build))
    short = commit_hash[:7].lower()
    if numbering == "0.date.hash":
        return f"0.{stamp}.{short}"
    if numbering == "0.1.date.hash":
        return f"0.1.{stamp}.{short}"
    if numbering == "minor.date.hash":
        if minor < 0:
            raise InputError(f"release_minor {minor}: expected a number >= 0")
        return f"{minor}.{stamp}.{short}"
    raise InputError(
        f"release numbering {numbering!r}: expected 0.date.hash, 0.1.date.hash or minor.date.hash"
    )


def release_time(release: str) -> int | None:
    """The build time a trunk Release carries, or None when it carries none.

    Args:
        release: a Release in any of the three numbering forms, with or without
            the dist tag (``0.1.20251118100000.0d094ba.el9s``); any other Release
            (``1.el9``, an imported build's) gives None.

    Returns:
        Seconds since the epoch (UTC) of the ``%Y%m%d%H%M%S`` field.
    """
    match = _RELEASE_STAMP.search(release)
    if match is None:
        return None
    d = match.group(1)  # read by hand: time.strptime costs 5x more, and this runs per DB row
    parts = (int(d[:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]), int(d[12:14]))
    try:
        datetime(*parts)
    except ValueError:  # 14 digits that are not a date (month 13...)
        return None
    return calendar.timegm(parts)


def next_build_time(now: float, previous: int | None) -> int:
    """The time (``dt_build``, hence the Release date) of a package's next build.

    The rule: ``max(now, previous + 1)``, in whole seconds. DLRN uses the clock
    alone (``int(time())``), which ties for two builds of a package in the same
    second and goes backwards when the clock is stepped back; either would give a
    new build a Release equal to or below an earlier one, which dnf never upgrades
    to. With the floor every new build's Release date is strictly above every
    earlier one's, so (Version and numbering unchanged) the new NVR sorts higher
    whatever upstream commit it builds: the date comes before the hash.
    The price: after a clock that ran ahead, the package's dates stay one second
    apart above that time until the clock catches up.

    Args:
        now: the clock, seconds since the epoch (UTC).
        previous: the newest time any earlier build of the package carries (its
            ``dt_build`` or its Release's date, see ``builder/buildtime.py``); None
            for the package's first build.

    Returns:
        Seconds since the epoch (UTC).
    """
    stamp = int(now)
    return stamp if previous is None else max(stamp, previous + 1)


def nvr(name: str, version: str, release: str, dist: str = "") -> str:
    """``name-version-release`` with the dist tag appended to the release.

    Args:
        name: package name.
        version: RPM version.
        release: RPM release without dist, e.g. ``0.20251118100000.0d094ba``.
        dist: the dist tag, e.g. ``.el9s`` (may be empty).

    Returns:
        e.g. ``python-foo-1.2.0-0.20251118100000.0d094ba.el9s``.
    """
    return f"{name}-{version}-{release}{dist}"


@dataclass(frozen=True)
class RpmFileName:
    """The parts of an RPM file name ``name-version-release.arch.rpm``."""

    name: str
    version: str
    release: str
    arch: str

    @property
    def nvr(self) -> str:
        """``name-version-release``."""
        return f"{self.name}-{self.version}-{self.release}"

    @property
    def is_source(self) -> bool:
        """True for a source RPM (``.src.rpm``)."""
        return self.arch in ("src", "nosrc")


def parse_rpm_filename(filename: str) -> RpmFileName:
    """Split an RPM file name into name, version, release and arch.

    Args:
        filename: a file name (or path) ending in ``.rpm``.

    Returns:
        The parts; ``arch`` is ``src`` for a source RPM.

    Raises:
        InputError: the name is not ``name-version-release.arch.rpm``.
    """
    base = filename.rsplit("/", 1)[-1]
    stem = base.removesuffix(".rpm")
    nvr_part, _, arch = stem.rpartition(".")
    parts = nvr_part.rsplit("-", 2)
    if stem == base or not arch or len(parts) != 3 or not all(parts):
        raise InputError(f"RPM file name {base!r}: expected name-version-release.arch.rpm")
    return RpmFileName(parts[0], parts[1], parts[2], arch)


def _pep440_pre_release(value: str) -> tuple[str, str] | None:
    """``(release, label)`` of a PEP 440 pre-release not in OpenStack's form, else None.

    ``1.10rc1`` -> ``("1.10", "rc1")``, ``2.0b3.dev4`` -> ``("2.0", "b3")``; pbr's
    ``X.Y.Z.0rcN`` is left to DLRN's rules (which give ``X.Y.Z``).
    """
    if _OPENSTACK_PRE.match(value):
        return None
    try:
        parsed = Version(value)
    except InvalidVersion:
        return None
    if parsed.pre is None:
        return None
    return ".".join(str(part) for part in parsed.release), f"{parsed.pre[0]}{parsed.pre[1]}"


def normalize_version(upstream_version: str, *, tilde: bool = False) -> str:
    """The RPM Version for an upstream version, following DLRN's rules.

    DLRN's ``setversionandrelease`` (scripts/common-functions) drops what RPM must
    not see, first match wins: ``A-B`` -> ``A`` (``1.0.0-d7f1b849``); pbr's
    ``X.Y.Z.0rcN`` / ``.0bN`` / ``.0aN`` -> ``X.Y.Z``; ``.devN`` (``2.0.1.dev17``) and
    ``.gSHA`` suffixes and ``.pre`` are cut; a plain dotted number stays. A trunk
    build's Release starts with ``0.``, so it already sorts below the final release.

    Two classes DLRN gets wrong are fixed so that a trunk build never sorts above
    the release it leads to: a PEP 440 local part (``+g1a2b3c4``, setuptools-scm) is
    dropped first, and a PEP 440 pre-release not in pbr's form (``1.10rc1``,
    ``2.0b3.dev4``, where DLRN gives ``0.0.1``, ``1.10rc2`` or ``2``) becomes its
    release (``1.10``, ``2.0``). Any other RPM-legal version (``1.2.3.post1``,
    ``1.0.0~rc1``) is kept as is instead of DLRN's ``0.0.1``.

    With ``tilde`` the pre-release marker is kept in RPM's pre-release syntax
    instead (``7.0.0~rc2``), which sorts below ``7.0.0``.

    Args:
        upstream_version: what the version detection found, e.g. ``7.0.0.0rc2.dev1``.
        tilde: keep pre-release markers as ``~rcN`` / ``~bN`` / ``~aN`` / ``~pre``.

    Returns:
        An RPM-friendly version; ``0.0.1`` when nothing usable is found (a bare hash).
    """
    value = upstream_version.strip()
    if "+" in value and _LOCAL.match(value):
        value = value.split("+", 1)[0]
    result = _dlrn_rules(value, tilde)
    pep = _pep440_pre_release(value)
    if pep is not None and result.split("~")[0] != pep[0]:
        return f"{pep[0]}~{pep[1]}" if tilde else pep[0]
    return result


def _dlrn_rules(value: str, tilde: bool) -> str:
    """DLRN's ``setversionandrelease`` rules, in its order (see normalize_version)."""
    for pattern, label in _VERSION_RULES:
        match = pattern.search(value)
        if match is None:
            continue
        base = match.group(1)
        if tilde and (label is not None or "-" in value):
            pre = _PRE_LABEL.match(match.group(2))
            if pre is not None:
                return f"{base}~{pre.group(1)}{pre.group(2)}"
        return base.replace("-", ".") or FALLBACK_VERSION
    if value and (_PLAIN_VERSION.match(value) or _RPM_VERSION.match(value)):
        return value
    return FALLBACK_VERSION
