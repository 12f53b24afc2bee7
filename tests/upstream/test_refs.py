"""Refs read from git's files (upstream/refs.py), checked against git itself on the same repos.

The reader replaces libgit2 in the builder (issue #10): every answer is compared
with what ``git for-each-ref``, ``git rev-parse`` and ``git check-ref-format``
say, over the forms refs take in real repositories: loose, packed (a clone, ``gc``),
packed then moved (a loose ref over a packed one), annotated and lightweight tags,
nested branch names, symbolic refs, a bare clone and a linked work tree.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo, git
from trunkline.upstream import refs


def _for_each_ref(path: Path) -> dict[str, str]:
    out = git(
        path, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/tags/"
    )
    return {name: sha for sha, _, name in (line.partition(" ") for line in out.splitlines())}


def _rev_parse(path: Path, name: str) -> str | None:
    result = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.stdout.strip() or None


def _history(repo: GitRepo) -> GitRepo:
    """Branches master, stable/2024.1, feature/x/y; tags: annotated 1.0.0, lightweight light."""
    repo.commit("one", {"f": "1"})
    repo.tag("1.0.0")
    repo.git("branch", "stable/2024.1")
    repo.commit("two", {"f": "2"})
    repo.git("tag", "light")
    repo.git("branch", "feature/x/y")
    repo.commit("three", {"f": "3"})
    repo.git("tag", "-a", "2.0.0", "-m", "2.0.0")
    repo.git("symbolic-ref", "refs/heads/alias", "refs/heads/master")
    return repo


def _packed_then_moved(repo: GitRepo) -> GitRepo:
    repo.git("pack-refs", "--all")
    repo.commit("four", {"f": "4"})  # master: a loose ref over its packed line
    repo.git("tag", "-a", "3.0.0", "-m", "3.0.0")  # a loose annotated tag beside packed ones
    return repo


FORMS: dict[str, Callable[[GitRepo, Path], Path]] = {
    "loose": lambda r, _t: r.path,
    "packed": lambda r, _t: (r.git("pack-refs", "--all"), r.path)[1],
    "packed then moved": lambda r, _t: _packed_then_moved(r).path,
    "bare clone": lambda r, t: (git(t, "clone", "-q", "--bare", str(r.path), "b.git"), t / "b.git")[
        1
    ],
    "bare mirror after gc": lambda r, t: (
        git(t, "clone", "-q", "--mirror", str(r.path), "m.git"),
        git(t / "m.git", "gc", "-q"),
        t / "m.git",
    )[2],
    "linked work tree": lambda r, t: (
        r.git("worktree", "add", "-q", str(t / "wt"), "stable/2024.1"),
        t / "wt",
    )[1],
}


@pytest.fixture(params=sorted(FORMS))
def repo_form(
    request: pytest.FixtureRequest, make_git_repo: Callable[[str], GitRepo], tmp_path: Path
) -> Path:
    repo = _history(make_git_repo("src"))
    return FORMS[request.param](repo, tmp_path)


def test_ref_targets_are_what_git_lists(repo_form: Path) -> None:
    assert refs.ref_targets(repo_form) == _for_each_ref(repo_form)


NAMES = ["master", "stable/2024.1", "feature/x/y", "alias", "1.0.0", "2.0.0", "light", "3.0.0",
         "HEAD", "missing", "stable/2023.2", "master~1"]  # fmt: skip


def test_resolve_commit_agrees_with_git(repo_form: Path) -> None:
    for name in NAMES:
        assert refs.resolve_commit(repo_form, name) == _rev_parse(repo_form, name), name
    head = _rev_parse(repo_form, "HEAD")
    assert head is not None
    assert refs.resolve_commit(repo_form, head) == head  # a full hash
    assert refs.resolve_commit(repo_form, head[:10]) == head  # an abbreviated one


def test_resolve_full_ref_peels_tags_and_takes_nothing_else(repo_form: Path) -> None:
    for full in ("refs/tags/1.0.0", "refs/tags/2.0.0", "refs/tags/light", "refs/heads/master"):
        assert refs.resolve_full_ref(repo_form, full) == _rev_parse(repo_form, full), full
    assert refs.resolve_full_ref(repo_form, "refs/tags/master") is None
    assert refs.resolve_full_ref(repo_form, "refs/heads/1.0.0") is None


def test_a_branch_wins_over_a_tag_of_the_same_name(make_git_repo: Callable[[str], GitRepo]) -> None:
    repo = make_git_repo("r")
    tagged = repo.commit("one")
    repo.tag("same")
    branched = repo.commit("two")
    repo.git("branch", "same")
    assert tagged != branched
    assert refs.resolve_commit(repo.path, "same") == branched


def test_commit_info_is_what_git_log_says(make_git_repo: Callable[[str], GitRepo]) -> None:
    repo = make_git_repo("r")
    sha = repo.commit("Subject line\n\nbody", date="2026-01-02T03:04:05+00:00")
    info = refs.commit_info(repo.path, sha)
    assert info == refs.CommitInfo(
        sha, 1767323045, "Subject line", git(repo.path, "log", "-1", "--format=%an")
    )
    repo.tag("v1")
    tag_object = git(repo.path, "rev-parse", "v1")
    assert refs.commit_info(repo.path, tag_object) == info  # a tag object peels to its commit
    assert refs.commit_info(repo.path, "0" * 40) is None
    assert refs.commit_info(repo.path.parent / "nowhere", sha) is None


def test_not_a_repository_is_none(tmp_path: Path) -> None:
    assert refs.ref_targets(tmp_path) is None
    assert refs.resolve_commit(tmp_path, "master") is None
    assert refs.origin_url(tmp_path) is None


REF_NAMES = [
    "refs/heads/master", "refs/heads/stable/2024.1", "refs/heads/a.b", "refs/heads/.hidden",
    "refs/heads/x.lock", "refs/heads/a..b", "refs/heads/a b", "refs/heads/a~1", "refs/heads/a^",
    "refs/heads/a:b", "refs/heads/a?", "refs/heads/a*", "refs/heads/a[1]", "refs/heads/a\\b",
    "refs/heads/a@{1}", "refs/heads/a//b", "refs/heads/a/", "refs/heads/a.", "@",
    "refs/heads/a@b", "refs/heads/2024.2-eol", "refs/heads/unmaintained/2023.1",
    "refs/heads/tab\there", "refs/heads/del\x7f",
]  # fmt: skip


@pytest.mark.parametrize("name", REF_NAMES)
def test_valid_ref_name_agrees_with_git_check_ref_format(name: str) -> None:
    ok = subprocess.run(["git", "check-ref-format", name], capture_output=True, check=False)
    assert refs.valid_ref_name(name) == (ok.returncode == 0)


def test_refs_of_an_unchanged_remote_are_read_without_a_process(
    make_git_repo: Callable[[str], GitRepo], tmp_path: Path, commands_run: list[list[str]]
) -> None:
    repo = _history(make_git_repo("up"))
    mirror = tmp_path / "m.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(mirror))
    (mirror / refs.ORIGIN_FILE).write_text(f"{repo.path}\n")
    commands_run.clear()
    assert refs.remote_unchanged(str(repo.path), mirror)
    assert refs.resolve_commit(mirror, "master") == repo.head()
    assert refs.resolve_commit(mirror, "stable/2024.1") is not None
    assert refs.resolve_commit(mirror, "stable/2023.2") is None  # a retired branch
    assert commands_run == []


def test_every_ref_of_a_real_upstream_agrees_with_git(tmp_path: Path) -> None:
    """oslo.config (``../shared/data``): 204 tags, annotated and packed, eol and eom ones."""
    bundle = (
        Path(__file__).resolve().parents[3] / "shared" / "data" / "upstreams" / "oslo.config.bundle"
    )
    if not bundle.is_file():
        pytest.fail(f"missing shared data: {bundle}")
    mirror = tmp_path / "oslo.config.git"
    git(tmp_path, "clone", "-q", "--mirror", str(bundle), str(mirror))
    listed = _for_each_ref(mirror)
    assert refs.ref_targets(mirror) == listed
    assert sum(name.startswith("refs/tags/") for name in listed) >= 200
    tags = sorted(name for name in listed if name.startswith("refs/tags/"))
    commits = git(mirror, "rev-parse", *(f"{t}^{{commit}}" for t in tags)).split()
    for tag, commit in zip(tags, commits, strict=True):  # tags of tags too (1.4.0)
        assert refs.resolve_full_ref(mirror, tag) == commit, tag
    for name, sha in listed.items():
        if name.startswith("refs/heads/"):  # stable/*, unmaintained/*, master
            assert refs.resolve_commit(mirror, name.removeprefix("refs/heads/")) == sha, name
