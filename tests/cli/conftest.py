"""Fixtures for the CLI tests: sandboxes to run the installed script in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.cli.sandbox import Sandbox, Worlds, make_worlds


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Worlds:
    """The git worlds, built once per session (read-only, see Sandbox)."""
    return make_worlds(tmp_path_factory.mktemp("worlds"))


@pytest.fixture
def sandbox(tmp_path: Path, worlds: Worlds) -> Iterator[Sandbox]:
    """This test's places; what a setup holds is released at the end."""
    with ExitStack() as stack:
        yield Sandbox(tmp_path, worlds, stack)
