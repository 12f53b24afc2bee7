"""rpm version ordering, as rpm.labelCompare defines it."""

from __future__ import annotations

import pytest

from trunkline.rpmspec.versions import compare_evr, compare_versions, newest


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0", 0),
        ("1.10", "1.9", 1),
        ("1.0~rc1", "1.0", -1),  # ~ sorts before the release
        ("1.0~rc1", "1.0~rc2", -1),
        ("1.0^post1", "1.0", 1),  # ^ sorts after the release
        ("1.0^post1", "1.0.1", -1),  # ... but before the next version
        ("1.0a", "1.0", 1),
        ("2.0.0", "10.0.0", -1),
        ("1.0.0", "1.0", 1),
    ],
)
def test_versions_compare_like_rpm(a: str, b: str, expected: int) -> None:
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected


def test_epoch_wins_over_version() -> None:
    assert compare_evr(("1", "1.0", "1"), ("0", "9.0", "1")) == 1
    assert compare_evr((None, "1.0", "1"), ("0", "1.0", "1")) == 0
    assert compare_evr((2, "1.0", "1"), ("2", "1.0", "1")) == 0


def test_trunk_release_sorts_below_the_final_release() -> None:
    trunk = ("0", "9.8.0", "0.20251118100000.0d094ba.el9s")
    final = ("0", "9.8.0", "1.el9s")
    assert compare_evr(trunk, final) == -1
    assert (
        compare_evr(
            ("0", "9.8.0", "0.20251118100000.0d094ba"), ("0", "9.8.0", "0.20251119000000.aaaaaaa")
        )
        == -1
    )


def test_compare_evr_rejects_a_pair() -> None:
    with pytest.raises(ValueError, match=r"EVR must be \(epoch, version, release\)"):
        compare_evr(("1.0", "1"), ("0", "1.0", "1"))


def test_newest_picks_by_rpm_order() -> None:
    assert newest(["1.9", "1.10", "1.10~rc1", "1.2"]) == "1.10"
    assert newest(["1.0", "1.0^git1"]) == "1.0^git1"


def test_newest_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="newest\\(\\) needs at least one version"):
        newest([])
