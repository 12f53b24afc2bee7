"""Release strings, NVRs, RPM file names and DLRN's version normalisation."""

from __future__ import annotations

import calendar
from typing import get_args

import pytest
import rpm

from trunkline.errors import InputError
from trunkline.rpmspec.nvr import (
    Numbering,
    next_build_time,
    normalize_version,
    nvr,
    parse_rpm_filename,
    release_string,
    release_time,
)

# 2025-11-18 10:00:00 UTC
DT = calendar.timegm((2025, 11, 18, 10, 0, 0))
HASH = "0d094ba5c3f1e2d4a6b8c0e1f2a3b4c5d6e7f809"


@pytest.mark.parametrize(
    ("numbering", "minor", "expected"),
    [
        ("0.date.hash", 0, "0.20251118100000.0d094ba"),
        ("0.1.date.hash", 0, "0.1.20251118100000.0d094ba"),
        ("minor.date.hash", 3, "3.20251118100000.0d094ba"),
    ],
)
def test_release_string_schemes(numbering: str, minor: int, expected: str) -> None:
    assert release_string(DT, HASH, numbering=numbering, minor=minor) == expected  # type: ignore[arg-type]


def test_release_string_uses_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert release_string(DT, HASH) == "0.20251118100000.0d094ba"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_release_string_rejects_a_bad_hash() -> None:
    with pytest.raises(InputError) as err:
        release_string(DT, "not-a-hash")
    assert str(err.value) == "commit hash 'not-a-hash': expected at least 7 hex digits"


def test_release_string_rejects_an_unknown_scheme() -> None:
    with pytest.raises(InputError) as err:
        release_string(DT, HASH, numbering="date.hash")  # type: ignore[arg-type]
    assert str(err.value) == (
        "release numbering 'date.hash': expected 0.date.hash, 0.1.date.hash or minor.date.hash"
    )


def test_release_string_rejects_a_negative_minor() -> None:
    with pytest.raises(InputError) as err:
        release_string(DT, HASH, numbering="minor.date.hash", minor=-1)
    assert str(err.value) == "release_minor -1: expected a number >= 0"


FORMS: list[tuple[Numbering, int]] = [("0.date.hash", 0), ("0.1.date.hash", 0)]
FORMS += [("minor.date.hash", m) for m in (0, 1, 4)]
assert {f for f, _ in FORMS} == set(get_args(Numbering))


@pytest.mark.parametrize(("numbering", "minor"), FORMS)
@pytest.mark.parametrize("dist", ["", ".el9s"])
def test_release_time_reads_back_the_build_time(
    numbering: Numbering, minor: int, dist: str
) -> None:
    release = release_string(DT + 59, HASH, numbering=numbering, minor=minor)
    assert release_time(release + dist) == DT + 59


@pytest.mark.parametrize(
    "release",
    ["1.el9s", "0.1.0rc1", "", "0.2025111810000.0d094ba", "0.20251318100000.0d094ba", "2.x"],
)
def test_release_time_of_a_release_without_a_build_time_is_none(release: str) -> None:
    assert release_time(release) is None


@pytest.mark.parametrize(
    ("now", "previous", "expected"),
    [
        (DT + 0.9, None, DT),  # the package's first build: the clock, whole seconds
        (DT + 60, DT, DT + 60),  # the clock moved on: the clock
        (DT + 0.5, DT, DT + 1),  # a second build in the same second
        (DT - 3600, DT, DT + 1),  # the clock was stepped back an hour
    ],
)
def test_next_build_time_is_the_clock_but_above_every_earlier_build(
    now: float, previous: int | None, expected: int
) -> None:
    assert next_build_time(now, previous) == expected


def test_the_clock_alone_ties_in_the_same_second() -> None:
    """Why the floor exists: DLRN's ``int(time())`` gives two builds one NVR."""
    first = release_string(DT, HASH)
    assert rpm.labelCompare(("0", "1.0.0", first), ("0", "1.0.0", release_string(DT, HASH))) == 0


OLD, NEW = "f" * 40, "0" * 40  # an older upstream commit may have the higher hash
SCENARIOS = {
    # (clock at each build, upstream commit built)
    "distgit-only rebuild an hour later": [(DT, HASH), (DT + 3600, HASH)],
    "distgit-only rebuild in the same second": [(DT + 0.1, HASH), (DT + 0.8, HASH)],
    "three builds in one second": [(DT, HASH), (DT, HASH), (DT, NEW)],
    "clock stepped back": [(DT, HASH), (DT - 7200, HASH), (DT - 7199, HASH)],
    "older upstream commit rebuilt after a newer one": [(DT, OLD), (DT + 5, NEW), (DT + 9, OLD)],
    "newer commit, lower hash, same second": [(DT, OLD), (DT, NEW)],
    "across midnight and new year": [(DT, HASH), (calendar.timegm((2026, 1, 1, 0, 0, 0)), NEW)],
}


