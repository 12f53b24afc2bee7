"""Commit discovery on real git mirrors: new commits, pins, force-pushes, distgit changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo, git
from trunkline.errors import SourceError
from trunkline.metadata.sources.base import FollowedPackage
from trunkline.upstream.mirror import refresh_mirror
from trunkline.upstream.poll import Candidate, LastBuild, plan_package


class Pair:
    """An upstream and a distgit repo with their mirrors."""

    def __init__(self, tmp: Path, make: Callable[[str], GitRepo]) -> None:
        self.tmp = tmp
        self.up = make("up")
        self.up.commit("one", {"a": "1"}, date="2025-01-01 10:00:00 +0000")
        self.dg = make("dg")
        self.dg.git("checkout", "-q", "-b", "rpm-master")
        self.dg.commit("spec", {"p.spec": "Name: p\n"})

    def pkg(self, **kw: object) -> FollowedPackage:
        fields: dict[str, object] = {
            "name": "p",
            "project": "p",
            "upstream": self.up.url,
            "distgit": self.dg.url,
        }
        fields.update(kw)
        return FollowedPackage(**fields)  # type: ignore[arg-type]

    def plan(
        self,
        last: LastBuild | None = None,
        *,
        head_only: bool = False,
        processed: set[tuple[str, str]] | None = None,
        fallback_to_master: bool = False,
        **kw: object,
    ) -> list[Candidate]:
        pkg = self.pkg(**kw)
        up = refresh_mirror(pkg.upstream, self.tmp / "m" / "p.git") if pkg.upstream else None
        dg = refresh_mirror(self.dg.url, self.tmp / "m" / "p_distro.git")
        done = processed or set()
        return plan_package(
            pkg,
            up,
            dg,
            last,
            head_only=head_only,
            fallback_to_master=fallback_to_master,
            is_processed=lambda c, d: (c, d) in done,
        ).candidates


@pytest.fixture
def pair(tmp_path: Path, make_git_repo: Callable[[str], GitRepo]) -> Pair:
    return Pair(tmp_path, make_git_repo)


def hashes(cands: list[Candidate]) -> list[str]:
    return [c.commit.commit_hash for c in cands]


def test_a_never_built_package_builds_only_its_head(pair: Pair) -> None:
    pair.up.commit("two")
    head = pair.up.commit("three")
    cands = pair.plan()
    assert hashes(cands) == [head]
    assert cands[0].distro.commit_hash == pair.dg.head()
    assert cands[0].commit_branch == "master"
    assert cands[0].commit.subject == "three"


def test_every_commit_after_the_last_build_oldest_first(pair: Pair) -> None:
    first = pair.up.head()
    last = LastBuild(first, pair.dg.head(), "master")
    two = pair.up.commit("two", date="2025-01-02 10:00:00 +0000")
    three = pair.up.commit("three", date="2025-01-03 10:00:00 +0000")
    processed = {(first, pair.dg.head())}
    assert hashes(pair.plan(last, processed=processed)) == [two, three]
    assert hashes(pair.plan(last, processed=processed, head_only=True)) == [three]
    dt = [c.commit.dt_commit for c in pair.plan(last, processed=processed)]
    assert dt == [1735812000, 1735898400]


def test_nothing_new_plans_nothing(pair: Pair) -> None:
    head, distro = pair.up.head(), pair.dg.head()
    assert pair.plan(LastBuild(head, distro, "master"), processed={(head, distro)}) == []


@pytest.mark.parametrize("distgit_only", [False, True])
def test_nothing_new_is_known_from_the_refs_without_a_process(
    pair: Pair, distgit_only: bool, commands_run: list[list[str]]
) -> None:
    """A no-change poll reads refs only (issue #10: no git process, no git library)."""
    head, distro = pair.up.head(), pair.dg.head()
    kw: dict[str, object] = {"upstream": None} if distgit_only else {}
    pair.plan(**kw)  # the mirrors exist
    last = LastBuild(distro if distgit_only else head, distro, "master")
    commands_run.clear()
    assert pair.plan(last, **kw) == []
    assert commands_run == []
    pair.dg.commit("bump", {"p.spec": "Name: p\n# fix\n"})  # the long way again: one candidate
    assert len(pair.plan(last, **kw)) == 1


def test_a_new_distgit_commit_rebuilds_the_last_upstream_commit(pair: Pair) -> None:
    head, distro = pair.up.head(), pair.dg.head()
    new_distro = pair.dg.commit("bump", {"p.spec": "Name: p\n# fix\n"})
    cands = pair.plan(LastBuild(head, distro, "master"), processed={(head, distro)})
    assert [(c.commit.commit_hash, c.distro.commit_hash) for c in cands] == [(head, new_distro)]


def test_a_force_pushed_upstream_builds_only_the_new_head(pair: Pair) -> None:
    base = pair.up.head()
    built = pair.up.commit("will be rewritten")
    last = LastBuild(built, pair.dg.head(), "master")
    pair.up.git("reset", "-q", "--hard", base)
    pair.up.commit("rewritten one")
    new_head = pair.up.commit("rewritten two")
    assert hashes(pair.plan(last, processed={(built, pair.dg.head())})) == [new_head]


def test_a_pinned_branch_is_followed_and_a_new_pin_starts_from_its_head(pair: Pair) -> None:
    pair.up.git("checkout", "-q", "-b", "stable/1")
    stable = pair.up.commit("stable fix")
    pair.up.git("checkout", "-q", "master")
    pair.up.commit("master moves on")
    cands = pair.plan(source_branch="stable/1")
    assert hashes(cands) == [stable]
    assert cands[0].commit_branch == "stable/1"
    # the last build was on master: a branch switch builds the pin's head only
    master_last = LastBuild(pair.up.head(), pair.dg.head(), "master")
    assert hashes(pair.plan(master_last, source_branch="stable/1")) == [stable]


def test_a_tag_pin_and_a_missing_branch(pair: Pair) -> None:
    tagged = pair.up.head()
    pair.up.tag("1.0.0")
    pair.up.commit("after the tag")
    assert hashes(pair.plan(source_branch="1.0.0")) == [tagged]
    # a missing release branch falls back to master only when the config says so
    cands = pair.plan(source_branch="stable/zzz", fallback_to_master=True)
    assert hashes(cands) == [pair.up.head()]
    assert (cands[0].commit_branch, cands[0].wanted_branch) == ("master", "stable/zzz")
    with pytest.raises(SourceError) as err:
        pair.plan(source_branch="stable/zzz")
    assert str(err.value) == (
        "p: upstream: no branch, tag or commit 'stable/zzz', 'unmaintained/zzz', 'zzz-eol', "
        "'zzz-eom' (builder.fallback_to_master is off)"
    )
    # a package's own pin never falls back, whatever the config says
    with pytest.raises(SourceError, match=r"'9.9.9' \(a source-branch pin never falls back\)$"):
        pair.plan(source_branch="9.9.9", source_pinned=True, fallback_to_master=True)


def test_a_distgit_only_package_builds_its_distgit_commits(pair: Pair) -> None:
    cands = pair.plan(upstream=None)
    assert [c.commit.commit_hash for c in cands] == [pair.dg.head()]
    assert cands[0].distro == cands[0].commit


def test_an_unreachable_remote_is_a_one_line_source_error(tmp_path: Path) -> None:
    url = (tmp_path / "nowhere").as_uri()
    with pytest.raises(SourceError) as err:
        refresh_mirror(url, tmp_path / "m" / "x.git")
    assert str(err.value).startswith(f"{url}: cannot fetch: ")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "m" / "x.git").exists()
    assert list((tmp_path / "m").iterdir()) == []  # no half-cloned temp left behind


