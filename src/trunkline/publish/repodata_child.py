"""createrepo_c's library in a helper process: the builder keeps neither the bindings nor the cache.

Loading createrepo_c's Python bindings maps librpm, libxml2, glib, libcurl and
their kin (~20 MB of resident memory), and :class:`~.repodata.LibraryRepodata`
keeps every package's XML chunks for the run (~5 kB a package). Both stay for
the builder's whole life once it has published one repo. :class:`ChildRepodata`
runs that same writer in a child process (``python -m
trunkline.publish.repodata_child``), started on the first write (or earlier, by
:meth:`ChildRepodata.prepare`, with the current repo's metadata loaded while the
first builds run) and kept for the writer's life, so the cache still makes
every later publication cheap while the builder's own peak holds only what it
needs to poll and record. DLRN makes the
same split by running the ``createrepo_c`` command (``--update``) per build.

The protocol is :mod:`trunkline.childproc`'s, one JSON object per line:

- request (parent -> child stdin): ``{"repo": str, "previous": str | null,
  "include_srpm": bool, "log_path": str | null}``, or ``{"prepare": str}`` (load
  that published repo's metadata into the cache, :meth:`ChildRepodata.prepare`);
- answer (child's answer pipe -> parent), one per request in order:
  ``{"stats": {"packages", "cached", "from_previous", "read"}}`` or
  ``{"error": "<one line>"}``; ``{"prepared": str}`` to a prepare. Answers go to a
  pipe of their own, not stdout, so a C library printing to stdout cannot garble them.

A child that dies (killed, out of memory) is started again and the write
retried once, after removing the ``repodata/`` it may have half-written in the
staged directory; a second death is a :class:`~trunkline.errors.PublishError`.
The child exits when its stdin closes, so a builder killed with ``kill -9``
leaves no helper behind.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trunkline.childproc import HelperDiedError, OnDemandHelper, serve
from trunkline.errors import CommandError, PublishError
from trunkline.process import account_tool
from trunkline.publish.repodata import CHANGELOG_LIMIT, WriteStats

MODULE = "trunkline.publish.repodata_child"


class ChildRepodata:
    """A :class:`~.repodata.RepodataWriter` whose work is done by a long-lived child process.

    Thread-safe: one lock serializes requests (publication is serialized anyway).
    Call :meth:`close` when done; a forgotten writer's child is ended when the
    writer is collected or the builder exits.
    """

    def __init__(self, changelog_limit: int = CHANGELOG_LIMIT, timeout: float = 1800.0) -> None:
        """Args:
        changelog_limit: changelog entries kept per package (createrepo_c's default).
        timeout: seconds one write may take before the child is killed.
        """
        self.changelog_limit = changelog_limit
        self.timeout = timeout
        self.last = WriteStats()
        self._lock = threading.Lock()
        self._helper = OnDemandHelper(MODULE, [str(changelog_limit)])

    def write(
        self,
        repo: Path,
        *,
        previous: Path | None = None,
        include_srpm: bool = True,
        log_path: Path | None = None,
    ) -> None:
        """Write ``repo/repodata`` in the child (see :class:`~.repodata.RepodataWriter`).

        Raises:
            PublishError: an RPM cannot be read, the metadata cannot be written, or
                the child died twice or ran past ``timeout``.
        """
        request = {
            "repo": str(repo),
            "previous": None if previous is None else str(previous),
            "include_srpm": include_srpm,
            "log_path": None if log_path is None else str(log_path),
        }
        with self._lock:
            start = time.perf_counter()
            try:
                answer = self._ask(request)
            except HelperDiedError:
                shutil.rmtree(repo / "repodata", ignore_errors=True)
                try:
                    answer = self._ask(request)
                except HelperDiedError as exc:
                    raise PublishError(f"{repo.name}: createrepo_c helper {exc}") from None
            account_tool("createrepo_c", time.perf_counter() - start)
        if "error" in answer:
            raise PublishError(str(answer["error"]))
        self.last = WriteStats(**{k: int(v) for k, v in answer["stats"].items()})

    def prepare(self, previous: Path) -> None:
        """Start the child now and have it load ``previous``'s metadata, without waiting.

        The first :meth:`write` then finds the child started and its cache filled
        (a builder calls this when it knows it will publish, while its first builds
        run). The child answers in order, so that write reads this answer first; a
        failed preparation is ignored (the write reads what it misses itself).

        Raises:
            PublishError: the child cannot be started.
        """
        with self._lock:
            try:
                self._helper.send({"prepare": str(previous)})
            except CommandError as exc:
                raise PublishError(f"cannot start the createrepo_c helper: {exc.detail}") from None

    def close(self) -> None:
        """End the child (it finishes the write in hand first: its stdin closes)."""
        with self._lock:
            self._helper.close()

    @property
    def started(self) -> int:
        """How many children this writer started (for tests and logs)."""
        return self._helper.started

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._helper.ask(request, self.timeout)
        except CommandError as exc:
            raise PublishError(f"cannot start the createrepo_c helper: {exc.detail}") from None


def handler(changelog_limit: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The child's answer to each request: one :class:`~.repodata.LibraryRepodata` for its life."""
    from trunkline.publish.repodata import LibraryRepodata

    writer = LibraryRepodata(changelog_limit)

    def handle(req: dict[str, Any]) -> dict[str, Any]:
        if "prepare" in req:
            writer.prepare(Path(req["prepare"]))
            return {"prepared": req["prepare"]}
        try:
            writer.write(
                Path(req["repo"]),
                previous=None if req["previous"] is None else Path(req["previous"]),
                include_srpm=bool(req["include_srpm"]),
                log_path=None if req["log_path"] is None else Path(req["log_path"]),
            )
        except PublishError as exc:
            return {"error": str(exc)}
        s = writer.last
        return {
            "stats": {
                "packages": s.packages,
                "cached": s.cached,
                "from_previous": s.from_previous,
                "read": s.read,
            }
        }

    return handle


def main(argv: list[str]) -> int:
    """``python -m trunkline.publish.repodata_child CHANGELOG_LIMIT`` (started by the builder)."""
    serve(handler(int(argv[0])), sys.stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
