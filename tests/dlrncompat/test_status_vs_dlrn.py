"""``build --status`` against DLRN 0.26.1's own ``dlrn --status`` on the same database.

DLRN runs from the peer venv on a database its own models filled
(``dlrn_world.py``), plus the rows that make the classes of answer: a package
whose newest build is a RETRY (DLRN shows it: ``getLastProcessedCommit`` with
``not_status='invalid status'``), one rechecked by ``dlrn --recheck`` (DLRN
deletes that row, so it shows the build before), one never built (``NO_BUILD``).
trunkline imports the database with ``dlrn import-db`` and must print the same
lines; its own ``--recheck`` keeps the row but flagged, and must answer as DLRN
does after deleting it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.builder.cycle_world import write_rdoinfo
from tests.dlrncompat.conftest import build_dlrn_world, import_db, trunkline_config

ROOT = Path(__file__).resolve().parents[2]
SHIM = ROOT / "benchmarks" / "dlrn_shim"
EXE = Path(sys.executable).parent / "trunkline"
PACKAGES = ("python-foo", "python-bar", "python-baz", "python-qux")

# rows DLRN's models add on top of dlrn_world.py's: python-bar's newest is a RETRY,
# python-qux failed then was rechecked by DLRN's CLI (the row deleted)
MORE_ROWS = """
import sys
from dlrn.db import Commit, getSession
session = getSession(sys.argv[1])
def row(project, n, status):
    c = Commit(project_name=project, repo_dir="/d", distgit_dir="/d", commit_hash=f"{n:040x}",
               distro_hash=f"{n + 1:040x}", dt_commit=1800000000 + n, dt_distro=1800000000 + n,
               dt_build=1800000000 + n, commit_branch="master", status=status, flags=0,
               type="rpm", notes="", artifacts="")
    session.add(c)
    session.commit()
row("python-bar", 90, "RETRY")
row("python-qux", 91, "SUCCESS")
row("python-qux", 92, "FAILED")
"""


DLRN_MAIN = "import sys; from dlrn.shell import main; sys.exit(main())"
RDOINFO = "pkginfo_driver=dlrn.drivers.rdoinfo.RdoInfoDriver\ntags=trunk"


def _dlrn(python: Path, tmp: Path, db_url: str, *argv: str) -> list[str]:
    """``dlrn ARGV`` with DLRN's own rdoinfo driver reading the test's metadata."""
    packages = tmp / "packages.json"
    packages.write_text("[]")
    ini = tmp / "projects.ini"
    text = (SHIM / "projects.ini").read_text()
    for key, value in {
        "@DATADIR@": str(tmp / "dlrn-data"),
        "@SHIMDIR@": str(SHIM),
        "@WORKERS@": "1",
        "@PACKAGES@": str(packages),
    }.items():
        text = text.replace(key, value)
    text = text.replace(f"sqlite:///{tmp / 'dlrn-data'}/commits.sqlite", db_url)
    text = text.replace("pkginfo_driver=tl_dlrn_shim.StaticInfoDriver", RDOINFO)
    ini.write_text(text)
    (tmp / "dlrn-data").mkdir(exist_ok=True)
    meta = str(tmp / "meta")
    out = subprocess.run(
        [str(python), "-c", DLRN_MAIN, "--config-file", str(ini), "--info-repo", meta, *argv],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp,
        env={"PYTHONPATH": str(SHIM), "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.splitlines()


def _trunkline(config: Path, *argv: str) -> list[str]:
    out = subprocess.run(
        [str(EXE), "--config", str(config), "build", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


@pytest.mark.slow
def test_status_says_what_dlrn_says_on_the_same_database(dlrn_python: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'dlrn.sqlite'}"
    build_dlrn_world(dlrn_python, db)
    more = tmp_path / "more_rows.py"
    more.write_text(MORE_ROWS)
    subprocess.run([str(dlrn_python), str(more), db], check=True, timeout=120)

    write_rdoinfo(
        tmp_path / "meta",
        [
            {
                "project": n,
                "name": n,
                "upstream": f"file:///nowhere/{n}",
                "master-distgit": f"file:///nowhere/{n}-distgit",
                "maintainers": ["packager@example.com"],
                "tags": {"trunk": None},
            }
            for n in PACKAGES
        ],
    )
    # DLRN's recheck deletes python-qux's FAILED row; trunkline's flags it instead
    assert _dlrn(dlrn_python, tmp_path, db, "--recheck", "--package-name", "python-qux") == []
    dlrn_says = _dlrn(dlrn_python, tmp_path, db, "--status")

    (tmp_path / "tl").mkdir()
    config = trunkline_config(tmp_path / "tl", f"sqlite:///{tmp_path / 'tl.sqlite'}")
    with config.open("a") as fh:
        fh.write(f'[packages]\nsource = "rdoinfo"\npath = "{tmp_path / "meta"}"\ntag = "trunk"\n')
    before = f"sqlite:///{tmp_path / 'before-recheck.sqlite'}"
    build_dlrn_world(dlrn_python, before)
    subprocess.run([str(dlrn_python), str(more), before], check=True, timeout=120)
    imported = import_db(config, before)
    assert imported.returncode == 0, imported.stderr
    assert _trunkline(config, "--recheck", "-p", "python-qux")[0].startswith(
        "rechecked python-qux "
    )

    assert dlrn_says == [  # the metadata's order
        "      rpm python-foo FAILED",
        "      rpm python-bar RETRY",
        "      rpm python-baz NO_BUILD",
        "      rpm python-qux SUCCESS",
    ]
    assert _trunkline(config, "--status") == dlrn_says
