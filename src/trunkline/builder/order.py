"""Dependency order within one cycle: a package waits for the packages it BuildRequires.

From each queued package's spec (at the distgit commit it will be built with)
we know what it provides (its name and subpackage names) and what it
BuildRequires. A BuildRequires naming something another queued package provides
is an edge; the scheduler (``builder/scheduler.py``) starts a build only once
every queued build of the packages it depends on is published, so it builds
against their new RPMs.

Cycles happen in real distributions (a library and its test helper requiring
each other). They are found with Tarjan's algorithm, reported, and broken by
dropping the edges inside each cycle: those packages are built in commit order,
never deadlocked.
"""

from __future__ import annotations

import heapq
import logging
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from trunkline import gitcmd
from trunkline.errors import TrunklineError

if TYPE_CHECKING:
    from trunkline.rpmspec.service import SpecService
    from trunkline.rpmspec.specinfo import SpecInfo

log = logging.getLogger(__name__)
T = TypeVar("T")
_NAME = re.compile(r"^[A-Za-z0-9_.+-]+")


@dataclass(frozen=True)
class DependencyPlan:
    """Edges the scheduler must respect and the cycles that were broken."""

    deps: dict[str, frozenset[str]]
    cycles: tuple[tuple[str, ...], ...]


def requirement_name(requirement: str) -> str:
    """The package name of a dependency (``python3-foo >= 1.2`` -> ``python3-foo``)."""
    match = _NAME.match(requirement.strip())
    return match.group(0) if match else ""


def _strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative, so deep chains do not recurse)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
    return result


def plan_dependencies(specs: Mapping[str, SpecInfo]) -> DependencyPlan:
    """Edges between the packages of ``specs`` (package name -> its spec's info)."""
    provider: dict[str, str] = {}
    for package, info in specs.items():
        for provided in (package, info.name, *info.subpackages):
            provider.setdefault(provided, package)
    graph: dict[str, set[str]] = {p: set() for p in specs}
    for package, info in specs.items():
        for req in info.buildrequires:
            dep = provider.get(requirement_name(req))
            if dep is not None and dep != package:
                graph[package].add(dep)
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    for cycle in cycles:
        members = set(cycle)
        log.warning("BuildRequires cycle, built in commit order: %s", " -> ".join(cycle))
        for package in cycle:
            graph[package] -= members
    return DependencyPlan(
        {p: frozenset(d) for p, d in graph.items() if d},
        tuple(tuple(c) for c in cycles),
    )


def dependency_queue(
    queue: Sequence[T], package_of: Callable[[T], str], deps: Mapping[str, frozenset[str]]
) -> list[T]:
    """``queue`` (oldest first) reordered so no item precedes a build it BuildRequires.

    Each package's items keep their order, and among the items that may go next
    the oldest in ``queue`` goes first, so without dependencies nothing moves. This
    is what lets publication follow the queue strictly (``publish_order =
    "commit"``) without waiting forever for a dependency queued later.
    """
    position = {id(item): i for i, item in enumerate(queue)}
    per_package: dict[str, deque[T]] = {}
    for item in queue:
        per_package.setdefault(package_of(item), deque()).append(item)
    waiting_on = {
        p: {d for d in deps.get(p, ()) if d in per_package and d != p} for p in per_package
    }
    dependents: dict[str, set[str]] = {}
    for package, needed in waiting_on.items():
        for dep in needed:
            dependents.setdefault(dep, set()).add(package)
    heap = [(position[id(q[0])], p) for p, q in per_package.items() if not waiting_on[p]]
    heapq.heapify(heap)
    ordered: list[T] = []
    while heap:
        _, package = heapq.heappop(heap)
        items = per_package[package]
        ordered.append(items.popleft())
        if items:
            heapq.heappush(heap, (position[id(items[0])], package))
            continue
        for other in sorted(dependents.get(package, ())):
            waiting_on[other].discard(package)
            if not waiting_on[other]:
                heapq.heappush(heap, (position[id(per_package[other][0])], other))
    if len(ordered) < len(queue):  # a cycle that was not broken: keep the rest in order
        placed = {id(item) for item in ordered}
        ordered.extend(item for item in queue if id(item) not in placed)
    return ordered


def spec_at(
    distgit: Path,
    sha: str,
    subdir: str | None,
    macros: Mapping[str, str],
    *,
    local: bool,
    package: str | None = None,
    specs: SpecService | None = None,
) -> SpecInfo | None:
    """The spec of a distgit at ``sha`` (or a local checkout's working tree), or None.

    The file is the one the build uses: :func:`trunkline.rpmspec.specinfo.find_spec`'s
    rule (the only ``*.spec``, else ``<package>.spec``). ``specs`` reads it (None:
    in this process; the builder passes its spec helper).
    """
    from trunkline.rpmspec.service import LocalSpecs
    from trunkline.rpmspec.specinfo import choose_spec, find_spec

    reader = specs or LocalSpecs()
    try:
        if local:
            return reader.info(find_spec(distgit, package), macros)
        prefix = f"{subdir.rstrip('/')}/" if subdir else ""
        git = gitcmd.bare(distgit)
        listing = git.run("ls-tree", "--name-only", sha, prefix or ".", timeout=60).stdout.split()
        by_name = {Path(n).name: n for n in listing}
        name = by_name[choose_spec(list(by_name), package, where=f"{distgit}@{sha[:12]}")]
        text = git.run("cat-file", "-p", f"{sha}:{name}", timeout=60).stdout
        with tempfile.TemporaryDirectory(prefix="order-") as tmp:
            path = Path(tmp) / Path(name).name
            path.write_text(text, encoding="utf-8")
            return reader.info(path, macros)
    except TrunklineError as exc:
        log.warning("%s: spec not readable for ordering: %s", distgit.name, exc)
        return None
