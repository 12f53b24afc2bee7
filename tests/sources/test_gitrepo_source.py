"""The gitrepo package source: a directory of distgits, or one repo with a dir per package."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from trunkline.config import settings_from_dict
from trunkline.errors import ConfigError, MetadataError
from trunkline.metadata.sources import PackageSource, make_source


def source_for(path: Path, **packages: object) -> PackageSource:
    settings = settings_from_dict(
        {
            "builder": {"data_dir": str(path / "data"), "distro_branch": "rpm-master"},
            "packages": {"source": "gitrepo", "path": str(path), **packages},
        }
    )
    return make_source(settings)


def test_directory_of_distgits(tmp_path: Path, make_git_repo: Callable[[str], GitRepo]) -> None:
    foo = make_git_repo("dg/python-foo")
    foo.commit(
        "spec",
        {
            "python-foo.spec": "Name: python-foo\n",
            "upstream.yml": "upstream: https://git.example.com/foo\n"
            "source-branch: stable/1\nproject: foo\n",
        },
    )
    bar = make_git_repo("dg/bar")
    bar.commit("spec", {"bar.spec": "Name: bar\n"})
    (tmp_path / "dg" / "not-a-distgit").mkdir()
    pkgs = source_for(tmp_path / "dg").packages()
    assert [p.name for p in pkgs] == ["bar", "python-foo"]
    bar_pkg, foo_pkg = pkgs
    assert bar_pkg.upstream is None and bar_pkg.distgit == str(bar.path)
    assert foo_pkg.upstream == "https://git.example.com/foo"
    assert foo_pkg.source_branch == "stable/1" and foo_pkg.project == "foo"
    assert foo_pkg.distro_branch == "rpm-master"


def test_one_repo_with_a_directory_per_package(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    mono = make_git_repo("rpm-packaging")
    mono.commit(
        "specs",
        {
            "foo/foo.spec": "Name: foo\n",
            "bar/bar.spec": "Name: bar\n",
            "docs/README": "not a package\n",
        },
    )
    pkgs = source_for(mono.path).packages()
    assert [(p.name, p.distgit_path, p.distgit) for p in pkgs] == [
        ("bar", "bar", str(mono.path)),
        ("foo", "foo", str(mono.path)),
    ]


def test_errors_name_the_file_and_key(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    foo = make_git_repo("dg/foo")
    foo.commit("spec", {"foo.spec": "Name: foo\n", "upstream.yml": "upstrem: x\n"})
    with pytest.raises(MetadataError, match=r"upstream.yml: unknown key 'upstrem'"):
        source_for(tmp_path / "dg").packages()
    (tmp_path / "empty").mkdir()
    with pytest.raises(MetadataError, match="no distgit"):
        source_for(tmp_path / "empty").packages()
    with pytest.raises(MetadataError, match="not a directory of distgits"):
        source_for(tmp_path / "missing").packages()


def test_unknown_source_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"packages\.source"):
        settings_from_dict({"packages": {"source": "nope"}})


@pytest.mark.parametrize(
    ("upstream_yml", "pinned", "tags_only"),
    [
        ("upstream: https://git.example.com/foo\n", False, False),
        ("upstream: https://git.example.com/foo\nsource-branch: 1.2.0\n", True, False),
        ("upstream: https://git.example.com/foo\nbuild-tags-only: true\n", False, True),
    ],
)
def test_upstream_yml_pins_and_build_tags_only(
    tmp_path: Path,
    make_git_repo: Callable[[str], GitRepo],
    upstream_yml: str,
    pinned: bool,
    tags_only: bool,
) -> None:
    foo = make_git_repo("dg/foo")
    foo.commit("spec", {"foo.spec": "Name: foo\n", "upstream.yml": upstream_yml})
    (pkg,) = source_for(tmp_path / "dg").packages()
    assert (pkg.source_pinned, pkg.tags_only) == (pinned, tags_only)
    assert pkg.source_branch == ("1.2.0" if pinned else "master")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("build-tags-only: sometimes", "field 'build-tags-only': expected true or false"),
        ("source-branch: 2.10", "field 'source-branch': expected a string, got 2.1"),
    ],
)
def test_upstream_yml_values_of_the_wrong_type_are_errors(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo], line: str, message: str
) -> None:
    foo = make_git_repo("dg/foo")
    foo.commit("spec", {"foo.spec": "Name: foo\n", "upstream.yml": f"upstream: x\n{line}\n"})
    with pytest.raises(MetadataError) as err:
        source_for(tmp_path / "dg").packages()
    assert str(err.value) == f"{foo.path / 'upstream.yml'}: {message}" + (
        ", got 'sometimes'" if "tags" in line else ""
    )
