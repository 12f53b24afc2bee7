"""``[events]`` as outbox routes and senders: every topic to ``amqp``, chosen ones to webhooks.

``event_routes`` is cheap and reads no file (the API builds it per request);
``event_senders`` reads the webhook secret files and is called once, where the
outbox worker starts. The senders' modules are imported only when configured.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from trunkline.config import Settings
from trunkline.errors import ConfigError
from trunkline.outbox.dispatch import RetryPolicy, Sender
from trunkline.outbox.routing import Route

AMQP_CHANNEL = "amqp"


def webhook_channel(name: str) -> str:
    """The outbox channel of the webhook ``name``."""
    return f"webhook:{name}"


def event_routes(settings: Settings) -> list[Route]:
    """``amqp`` gets every topic when ``amqp_url`` is set; each webhook its ``topics``."""
    ev = settings.events
    routes = [Route(AMQP_CHANNEL, ("*",))] if ev.amqp_url else []
    routes.extend(Route(webhook_channel(h.name), h.topics) for h in ev.webhooks)
    return routes


def retry_policy(settings: Settings) -> RetryPolicy:
    """The backoff of ``[events] retry_*``."""
    ev = settings.events
    return RetryPolicy(
        base_seconds=ev.retry_base, cap_seconds=ev.retry_cap, max_attempts=ev.retry_max_attempts
    )


def read_secret(secret: str, secret_file: Path | None, key: str) -> str:
    """A secret given inline or in a file (its first line, stripped).

    Raises:
        ConfigError: the file cannot be read or is empty; names ``key``.
    """
    if secret_file is None:
        return secret
    try:
        text = secret_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{key}: cannot read {secret_file}: {exc.strerror}") from None
    if not text:
        raise ConfigError(f"{key}: {secret_file} is empty")
    return text.splitlines()[0].strip()


def event_senders(settings: Settings, factory: sessionmaker[Session]) -> dict[str, Sender]:
    """One sender per configured channel (``factory`` is unused: no sender writes the DB).

    Raises:
        ConfigError: a webhook's ``secret_file`` cannot be read.
    """
    del factory
    ev = settings.events
    senders: dict[str, Sender] = {}
    if ev.amqp_url:
        from trunkline.events.amqp import AmqpSender

        senders[AMQP_CHANNEL] = AmqpSender(
            ev.amqp_url, ev.exchange, builder=settings.builder.name, timeout=ev.amqp_timeout
        )
    if ev.webhooks:
        from trunkline.events.webhook import WebhookSender

        for i, hook in enumerate(ev.webhooks):
            secret = read_secret(hook.secret, hook.secret_file, f"events.webhooks.{i}.secret_file")
            senders[webhook_channel(hook.name)] = WebhookSender(
                hook.url, secret, timeout=ev.webhook_timeout
            )
    return senders
