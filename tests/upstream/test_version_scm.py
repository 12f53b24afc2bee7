"""setuptools-scm projects: trunkline's upstream version is setuptools-scm's own, commit by commit.

A generated project walks through the history every version scheme cares about
(no tag yet, a release tag, commits after it, a pre-release tag, commits after
that, a non-version tag). At each commit the oracle is setuptools-scm run the way
a build runs it — ``python -m setuptools_scm`` in a checkout of that commit, reading
the project's own ``pyproject.toml`` — and trunkline reads the bare mirror.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.version import Version

from tests.conftest import GitRepo
from tests.upstream.oracles import scm_version_at
from trunkline.errors import SourceError
from trunkline.rpmspec.nvr import normalize_version
from trunkline.rpmspec.versions import compare_evr
from trunkline.upstream.mirror import refresh_mirror
from trunkline.upstream.version import detect_version

TRUNK_RELEASE = "0.20261129170000.abcdef1"
BUILD_SYSTEM = (
    '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n'
    'build-backend = "setuptools.build_meta"\n\n'
    '[project]\nname = "demo"\ndynamic = ["version"]\n'
)
PREFIX_REGEX = r"^demo-(?P<version>\d+(?:\.\d+)*(?:rc\d+)?)$"
VARIANTS = {
    "default": "[tool.setuptools_scm]\n",
    "release-branch-semver": '[tool.setuptools_scm]\nversion_scheme = "release-branch-semver"\n',
    "no-guess-dev": '[tool.setuptools_scm]\nversion_scheme = "no-guess-dev"\n',
    "no-local-version": '[tool.setuptools_scm]\nlocal_scheme = "no-local-version"\n',
    "tag-prefix": f"[tool.setuptools_scm]\ntag_regex = '{PREFIX_REGEX}'\n",
    "requires-only": "",
}


def _history(repo: GitRepo, pyproject: str, prefix: str = "") -> list[tuple[str, str]]:
    """Commits (label, sha) through every tag situation."""
    steps = []
    repo.commit("import", {"pyproject.toml": pyproject, "demo.py": "x = 0\n"})
    steps.append(("no tag", repo.head()))
    repo.commit("one", {"demo.py": "x = 1\n"})
    repo.tag(f"{prefix}1.2.3")
    steps.append(("at 1.2.3", repo.head()))
    repo.commit("two", {"demo.py": "x = 2\n"})
    steps.append(("after 1.2.3", repo.head()))
    repo.commit("three", {"demo.py": "x = 3\n"})
    repo.tag(f"{prefix}1.3.0rc1")
    steps.append(("at 1.3.0rc1", repo.head()))
    repo.commit("four", {"demo.py": "x = 4\n"})
    repo.tag("deploy-marker")
    steps.append(("after 1.3.0rc1, non-version tag", repo.head()))
    return steps


def _scm_cli(checkout: Path) -> str:
    """``python -m setuptools_scm`` in ``checkout``: reads the project's pyproject.toml."""
    out = subprocess.run(
        [sys.executable, "-m", "setuptools_scm"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return out.strip().splitlines()[-1]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_walk_matches_setuptools_scm(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo], variant: str
) -> None:
    repo = make_git_repo("demo")
    prefix = "demo-" if variant == "tag-prefix" else ""
    steps = _history(repo, BUILD_SYSTEM + VARIANTS[variant], prefix)
    mirror = refresh_mirror(repo.url, tmp_path / "mirror.git")
    for label, sha in steps:
        repo.git("checkout", "-q", "--detach", sha)
        expected = _scm_cli(repo.path)
        info = detect_version(mirror, sha)
        assert (label, info.upstream, info.source) == (label, expected, "setuptools-scm")
        assert info.version == normalize_version(expected)
        # never above the release setuptools-scm says this commit leads to (a .postN of
        # no-guess-dev names none: it only follows its base)
        parsed = Version(expected)
        base = ".".join(str(n) for n in parsed.release)
        order = 1 if parsed.post is not None and parsed.pre is None else -1
        assert compare_evr(("0", info.version, TRUNK_RELEASE), ("0", base, "1")) == order
        if "1.3.0rc1" in label and variant != "release-branch-semver":
            assert info.version == "1.3.0"  # not 1.3.0rc1, which rpm sorts above 1.3.0
        if label.startswith("after"):
            assert compare_evr(("0", info.version, TRUNK_RELEASE), ("0", "1.2.3", "1")) == 1


def test_one_commit_after_a_release_builds_the_next_version(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    """The issue's case: after tag 1.2.3, setuptools-scm says 1.2.4.devN; the RPM says 1.2.4."""
    repo = make_git_repo("demo")
    steps = dict(_history(repo, BUILD_SYSTEM + VARIANTS["default"]))
    info = detect_version(refresh_mirror(repo.url, tmp_path / "m.git"), steps["after 1.2.3"])
    assert info.upstream.startswith("1.2.4.dev1+g")
    assert (info.version, info.tag, info.distance) == ("1.2.4", "1.2.3", 1)
    assert compare_evr(("0", info.version, TRUNK_RELEASE), ("0", "1.2.3", "1")) == 1


@pytest.mark.parametrize(
    ("files", "options"),
    [
        (
            {
                "pyproject.toml": '[project]\nname = "demo"\ndynamic = ["version"]\n'
                '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
                'build-backend = "hatchling.build"\n'
                '[tool.hatch.version]\nsource = "vcs"\n'
                '[tool.hatch.version.raw-options]\nversion_scheme = "no-guess-dev"\n'
            },
            {"version_scheme": "no-guess-dev"},
        ),
        (
            {
                "setup.py": "from setuptools import setup\n"
                "setup(name='demo', use_scm_version={'local_scheme': 'no-local-version'})\n"
            },
            {"local_scheme": "no-local-version"},
        ),
    ],
    ids=["hatch-vcs", "setup.py-use_scm_version"],
)
def test_other_front_ends_of_setuptools_scm(
    tmp_path: Path,
    make_git_repo: Callable[[str], GitRepo],
    files: dict[str, str],
    options: dict[str, object],
) -> None:
    repo = make_git_repo("demo")
    repo.commit("import", files)
    repo.tag("2.0.0")
    repo.commit("more", {"demo.py": "x = 1\n"})
    info = detect_version(refresh_mirror(repo.url, tmp_path / "m.git"), repo.head())
    assert info.source == "setuptools-scm"
    assert info.upstream == scm_version_at(repo.path, options)
    assert json.dumps(info.version) != json.dumps("2.0.0")  # moved on from the tag


def test_private_tags_are_ignored_as_dlrn_deletes_them(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("demo")
    steps = dict(_history(repo, BUILD_SYSTEM + VARIANTS["default"]))
    repo.git("tag", "private-9.9.9", steps["after 1.2.3"])
    info = detect_version(refresh_mirror(repo.url, tmp_path / "m.git"), steps["after 1.2.3"])
    repo.git("checkout", "-q", "--detach", steps["after 1.2.3"])
    assert _scm_cli(repo.path) == "9.9.9"  # what setuptools-scm alone would say
    assert info.version == "1.2.4"
    assert info.upstream.startswith("1.2.4.dev1+g")


def test_a_setuptools_scm_failure_is_one_line(
    tmp_path: Path, make_git_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_git_repo("demo")
    repo.commit("import", {"pyproject.toml": '[tool.setuptools_scm]\nversion_scheme = "nope"\n'})
    mirror = refresh_mirror(repo.url, tmp_path / "m.git")
    with pytest.raises(SourceError) as err:
        detect_version(mirror, repo.head())
    message = str(err.value)
    assert message.startswith(f"{mirror}: commit {repo.head()[:12]}: setuptools-scm cannot")
    assert "nope" in message
    assert "\n" not in message
