"""``trunkline upstream-version`` through the installed script: output, --json, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.upstream.test_version import PBR_SETUP

SCRIPT = Path(sys.executable).with_name("trunkline")


def trunkline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def pbr_repo(make_git_repo: Callable[[str], GitRepo]) -> GitRepo:
    repo = make_git_repo("up")
    repo.commit("import", {"setup.py": PBR_SETUP, "setup.cfg": "[metadata]\nname = x\n"})
    repo.tag("1.0.0.0rc1")
    repo.commit("fix")
    repo.tag("deploy-marker")
    return repo


def test_plain_output_names_version_and_rule(pbr_repo: GitRepo, tmp_path: Path) -> None:
    result = trunkline("upstream-version", str(pbr_repo.path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    head = pbr_repo.head()
    assert result.stdout == (
        f"1.0.0  (pbr: upstream 1.0.0.0rc2.dev1; nearest version tag 1.0.0.0rc1 (+1); "
        f"commit {head[:12]})\n"
    )


def test_json_on_a_bare_mirror_and_a_ref(pbr_repo: GitRepo, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(pbr_repo.path), str(bare)], check=True)
    tagged = pbr_repo.git("rev-parse", "1.0.0.0rc1^{commit}")
    result = trunkline("upstream-version", str(bare), "--ref", "1.0.0.0rc1", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "version": "1.0.0",
        "source": "pbr",
        "ref": tagged,
        "tag": "1.0.0.0rc1",
        "upstream_version": "1.0.0.0rc1",
        "distance": 0,
    }


@pytest.mark.parametrize(
    ("where", "ref", "message"),
    [
        ("missing", "HEAD", "{d}: not a directory"),
        ("plain", "HEAD", "{d}: not a git repository"),
        ("repo", "no-such-branch", "{d}: ref 'no-such-branch' names no commit"),
        (
            "clone",
            "stable/1.0",
            "{d}: ref 'stable/1.0' names no commit"
            " (a remote branch here: use --ref origin/stable/1.0)",
        ),
    ],
)
def test_errors_are_one_line_with_exit_code_6(
    pbr_repo: GitRepo, tmp_path: Path, where: str, ref: str, message: str
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    pbr_repo.git("branch", "stable/1.0")
    clone = tmp_path / "clone"  # upstream's branches are origin/<branch> here
    subprocess.run(["git", "clone", "-q", str(pbr_repo.path), str(clone)], check=True)
    directory = {
        "missing": tmp_path / "nope",
        "plain": plain,
        "repo": pbr_repo.path,
        "clone": clone,
    }[where]
    result = trunkline("upstream-version", str(directory), "--ref", ref, cwd=tmp_path)
    assert result.returncode == 6
    assert result.stdout == ""
    expected = message.format(d=directory)
    assert result.stderr == f"trunkline: error: {expected}\n"


def test_plain_output_of_the_tag_rule_says_it_is_computed(tmp_path: Path) -> None:
    """After a plain tag the Version is trunkline's .Z bump, not something upstream said."""
    repo = tmp_path / "plain"
    repo.mkdir()
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    for argv in (
        ["init", "-q"],
        [*ident, "commit", "-q", "--allow-empty", "-m", "one"],
        ["tag", "v0.9.2"],
        [*ident, "commit", "-q", "--allow-empty", "-m", "two"],
    ):
        subprocess.run(
            ["git", "-C", str(repo), *argv], check=True, env={**env, "PATH": "/usr/bin:/bin"}
        )
    result = trunkline("upstream-version", str(repo), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "0.9.3  (tag: next after the tag 0.9.3; nearest version tag v0.9.2 (+1);"
    )


def test_a_remote_branch_of_a_clone_is_asked_for_as_origin(
    pbr_repo: GitRepo, tmp_path: Path
) -> None:
    pbr_repo.git("branch", "stable/1.0", "1.0.0.0rc1")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(pbr_repo.path), str(clone)], check=True)
    result = trunkline(
        "upstream-version", str(clone), "--ref", "origin/stable/1.0", "--json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["upstream_version"] == "1.0.0.0rc1"
