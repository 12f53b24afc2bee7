"""The CLI's contract: one-line errors with documented exit codes, `init` writes a valid config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trunkline.config import load_settings


def trunkline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trunkline", *args], cwd=cwd, capture_output=True, text=True
    )


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    result = trunkline("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert load_settings(tmp_path / "trunkline.toml").builder.name == "centos9-master"
    again = trunkline("init", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip() == (
        "trunkline: error: trunkline.toml: already exists (use --force to overwrite)"
    )


def test_bad_config_is_one_line_with_exit_code_2(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[builder]\nworkerz = 3\n")
    result = trunkline("--config", "bad.toml", "build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "trunkline: error: bad.toml: unknown key 'builder.workerz'"
    assert "Traceback" not in result.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    result = trunkline("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "trunkline.toml: config file not found" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[builder]\nworkerz = 3\n")
    result = trunkline("--debug", "--config", "bad.toml", "build", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


HELP_IMPORTS = """
import sys
from trunkline.cli.app import main
try:
    main(["--help"])
except SystemExit:
    pass
loaded = [m for m in sys.modules if m.startswith(("trunkline", "sqlalchemy", "pydantic"))]
print("MODULES:", *sorted(loaded))
"""


def test_help_lists_every_command_without_importing_any(tmp_path: Path) -> None:
    from trunkline.cli.app import COMMANDS

    result = subprocess.run(
        [sys.executable, "-c", HELP_IMPORTS], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    help_text, _, modules = result.stdout.partition("MODULES:")
    listed = help_text.split("Commands:\n", 1)[1].splitlines()
    assert sorted(line.split()[0] for line in listed if line.strip()) == sorted(COMMANDS)
    assert modules.split() == [
        "trunkline",
        "trunkline.cli",
        "trunkline.cli.app",
        "trunkline.errors",
    ]


def test_the_command_table_matches_the_command_modules() -> None:
    import importlib

    import click

    from trunkline.cli.app import COMMAND_MODULES, COMMANDS

    real = click.Group("real")
    owner: dict[str, str] = {}
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"trunkline.cli.{name}")
        before = set(real.commands)
        module.register(real)
        owner.update(dict.fromkeys(set(real.commands) - before, name))
    assert sorted(COMMANDS) == sorted(real.commands), "add the new command to COMMANDS in app.py"
    for name, entry in COMMANDS.items():
        command = real.commands[name]
        assert (entry.module, entry.summary) == (owner[name], command.get_short_help_str(1000))
        assert (
            getattr(importlib.import_module(f"trunkline.cli.{entry.module}"), entry.attr) is command
        )


def test_a_command_runs_through_the_lazy_group(tmp_path: Path) -> None:
    result = trunkline("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("trunkline, version ")
    result = trunkline("nosuchcommand", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command 'nosuchcommand'" in result.stderr
