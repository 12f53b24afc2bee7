"""Side by side: DLRN's Release for a build time and trunkline's ``release_string``.

DLRN forms the Release in two places: ``dlrn/build.py`` turns the build's
``dt_build`` into ``RELEASE_DATE`` (``datetime.utcfromtimestamp(...).strftime(
'%Y%m%d%H%M%S')``) and exports ``RELEASE_NUMBERING``/``RELEASE_MINOR``; the
shell function ``setversionandrelease`` of ``scripts/common-functions`` then
builds ``RELEASE``. Both are run here from DLRN 0.26.1 (PyPI, ``--no-deps``: only
its scripts and that one expression are needed) on the same build times.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.peervenv import dlrn_peer
from trunkline.rpmspec.nvr import Numbering, release_string

# dlrn/build.py, build_rpm_wrapper: the release date of a build
DLRN_RELEASE_DATE = """\
import json, sys
from datetime import datetime
print(json.dumps([datetime.utcfromtimestamp(t).strftime('%Y%m%d%H%M%S')
                  for t in json.load(sys.stdin)]))
"""
# common-functions runs build_srpm.sh's preamble (cd DATA_DIR/PROJECT; git clean -dxf)
# when sourced with 5 positional parameters: clear them before sourcing it.
SHELL = """\
functions=$1 numbering=$2 minor=$3 dates=$4 short=$5
set --
source "$functions" > /dev/null
export RELEASE_NUMBERING="$numbering" RELEASE_MINOR="$minor"
for RELEASE_DATE in $dates; do
    setversionandrelease 1.0.0 "$short"
    echo "$RELEASE"
done
"""
TIMES = [0, 1_763_460_000, 1_763_460_059, 1_767_225_599, 1_767_225_600, 4_102_444_799]
HASH = "0d094ba5c3f1e2d4a6b8c0e1f2a3b4c5d6e7f809"


@pytest.fixture(scope="module")
def dlrn_python() -> Path:
    return dlrn_peer()


def dlrn_releases(python: Path, numbering: str, minor: int, scratch: Path) -> list[str]:
    dates = subprocess.run(
        [str(python), "-c", DLRN_RELEASE_DATE],
        input=json.dumps(TIMES),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    functions = python.parent.parent / "share" / "dlrn" / "scripts" / "common-functions"
    argv = ["bash", "-c", SHELL, "sh", str(functions), numbering, str(minor)]
    argv += [" ".join(json.loads(dates)), HASH[:7]]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=scratch)
    return out.stdout.split()


@pytest.mark.parametrize(
    ("numbering", "minor"),
    [("0.date.hash", 0), ("0.1.date.hash", 0), ("minor.date.hash", 0), ("minor.date.hash", 4)],
)
def test_release_is_dlrn_s_for_the_same_build_time(
    dlrn_python: Path, numbering: Numbering, minor: int, tmp_path: Path
) -> None:
    ours = [release_string(t, HASH, numbering=numbering, minor=minor) for t in TIMES]
    assert ours == dlrn_releases(dlrn_python, numbering, minor, tmp_path)
    assert list(tmp_path.iterdir()) == []  # DLRN's script wrote nothing
