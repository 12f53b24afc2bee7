"""Reading upper-constraints: markers per target Python, the three kinds of source, bad lines."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.constraints.world import UC_2025_1, UC_ZED
from trunkline.config import settings_from_dict
from trunkline.constraints.ucfile import parse_constraints, read_source
from trunkline.errors import ConfigError, InputError


@pytest.mark.parametrize(
    ("python", "module", "version"),
    [
        ("3.9", "alabaster", "0.7.16"),  # alabaster===0.7.16;python_version=='3.9'
        ("3.12", "alabaster", "1.0.0"),  # alabaster===1.0.0;python_version>='3.10'
        ("3.9", "scipy", "1.13.1"),
        ("3.12", "scipy", "1.15.2"),
        ("3.12", "oslo.config", "9.7.2"),
        ("3.12", "PyYAML", "6.0.2"),
    ],
)
def test_markers_pick_the_line_for_the_target(python: str, module: str, version: str) -> None:
    pins = {c.module: c.version for c in parse_constraints(UC_2025_1.read_text(), python)}
    assert pins[module] == version


@pytest.mark.parametrize("path", [UC_2025_1, UC_ZED], ids=["2025.1", "zed"])
@pytest.mark.parametrize("python", ["3.9", "3.12"])
def test_every_real_line_parses_and_each_module_appears_once(path: Path, python: str) -> None:
    text = path.read_text()
    got = parse_constraints(text, python, source=path.name)
    names = [c.module.lower() for c in got]
    assert len(names) == len(set(names)) > 550
    lines = text.splitlines()
    for c in got:  # each pin is its own line of the file
        assert lines[c.line - 1].startswith(f"{c.module}==={c.version}")
    unmarked = [ln for ln in lines if ln.strip() and ";" not in ln]
    assert len(got) >= len(unmarked)


def test_a_marker_for_another_python_drops_the_module() -> None:
    got = parse_constraints("a===1\nb===2;python_version<'3.0'\n", "3.12")
    assert [c.module for c in got] == ["a"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("oslo.config 9.7.2\n", r"uc\.txt:1: .*expected name===version"),
        ("ok===1\nfoo>=1\n", r"uc\.txt:2: 'foo>=1': expected one pin name===version"),
        ("foo===1\nFoo===2\n", r"uc\.txt:2: Foo already pinned at line 1 for Python 3\.12"),
    ],
)
def test_bad_lines_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_constraints(text, "3.12", source="uc.txt")


def test_a_git_ref_of_a_requirements_repo(tmp_path: Path) -> None:
    repo = tmp_path / "requirements"
    repo.mkdir()
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(tmp_path)}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "master")
    (repo / "upper-constraints.txt").write_text(UC_ZED.read_text())
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "zed")
    git("branch", "stable/zed")
    (repo / "upper-constraints.txt").write_text(UC_2025_1.read_text())
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam", "2025.1")
    text, label = read_source(f"{repo}@stable/zed")
    assert text == UC_ZED.read_text() and label == f"{repo}@stable/zed"
    assert read_source(f"{repo}@master")[0] == UC_2025_1.read_text()
    with pytest.raises(InputError, match=r"--uc .*@nosuch: git failed"):
        read_source(f"{repo}@nosuch")


def test_a_url(tmp_path: Path, http_dir: str) -> None:
    (tmp_path / "uc.txt").write_text(UC_2025_1.read_text())
    assert read_source(f"{http_dir}/uc.txt")[0] == UC_2025_1.read_text()
    with pytest.raises(InputError, match=r"HTTP 404 \(expected 200\)"):
        read_source(f"{http_dir}/nosuch.txt")


@pytest.mark.parametrize(
    ("uc", "message"),
    [
        ({"python": "3"}, r"key 'uc\.python': .*expected a Python version"),
        ({"repos": {"base os": "/x"}}, r"key 'uc\.repos': .*repo id 'base os'"),
        ({"repos": {"deps": "relative/dir"}}, r"key 'uc\.repos': .*not an absolute path"),
        ({"tag": "x"}, r"unknown key 'uc\.tag'"),
    ],
)
def test_the_uc_section_refuses_what_it_cannot_use(uc: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_dict({"uc": uc})
