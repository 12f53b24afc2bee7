"""Fixtures: a real uvicorn server on 127.0.0.1 per module, on SQLite and PostgreSQL,
and the real ``dlrnapi-client`` in its own virtualenv (it pins old dependencies).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from tests.api import world
from tests.conftest import fresh_server_database
from tests.peervenv import ensure_venv
from trunkline.api.app import create_app
from trunkline.config import Settings, settings_from_dict
from trunkline.db.engine import session_factory

ROOT = Path(__file__).resolve().parents[2]
API_BACKENDS = ("sqlite", "postgresql")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_pg_database(name: str) -> str:
    """Create (or recreate) a PostgreSQL database; skip if the server is not there."""
    return fresh_server_database("postgresql", name)


@dataclass
class LiveApi:
    """A running API server and direct access to its DB and repo tree."""

    url: str
    settings: Settings
    sessions: sessionmaker[Session]
    backend: str

    @property
    def repos(self) -> Path:
        """The repo tree."""
        return self.settings.builder.repos_path

    def client(self, auth: bool = True) -> httpx.Client:
        """An HTTP client (with the CI user's credentials unless ``auth=False``)."""
        creds = (world.USER, world.PASSWORD) if auth else None
        return httpx.Client(base_url=self.url, auth=creds, timeout=30)


def make_settings(tmp: Path, db_url: str, **extra: Any) -> Settings:
    """Settings of a builder under ``tmp`` on ``db_url``."""
    builder = {"data_dir": str(tmp / "data"), "baseurl": "http://repos.example/repos"}
    builder.update(extra.pop("builder", {}))
    raw: dict[str, Any] = {"builder": builder, "database": {"url": db_url}, **extra}
    return settings_from_dict(raw)


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test thread is not the main thread
        pass


def serve_app(app: Any, what: str) -> Iterator[str]:
    """Run an ASGI ``app`` with uvicorn in a thread; yield its base URL; stop it.

    Raises:
        RuntimeError: ``what`` (named in the message) did not start within 20 s.
    """
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def serve(settings: Settings) -> Iterator[str]:
    """Run the API in a thread; yield its base URL; stop it."""
    app = create_app(settings)
    try:
        yield from serve_app(app, "API server")
    finally:
        app.state.engine.dispose()


def _db_url(backend: str, tmp: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'api.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return fresh_pg_database(f"trunkline_api_{name}_{worker}")


def start_live(
    request: pytest.FixtureRequest, tmp: Path, backend: str, **extra: Any
) -> Iterator[LiveApi]:
    """Start a server on ``backend`` with the users seeded."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    settings = make_settings(tmp, _db_url(backend, tmp, module), **extra)
    gen = serve(settings)
    url = next(gen)
    sessions = session_factory(sa.create_engine(settings.database_url))
    with sessions() as session:
        world.add_users(session)
        session.commit()
    try:
        yield LiveApi(url, settings, sessions, backend)
    finally:
        sessions.kw["bind"].dispose()
        for _ in gen:
            pass


@pytest.fixture(scope="module", params=API_BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """A live API on each of SQLite and PostgreSQL (one per test module)."""
    yield from start_live(request, tmp_path_factory.mktemp("api"), request.param)


@pytest.fixture(scope="module")
def live_sqlite(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """A live API on SQLite only (for tests whose subject is not the DB)."""
    yield from start_live(request, tmp_path_factory.mktemp("api"), "sqlite")


@pytest.fixture(scope="session")
def dlrnapi() -> Path:
    """The ``dlrnapi`` executable of the real client, installed from PyPI once."""
    python = ensure_venv("dlrnapi-client", ["dlrnapi-client"], check_import="dlrnapi_client")
    return python.parent / "dlrnapi"
