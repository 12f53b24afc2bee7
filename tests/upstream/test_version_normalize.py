"""normalize_version against DLRN's own setversionandrelease, and rpm's ordering for every class.

DLRN's answer comes from its bash function (DLRN 0.26.1 from PyPI, in a peer venv).
Where DLRN's answer would sort a trunk build above the release it leads to, or
below the release it follows, trunkline deliberately differs; those rows record
DLRN's value so the test proves DLRN really does that.
"""

from __future__ import annotations

import pytest

from tests.upstream.oracles import dlrn_normalize
from trunkline.rpmspec.nvr import normalize_version
from trunkline.rpmspec.versions import compare_evr

TRUNK_RELEASE = "0.20261129170000.abcdef1"  # what a trunk build's Release looks like

# (upstream version, trunkline's RPM Version, DLRN's if it differs, the release it leads to,
#  the release it follows or None)
CASES: list[tuple[str, str, str | None, str, str | None]] = [
    ("1.7.3", "1.7.3", None, "1.7.3", None),  # on a release tag
    ("7.0.0.0rc1", "7.0.0", None, "7.0.0", "6.4.0"),  # pbr, on an rc tag
    ("7.0.0.0rc2.dev1", "7.0.0", None, "7.0.0", "6.4.0"),  # pbr, after an rc tag
    ("2.0.0.0b4.dev15", "2.0.0", None, "2.0.0", "1.9.0"),  # pbr, after a beta
    ("7.0.0.0a1.dev1", "7.0.0", None, "7.0.0", "6.4.0"),  # pbr, after an alpha
    ("2.0.1.dev17", "2.0.1", None, "2.0.1", "2.0.0"),  # pbr, after a release
    ("2014.2.dev50.g99bef1f", "2014.2", None, "2014.2", "2014.1"),  # old pbr
    ("0.10.1.11.ga5f0e3c", "0.10.1.11", None, "0.10.2", "0.10.1"),  # dotted git describe
    ("1.8.0.pre", "1.8.0", None, "1.8.0", None),
    ("1.0.0-d7f1b849", "1.0.0", None, "1.0.0", None),  # version-hash
    ("1.0.0-rc1", "1.0.0", None, "1.0.0", None),  # semver pre-release tag
    ("1.2.4.dev3+g1a2b3c4", "1.2.4", None, "1.2.4", "1.2.3"),  # setuptools-scm default
    ("1.2.4.dev3+g1a2b3c4.d20261129", "1.2.4", None, "1.2.4", "1.2.3"),  # ... dirty
    ("1.2.3.post1.dev2+g1a2b3c4", "1.2.3.post1", None, "1.2.4", "1.2.3"),  # no-guess-dev
    ("eb6dbe2", "0.0.1", None, "1.0", None),  # a bare hash: DLRN's fallback
    # PEP 440 pre-releases not in pbr's form: DLRN's answer sorts above or far below
    ("1.10rc1", "1.10", "0.0.1", "1.10", "1.9"),
    ("1.10rc2.dev1+g1a2b3c4", "1.10", "1.10rc2", "1.10", "1.9"),  # sorts above 1.10-1
    ("2.0b3", "2.0", "2", "2.0", "1.9"),  # DLRN's 2 sorts below 1.9
    ("1.0rc1", "1.0", "1", "1.0", "0.9"),
    ("3.1.0a2.dev4", "3.1.0", "3.1", "3.1.0", "3.0.0"),  # DLRN reads ".0a2" as pbr's form
    # a local part or RPM's own pre-release syntax: DLRN falls back to 0.0.1
    ("1.2.3+local", "1.2.3", "0.0.1", "1.2.3", "1.2.2"),
    ("1.0.0~rc1", "1.0.0~rc1", "0.0.1", "1.0.0", "0.9.0"),
]


@pytest.fixture(scope="module")
def dlrn() -> dict[str, str]:
    return dlrn_normalize([case[0] for case in CASES])


@pytest.mark.parametrize(("upstream", "ours", "dlrn_differs", "final", "previous"), CASES)
def test_normalize_version_is_dlrn_or_a_documented_fix(
    dlrn: dict[str, str],
    upstream: str,
    ours: str,
    dlrn_differs: str | None,
    final: str,
    previous: str | None,
) -> None:
    assert normalize_version(upstream) == ours
    assert dlrn[upstream] == (dlrn_differs or ours)


@pytest.mark.parametrize(("upstream", "ours", "dlrn_differs", "final", "previous"), CASES)
@pytest.mark.parametrize("tilde", [False, True])
def test_trunk_builds_sort_between_the_releases_around_them(
    upstream: str,
    ours: str,
    dlrn_differs: str | None,
    final: str,
    previous: str | None,
    tilde: bool,
) -> None:
    version = normalize_version(upstream, tilde=tilde)
    assert compare_evr(("0", version, TRUNK_RELEASE), ("0", final, "1")) == -1
    if previous is not None:
        assert compare_evr(("0", version, TRUNK_RELEASE), ("0", previous, "1")) == 1


@pytest.mark.parametrize(
    ("upstream", "tilde"),
    [
        ("7.0.0.0rc2.dev1", "7.0.0~rc2"),
        ("1.10rc1", "1.10~rc1"),
        ("2.0b3.dev4", "2.0~b3"),
        ("1.8.0.pre", "1.8.0~pre"),
    ],
)
def test_tilde_keeps_the_pre_release_label(upstream: str, tilde: str) -> None:
    assert normalize_version(upstream, tilde=True) == tilde
