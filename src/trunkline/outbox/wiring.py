"""The builder's one Router and its delivery workers: which events go where, who delivers.

The single place features plug their routes and senders into the builder
(``builder/cycle.py`` builds the router once and starts the workers) and the API
(votes and promotions emit through the same router):

* ``[notify]`` routes ``ftbfs.*`` to ``mail`` and ``review`` and delivers them with
  its backoff (``trunkline.notify``);
* ``[events]`` routes every topic to ``amqp`` and the topics each webhook
  subscribes to ``webhook:<name>``, with its own backoff (``trunkline.events``).

A feature that is not configured adds no route, so nothing is enqueued for it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from trunkline.config import Settings
from trunkline.outbox.dispatch import OutboxWorker, OutboxWorkers
from trunkline.outbox.routing import Router


def build_router(settings: Settings) -> Router:
    """The router of every configured channel (cheap: reads no file)."""
    from trunkline.events.routes import event_routes
    from trunkline.notify import notify_routes

    return Router([*notify_routes(settings), *event_routes(settings)])


def build_workers(settings: Settings, factory: sessionmaker[Session]) -> OutboxWorkers:
    """One delivery worker per configured feature, each with its own backoff.

    Raises:
        ConfigError: a secret a feature names (password file, variable) is unusable.
    """
    from trunkline.events.routes import event_senders, retry_policy
    from trunkline.notify import notify_worker

    workers: list[OutboxWorker] = []
    notify = notify_worker(settings, factory)
    if notify is not None:
        workers.append(notify)
    events = event_senders(settings, factory)
    if events:
        workers.append(
            OutboxWorker(
                factory,
                events,
                policy=retry_policy(settings),
                interval=settings.events.deliver_interval,
            )
        )
    return OutboxWorkers(workers)
