"""The peer tools (rdopkg + distroinfo from PyPI) in their own venv under .peers/."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.peervenv import ensure_venv

# Runs in the peer venv on one merged info: rdopkg's own per-package printer (what
# `rdopkg info -l DIR RE` prints for each match) for every package, and its summary (what
# `rdopkg info -l DIR` prints: releases, repos, per-conf counts) and the project `rdopkg
# findpkg [-s] QUERY` finds for each query, as JSON, in one process.
RDOPKG_DUMP = r"""
import io, json, sys
from contextlib import redirect_stdout
from distroinfo.info import DistroInfo
from rdopkg.actionmods import rdoinfo
info = DistroInfo(sys.argv[2], local_info=sys.argv[1]).get_info()
def printed(fn, arg):
    buf = io.StringIO()
    with redirect_stdout(buf):
        fn(arg)
    return buf.getvalue()
from distroinfo.query import find_package
def found(query, strict):
    pkg = find_package(info, query, strict=strict)
    return pkg and pkg['project']
json.dump({'packages': [printed(rdoinfo.print_pkg, p) for p in info['packages']],
           'summary': printed(rdoinfo.print_summary, info),
           'findpkg': [[q, found(q, False), found(q, True)] for q in sys.argv[3:]]}, sys.stdout)
"""


def peer_python() -> Path:
    """The peer venv's python (rdopkg + distroinfo), creating the venv once."""
    return ensure_venv("rdopkg", ["rdopkg", "distroinfo"], check_import="rdopkg, distroinfo")


@dataclass(frozen=True)
class RdopkgDump:
    """What rdopkg prints for one metadata tree.

    Attributes:
        packages: the block ``rdopkg info`` prints for each package, in its order.
        summary: ``rdopkg info`` without filters (releases & repos, conf counts).
        findpkg: query -> (project found, project found with ``--strict``), None if none.
    """

    packages: list[str]
    summary: str
    findpkg: dict[str, tuple[str | None, str | None]]


def rdopkg_dump(
    python: Path, root: Path, queries: Sequence[str] = (), info_file: str = "rdo-full.yml"
) -> RdopkgDump:
    """What rdopkg prints and finds for ``root`` (and ``queries``), from one peer process."""
    res = subprocess.run(
        [str(python), "-c", RDOPKG_DUMP, str(root), info_file, *queries],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(res.stdout)
    return RdopkgDump(
        packages=list(data["packages"]),
        summary=str(data["summary"]),
        findpkg={q: (loose, strict) for q, loose, strict in data["findpkg"]},
    )
