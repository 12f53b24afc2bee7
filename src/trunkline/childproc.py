"""A long-lived helper process that answers JSON requests, one per line.

The builder keeps heavy C libraries out of its own memory by asking a child
that holds them: createrepo_c (``publish/repodata_child.py``) and rpm with
specfile (``rpmspec/spec_child.py``). Both speak the same protocol, run through
:class:`HelperChild`:

- requests: one JSON object per line on the child's stdin;
- answers: one JSON object per line, one per request and in order, on a pipe of
  the child's own (its fd is in ``TRUNKLINE_ANSWER_FD``), so a C library printing
  to stdout cannot garble them; the child's stdout is /dev/null, its stderr ours.

The child exits when its stdin closes (:meth:`HelperChild.close`), so a parent
killed with ``kill -9`` leaves no helper behind; a forgotten client's child is
ended when the client is collected. Processes are started by
:func:`trunkline.process.spawn` (the one place that starts processes).
"""

from __future__ import annotations

import json
import os
import select
import sys
import time
import weakref
from collections.abc import Callable, Sequence
from typing import IO, Any

from trunkline.errors import CommandError
from trunkline.process import Helper, exit_status, spawn, stop_helper

ANSWER_FD = "TRUNKLINE_ANSWER_FD"
"""The environment variable naming the child's answer pipe."""


class HelperDiedError(Exception):
    """The child ended or stopped answering; the message says how (``died (exit status 9)``)."""


class HelperChild:
    """One helper process (``python -m MODULE ARGS``) and its two pipes.

    Not thread-safe: its owner serializes requests.
    """

    def __init__(self, module: str, args: Sequence[str] = ()) -> None:
        """Start ``python -m module args``.

        Raises:
            CommandError: the child could not be started.
        """
        read_fd, write_fd = os.pipe()
        try:
            self.proc = spawn(
                [sys.executable, "-m", module, *args],
                env={ANSWER_FD: str(write_fd)},
                pass_fds=(write_fd,),
            )
        except CommandError:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        # Unbuffered: select() must see every answer not yet taken, and a buffered
        # reader can swallow two answers (a sent request's and an asked one's) in one read.
        self.answers = os.fdopen(read_fd, "rb", buffering=0)
        self._pending = b""  # read from the pipe, not yet taken as answers
        self.unread = 0  # answers to requests sent without waiting (send)
        # a child left behind by a forgotten client ends with it
        self._finalizer = weakref.finalize(self, _end, self.proc, self.answers)

    def alive(self) -> bool:
        """True while the child runs."""
        return self.proc.poll() is None

    def send(self, request: dict[str, Any]) -> None:
        """Send a request whose answer the next :meth:`ask` skips.

        Raises:
            HelperDiedError: the child is gone.
        """
        self._write(request)
        self.unread += 1

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send a request and wait up to ``timeout`` seconds for its answer.

        Raises:
            HelperDiedError: the child died, or gave no answer in time (it is killed).
        """
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
            raise HelperDiedError(self._how()) from None

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.answers], [], [], left)
            if not ready:
                self.proc.kill()
                raise HelperDiedError(f"gave no answer in {timeout:.0f}s (killed)")
            chunk = self.answers.read(65536)
            if not chunk:
                raise HelperDiedError(self._how())
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
        """Close the child's stdin (it exits), wait a little, then kill it."""
        self._finalizer()


class OnDemandHelper:
    """At most one :class:`HelperChild` of ``python -m module args``: started by the first
    request, started again by the first request after it died, ended by :meth:`close`.

    Not thread-safe: its owner serializes requests (and decides whether to retry).
    """

    def __init__(self, module: str, args: Sequence[str] = ()) -> None:
        self.module = module
        self.args = tuple(args)
        self.child: HelperChild | None = None
        self.started = 0  # children started (for tests and logs)

    def running(self) -> HelperChild:
        """The live child, started now if there is none.

        Raises:
            CommandError: it could not be started.
        """
        if self.child is None or not self.child.alive():
            self.close()
            self.child = HelperChild(self.module, self.args)
            self.started += 1
        return self.child

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """:meth:`HelperChild.ask` of the running child; a child that died is forgotten.

        Raises:
            CommandError: no child could be started.
            HelperDiedError: the child died or gave no answer in time.
        """
        child = self.running()
        try:
            return child.ask(request, timeout)
        except HelperDiedError:
            self.close()
            raise

    def send(self, request: dict[str, Any]) -> None:
        """:meth:`HelperChild.send` to the running child; one that is gone is forgotten.

        Raises:
            CommandError: no child could be started.
        """
        child = self.running()
        try:
            child.send(request)
        except HelperDiedError:
            self.close()

    def close(self) -> None:
        """End and forget the child, if any."""
        if self.child is not None:
            self.child.close()
            self.child = None


def _end(proc: Helper, answers: IO[bytes]) -> None:
    stop_helper(proc)
    answers.close()


def serve(handle: Callable[[dict[str, Any]], dict[str, Any]], requests: IO[str]) -> None:
    """The child's loop: answer each request line with ``handle``'s answer, in order.

    Answers go to the pipe named by ``TRUNKLINE_ANSWER_FD``; the loop ends when
    ``requests`` (the child's stdin) closes.
    """
    with os.fdopen(int(os.environ[ANSWER_FD]), "w", encoding="utf-8") as answers:
        for line in requests:
            answers.write(json.dumps(handle(json.loads(line))) + "\n")
            answers.flush()
