"""Version detection from a commit's tree and tags, without running upstream code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from trunkline.upstream.mirror import refresh_mirror
from trunkline.upstream.version import clean_version, detect_version

PBR_SETUP = "import setuptools\n\nsetuptools.setup(setup_requires=['pbr'], pbr=True)\n"


def detect(repo: GitRepo, tmp: Path) -> tuple[str, str]:
    mirror = refresh_mirror(repo.url, tmp / "mirror.git")
    info = detect_version(mirror, repo.head())
    return info.version, info.source


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pyproject.toml": '[project]\nname = "x"\nversion = "2.1.0"\n'},
            ("2.1.0", "pyproject.toml"),
        ),
        ({"setup.cfg": "[metadata]\nname = x\nversion = 1.3.0\n"}, ("1.3.0", "setup.cfg")),
        (
            {"setup.py": "from setuptools import setup\nsetup(name='x', version='0.7.1')\n"},
            ("0.7.1", "setup.py"),
        ),
        (
            {"metadata.json": '{"name": "puppet-x", "version": "18.1.0"}'},
            ("18.1.0", "metadata.json"),
        ),
        ({"VERSION": "0.4.2\n"}, ("0.4.2", "VERSION")),
        ({"README": "nothing"}, ("0.0.1", "fallback")),
    ],
)
def test_static_versions(
    tmp_path: Path,
    make_git_repo: Callable[[str], GitRepo],
    files: dict[str, str],
    expected: tuple[str, str],
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", files)
    assert detect(repo, tmp_path) == expected


def test_pbr_uses_tags_and_bumps_the_patch_after_a_tag(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", {"setup.py": PBR_SETUP, "setup.cfg": "[metadata]\nname = x\n"})
    repo.tag("4.2.0")
    assert detect(repo, tmp_path) == ("4.2.0", "pbr")
    repo.commit("more")
    assert detect(repo, tmp_path) == ("4.2.1", "pbr")


def test_plain_tags_ignore_eol_and_private_tags(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", {"main.c": "int main(void){return 0;}\n"})
    repo.tag("v0.9.2")
    repo.commit("fix")
    repo.tag("private-build")
    repo.tag("ocata-eol")
    assert detect(repo, tmp_path) == ("0.9.2", "tag")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1.2.3.dev4", "1.2.3"),
        ("5.0.0.0rc1", "5.0.0"),
        ("2.0.0.0b2.dev3", "2.0.0"),
        ("v3.1", "3.1"),
        ("1.0.0+local", "1.0.0"),
        ("2024.1", "2024.1"),
    ],
)
def test_dlrn_suffix_stripping(raw: str, clean: str) -> None:
    assert clean_version(raw) == clean
