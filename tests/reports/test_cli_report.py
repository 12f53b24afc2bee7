"""``trunkline -c CFG report``: regenerates the reports of a builder from its DB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from tests.reports.builds import Builds
from trunkline.config import load_settings
from trunkline.db.engine import open_database
from trunkline.db.models import BuildStatus


def trunkline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trunkline", *args], cwd=cwd, capture_output=True, text=True
    )


def test_report_command_writes_every_report_and_full_rewrites_them(tmp_path: Path) -> None:
    (tmp_path / "builder.toml").write_text('[builder]\ndata_dir = "data"\nproject_name = "RDO"\n')
    settings = load_settings(tmp_path / "builder.toml")
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        b = Builds(session)
        b.add("python-nova")
        b.add("python-nova", BuildStatus.FAILED)
        session.commit()
    engine.dispose()

    result = trunkline("-c", "builder.toml", "report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    repos = tmp_path / "data" / "repos"
    assert result.stdout.startswith(f"{repos / 'report.html'}: 1 page(s); 5 file(s) written")
    for name in ("report.html", "status_report.html", "ftbfs.html", "status_report.csv"):
        assert "python-nova" in (repos / name).read_text()

    again = trunkline("-c", "builder.toml", "report", cwd=tmp_path)
    assert "0 file(s) written, 0 package row(s)" in again.stdout
    full = trunkline("-c", "builder.toml", "report", "--full", cwd=tmp_path)
    assert "4 file(s) written, 1 package row(s)" in full.stdout


def test_report_without_config_is_one_line_error(tmp_path: Path) -> None:
    result = trunkline("report", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "trunkline: error: trunkline.toml: config file not found "
        "(pass --config FILE or run 'trunkline init')"
    )
