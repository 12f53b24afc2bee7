"""The culprit from the commits between the last good and the failing build (real git)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GitRepo, git
from trunkline.ftbfs.culprit import Sides, commit_url, find_culprit


def _repo(path: Path, n: int, prefix: str) -> tuple[GitRepo, list[str]]:
    repo = GitRepo(path)
    path.mkdir(parents=True)
    git(path, "init", "-q")
    hashes = [repo.commit(f"{prefix} {i}", {"f": f"{i}\n"}) for i in range(n)]
    return repo, hashes


CASES = [
    # (upstream commits since good, distgit commits since good, state, named sides)
    (1, 0, "single", ("upstream",)),
    (0, 1, "single", ("distgit",)),
    (1, 1, "single", ("upstream", "distgit")),
    (3, 0, "bisecting", ()),
    (3, 1, "could-not-isolate", ("distgit",)),
    (0, 2, "could-not-isolate", ()),
    (0, 0, "unknown", ()),
]


@pytest.mark.parametrize(("up_n", "dg_n", "state", "named"), CASES)
def test_culprit_by_the_commits_that_changed(
    tmp_path: Path, up_n: int, dg_n: int, state: str, named: tuple[str, ...]
) -> None:
    up, up_hashes = _repo(tmp_path / "up", 1 + up_n, "Upstream change")
    dg, dg_hashes = _repo(tmp_path / "dg", 1 + dg_n, "Spec change")
    sides = Sides(up.path / ".git", dg.path / ".git", "https://opendev.org/x/up.git", None)
    good = (up_hashes[0], dg_hashes[0])
    bad = (up_hashes[-1], dg_hashes[-1])
    culprit, to_bisect = find_culprit(sides, good, bad)
    assert culprit.state == state
    assert tuple(s for s in ("upstream", "distgit") if getattr(culprit, s)) == named
    if culprit.upstream is not None:
        assert culprit.upstream.hash == up_hashes[-1]
        assert culprit.upstream.subject == f"Upstream change {up_n}"
        assert culprit.upstream.url == f"https://opendev.org/x/up/commit/{up_hashes[-1]}"
    if culprit.distgit is not None:
        assert culprit.distgit.hash == dg_hashes[-1] and culprit.distgit.url is None
    assert to_bisect == (up_hashes[1:] if state == "bisecting" else [])


def test_no_good_build_or_an_unreadable_mirror_is_unknown(tmp_path: Path) -> None:
    up, hashes = _repo(tmp_path / "up", 2, "c")
    sides = Sides(up.path / ".git", None, None, None)
    assert find_culprit(sides, None, (hashes[1], "d"))[0].state == "unknown"
    assert find_culprit(sides, ("0" * 40, "d"), (hashes[1], "d"))[0].state == "unknown"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/org/repo.git", "https://github.com/org/repo/commit/abc"),
        ("https://opendev.org/openstack/nova/", "https://opendev.org/openstack/nova/commit/abc"),
        ("file:///srv/git/repo", None),
        ("git@github.com:org/repo.git", None),
        (None, None),
    ],
)
def test_commit_url(url: str | None, expected: str | None) -> None:
    assert commit_url(url, "abc") == expected
