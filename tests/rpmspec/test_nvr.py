"""Release strings, NVRs, RPM file names and DLRN's version normalisation."""

from __future__ import annotations

import calendar

import pytest

from trunkline.errors import InputError
from trunkline.rpmspec.nvr import normalize_version, nvr, parse_rpm_filename, release_string

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
