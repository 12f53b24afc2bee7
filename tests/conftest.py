"""Shared fixtures: real git repositories and databases on every back end.

``make_git_repo`` builds a real repository in ``tmp_path`` with commits at
chosen times; ``db_engine``/``db_session`` give a migrated database on SQLite,
PostgreSQL and MariaDB (each xdist worker gets its own server database, each
test runs in a transaction rolled back at the end). Server back ends that are
not reachable are skipped with a message that says which URL was tried.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from trunkline.db.engine import open_database

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, date: str | None = None, identity: dict[str, str] = GIT_ENV) -> str:
    """Run git in ``repo`` with a fixed identity (``identity``: git env vars); return stdout."""
    env = dict(os.environ, **identity)
    if date:
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
    out = subprocess.run(
        ["git", "-c", "init.defaultBranch=master", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


class GitRepo:
    """A real git repository for tests, with helpers to commit files."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, relpath: str, content: str) -> None:
        """Write a file (creating parent dirs)."""
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)

    def commit(
        self, message: str, files: dict[str, str] | None = None, date: str | None = None
    ) -> str:
        """Write ``files``, commit everything, return the new commit hash."""
        for rel, content in (files or {}).items():
            self.write(rel, content)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", message, date=date)
        return self.head()

    def head(self) -> str:
        """The hash of HEAD."""
        return git(self.path, "rev-parse", "HEAD")

    def tag(self, name: str) -> None:
        """Create an annotated tag at HEAD."""
        git(self.path, "tag", "-a", name, "-m", name)

    def git(self, *args: str) -> str:
        """Run any git command in the repo."""
        return git(self.path, *args)

    @property
    def url(self) -> str:
        """A file:// URL of the repo."""
        return self.path.resolve().as_uri()


@pytest.fixture
def make_git_repo(tmp_path: Path) -> Callable[[str], GitRepo]:
    """Factory: ``make_git_repo("name")`` makes an empty repo under tmp_path."""

    def _make(name: str) -> GitRepo:
        path = tmp_path / name
        path.mkdir(parents=True)
        git(path, "init", "-q")
        return GitRepo(path)

    return _make


# --- databases -------------------------------------------------------------------------

PG_ADMIN_URL = os.environ.get(
    "TRUNKLINE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get("TRUNKLINE_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306")
BACKENDS = ("sqlite", "postgresql", "mariadb")


def _worker_db_name() -> str:
    """One database per checkout and xdist worker, so two clones can run the suite at once."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    checkout = hashlib.sha256(str(Path(__file__).resolve().parent).encode()).hexdigest()[:8]
    return f"trunkline_test_{checkout}_{worker}"


def _server_database(backend: str) -> str:
    """Create a fresh per-worker database on a server back end and return its URL."""
    return fresh_server_database(backend, _worker_db_name())


def fresh_server_database(backend: str, name: str) -> str:
    """Create (or recreate) database ``name`` on ``postgresql`` or ``mariadb``; its URL.

    Skips the test when the server does not answer.
    """
    admin_url = PG_ADMIN_URL if backend == "postgresql" else MARIADB_ADMIN_URL
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
                conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        admin.dispose()
    except sa.exc.OperationalError as exc:
        pytest.skip(f"{backend} server not reachable at {admin_url}: {exc.orig}")
    base = sa.engine.make_url(admin_url)
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A URL of an empty database on each back end (session-scoped, per xdist worker)."""
    backend: str = request.param
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    return _server_database(backend)


def _sqlite_real_savepoints(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN, so SAVEPOINTs nest in a real transaction.

    pysqlite defers BEGIN to the first write: the outer test transaction then does not
    exist, and code under test that commits (a SAVEPOINT release) would commit for real
    and leak rows into the next test (SQLAlchemy's documented pysqlite recipe).
    """

    @sa.event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def db_engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated engine on each back end."""
    engine = open_database(db_url)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        _sqlite_real_savepoints(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine: sa.Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with db_engine.connect() as conn:
        trans = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            trans.rollback()


# --- a real browser ----------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; a JavaScript dialog or a page error fails the test."""
    context = browser.new_context()
    pg = context.new_page()
    events: list[str] = []
    pg.on("dialog", lambda d: (events.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: events.append(str(e)))
    yield pg
    context.close()
    assert events == []
