"""The one subprocess helper: every git, rpmbuild, createrepo_c and dnf call goes here.

It logs the argv, appends the command and its output to a build log when given
one, enforces a timeout (killing the whole process group, so rpmbuild's children
die too) and, on failure, raises :class:`CommandError` carrying the tool's
meaningful ``error:`` line instead of a wall of output.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from trunkline.errors import CommandError, CommandTimeoutError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3600.0

# Wall time spent in each external tool (by basename), for the orchestration-overhead
# benchmark and --verbose summaries. Cheap: one dict update per command.
_tool_seconds: defaultdict[str, float] = defaultdict(float)
_tool_lock = threading.Lock()


def tool_seconds() -> dict[str, float]:
    """Seconds spent so far in each external tool, keyed by the tool's basename."""
    with _tool_lock:
        return dict(_tool_seconds)


def reset_tool_seconds() -> None:
    """Forget the accumulated tool times."""
    with _tool_lock:
        _tool_seconds.clear()


def _account(argv: list[str], seconds: float) -> None:
    with _tool_lock:
        _tool_seconds[os.path.basename(argv[0])] += seconds


def account_tool(name: str, seconds: float) -> None:
    """Count ``seconds`` of in-process work as time spent in tool ``name``.

    For a tool's library used in place of its command (createrepo_c's bindings),
    so :func:`tool_seconds` still says where a cycle's time went.
    """
    _account([name], seconds)


@dataclass(frozen=True)
class CommandResult:
    """What a finished command produced."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the command exited 0."""
        return self.returncode == 0


def error_line(text: str) -> str:
    """Pick the most meaningful line of a tool's output for a one-line error.

    Tools print their real reason on a line starting with ``error:`` / ``fatal:``
    (git, rpmbuild, dnf); prefer the last such line, else the last non-empty one.
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in reversed(lines):
        low = line.lower()
        if low.startswith(("error:", "fatal:", "error ", "critical:")) or " error: " in low:
            return line
    return lines[-1] if lines else "no output"


def _write_log_header(logf: IO[str], argv: Sequence[str], cwd: Path | None) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    where = f" (in {cwd})" if cwd else ""
    logf.write(f"\n[{stamp}] $ {' '.join(argv)}{where}\n")
    logf.flush()


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    input_text: str | None = None,
) -> CommandResult:
    """Run one external command.

    Args:
        argv: the command and its arguments (never a shell string).
        cwd: working directory.
        timeout: seconds before the process group is killed; None for no limit.
        log_path: a build log; the command line and its output are appended to it.
        env: extra environment variables, merged over a copy of os.environ.
        check: raise CommandError on a non-zero exit.
        input_text: text for the command's standard input.

    Returns:
        The command's result.

    Raises:
        CommandError: the command exited non-zero (with ``check``) or could not start.
        CommandTimeoutError: it ran past ``timeout``.
    """
    args = [os.fspath(a) for a in argv]
    log.debug("run %s (cwd=%s)", " ".join(args), cwd)
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        raise CommandError(args, 127, f"cannot start: {exc.strerror or exc}") from exc
    try:
        out, err = proc.communicate(input=input_text, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        _append_log(log_path, args, cwd, out, err, None)
        raise CommandTimeoutError(args, -9, f"timed out after {timeout:.0f}s") from None
    except BaseException:
        _kill_group(proc)
        raise
    seconds = time.monotonic() - start
    _account(args, seconds)
    _append_log(log_path, args, cwd, out, err, proc.returncode)
    result = CommandResult(tuple(args), proc.returncode, out, err, seconds)
    if check and proc.returncode != 0:
        raise CommandError(args, proc.returncode, error_line(err or out))
    return result


Helper = subprocess.Popen[str]


def spawn(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    pass_fds: Sequence[int] = (),
) -> Helper:
    """Start a long-lived helper process that reads requests on its standard input.

    Its stdin is a text pipe (closing it tells the helper to exit), its stdout goes to
    /dev/null (answers travel on a pipe passed in ``pass_fds``), its stderr is ours,
    and it runs in a session of its own, so a Ctrl-C is the caller's to handle.

    Raises:
        CommandError: it could not start.
    """
    args = [os.fspath(a) for a in argv]
    log.debug("spawn %s", " ".join(args))
    try:
        return subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            pass_fds=tuple(pass_fds),
            env=None if env is None else {**os.environ, **env},
            text=True,
            start_new_session=True,
        )
    except OSError as exc:
        raise CommandError(args, -1, str(exc)) from None


def stop_helper(proc: Helper, timeout: float = 10.0) -> int:
    r"""Close a :func:`spawn`\ ed helper's stdin, wait ``timeout`` seconds, then kill it.

    Returns its exit status (negative: the signal that ended it).
    """
    with contextlib.suppress(OSError):
        if proc.stdin is not None:
            proc.stdin.close()
    return exit_status(proc, timeout)


def exit_status(proc: Helper, timeout: float) -> int:
    """Wait up to ``timeout`` seconds for ``proc`` to end (killing it after); its exit status."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _append_log(
    log_path: Path | None,
    argv: list[str],
    cwd: Path | None,
    out: str,
    err: str,
    returncode: int | None,
) -> None:
    if log_path is None:
        return
    with log_path.open("a", encoding="utf-8") as logf:
        _write_log_header(logf, argv, cwd)
        if out:
            logf.write(out if out.endswith("\n") else out + "\n")
        if err:
            logf.write(err if err.endswith("\n") else err + "\n")
        status = "timeout" if returncode is None else f"exit {returncode}"
        logf.write(f"[{status}]\n")
