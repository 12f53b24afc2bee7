"""Fixtures: the three-builder site on SQLite, served by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from tests.api.conftest import free_port
from tests.web import world
from trunkline.web.app import create_web_app
from trunkline.web.site import Site, load_site


@dataclass(frozen=True)
class LiveSite:
    """A running dashboard and the builders behind it."""

    url: str
    site_file: Path
    worlds: list[world.BuilderWorld]


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # not the main thread
        pass


def serve_site(site: Site, metadata_cache: Path | None = None) -> Iterator[str]:
    """Run the dashboard in a thread; yield its base URL; stop it."""
    app = create_web_app(site, metadata_cache=metadata_cache)
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("dashboard did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        site.dispose()


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
