"""Signals through the installed script: ``api`` stops on ^C (0) or SIGTERM; ^C elsewhere: 130."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time

import pytest

from tests.cli.sandbox import EXE, Sandbox
from trunkline.cli.app import EXIT_INTERRUPTED


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize(
    ("sig", "code"),
    [(signal.SIGINT, 0), (signal.SIGTERM, -signal.SIGTERM)],
    ids=["sigint", "sigterm"],
)
def test_api_serves_until_stopped(sig: signal.Signals, code: int, sandbox: Sandbox) -> None:
    """``api`` answers, then ^C ends it with 0; SIGTERM kills it (uvicorn re-raises the signal)."""
    port = _free_port()
    argv = [str(EXE), "-c", sandbox["cfg"], "api", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(argv, cwd=sandbox.tmp, env=sandbox.env(), stderr=subprocess.PIPE)
    try:
        assert _answers(port, "/openapi.json", proc) == 200
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, stderr
    assert b"Traceback" not in stderr


def _answers(port: int, path: str, proc: subprocess.Popen[bytes]) -> int:
    """The HTTP status of GET ``path`` once the server listens (within 60 s)."""
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise AssertionError(f"port {port}: the server did not answer (exit {proc.poll()})")


def test_an_interrupt_is_130(sandbox: Sandbox) -> None:
    """^C while ``distgit fix`` waits for the changelog editor: one line, 130."""
    started = sandbox.tmp / "editor-started"
    editor = sandbox.tmp / "editor"
    editor.write_text(f"#!/bin/sh\ntouch {started}\nexec sleep 60\n")
    editor.chmod(0o755)
    proc = subprocess.Popen(
        [str(EXE), "distgit", "fix", "-C", sandbox["distgit"]],
        cwd=sandbox.tmp,
        env=sandbox.env({"EDITOR": str(editor), "VISUAL": str(editor)}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a terminal's ^C reaches the whole group: the editor too
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    assert stderr.strip() == "trunkline: interrupted"
