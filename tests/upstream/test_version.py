"""Version detection from a commit's tree and tags, rule by rule (order in upstream/version.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from trunkline.errors import SourceError
from trunkline.rpmspec.versions import compare_evr
from trunkline.upstream.mirror import refresh_mirror
from trunkline.upstream.version import bump_last, detect_version, tag_version

PBR_SETUP = "import setuptools\n\nsetuptools.setup(setup_requires=['pbr'], pbr=True)\n"
TRUNK_RELEASE = "0.20261129170000.abcdef1"


def detect(repo: GitRepo, tmp: Path, sha: str | None = None) -> tuple[str, str, str]:
    mirror = refresh_mirror(repo.url, tmp / "mirror.git")
    info = detect_version(mirror, sha or repo.head())
    return info.version, info.upstream, info.source


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pyproject.toml": '[project]\nname = "x"\nversion = "2.1.0"\n'},
            ("2.1.0", "2.1.0", "pyproject.toml"),
        ),
        (
            {"setup.cfg": "[metadata]\nname = x\nversion = 1.3.0\n"},
            ("1.3.0", "1.3.0", "setup.cfg"),
        ),
        (
            {"setup.py": "from setuptools import setup\nsetup(name='x', version='0.7.1')\n"},
            ("0.7.1", "0.7.1", "setup.py"),
        ),
        (
            {"metadata.json": '{"name": "puppet-x", "version": "18.1.0"}'},
            ("18.1.0", "18.1.0", "metadata.json"),
        ),
        ({"VERSION": "0.4.2\n"}, ("0.4.2", "0.4.2", "VERSION")),
        (
            {"pyproject.toml": '[project]\nname = "x"\nversion = "3.0.0rc1"\n'},
            ("3.0.0", "3.0.0rc1", "pyproject.toml"),
        ),
        ({"README": "nothing"}, ("0.0.1", "0.0.1", "fallback")),
    ],
)
def test_static_versions(
    tmp_path: Path,
    make_git_repo: Callable[[str], GitRepo],
    files: dict[str, str],
    expected: tuple[str, str, str],
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", files)
    assert detect(repo, tmp_path) == expected


def test_pbr_answers_for_pbr_projects(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", {"setup.py": PBR_SETUP, "setup.cfg": "[metadata]\nname = x\n"})
    repo.tag("4.2.0")
    assert detect(repo, tmp_path) == ("4.2.0", "4.2.0", "pbr")
    repo.commit("more")
    assert detect(repo, tmp_path) == ("4.2.1", "4.2.1.dev1", "pbr")
    repo.commit("a feature\n\nSem-Ver: feature")
    assert detect(repo, tmp_path) == ("4.3.0", "4.3.0.dev2", "pbr")


@pytest.mark.parametrize(
    ("tag", "after", "upstream", "version"),
    [
        ("1.0.0.0rc1", False, "1.0.0.0rc1", "1.0.0"),
        ("1.0.0.0rc1", True, "1.0.0.0rc2.dev1", "1.0.0"),  # the example
        ("1.0.0.0b2", True, "1.0.0.0b3.dev1", "1.0.0"),
        ("1.0.0.0a1", True, "1.0.0.0a2.dev1", "1.0.0"),
        ("2.0.0rc1", True, "2.0.0.0rc2.dev1", "2.0.0"),  # PEP 440 spelling, pbr's answer
    ],
)
def test_pbr_pre_release_tags_lead_to_their_release(
    tmp_path: Path,
    make_git_repo: Callable[[str], GitRepo],
    tag: str,
    after: bool,
    upstream: str,
    version: str,
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", {"setup.py": PBR_SETUP, "setup.cfg": "[metadata]\nname = x\n"})
    repo.tag(tag)
    if after:
        repo.commit("more")
    assert detect(repo, tmp_path) == (version, upstream, "pbr")
    assert compare_evr(("0", version, TRUNK_RELEASE), ("0", version, "1")) == -1


def test_pbr_pre_version_from_setup_cfg(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("up")
    cfg = "[metadata]\nname = x\nversion = 5.0.0\n"
    repo.commit("import", {"setup.py": PBR_SETUP, "setup.cfg": cfg})
    repo.tag("4.2.0")
    repo.commit("more")
    assert detect(repo, tmp_path) == ("5.0.0", "5.0.0.dev1", "pbr")


def test_pbr_failure_is_one_line(tmp_path: Path, make_git_repo: Callable[[str], GitRepo]) -> None:
    repo = make_git_repo("up")
    cfg = "[metadata]\nname = x\nversion = 1.0.0\n"  # lower than the history requires
    repo.commit("import", {"setup.py": PBR_SETUP, "setup.cfg": cfg})
    repo.tag("4.2.0")
    repo.commit("more")
    with pytest.raises(SourceError) as err:
        detect(repo, tmp_path)
    assert "pbr cannot compute the version" in str(err.value)
    assert "\n" not in str(err.value)


def test_puppet_metadata_json_wins_and_bumps_after_its_tag(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("up")
    repo.commit(
        "import",
        {"metadata.json": '{"name": "openstack-nova", "version": "27.0.0"}', "setup.py": PBR_SETUP},
    )
    repo.tag("27.0.0")
    assert detect(repo, tmp_path) == ("27.0.0", "27.0.0", "metadata.json")
    repo.commit("fix")
    assert detect(repo, tmp_path) == ("27.0.1", "27.0.1", "metadata.json")


def test_plain_tags_skip_eol_private_and_non_version_tags(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", {"main.c": "int main(void){return 0;}\n"})
    repo.tag("v0.9.2")
    assert detect(repo, tmp_path) == ("0.9.2", "0.9.2", "tag")
    repo.commit("fix")
    for name in ("private-build", "ocata-eol", "2023.1-eom", "deploy-marker", "zed"):
        repo.tag(name)
    assert detect(repo, tmp_path) == ("0.9.3", "0.9.3", "tag")  # DLRN's .Z bump


@pytest.mark.parametrize(
    ("tag", "version"),
    [("1.10rc1", "1.10"), ("2.0b3", "2.0"), ("v1.0.0-rc1", "1.0.0"), ("3.1.0a2", "3.1.0")],
)
def test_pre_release_tags_never_sort_above_their_release(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo], tag: str, version: str
) -> None:
    repo = make_git_repo("up")
    repo.commit("import", {"main.c": "int main(void){return 0;}\n"})
    repo.tag(tag)
    at_tag = detect(repo, tmp_path)
    repo.commit("more")
    after = detect(repo, tmp_path)
    assert at_tag[0] == after[0] == version
    assert at_tag[2] == after[2] == "tag"
    assert compare_evr(("0", version, TRUNK_RELEASE), ("0", version, "1")) == -1


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("1.2.3", "1.2.3"),
        ("v2.0", "2.0"),
        ("r5", "5"),
        ("1.0.0-rc1", "1.0.0-rc1"),
        ("deploy-marker", None),
        ("2023.1-eom", None),
        ("zed", None),
        ("2024-deploy", None),
    ],
)
def test_tag_version(tag: str, version: str | None) -> None:
    assert tag_version(tag) == version


@pytest.mark.parametrize(
    ("version", "bumped"),
    [("1.2.3", "1.2.4"), ("2024.1", "2024.2"), ("9", "10"), ("1.10rc1", "1.10")],
)
def test_bump_last(version: str, bumped: str) -> None:
    assert bump_last(version) == bumped
