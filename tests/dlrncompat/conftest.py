"""DLRN 0.26.1 itself, in a peer venv: the databases it writes and the API it serves.

``dlrn_python`` is the peer venv's interpreter (DLRN from PyPI, ``SQLAlchemy<2``
as DLRN needs). ``dlrn_world.py`` runs there and builds a database with DLRN's
own models; ``DlrnApi`` runs DLRN's Flask API (``dlrn.api.app``, configured as
DLRN documents it: a Python file named by ``CONFIG_FILE`` holding ``DB_PATH``,
``REPO_PATH`` and ``CONFIG_FILE`` = projects.ini) on a loopback port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import dlrnapi, free_port, fresh_pg_database
from tests.conftest import fresh_server_database
from tests.peervenv import dlrn_peer

HERE = Path(__file__).resolve().parent
EXE = Path(sys.executable).parent / "trunkline"
__all__ = ["dlrnapi"]  # the real client fixture, shared with tests/api
BASEURL = "http://trunk.example/centos9/"

PROJECTS_INI = f"""\
[DEFAULT]
datadir=./data
scriptsdir=./scripts
baseurl={BASEURL}
distro=rpm-master
source=master
target=centos9
reponame=delorean
project_name=RDO
pkginfo_driver=dlrn.drivers.rdoinfo.RdoInfoDriver
build_driver=dlrn.drivers.mockdriver.MockBuildDriver
database_connection=sqlite:///commits.sqlite
use_components=true
"""


@pytest.fixture(scope="session")
def dlrn_python() -> Path:
    """The python of the shared DLRN 0.26.1 peer venv (``tests/peervenv.py``)."""
    return dlrn_peer()


def dlrn_db_url(backend: str, tmp: Path, name: str) -> str:
    """An empty database for DLRN to fill (SQLite file or a fresh PostgreSQL database)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{name}.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if backend == "mariadb":
        return fresh_server_database("mariadb", f"trunkline_{name}_{worker}")
    return fresh_pg_database(f"trunkline_{name}_{worker}")


def dlrn_url(trunkline_url: str) -> str:
    """The same database as DLRN (SQLAlchemy 1.4, psycopg2 or default driver) spells it."""
    return trunkline_url.replace("postgresql+psycopg://", "postgresql+psycopg2://")


def build_dlrn_world(python: Path, url: str) -> dict[str, Any]:
    """Run ``dlrn_world.py`` with DLRN's models; return what it printed."""
    out = subprocess.run(
        [str(python), str(HERE / "dlrn_world.py"), dlrn_url(url)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    world: dict[str, Any] = json.loads(out.stdout)
    return world


def trunkline_config(tmp: Path, db_url: str, repos: Path | None = None) -> Path:
    """A trunkline.toml whose database is ``db_url``."""
    path = tmp / "trunkline.toml"
    lines = ["[builder]", f'data_dir = "{tmp / "data"}"', f'baseurl = "{BASEURL.rstrip("/")}"']
    if repos is not None:
        lines.append(f'repos_dir = "{repos}"')
    lines += ["[database]", f'url = "{db_url}"']
    path.write_text("\n".join(lines) + "\n")
    return path


def import_db(config: Path, source_url: str) -> subprocess.CompletedProcess[str]:
    """``trunkline dlrn import-db`` through the installed script."""
    return subprocess.run(
        [str(EXE), "--config", str(config), "dlrn", "import-db", source_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def serve_dlrn_api(python: Path, tmp: Path, db_url: str) -> Iterator[str]:
    """Run DLRN's own Flask API on ``db_url``; yield its base URL; stop it."""
    ini = tmp / "projects.ini"
    ini.write_text(PROJECTS_INI)
    (tmp / "repos").mkdir(exist_ok=True)
    cfg = tmp / "dlrn_api_config.py"
    cfg.write_text(
        f"DB_PATH = {dlrn_url(db_url)!r}\nREPO_PATH = {str(tmp / 'repos')!r}\n"
        f"CONFIG_FILE = {str(ini)!r}\n"
    )
    port = free_port()
    code = f"from dlrn.api import app; app.run(host='127.0.0.1', port={port}, threaded=True)"
    log = (tmp / "dlrn-api.log").open("w")
    proc = subprocess.Popen(
        [str(python), "-c", code],
        cwd=tmp,
        env={**os.environ, "CONFIG_FILE": str(cfg)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"DLRN API did not start: {(tmp / 'dlrn-api.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


ALEMBIC_INI = """\
[alembic]
script_location = {migrations}
sqlalchemy.url = {url}

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %%(levelname)s %%(message)s
"""


def dlrn_alembic(python: Path, tmp: Path, url: str, revision: str) -> None:
    """``alembic upgrade REVISION`` with DLRN's own migrations (as DLRN's docs run it).

    DLRN's ``env.py`` imports its models as ``db`` from ``./dlrn``, so alembic runs
    in the directory that holds the installed ``dlrn`` package.
    """
    site = subprocess.run(
        [
            str(python),
            "-c",
            "import dlrn, os; print(os.path.dirname(os.path.dirname(dlrn.__file__)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ini = tmp / "dlrn-alembic.ini"
    ini.write_text(ALEMBIC_INI.format(migrations=f"{site}/dlrn/migrations", url=dlrn_url(url)))
    out = subprocess.run(
        [str(python), "-m", "alembic", "-c", str(ini), "upgrade", revision],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
