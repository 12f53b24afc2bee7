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

The protocol is one JSON object per line:

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

import json
import os
import select
import shutil
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import IO, Any

from trunkline.errors import CommandError, PublishError
from trunkline.process import Helper, account_tool, exit_status, spawn, stop_helper
from trunkline.publish.repodata import CHANGELOG_LIMIT, WriteStats


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
        self._child: _Child | None = None
        self.started = 0  # how many children this writer started (for tests and logs)

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
            except _ChildDiedError:
                shutil.rmtree(repo / "repodata", ignore_errors=True)
                try:
                    answer = self._ask(request)
                except _ChildDiedError as exc:
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
            child = self._running()
            try:
                child.send({"prepare": str(previous)})
            except _ChildDiedError:
                self._drop()

    def close(self) -> None:
        """End the child (it finishes the write in hand first: its stdin closes)."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        """End and forget the current child, if any (the lock is held)."""
        if self._child is not None:
            self._child.close()
            self._child = None

    def _running(self) -> _Child:
        if self._child is None or not self._child.alive():
            self._drop()
            self._child = _Child(self.changelog_limit)
            self.started += 1
        return self._child

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        child = self._running()
        try:
            return child.ask(request, self.timeout)
        except _ChildDiedError:
            self._drop()
            raise


class _ChildDiedError(Exception):
    """The child ended or stopped answering; the message says how."""


class _Child:
    """One helper process and its two pipes."""

    def __init__(self, changelog_limit: int) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self.proc = spawn(
                [sys.executable, "-m", "trunkline.publish.repodata_child", str(changelog_limit)],
                env={"TRUNKLINE_ANSWER_FD": str(write_fd)},
                pass_fds=(write_fd,),
            )
        except CommandError as exc:
            os.close(read_fd)
            raise PublishError(f"cannot start the createrepo_c helper: {exc.detail}") from None
        finally:
            os.close(write_fd)
        # Unbuffered: select() must see every answer not yet taken, and a buffered
        # reader can swallow two answers (a prepare's and a write's) in one read.
        self.answers = os.fdopen(read_fd, "rb", buffering=0)
        self._pending = b""  # read from the pipe, not yet taken as answers
        self.unread = 0  # answers to requests sent without waiting (prepare)
        # a child left behind by a forgotten writer ends with it
        self._finalizer = weakref.finalize(self, _end, self.proc, self.answers)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send(self, request: dict[str, Any]) -> None:
        """Send a request whose answer :meth:`ask` skips."""
        self._write(request)
        self.unread += 1

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send a request and wait for its answer (after those of :meth:`send`)."""
        self._write(request)
        while self.unread:
            self._read(timeout)
            self.unread -= 1
        return self._read(timeout)

    def _write(self, request: dict[str, Any]) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(request) + "\n")
            stdin.flush()
        except (BrokenPipeError, OSError):
            raise _ChildDiedError(self._how()) from None

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.answers], [], [], left)
            if not ready:
                self.proc.kill()
                raise _ChildDiedError(f"gave no answer in {timeout:.0f}s (killed)")
            chunk = self.answers.read(65536)
            if not chunk:
                raise _ChildDiedError(self._how())
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _how(self) -> str:
        running = self.proc.poll() is None
        code = exit_status(self.proc, 5.0)
        return (
            "stopped answering (killed)" if running and code < 0 else f"died (exit status {code})"
        )

    def close(self) -> None:
        self._finalizer()


def _end(proc: Helper, answers: IO[bytes]) -> None:
    """Close the child's stdin (it exits), wait a little, then kill it."""
    stop_helper(proc)
    answers.close()


def serve(changelog_limit: int, requests: IO[str], answers: IO[str]) -> None:
    """The child's loop: one :class:`~.repodata.LibraryRepodata`, one answer per request."""
    from trunkline.publish.repodata import LibraryRepodata

    writer = LibraryRepodata(changelog_limit)
    for line in requests:
        req = json.loads(line)
        if "prepare" in req:
            writer.prepare(Path(req["prepare"]))
            answers.write(json.dumps({"prepared": req["prepare"]}) + "\n")
            answers.flush()
            continue
        try:
            writer.write(
                Path(req["repo"]),
                previous=None if req["previous"] is None else Path(req["previous"]),
                include_srpm=bool(req["include_srpm"]),
                log_path=None if req["log_path"] is None else Path(req["log_path"]),
            )
            s = writer.last
            answer: dict[str, Any] = {
                "stats": {
                    "packages": s.packages,
                    "cached": s.cached,
                    "from_previous": s.from_previous,
                    "read": s.read,
                }
            }
        except PublishError as exc:
            answer = {"error": str(exc)}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main(argv: list[str]) -> int:
    """``python -m trunkline.publish.repodata_child CHANGELOG_LIMIT`` (started by the builder)."""
    fd = int(os.environ["TRUNKLINE_ANSWER_FD"])
    with os.fdopen(fd, "w", encoding="utf-8") as answers:
        serve(int(argv[0]), sys.stdin, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