@pytest.mark.parametrize(("numbering", "minor"), FORMS)
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("previous_from", ["dt_build", "release"])
def test_every_new_build_sorts_above_every_earlier_build(
    numbering: Numbering, minor: int, scenario: str, previous_from: str
) -> None:
    """rpm's own order: each build's NVR is above all earlier ones of the package.

    The floor is read either from the earlier build's time (its DB ``dt_build``) or
    back from its Release alone (an old or imported row): both must be enough.
    """
    built: list[str] = []
    previous: int | None = None
    for now, commit in SCENARIOS[scenario]:
        stamp = next_build_time(now, previous)
        release = release_string(stamp, commit, numbering=numbering, minor=minor) + ".el9s"
        for earlier in built:
            assert rpm.labelCompare(("0", "1.0.0", release), ("0", "1.0.0", earlier)) == 1
        built.append(release)
        previous = stamp if previous_from == "dt_build" else release_time(release)
    assert len(set(built)) == len(built)


def test_nvr_appends_the_dist_tag() -> None:
    assert nvr("python-oslo-config", "9.8.0", "0.20251118100000.0d094ba", ".el9s") == (
        "python-oslo-config-9.8.0-0.20251118100000.0d094ba.el9s"
    )
    assert nvr("foo", "1", "2") == "foo-1-2"


@pytest.mark.parametrize(
    ("filename", "name", "version", "release", "arch"),
    [
        (
            "python3-oslo-config-9.8.0-0.20251118100000.0d094ba.el9s.noarch.rpm",
            "python3-oslo-config",
            "9.8.0",
            "0.20251118100000.0d094ba.el9s",
            "noarch",
        ),
        (
            "/repo/openstack-nova-31.0.0-0.1.el9s.src.rpm",
            "openstack-nova",
            "31.0.0",
            "0.1.el9s",
            "src",
        ),
        ("a-1-1.x86_64.rpm", "a", "1", "1", "x86_64"),
    ],
)
def test_parse_rpm_filename(
    filename: str, name: str, version: str, release: str, arch: str
) -> None:
    parsed = parse_rpm_filename(filename)
    assert (parsed.name, parsed.version, parsed.release, parsed.arch) == (
        name,
        version,
        release,
        arch,
    )
    assert parsed.nvr == f"{name}-{version}-{release}"
    assert parsed.is_source == (arch == "src")


@pytest.mark.parametrize(
    "filename", ["foo.rpm", "foo-1.noarch.rpm", "foo-1-2.noarch", "-1-2.noarch.rpm"]
)
def test_parse_rpm_filename_rejects_other_names(filename: str) -> None:
    with pytest.raises(InputError) as err:
        parse_rpm_filename(filename)
    assert str(err.value) == f"RPM file name {filename!r}: expected name-version-release.arch.rpm"


@pytest.mark.parametrize(
    ("upstream", "dlrn", "tilde"),
    [
        ("1.7.3", "1.7.3", "1.7.3"),
        ("7.0.0.0rc2.dev1", "7.0.0", "7.0.0~rc2"),  # pbr release candidate
        ("2.0.0.0b4.dev15", "2.0.0", "2.0.0~b4"),  # pbr beta milestone
        ("7.0.0.0a1.dev1", "7.0.0", "7.0.0~a1"),  # pbr alpha
        ("2014.2.dev50.g99bef1f", "2014.2", "2014.2"),
        ("2.0.1.dev17", "2.0.1", "2.0.1"),  # pbr dev version
        ("0.10.1.11.ga5f0e3c", "0.10.1.11", "0.10.1.11"),  # git describe, dotted
        ("1.8.0.pre", "1.8.0", "1.8.0~pre"),
        ("1.0.0-d7f1b849", "1.0.0", "1.0.0"),  # version-hash
        ("1.0.0-rc1", "1.0.0", "1.0.0~rc1"),  # semver pre-release
        ("1.0.0~rc1", "1.0.0~rc1", "1.0.0~rc1"),  # already RPM syntax
        ("eb6dbe2", "0.0.1", "0.0.1"),  # a bare hash: DLRN's fallback
        ("", "0.0.1", "0.0.1"),
    ],
)
def test_normalize_version_like_dlrn(upstream: str, dlrn: str, tilde: str) -> None:
    assert normalize_version(upstream) == dlrn
    assert normalize_version(upstream, tilde=True) == tilde


def test_tilde_versions_sort_below_the_final_release() -> None:
    from trunkline.rpmspec.versions import compare_versions

    assert compare_versions(normalize_version("7.0.0.0rc2.dev1", tilde=True), "7.0.0") == -1
