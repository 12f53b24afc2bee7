"""The real tools trunkline's versions are checked against.

* DLRN's normalisation: the ``setversionandrelease`` bash function of DLRN 0.26.1
  (``share/dlrn/scripts/common-functions``, installed from PyPI into a peer venv),
  sourced and called by bash itself — DLRN's own code, not a port.
* pbr: ``pbr.packaging._get_version_from_git`` (the package trunkline depends on),
  run in a child process inside a real clone checked out at each commit — the way
  ``setup.py --version`` meets it in DLRN's build root.
* setuptools-scm: ``setuptools_scm.get_version`` in a real checkout, likewise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.peervenv import DLRN_VERSION, dlrn_peer

_DLRN_LOOP = r"""
source "$1" >/dev/null 2>&1
while IFS= read -r line; do
    setversionandrelease "$line" abcdef1 >/dev/null
    printf '%s\t%s\n' "$line" "$VERSION"
done
"""

_PBR_WALK = r"""
import json, os, subprocess, sys
for key in ("PBR_VERSION", "OSLO_PACKAGE_VERSION"):
    os.environ.pop(key, None)
from pbr import packaging
answers = {}
for sha in sys.stdin.read().split():
    subprocess.run(["git", "checkout", "-q", "--detach", sha], check=True)
    answers[sha] = packaging._get_version_from_git(None)
print(json.dumps(answers))
"""

_SCM_AT = r"""
import json, os, sys
for key in list(os.environ):
    if key.startswith("SETUPTOOLS_SCM_"):
        del os.environ[key]
from setuptools_scm import get_version
print(get_version(root=".", **json.loads(sys.argv[1])))
"""


def dlrn_common_functions() -> Path:
    """DLRN's ``common-functions`` script, from DLRN installed in a peer venv."""
    python = dlrn_peer()
    script = python.parent.parent / "share" / "dlrn" / "scripts" / "common-functions"
    assert script.is_file(), f"DLRN {DLRN_VERSION} did not install {script}"
    return script


def dlrn_normalize(upstream_versions: Sequence[str]) -> dict[str, str]:
    """What DLRN's ``setversionandrelease`` sets ``VERSION`` to, for each upstream version."""
    wanted = sorted(set(upstream_versions))
    result = subprocess.run(
        ["bash", "-c", _DLRN_LOOP, "dlrn", str(dlrn_common_functions())],
        input="".join(f"{v}\n" for v in wanted),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answers = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert sorted(answers) == wanted
    return answers


class PbrWalk:
    """pbr's ``_get_version_from_git()`` with ``checkout`` checked out at each commit.

    Started at once in a child process (so it runs beside the caller's own work);
    :meth:`answers` waits for it.
    """

    def __init__(self, checkout: Path, shas: Sequence[str]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _PBR_WALK],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=checkout,
            text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        )
        self._input = "\n".join(shas)

    def answers(self) -> dict[str, str]:
        """sha -> pbr's version string."""
        out, err = self._proc.communicate(self._input, timeout=900)
        assert self._proc.returncode == 0, err
        answers: dict[str, str] = json.loads(out.strip().splitlines()[-1])
        return answers


def scm_version_at(checkout: Path, options: dict[str, object] | None = None) -> str:
    """``setuptools_scm.get_version`` in the work tree ``checkout`` as it is."""
    result = subprocess.run(
        [sys.executable, "-c", _SCM_AT, json.dumps(options or {})],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]
