"""Fixtures of the uc tests: the RPM world (built once per session) and a builder config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.constraints.world import build_world
from tests.httpdir import serve_directory
from trunkline.config import Settings, settings_from_dict


@pytest.fixture(scope="session")
def uc_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Repo id -> directory of the three real repositories."""
    return build_world(tmp_path_factory.mktemp("uc-world"))


def uc_settings(tmp_path: Path, built: dict[str, Path], **uc: object) -> Settings:
    """A builder whose ``current`` is the delorean repo, with deps and baseos configured."""
    data = tmp_path / "data"
    tree = data / "repos"
    tree.mkdir(parents=True)
    (tree / "current").symlink_to(built["delorean"])
    section: dict[str, object] = {
        "repos": {"deps": str(built["deps"]), "baseos": built["baseos"].as_uri()},
        **uc,
    }
    return settings_from_dict({"builder": {"data_dir": str(data)}, "uc": section})


@pytest.fixture
def settings(tmp_path: Path, uc_repos: dict[str, Path]) -> Settings:
    """The uc builder of :func:`uc_settings` with default ``[uc]`` otherwise."""
    return uc_settings(tmp_path, uc_repos)


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on loopback serving ``tmp_path``; yields its base URL."""
    with serve_directory(tmp_path) as url:
        yield url