def test_a_changed_remote_url_reclones_the_mirror(
    pair: Pair, make_git_repo: Callable[[str], GitRepo]
) -> None:
    pair.plan()
    other = make_git_repo("other")
    head = other.commit("elsewhere")
    mirror = refresh_mirror(other.url, pair.tmp / "m" / "p.git")
    refs = git(mirror, "for-each-ref", "--format=%(refname) %(objectname)")
    assert refs == f"refs/heads/master {head}"
    assert hashes(pair.plan(upstream=other.url)) == [head]


def test_an_unmoved_local_remote_is_not_fetched(pair: Pair) -> None:
    mirror = refresh_mirror(pair.up.url, pair.tmp / "m" / "p.git")
    fetch_head = mirror / "FETCH_HEAD"
    fetch_head.unlink(missing_ok=True)
    refresh_mirror(pair.up.url, mirror)
    assert not fetch_head.exists()  # the cheap check answered: no git fetch ran
    new = pair.up.commit("moved")
    refresh_mirror(pair.up.url, mirror)
    assert fetch_head.exists()
    assert git(mirror, "rev-parse", "refs/heads/master") == new
    pair.up.git("tag", "-a", "2.0", "-m", "2.0")  # a new tag alone is a change too
    fetch_head.unlink()
    refresh_mirror(pair.up.url, mirror)
    assert fetch_head.exists()


def test_build_tags_only_builds_the_tagged_commits_of_the_first_parent_line(pair: Pair) -> None:
    two = pair.up.commit("two")
    pair.up.tag("1.0.0")
    pair.up.commit("three, untagged")
    # never built: the newest tagged commit, not the head
    cands = pair.plan(tags_only=True)
    assert hashes(cands) == [two]
    last = LastBuild(two, pair.dg.head(), "master")
    four = pair.up.commit("four")
    pair.up.tag("1.1.0")
    pair.up.commit("five, untagged")
    pair.up.git("checkout", "-q", "-b", "side")
    pair.up.commit("on a side branch")
    pair.up.tag("side-1")  # tagged, but not on master's first-parent line once merged
    pair.up.git("checkout", "-q", "master")
    pair.up.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    six = pair.up.commit("six")
    pair.up.git("tag", "1.2.0")  # a lightweight tag counts too
    done = {(two, pair.dg.head())}
    assert hashes(pair.plan(last, tags_only=True, processed=done)) == [four, six]
    # nothing tagged since: nothing to build, until the distgit changes
    last = LastBuild(six, pair.dg.head(), "master")
    pair.up.commit("seven, untagged")
    assert pair.plan(last, tags_only=True) == []
    new_distro = pair.dg.commit("bump", {"p.spec": "Name: p\n# fix\n"})
    cands = pair.plan(last, tags_only=True)
    assert [(c.commit.commit_hash, c.distro.commit_hash) for c in cands] == [(six, new_distro)]


def test_a_distgit_release_branch_falls_back_to_rpm_master_only_when_allowed(pair: Pair) -> None:
    with pytest.raises(SourceError, match=r"^p: distgit has no branch 'epoxy-rdo'$"):
        pair.plan(distro_branch="epoxy-rdo")
    cands = pair.plan(distro_branch="epoxy-rdo", fallback_to_master=True)
    assert [c.distro.commit_hash for c in cands] == [pair.dg.head()]
