"""The per-thread cache of open repositories in upstream/refs.py: bounded, freed, reusable."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import GitRepo
from trunkline.upstream import refs


def _repos(make: Callable[[str], GitRepo], count: int) -> list[GitRepo]:
    out = []
    for i in range(count):
        repo = make(f"r{i}")
        repo.commit(f"c{i}", {"f": str(i)})
        out.append(repo)
    return out


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    refs.release()
    yield
    refs.release()


@pytest.mark.parametrize("count", [1, refs.CACHE_SIZE, refs.CACHE_SIZE + 3])
def test_cache_stays_bounded_and_answers_stay_right(
    make_git_repo: Callable[[str], GitRepo], count: int
) -> None:
    repos = _repos(make_git_repo, count)
    for _ in range(2):  # the second round reopens what the first one evicted (and freed)
        for repo in repos:
            assert refs.resolve_commit(repo.path, "HEAD") == repo.head()
            assert len(refs._cache()) <= refs.CACHE_SIZE
    assert len(refs._cache()) == min(count, refs.CACHE_SIZE)


def test_release_frees_this_thread_and_repos_reopen(
    make_git_repo: Callable[[str], GitRepo],
) -> None:
    (repo,) = _repos(make_git_repo, 1)
    assert refs.ref_targets(repo.path) is not None
    refs.release()
    assert len(refs._cache()) == 0
    repo.commit("later", {"f": "later"})
    assert refs.resolve_commit(repo.path, "HEAD") == repo.head()


def test_release_leaves_other_threads_alone(make_git_repo: Callable[[str], GitRepo]) -> None:
    (repo,) = _repos(make_git_repo, 1)
    refs.resolve_commit(repo.path, "HEAD")
    seen: list[int] = []
    thread = threading.Thread(target=lambda: (refs.release(), seen.append(len(refs._cache()))))
    thread.start()
    thread.join()
    assert seen == [0]
    assert len(refs._cache()) == 1


def test_forget_drops_a_replaced_repository(make_git_repo: Callable[[str], GitRepo]) -> None:
    first, second = _repos(make_git_repo, 2)
    assert refs.resolve_commit(first.path, "HEAD") == first.head()
    refs.forget(first.path)
    assert str(first.path) not in refs._cache()
    assert refs.resolve_commit(second.path, "HEAD") == second.head()
