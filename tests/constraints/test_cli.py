"""``trunkline uc report`` and ``trunkline report`` through the installed script (rule 18)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.constraints.world import UC_2025_1

EXE = Path(sys.executable).parent / "trunkline"

pytestmark = pytest.mark.db


def trunkline(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRUNKLINE_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run(
        [str(EXE), *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def config(tmp_path: Path, uc_repos: dict[str, Path]) -> Path:
    (tmp_path / "data" / "repos").mkdir(parents=True)
    (tmp_path / "data" / "repos" / "current").symlink_to(uc_repos["delorean"])
    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(
        '[builder]\ndata_dir = "data"\n'
        f'[uc]\nsource = "{UC_2025_1}"\nrelease = "epoxy"\npython = "3.12"\n'
        f'[uc.repos]\ndeps = "{uc_repos["deps"]}"\nbaseos = "{uc_repos["baseos"].as_uri()}"\n'
    )
    return cfg


def test_report_formats_and_the_pages(config: Path) -> None:
    cwd = config.parent
    done = trunkline(cwd, "-c", str(config), "uc", "report", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["counts"] == {"equal": 5, "lower": 2, "greater": 2, "missing": 576}
    assert doc["repos"] == ["delorean", "deps", "baseos"]
    lower = trunkline(
        cwd, "-c", str(config), "uc", "report", "--format", "csv", "--status", "lower"
    )
    rows = list(csv.DictReader(io.StringIO(lower.stdout)))
    assert sorted(r["ModName"] for r in rows) == ["PyYAML", "oslo.log"]
    assert {r["Status"] for r in rows} == {"lower"}
    table = trunkline(cwd, "-c", str(config), "uc", "report", "--python", "3.9")
    assert table.returncode == 0
    assert "588 module(s): equal 4, lower 2, greater 3, missing 579" in table.stdout
    page = (cwd / "data" / "repos" / "uc.html").read_text()
    assert "Python 3.9" in page and "<td>3</td>" in page  # three runs in the trend
    (cwd / "data" / "repos" / "uc.html").unlink()
    again = trunkline(cwd, "-c", str(config), "report")
    assert again.returncode == 0, again.stderr
    assert "oslo.config" in (cwd / "data" / "repos" / "uc.html").read_text()
    assert (
        '<a href="uc.html">Upper constraints</a>'
        in (cwd / "data" / "repos" / "report.html").read_text()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--python", "three"), "--python 'three': expected a Python version like 3.12"),
        (("--uc", "/nonexistent"), "--uc /nonexistent: not found"),
        (("--format", "html", "--status", "lower", "--status", "equal"), "--status: --format html"),
    ],
)
def test_bad_input_is_one_line(config: Path, args: tuple[str, ...], message: str) -> None:
    done = trunkline(config.parent, "-c", str(config), "uc", "report", *args)
    assert done.returncode == 2
    assert done.stderr.startswith(f"trunkline: error: {message}")
    assert done.stderr.count("\n") == 1
