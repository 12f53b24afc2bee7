"""Fixtures for the distgit tools: one real upstream/patches/distgit world per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.distgit.world import World, build_world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Built once: upstream and patches are shared read-only, the distgit is copied."""
    return build_world(tmp_path_factory.mktemp("distgit-world"))


@pytest.fixture
def world(world_template: World, tmp_path: Path) -> World:
    """A private copy of the distgit whose remotes point at the shared repos."""
    distgit = tmp_path / "python-foo"
    shutil.copytree(world_template.distgit, distgit, symlinks=True)
    return World(world_template.upstream, world_template.patches, distgit)
