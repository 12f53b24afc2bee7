"""createrepo_c's library run in a helper process (``repodata_child``), as the builder uses it.

The helper must write what :class:`LibraryRepodata` writes in-process, keep its
package cache across writes, survive its own death (started again, the write
retried), stop when closed, and keep createrepo_c's bindings out of the process
that asks it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.publish.test_repodata import described, garble, linked_repo, pool, repo_of
from trunkline.childproc import HelperChild
from trunkline.errors import PublishError
from trunkline.publish.repodata import LibraryRepodata, make_writer
from trunkline.publish.repodata_child import ChildRepodata

pytestmark = pytest.mark.slow
__all__ = ["pool"]  # the module fixture of test_repodata, shared


def _pid(writer: ChildRepodata) -> int:
    child = writer._helper.child
    assert child is not None, "no helper is running"
    return child.proc.pid


def test_the_library_backend_runs_in_a_helper(tmp_path: Path, pool: dict[str, Path]) -> None:
    writer = make_writer("library")
    try:
        assert isinstance(writer, ChildRepodata)
        repo = repo_of(tmp_path / "r", pool["alpha"], pool["beta"], pool["alpha-src"])
        writer.write(repo)
        assert _pid(writer) != os.getpid()
    finally:
        writer.close()
    same = repo_of(tmp_path / "in-process", pool["alpha"], pool["beta"], pool["alpha-src"])
    LibraryRepodata().write(same)
    assert described(repo) == described(same)


def test_the_helper_keeps_its_cache_between_writes(tmp_path: Path, pool: dict[str, Path]) -> None:
    writer = ChildRepodata()
    try:
        first = repo_of(tmp_path / "1", pool["alpha"], pool["beta"])
        writer.write(first)
        assert (writer.last.packages, writer.last.read, writer.last.cached) == (2, 2, 0)
        second = linked_repo(tmp_path / "2", first, pool["gamma"])
        garble(first / pool["alpha"].name)  # a re-read would fail: the cache must answer
        writer.write(second, previous=first)
        assert (writer.last.packages, writer.last.read, writer.last.cached) == (3, 1, 2)
        assert writer.started == 1
    finally:
        writer.close()


def test_prepare_starts_the_helper_and_fills_its_cache_before_the_first_write(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    first = repo_of(tmp_path / "1", pool["alpha"], pool["beta"])
    LibraryRepodata().write(first)
    writer = ChildRepodata()
    try:
        writer.prepare(first)  # returns at once: the helper loads while we go on
        assert writer.started == 1 and _pid(writer) != os.getpid()
        writer.prepare(tmp_path / "nowhere")  # a hint it cannot use is no error
        for rpm in first.glob("*.rpm"):
            garble(rpm)  # a re-read would fail: the prepared cache must answer
        second = linked_repo(tmp_path / "2", first, pool["gamma"])
        writer.write(second)
        assert (writer.last.cached, writer.last.from_previous, writer.last.read) == (2, 0, 1)
        writer.write(linked_repo(tmp_path / "3", second))  # answers stay in step
        assert (writer.last.packages, writer.last.cached) == (3, 3)
        assert writer.started == 1
    finally:
        writer.close()


def test_answers_that_arrive_together_are_each_taken(
    tmp_path: Path, pool: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = repo_of(tmp_path / "1", pool["alpha"])
    LibraryRepodata().write(first)
    send = HelperChild._write

    def slow_to_read(child: HelperChild, request: dict[str, Any]) -> None:
        send(child, request)
        time.sleep(1.0)  # the helper answers the prepare and this write meanwhile

    monkeypatch.setattr(HelperChild, "_write", slow_to_read)
    writer = ChildRepodata(timeout=15)  # a lost answer fails the test instead of hanging it
    try:
        writer.prepare(first)
        repo = repo_of(tmp_path / "2", pool["alpha"], pool["beta"])
        writer.write(repo)
        assert (writer.last.cached, writer.last.read) == (1, 1)
        assert writer.started == 1  # (not a helper killed for an answer it gave)
    finally:
        writer.close()


def test_a_helper_killed_while_preparing_is_started_again_for_the_write(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    first = repo_of(tmp_path / "1", pool["alpha"])
    LibraryRepodata().write(first)
    writer = ChildRepodata()
    try:
        writer.prepare(first)
        os.kill(_pid(writer), signal.SIGKILL)
        repo = repo_of(tmp_path / "2", pool["alpha"], pool["beta"])
        writer.write(repo)
        assert writer.started == 2
        assert sorted(described(repo)) == sorted([pool["alpha"].name, pool["beta"].name])
    finally:
        writer.close()


def test_a_killed_helper_is_started_again_and_the_write_retried(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    writer = ChildRepodata()
    try:
        writer.write(repo_of(tmp_path / "1", pool["alpha"]))
        pid = _pid(writer)
        os.kill(pid, signal.SIGKILL)
        repo = repo_of(tmp_path / "2", pool["alpha"], pool["beta"])
        writer.write(repo)
        assert writer.started == 2 and _pid(writer) != pid
        assert sorted(described(repo)) == sorted([pool["alpha"].name, pool["beta"].name])
    finally:
        writer.close()


def test_an_unreadable_rpm_is_one_publish_error_and_the_helper_goes_on(
    tmp_path: Path, pool: dict[str, Path]
) -> None:
    writer = ChildRepodata()
    try:
        bad = repo_of(tmp_path / "bad", pool["alpha"])
        (bad / "broken-1.0-1.noarch.rpm").write_bytes(b"not an rpm")
        with pytest.raises(PublishError) as caught:
            writer.write(bad)
        assert "createrepo_c" in str(caught.value) and "\n" not in str(caught.value)
        writer.write(repo_of(tmp_path / "good", pool["beta"]))
        assert writer.started == 1  # an error answer is not a death
    finally:
        writer.close()


def test_close_ends_the_helper(tmp_path: Path, pool: dict[str, Path]) -> None:
    writer = ChildRepodata()
    writer.write(repo_of(tmp_path / "r", pool["alpha"]))
    child = writer._helper.child
    assert child is not None
    writer.close()
    assert child.proc.returncode is not None
    writer.write(repo_of(tmp_path / "again", pool["beta"]))  # usable again: a new helper
    assert writer.started == 2
    writer.close()


def test_the_asking_process_never_loads_createrepo_c(tmp_path: Path, pool: dict[str, Path]) -> None:
    repo = repo_of(tmp_path / "r", pool["alpha"], pool["beta"])
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from trunkline.publish.repodata import make_writer
        writer = make_writer("library")
        writer.write(Path({str(repo)!r}))
        writer.close()
        assert "createrepo_c" not in sys.modules, "the bindings were loaded here"
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
    assert (repo / "repodata" / "repomd.xml").is_file()
