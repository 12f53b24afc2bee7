"""The builder's one Router and its delivery workers: which events go where, who delivers.

The single place features plug their routes and senders into the builder
(``builder/cycle.py`` builds the router once per run and starts the workers):
``[notify]`` routes ``ftbfs.*`` to ``mail`` and ``review`` and delivers them with
its backoff (``trunkline.notify``). A feature that is not configured adds no
route, so nothing is enqueued for it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from trunkline.config import Settings
from trunkline.outbox.dispatch import OutboxWorker, OutboxWorkers
from trunkline.outbox.routing import Router


def build_router(settings: Settings) -> Router:
    """The builder's router: every configured feature's routes."""
    from trunkline.notify import notify_routes

    return Router(notify_routes(settings))


def build_workers(
    settings: Settings, factory: sessionmaker[Session], *, interval: float = 30.0
) -> OutboxWorkers:
    """One delivery worker per configured feature, each with its own backoff.

    Raises:
        ConfigError: a secret a feature names (password file, variable) is unusable.
    """
    from trunkline.notify import notify_worker

    workers: list[OutboxWorker] = []
    notify = notify_worker(settings, factory, interval=interval)
    if notify is not None:
        workers.append(notify)
    return OutboxWorkers(workers)
