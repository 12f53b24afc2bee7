"""``trunkline purge`` and ``trunkline sync`` from the command line, on a real built history."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.publish.purge_world import History, copy_history, dangling_links
from trunkline.builder.lock import BuilderLock
from trunkline.db.models import FLAG_PURGED

pytestmark = pytest.mark.slow


def trunkline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trunkline", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.fixture
def history(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> History:
    history = copy_history(tmp_path_factory, tmp_path / "data")
    history.age(list(range(1, 9)), days=100, now=int(time.time()))
    return history


def write_config(tmp_path: Path, history: History, mirror: Path | None = None) -> Path:
    text = f'[builder]\ndata_dir = "{history.data}"\ndist = ".el9s"\n'
    if mirror is not None:
        text += f'\n[replication]\ntargets = ["{mirror}"]\ntimeout = 60\n'
    config = tmp_path / "trunkline.toml"
    config.write_text(text)
    return config


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_dry_run_lists_what_would_go_and_why_the_rest_stays(
    history: History, tmp_path: Path
) -> None:
    config = write_config(tmp_path, history)
    before = tree(history.repos)
    rows = history.rows()

    result = trunkline(
        "--config", str(config), "purge", "--older-than", "30", "--dry-run", cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"would remove {rows[1].repo_dir} (alpha)" in lines
    assert f"would remove {rows[5].repo_dir} (beta)" in lines
    assert f"would strip {rows[2].repo_dir} (beta, keeping 2 linked file(s))" in lines
    assert f"keep {rows[6].repo_dir}: last good build of alpha" in lines
    assert f"keep {rows[8].repo_dir}: link 'consistent' points at it" in lines
    assert lines[-1] == "dry run: 5 repo(s) would go, 3 kept"
    assert tree(history.repos) == before
    assert not any(r.flags & FLAG_PURGED for r in history.rows().values())


def test_purge_removes_flags_and_resyncs_the_mirror(history: History, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    config = write_config(tmp_path, history, mirror)
    assert trunkline("--config", str(config), "sync", cwd=tmp_path).returncode == 0
    rows = history.rows()
    assert (mirror / rows[1].repo_dir).is_dir()

    result = trunkline("--config", str(config), "purge", "--older-than", "30", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "purged: 3 removed, 2 stripped, 5 build(s) flagged; 3 old repo(s) kept",
        f"mirrors resynced: {mirror}",
    ]
    flagged = {i for i, r in history.rows().items() if r.flags & FLAG_PURGED}
    assert flagged == {1, 2, 3, 4, 5}
    assert not (history.repos / rows[1].repo_dir).exists()
    assert not (mirror / rows[1].repo_dir).exists()
    assert os.readlink(mirror / "current") == rows[8].repo_dir
    assert dangling_links(history.repos) == [] and dangling_links(mirror) == []


def test_sync_prints_each_target(history: History, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    config = write_config(tmp_path, history, mirror)
    result = trunkline("--config", str(config), "sync", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"synced {history.repos} to {mirror}"
    assert (mirror / "current" / "repodata" / "repomd.xml").is_file()


def test_sync_without_targets_and_purge_while_a_build_runs_are_one_line_errors(
    history: History, tmp_path: Path
) -> None:
    config = write_config(tmp_path, history)
    result = trunkline("--config", str(config), "sync", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"trunkline: error: {config}: [replication] targets is empty; nothing to sync to"
    )
    with BuilderLock(history.data):
        locked = trunkline("--config", str(config), "purge", "--older-than", "30", cwd=tmp_path)
    assert locked.returncode == 10
    assert locked.stderr.strip() == (
        f"trunkline: error: {history.data / 'trunkline.lock'}: another trunkline run "
        f"(pid {os.getpid()}) is using this builder; wait for it to finish"
    )
    bad = trunkline("--config", str(config), "purge", "--older-than", "-1", cwd=tmp_path)
    assert bad.returncode == 2
    assert "Invalid value for '--older-than': -1 is not in the range x>=0." in bad.stderr
