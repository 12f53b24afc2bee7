"""The rpm spec helper (``rpmspec/service.py``): the builder's specs read and rewritten in a child.

On real RDO distgits (master placeholders and stable branches) the helper must
answer exactly what the in-process reader answers, rewrite a spec byte for byte
as the in-process rewrite does, report a bad spec with the same one-line error,
survive its own death, and keep rpm and specfile out of the process that asks.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.distgit.rdo import CASES, Case, clone, spec_path
from trunkline.errors import SpecError
from trunkline.rpmspec.service import ChildSpecs, LocalSpecs, SpecRewrite
from trunkline.rpmspec.specinfo import from_json, to_json

ROOT = Path(__file__).resolve().parents[2]
MACROS = {"dist": ".el9", "with_doc": "0"}


@pytest.fixture(scope="module")
def helper() -> Iterator[ChildSpecs]:
    specs = ChildSpecs()
    yield specs
    specs.close()


def _rewrite(version: str) -> SpecRewrite:
    return SpecRewrite(
        version=version,
        upstream_version=version,
        release="0.20261130010203.0123abc",
        source0=None,
        keep_changelog=False,
        macros=MACROS,
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_helper_reads_and_rewrites_real_distgits_as_this_process_does(
    case: Case, tmp_path: Path, helper: ChildSpecs
) -> None:
    spec = spec_path(clone(case, tmp_path / "distgit"))
    local = LocalSpecs().info(spec, MACROS)
    assert helper.info(spec, MACROS) == local
    assert from_json(to_json(local)) == local
    version = "99.0.0" if local.placeholder else local.version
    mine, theirs = tmp_path / "child" / spec.name, tmp_path / "local" / spec.name
    for copy in (mine, theirs):
        copy.parent.mkdir()
        shutil.copy2(spec, copy)
    helper.rewrite(mine, _rewrite(version))
    LocalSpecs().rewrite(theirs, _rewrite(version))
    assert mine.read_text(encoding="utf-8") == theirs.read_text(encoding="utf-8")
    assert helper.info(mine, MACROS).version == version


def test_a_bad_spec_is_the_same_one_line_error(tmp_path: Path, helper: ChildSpecs) -> None:
    spec = tmp_path / "broken.spec"
    spec.write_text("Name: broken\nVersion: 1\n%if 1\nRelease: 1\n", encoding="utf-8")
    with pytest.raises(SpecError) as local:
        LocalSpecs().info(spec, {})
    with pytest.raises(SpecError) as child:
        helper.info(spec, {})
    assert str(child.value) == str(local.value)
    assert "\n" not in str(child.value) and str(spec) in str(child.value)
    with pytest.raises(SpecError, match=r"no Source0 tag|cannot be"):
        helper.rewrite(spec, SpecRewrite("1", "1", "1", "x.tar.gz", False, {}))


def test_a_killed_helper_is_started_again_and_the_request_answered(tmp_path: Path) -> None:
    spec = tmp_path / "ok.spec"
    spec.write_text(
        "Name: ok\nVersion: 1.2\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n\n"
        "%description\nd\n\n%files\n",
        encoding="utf-8",
    )
    specs = ChildSpecs()
    try:
        assert specs.info(spec, {}).version == "1.2"
        child = specs._helper.child
        assert child is not None and child.proc.pid != os.getpid()
        os.kill(child.proc.pid, signal.SIGKILL)
        child.proc.wait()
        assert specs.info(spec, {"dist": ".el9"}).full_release == "1.el9"
        assert specs.started == 2
    finally:
        specs.close()
    assert child.proc.poll() is not None


def test_asking_the_helper_loads_neither_rpm_nor_specfile_here(tmp_path: Path) -> None:
    spec = tmp_path / "ok.spec"
    spec.write_text(
        "Name: ok\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\n%description\nd\n",
        encoding="utf-8",
    )
    code = (
        "import sys; from pathlib import Path; from trunkline.rpmspec.service import ChildSpecs\n"
        f"s = ChildSpecs(); print(s.info(Path({str(spec)!r}), {{}}).name); s.close()\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'rpm', 'specfile'})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines() == ["ok", ""]
