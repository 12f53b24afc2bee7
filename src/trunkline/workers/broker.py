"""The Dramatiq broker on RabbitMQ, configured the same way by the builder and workers.

Why Dramatiq (not Celery): messages are acknowledged only after the actor
returns (late acknowledgement is its only mode, so a worker killed mid-build
leaves its job unacknowledged and RabbitMQ redelivers it), any queue name
routes (``build.<arch>.<driver>``), it is small (dramatiq + pika) and ships
type hints (``py.typed``).

Middleware is chosen here, not Dramatiq's defaults: only ``Retries`` (a worker
that cannot reach the builder raises; the job comes back later). Dramatiq's
``TimeLimit`` is left out because a build has its own timeout (``[build]
timeout``, enforced by ``process.run``) and ``AgeLimit`` because a job may wait
for a worker as long as it takes.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.middleware import Middleware, Retries

RETRIES = 5  # attempts of a worker that cannot reach the builder before the job is dead-lettered
MIN_BACKOFF_MS = 2_000
MAX_BACKOFF_MS = 60_000


def make_broker(url: str) -> RabbitmqBroker:
    """A broker for ``url`` (``amqp://user:password@host:port/vhost``); connects lazily."""
    middleware: list[Middleware] = [
        Retries(max_retries=RETRIES, min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS)
    ]
    return RabbitmqBroker(url=url, middleware=middleware)


def shown_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, for logs and progress lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))
