"""What importing the builder loads: heavy libraries only on the paths that need them.

A no-change poll holds the builder's memory to the modules it imports (issue 10:
its peak RSS next to DLRN's). Each library below is imported where it is used —
rpm and specfile when a spec is read or built (by the builder's spec helper
process, never the builder itself), jinja2 when reports are rendered,
createrepo_c when a repo is published, alembic when the schema is behind, pbr
(and setuptools) for pbr projects only; pygit2 never (refs are read from git's
files, commits by git); pydantic only by the API (the config is msgspec's: pydantic's
core alone is ~10 MB of the builder's peak) — and the scale benchmark's measured child
must not load pytest. Checked in a fresh interpreter, since this one has them all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "rpm", "specfile", "jinja2", "createrepo_c", "alembic", "pbr", "setuptools", "pytest", "pygit2",
    "pydantic", "pydantic_core",
)  # fmt: skip


def _loaded(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join({{m.split('.')[0] for m in sys.modules}}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "module",
    [
        "trunkline.builder.cycle",
        "trunkline.upstream.poll",
        "benchmarks.scale.tl_child",
        "trunkline.cli.build",
    ],
)
def test_importing_the_poll_path_loads_no_heavy_library(module: str) -> None:
    assert _loaded(module) & set(HEAVY) == set()


@pytest.mark.parametrize(
    "module",
    ["trunkline.builder.workspace", "trunkline.builder.pipeline", "trunkline.builder.order"],
)
def test_the_build_path_reads_specs_through_the_helper(module: str) -> None:
    # a build cycle reads and rewrites specs in its spec helper (rpmspec/service.py)
    assert _loaded(module) & {"rpm", "specfile"} == set()
