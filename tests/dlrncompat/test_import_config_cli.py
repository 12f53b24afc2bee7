"""``trunkline dlrn import-config`` through the installed script: each option, each exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.dlrncompat.realistic import write_ini
from trunkline.config import load_settings

EXE = Path(sys.executable).parent / "trunkline"


def trunkline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *args], cwd=cwd, capture_output=True, text=True)


def test_without_output_the_toml_goes_to_stdout_and_the_lines_to_stderr(tmp_path: Path) -> None:
    ini = write_ini(tmp_path)
    result = trunkline("dlrn", "import-config", "projects.ini", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# trunkline builder configuration converted from projects.ini")
    assert (
        '[build.mock]\n# [DEFAULT] configdir (<configdir>/<target>.cfg)\nconfig = "'
        in result.stdout
    )
    lines = result.stderr.splitlines()
    assert len(lines) == 10 and all(": not carried: " in ln for ln in lines)
    assert "projects.ini: [DEFAULT] gerrit: not carried: DLRN's git-review setup" in lines[0]
    assert not (tmp_path / "trunkline.toml").exists()
    assert ini.is_file()


def test_output_writes_a_file_that_loads_and_says_what_next(tmp_path: Path) -> None:
    write_ini(tmp_path)
    result = trunkline(
        "dlrn", "import-config", "projects.ini", "-o", "trunkline.toml", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "wrote trunkline.toml: 26 options carried, 10 not carried; "
        "then run: trunkline -c trunkline.toml build --dry-run\n"
    )
    assert load_settings(tmp_path / "trunkline.toml").builder.workers == 4
    assert len(result.stderr.splitlines()) == 10


def test_an_existing_output_needs_force(tmp_path: Path) -> None:
    write_ini(tmp_path)
    (tmp_path / "trunkline.toml").write_text("# mine\n")
    args = ("dlrn", "import-config", "projects.ini", "--output", "trunkline.toml")
    refused = trunkline(*args, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (
        "trunkline: error: trunkline.toml: already exists (use --force to overwrite)\n"
    )
    assert (tmp_path / "trunkline.toml").read_text() == "# mine\n"
    forced = trunkline(*args, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "trunkline.toml").read_text().startswith("# trunkline builder")


def test_a_bad_ini_is_one_line_exit_2_and_no_file(tmp_path: Path) -> None:
    (tmp_path / "projects.ini").write_text("[DEFAULT]\nmaxretries=three\n")
    result = trunkline("dlrn", "import-config", "projects.ini", "-o", "out.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "trunkline: error: projects.ini: [DEFAULT] maxretries: expected an integer (got 'three')\n"
    )
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projects.ini"]


def test_a_missing_ini_is_exit_2(tmp_path: Path) -> None:
    result = trunkline("dlrn", "import-config", "nope.ini", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "trunkline: error: nope.ini: file not found\n",
    )
