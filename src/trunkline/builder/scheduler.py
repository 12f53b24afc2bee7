"""The build queue: N workers build in parallel, one thread publishes, in a safe order.

Rules that keep the result identical to a sequential run:

* the commits of one package are built and published one after the other, oldest
  first (a package's repo history is a chain);
* a package that BuildRequires another package of this cycle waits until every
  queued build of that package is published (``deps``; cycles must be broken by
  the caller, see ``builder/order.py``);
* publishing is serialized in the calling thread, either as builds finish
  (``order="finish"``) or strictly in queue order (``order="commit"``).

Building is subprocess-bound (rpmbuild, mock, git), so threads give real
parallelism; each build owns its work dir.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")  # a queued item
R = TypeVar("R")  # what building it returns
P = TypeVar("P")  # what publishing it returns

PublishOrder = Literal["finish", "commit"]


@dataclass(frozen=True)
class QueueItem(Generic[T]):
    """One queued build: its position, its package and the payload."""

    index: int
    package: str
    payload: T


class _State(Generic[T, R]):
    def __init__(self, items: Sequence[QueueItem[T]], deps: Mapping[str, frozenset[str]]):
        self.items = items
        self.deps = deps
        self.started: set[int] = set()
        self.built: dict[int, R] = {}
        self.published: set[int] = set()
        self.unpublished_by_pkg: dict[str, int] = {}
        for item in items:
            self.unpublished_by_pkg[item.package] = self.unpublished_by_pkg.get(item.package, 0) + 1

    def ready(self, item: QueueItem[T]) -> bool:
        if item.index in self.started:
            return False
        for other in self.items[: item.index]:
            if other.package == item.package and other.index not in self.published:
                return False
        return all(
            self.unpublished_by_pkg.get(dep, 0) == 0
            for dep in self.deps.get(item.package, frozenset())
            if dep != item.package
        )

    def mark_published(self, item: QueueItem[T]) -> None:
        self.published.add(item.index)
        self.unpublished_by_pkg[item.package] -= 1


def run_queue(
    items: Sequence[QueueItem[T]],
    build: Callable[[QueueItem[T]], R],
    publish: Callable[[QueueItem[T], R], P],
    *,
    workers: int = 1,
    order: PublishOrder = "finish",
    deps: Mapping[str, frozenset[str]] | None = None,
) -> list[P]:
    """Build every item with ``workers`` threads and publish each in this thread.

    Args:
        items: the queue, in the order it should be processed (indexes 0..n-1).
        build: builds one item (runs in a worker thread; must not raise for a
            package's own failure).
        publish: records/publishes one built item (runs in the calling thread).
        workers: parallel builds (>= 1).
        order: publish as builds finish, or strictly in queue order.
        deps: package -> packages of this queue it must wait for (acyclic).

    Returns:
        What ``publish`` returned, in publication order.
    """
    if [i.index for i in items] != list(range(len(items))):
        raise ValueError("queue items must be indexed 0..n-1 in order")
    state: _State[T, R] = _State(items, deps or {})
    results: list[P] = []
    running: dict[Future[R], QueueItem[T]] = {}
    next_to_publish = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while len(state.published) < len(items):
            for item in items:
                if len(running) >= max(1, workers):
                    break
                if state.ready(item):
                    state.started.add(item.index)
                    running[pool.submit(build, item)] = item
            if not running and not _publishable(state, order, next_to_publish):
                raise RuntimeError("build queue stalled: dependency cycle not broken")
            if running:
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in done:
                    item = running.pop(fut)
                    state.built[item.index] = fut.result()
            while True:
                idx = _pick(state, order, next_to_publish)
                if idx is None:
                    break
                item = items[idx]
                results.append(publish(item, state.built.pop(idx)))
                state.mark_published(item)
                if order == "commit":
                    next_to_publish += 1
    return results


def _pick(state: _State[T, R], order: PublishOrder, next_index: int) -> int | None:
    if order == "commit":
        return next_index if next_index in state.built else None
    return min(state.built) if state.built else None


def _publishable(state: _State[T, R], order: PublishOrder, next_index: int) -> bool:
    return _pick(state, order, next_index) is not None
