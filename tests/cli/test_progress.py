"""``trunkline build``'s progress: plain stderr lines in a pipe, a live display on a terminal.

Both through the installed script; the terminal is a pseudo-terminal (``pty``),
so the live display is drawn by ``rich`` as a user would see it.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess

from tests.cli.sandbox import EXE, Sandbox


def test_plain_lines_when_not_a_terminal(sandbox: Sandbox) -> None:
    """Queued, building (with its worker), published and failed, one line each, on stderr."""
    proc = sandbox.run(["-c", sandbox["cfg"], "build", "-p", "alpha", "-p", "broken", "-j", "1"])
    assert proc.returncode == 12, proc.stderr
    err = proc.stderr
    assert "queued 2 builds\n" in err
    assert re.search(r"^building alpha [0-9a-f]{8} on worker 1$", err, re.M)
    assert re.search(r"^building broken [0-9a-f]{8} on worker 1$", err, re.M)
    assert re.search(
        r"^published alpha [0-9a-f]{8}: alpha-\S+ "
        r"\(queued 1 · building 0 · published 1 · failed 0 · retry 0 · [\d.]+s\)$",
        err,
        re.M,
    )
    assert re.search(r"^failed broken [0-9a-f]{8}: .* · published 1 · failed 1 · ", err, re.M)
    assert "\x1b[" not in proc.stdout + err  # no terminal codes in a pipe


def read_all(fd: int) -> bytes:
    """Everything written to the pty until the child closes it."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_live_display_on_a_terminal(sandbox: Sandbox) -> None:
    """On a terminal, rich draws the counts, each worker's build and time, and the results."""
    argv = [str(EXE), "-c", sandbox["cfg"], "build", "-p", "alpha", "-p", "broken", "-j", "2"]
    master, slave = pty.openpty()
    env = sandbox.env({"COLUMNS": "200", "LINES": "50", "TERM": "xterm"})
    with subprocess.Popen(
        argv, cwd=sandbox.tmp, env=env, stdin=slave, stdout=slave, stderr=slave
    ) as proc:
        os.close(slave)
        out = read_all(master).decode(errors="replace")
        code = proc.wait(timeout=120)
    os.close(master)
    assert code == 12, out
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)  # drop the terminal control codes
    assert "\x1b[" in out  # it was drawn live, not printed as lines
    assert re.search(r"queued 0 · building 0 · published 1 · failed 1 · retry 0 · [\d.]+s", text)
    assert re.search(r"worker [12] +building (alpha|broken) [0-9a-f]{8} +[\d.]+s", text)
    assert re.search(r"worker [12] +idle", text)  # the last frame: both done
    assert re.search(r"published alpha [0-9a-f]{8}: alpha-", text)
    assert re.search(r"failed broken [0-9a-f]{8}: ", text)
    assert "queued 2 builds" not in text  # not the plain lines
    assert "2 built: 1 ok, 1 failed" in text
