"""``trunkline user create|passwd|delete|list`` manage the API users."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trunkline.api.auth import Authenticator
from trunkline.db.engine import open_database, session_factory

EXE = str(Path(sys.executable).parent / "trunkline")


def _run(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "--config", str(cfg), "user", *args], capture_output=True, text=True, check=False
    )


def test_user_lifecycle(tmp_path: Path) -> None:
    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n')
    assert _run(cfg, "create", "ci", "--password", "pw1").returncode == 0
    assert _run(cfg, "create", "ro", "--password", "pw", "--role", "read-only").returncode == 0
    dup = _run(cfg, "create", "ci", "--password", "x")
    assert (dup.returncode, dup.stderr.strip()) == (
        2,
        "trunkline: error: user 'ci': already exists",
    )
    assert _run(cfg, "list").stdout.splitlines() == ["ci\tread-write", "ro\tread-only"]
    assert _run(cfg, "passwd", "ci", "--password", "pw2").returncode == 0
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with session_factory(engine)() as s:
        auth = Authenticator()
        assert auth.verify(s, "ci", "pw1") is None
        assert auth.verify(s, "ci", "pw2") is not None
    engine.dispose()
    assert _run(cfg, "delete", "ro").returncode == 0
    gone = _run(cfg, "delete", "ro")
    assert (gone.returncode, gone.stderr.strip()) == (
        2,
        "trunkline: error: user 'ro': no such user",
    )
