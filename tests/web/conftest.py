"""Fixtures: the three-builder site on SQLite, served by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.api.conftest import serve_app
from tests.web import world
from trunkline.web.app import create_web_app
from trunkline.web.site import Site, load_site


@dataclass(frozen=True)
class LiveSite:
    """A running dashboard and the builders behind it."""

    url: str
    site_file: Path
    worlds: list[world.BuilderWorld]


def serve_site(site: Site, metadata_cache: Path | None = None) -> Iterator[str]:
    """Run the dashboard in a thread; yield its base URL; stop it."""
    yield from serve_app(create_web_app(site, metadata_cache=metadata_cache), "dashboard")


def sqlite_urls(root: Path) -> dict[str, str]:
    """One SQLite file per builder under ``root``."""
    return {n: f"sqlite:///{root / n / 'trunkline.sqlite'}" for n in world.BUILDERS}


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The three-builder site, served (once per session: no test writes to it)."""
    root = tmp_path_factory.mktemp("site")
    site_file, worlds = world.make_site(root, sqlite_urls(root))
    for url in serve_site(load_site(site_file), root / "metadata-cache"):
        yield LiveSite(url, site_file, worlds)
