"""Peer tools' virtualenvs under ``.peers/``, created once and safely under ``pytest -n``.

Every xdist worker runs session fixtures on its own, so two workers may ask for the same
peer venv at the same moment on a fresh clone. An exclusive ``flock`` per venv makes the
second one wait for the first; a marker file written last (naming what was installed)
tells a complete venv from one a killed run left half-made, which is rebuilt from
scratch.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PEERS = Path(__file__).resolve().parents[1] / ".peers"
MARKER = ".trunkline-peer-ready"


class PeerUnavailableError(Exception):
    """A peer venv could not be created or its packages could not be installed."""


def ensure_venv(
    name: str,
    packages: Sequence[str],
    *,
    base_python: str = sys.executable,
    system_site_packages: bool = False,
    check_import: str | None = None,
) -> Path:
    """The python of ``.peers/NAME`` holding ``packages``, creating it on first use.

    Args:
        name: the venv's directory under ``.peers/``.
        packages: pip requirement strings to install.
        base_python: the interpreter the venv is made from.
        system_site_packages: let the venv see the base's site-packages (``python3-rpm``).
        check_import: a module list (``"rpm, rdopkg"``) that must import afterwards.

    Raises:
        PeerUnavailableError: venv creation, pip or the import check failed; the message
            carries the tool's own stderr.
    """
    venv = PEERS / name
    python = venv / "bin" / "python"
    wanted = "\n".join([base_python, str(system_site_packages), *packages]) + "\n"
    PEERS.mkdir(parents=True, exist_ok=True)
    with (PEERS / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = venv / MARKER
        if marker.exists() and marker.read_text() == wanted and python.exists():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        venv_cmd = [base_python, "-m", "venv", str(venv)]
        if system_site_packages:
            venv_cmd.insert(3, "--system-site-packages")
        steps = [venv_cmd, [str(python), "-m", "pip", "install", "-q", *packages]]
        if check_import:
            steps.append([str(python), "-c", f"import {check_import}"])
        for cmd in steps:
            try:
                res = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise PeerUnavailableError(f"peer venv {name}: {cmd[0]}: {exc}") from exc
            if res.returncode != 0:
                tail = (res.stderr or res.stdout).strip().splitlines()[-3:]
                raise PeerUnavailableError(
                    f"peer venv {name}: {' '.join(cmd[:4])} exited {res.returncode}: "
                    + " | ".join(tail)
                )
        marker.write_text(wanted)
        return python


DLRN_VERSION = "0.26.1"
# DLRN 0.26.1 does not pin SQLAlchemy, and its models use the 1.x API at import time;
# setuptools: its scripts import pkg_resources; the drivers of the server databases
# its models write in the import-db tests.
DLRN_PINS = (f"DLRN=={DLRN_VERSION}", "SQLAlchemy<2", "setuptools", "psycopg2-binary", "PyMySQL")


def dlrn_peer() -> Path:
    """The python of the one DLRN peer venv every oracle test shares.

    One name, one package list: two lists under one name would make each test
    rebuild the venv the other one is using (``ensure_venv`` rebuilds on a change).
    Its ``share/dlrn/scripts`` holds DLRN's ``common-functions``.
    """
    return ensure_venv(
        f"dlrn-{DLRN_VERSION}", DLRN_PINS, check_import="dlrn.config, dlrn.utils, dlrn.shell"
    )
