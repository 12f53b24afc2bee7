"""Run rdopkg 1.8.0 (from PyPI, in its own venv) on a distgit, offline.

rdopkg's distgit commands look the package up in rdoinfo from ``RDOINFO_REPO``
(GitHub by default, with no option to change it; its config files crash on
Python 3), so a tiny wrapper sets ``cfg['RDOINFO_REPO']`` to a local git clone
before calling ``rdopkg.cli.main``. rdopkg imports ``rpm``, so its venv is made
from Debian's ``/usr/bin/python3`` with system site-packages (``python3-rpm``).
The venv lives in ``.peers/rdopkg-distgit`` and is created once.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.peervenv import ensure_venv

REPO_ROOT = Path(__file__).resolve().parents[2]
PEER_DIR = REPO_ROOT / ".peers" / "rdopkg-distgit"
RDOPKG_VERSION = "1.8.0"
WRAPPER = """\
import sys
from rdopkg.conf import cfg
cfg['RDOINFO_REPO'] = sys.argv.pop(1)
from rdopkg.cli import main
main()
"""


def ensure_rdopkg() -> Path:
    """The venv's python, creating the venv and installing rdopkg on first use.

    Raises:
        PeerUnavailableError: the venv cannot be created.
    """
    python = ensure_venv(
        "rdopkg-distgit",
        [f"rdopkg=={RDOPKG_VERSION}"],
        base_python="/usr/bin/python3",
        system_site_packages=True,
        check_import="rpm, rdopkg",
    )
    (PEER_DIR / "rdopkg-local.py").write_text(WRAPPER)
    return python


def run_rdopkg(
    distgit: Path, rdoinfo_repo: Path, home: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``rdopkg ARGS`` in ``distgit`` with rdoinfo from ``rdoinfo_repo``.

    ``HOME`` points at a scratch dir so distroinfo's cache stays out of the real one.
    """
    python = ensure_rdopkg()
    env = dict(os.environ, HOME=str(home), TERM="dumb", GIT_CONFIG_NOSYSTEM="1")
    env.pop("GIT_CONFIG_GLOBAL", None)
    result = subprocess.run(
        [str(python), str(PEER_DIR / "rdopkg-local.py"), str(rdoinfo_repo), *args],
        cwd=distgit,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"rdopkg {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result
