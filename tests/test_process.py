"""The subprocess helper: logs, timeouts, one-line errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from trunkline.errors import CommandError, CommandTimeoutError
from trunkline.process import error_line, run


def test_output_and_command_are_appended_to_the_log(tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    result = run(["sh", "-c", "echo hello; echo oops >&2"], log_path=log)
    assert result.ok and result.stdout == "hello\n"
    text = log.read_text()
    assert "$ sh -c echo hello; echo oops >&2" in text
    assert "hello" in text and "oops" in text and "[exit 0]" in text


def test_failure_carries_the_tools_error_line() -> None:
    with pytest.raises(CommandError) as info:
        run(["sh", "-c", "echo noise; echo 'error: Bad exit status from /var/tmp/x' >&2; exit 1"])
    assert str(info.value) == "sh failed (exit 1): error: Bad exit status from /var/tmp/x"


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child-alive"
    start = time.monotonic()
    with pytest.raises(CommandTimeoutError, match="timed out"):
        run(["sh", "-c", f"(sleep 3; touch {marker}) & sleep 30"], timeout=0.5)
    assert time.monotonic() - start < 5
    time.sleep(3.5)
    assert not marker.exists()


def test_missing_tool_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="cannot start"):
        run(["definitely-not-a-tool-xyz"])


def test_error_line_prefers_fatal_lines() -> None:
    assert (
        error_line("a\nfatal: repository 'x' not found\nb\n") == "fatal: repository 'x' not found"
    )
    assert error_line("") == "no output"
