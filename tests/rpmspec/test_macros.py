"""The fallback python macros: only what the host rpm lacks, never over a real definition."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from trunkline.rpmspec.macros import (
    fallback_macro_file,
    fallback_names,
    host_defines,
    missing_fallback_names,
    rpm_define_args,
)


def test_fallback_covers_the_macros_rdo_specs_use() -> None:
    names = set(fallback_names())
    for needed in (
        "python3",
        "py3_build",
        "py3_install",
        "python3_sitelib",
        "python3_pkgversion",
        "pypi_source",
        "py_setup",
        "python_provide",
        "pyproject_wheel",
        "pyproject_install",
        "py3_dist",
    ):
        assert needed in names


def test_only_macros_the_host_lacks_are_loaded() -> None:
    missing = missing_fallback_names()
    assert all(not host_defines(n) for n in missing)
    assert set(missing) == {n for n in fallback_names() if not host_defines(n)}


def test_builder_macros_are_never_overridden() -> None:
    assert "python3_pkgversion" not in missing_fallback_names(exclude={"python3_pkgversion"})
    args = rpm_define_args({"python3_pkgversion": "3.12"}, dist=".el9s")
    path = args[args.index("--load") + 1] if "--load" in args else None
    if path is not None:
        assert "%python3_pkgversion" not in Path(path).read_text()
    assert args[-4:] == ["--define", "dist .el9s", "--define", "python3_pkgversion 3.12"]


def test_rpm_evaluates_the_fallback_file() -> None:
    path = fallback_macro_file()
    if path is None:  # a Fedora/EL host: nothing to fall back to
        return
    out = subprocess.run(
        [
            "rpm",
            "--load",
            str(path),
            "--define",
            "pypi_name oslo.config",
            "--define",
            "version 9.8.0",
            "--eval",
            "%{python3_pkgversion}",
            "--eval",
            "%{pypi_source}",
            "--eval",
            "%{py3_dist PBR six}",
            "--eval",
            "%{?python_provide:%python_provide python3-foo}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "3"
    assert out[1] == (
        "https://files.pythonhosted.org/packages/source/o/oslo.config/oslo.config-9.8.0.tar.gz"
    )
    assert out[2].split() == ["python3dist(pbr)", "python3dist(six)"]
    assert out[3] == ""


def test_the_host_macros_are_those_librpm_sees(tmp_path: Path) -> None:
    # A host that defines some of the fallback macros (an EL host with python3-rpm-macros
    # partly installed), through ~/.rpmmacros: the rpm command's answer, which the builder
    # uses so it never loads librpm, must be librpm's own (the oracle, in the same child).
    (tmp_path / ".rpmmacros").write_text(
        "%py3_build echo build\n%python3_sitelib /usr/lib/python3/site-packages\n",
        encoding="utf-8",
    )
    code = (
        "import rpm; from trunkline.rpmspec import macros as m\n"
        "names = [n for n, _ in m._blocks(m._fallback_text())]\n"
        "rpm.reloadConfig()\n"
        "lib = sorted(n for n in names if rpm.expandMacro('%{?' + n + ':1}'))\n"
        "print(' '.join(lib)); print(' '.join(sorted(m._host_defined())))\n"
        "print(' '.join(m.missing_fallback_names()))"
    )
    env = {**os.environ, "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == out[1] and {"py3_build", "python3_sitelib"} <= set(out[1].split())
    assert not {"py3_build", "python3_sitelib"} & set(out[2].split())
