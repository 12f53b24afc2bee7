"""``trunkline build --build-env VAR=value`` (DLRN's option): the spec's %build sees it.

Through the installed script, on a one-package world whose spec fails its %build
unless ``GREETING`` is set; and the repos a build is given beside its build root.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.builder.cycle_world import SPEC, CycleWorld, make_cycle_world
from trunkline.builder.workspace import current_repos

EXE = Path(sys.executable).parent / "trunkline"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> CycleWorld:
    world = make_cycle_world(tmp_path_factory.mktemp("env-world"), ("alpha",))
    spec = SPEC.format(name="alpha").replace(
        "%build\n", '%build\necho "greeting is \'$GREETING\'" >&2\ntest "$GREETING" = "hello"\n'
    )
    world.distgits["alpha"].commit("Needs GREETING", {"alpha.spec": spec})
    return world


def _config(world: CycleWorld, where: Path, extra: str = "") -> Path:
    where.mkdir()
    cfg = where / "trunkline.toml"
    cfg.write_text(
        f'[builder]\ndata_dir = "{where / "data"}"\ndist = ".el9s"\n'
        f'[packages]\nsource = "rdoinfo"\npath = "{world.metadata}"\ntag = "trunk"\n{extra}'
    )
    return cfg


def build(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [str(EXE), "-c", str(cfg), "build", *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=cfg.parent)


@pytest.mark.slow
def test_build_env_reaches_the_spec(world: CycleWorld, tmp_path: Path) -> None:
    without = build(_config(world, tmp_path / "without"))
    assert without.returncode == 12, without.stderr
    assert "FTBFS alpha" in without.stdout and "%build: greeting is ''" in without.stdout
    cfg = _config(world, tmp_path / "with")
    with_env = build(cfg, "--build-env", "GREETING=hello", "--build-env", "OTHER=a=b")
    assert with_env.returncode == 0, with_env.stdout + with_env.stderr
    assert "1 built: 1 ok" in with_env.stdout


@pytest.mark.slow
def test_config_build_env_is_the_default_of_the_option(world: CycleWorld, tmp_path: Path) -> None:
    cfg = _config(world, tmp_path / "cfg", '[build]\nenv = { GREETING = "bonjour" }\n')
    assert build(cfg).returncode == 12  # the config's value reaches the spec...
    cfg2 = _config(world, tmp_path / "cli", '[build]\nenv = { GREETING = "bonjour" }\n')
    assert build(cfg2, "--build-env", "GREETING=hello").returncode == 0  # ...the option wins


@pytest.mark.parametrize("bad", ["GREETING", "1X=a", "=a", "A B=c"])
def test_a_bad_build_env_is_a_usage_error(world: CycleWorld, tmp_path: Path, bad: str) -> None:
    result = build(_config(world, tmp_path / "bad"), "--build-env", bad)
    assert result.returncode == 2
    assert f"Invalid value for '--build-env': {bad!r}: expected VAR=value" in result.stderr
    assert not (tmp_path / "bad" / "data").exists()


@pytest.mark.slow
def test_a_build_gets_the_builder_s_current_repo_once_there_is_one(
    world: CycleWorld, tmp_path: Path
) -> None:
    settings = world.settings(data_dir=str(tmp_path / "data"))
    assert current_repos(settings) == {}
    cfg = _config(world, tmp_path / "b")
    assert build(cfg, "--build-env", "GREETING=hello").returncode == 0
    settings = world.settings(data_dir=str(tmp_path / "b" / "data"))
    current = tmp_path / "b" / "data" / "repos" / "current"
    assert current_repos(settings) == {"delorean-current": current.as_uri()}
    assert current.is_symlink()  # the link's URL: the mock config stays the same


def test_with_components_each_component_s_current_is_a_build_repo(tmp_path: Path) -> None:
    world_settings = CycleWorld(tmp_path, {}, {}, tmp_path / "meta").settings(
        data_dir=str(tmp_path / "data"), use_components=True
    )
    repos = tmp_path / "data" / "repos"
    (repos / "current").mkdir(parents=True)  # the aggregate: .repo files, no repodata
    (repos / "current" / "delorean.repo").write_text("[delorean-component-x]\n")
    for component in ("network", "compute", "empty"):
        hashed = repos / "component" / component / "ab" / "cd" / "abcd_1234"
        (hashed / "repodata").mkdir(parents=True)
        if component != "empty":
            (hashed / "repodata" / "repomd.xml").write_text("<repomd/>")
        (repos / "component" / component / "current").symlink_to("ab/cd/abcd_1234")
    assert current_repos(world_settings) == {
        "delorean-component-compute-current": (repos / "component/compute/current").as_uri(),
        "delorean-component-network-current": (repos / "component/network/current").as_uri(),
    }
