"""The AMQP 0-9-1 sender (channel ``amqp``): events to a durable topic exchange on RabbitMQ.

Each message goes to ``exchange`` with routing key ``trunkline.<builder>.<topic>``
(a consumer binds ``trunkline.*.build.#`` or ``trunkline.mybuilder.#``), body the
payload's JSON, ``content_type`` ``application/json``, ``delivery_mode`` 2
(persistent), ``message_id`` the outbox message id (consumers de-duplicate on it:
delivery is at least once), ``type`` the topic, ``timestamp`` the event's time.
The channel is in publisher-confirm mode: a send returns only once the broker
has taken the message (persisted it, for a durable queue); a nack, a lost
connection or an unreachable broker is a :class:`DeliveryError`, which the
outbox dispatcher retries with backoff. The sender runs on the outbox thread
only; a build never waits for it.

After a failed connect, sends fail at once for ``timeout`` seconds (one slow
broker costs one timeout per delivery pass, not one per message).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pika
import pika.exceptions

from trunkline.errors import DeliveryError
from trunkline.events.payloads import with_schema
from trunkline.outbox.dispatch import Envelope

log = logging.getLogger(__name__)


def routing_key(builder: str, topic: str) -> str:
    """``trunkline.<builder>.<topic>``."""
    return f"trunkline.{builder}.{topic}"


def body_of(envelope: Envelope) -> bytes:
    """The message body: the payload (with its ``schema``) as compact, key-sorted JSON."""
    payload = with_schema(envelope.topic, envelope.payload)
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


class AmqpSender:
    """Publishes outbox messages to one exchange with publisher confirms."""

    def __init__(self, url: str, exchange: str, *, builder: str, timeout: float = 10.0) -> None:
        """Args:
        url: ``amqp://user:password@host:port/vhost``.
        exchange: the topic exchange (declared durable on connect).
        builder: this builder's name, the second word of every routing key.
        timeout: seconds to connect, and to wait for a confirm.
        """
        self.url = url
        self.exchange = exchange
        self.builder = builder
        self.timeout = timeout
        self._conn: Any = None
        self._channel: Any = None
        self._down_until = 0.0

    def _connect(self) -> Any:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        if time.monotonic() < self._down_until:
            raise DeliveryError(f"AMQP broker {self._where()}: unreachable (retrying later)")
        params = pika.URLParameters(self.url)
        params.socket_timeout = self.timeout
        params.blocked_connection_timeout = self.timeout
        params.stack_timeout = self.timeout
        params.connection_attempts = 1
        try:
            self._conn = pika.BlockingConnection(params)
            channel = self._conn.channel()
            channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
            channel.confirm_delivery()
        except (pika.exceptions.AMQPError, OSError) as exc:
            self.close()
            self._down_until = time.monotonic() + self.timeout
            raise DeliveryError(f"AMQP broker {self._where()}: {_describe(exc)}") from None
        self._channel = channel
        return channel

    def _where(self) -> str:
        params = pika.URLParameters(self.url)
        return f"{params.host}:{params.port}"

    def send(self, envelope: Envelope) -> str:
        """Publish ``envelope``; return ``confirmed <routing key>``.

        Raises:
            DeliveryError: the broker is unreachable, closed the channel, or did not
                confirm the message (nack, unroutable is not an error: an exchange
                without queues drops it, as a bus should).
        """
        key = routing_key(self.builder, envelope.topic)
        props = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=envelope.message_id,
            type=envelope.topic,
            timestamp=envelope.created_at,
            app_id="trunkline",
        )
        body = body_of(envelope)
        for fresh in (False, True):  # a connection the broker dropped while idle: once more
            reused = self._channel is not None and not fresh
            channel = self._connect()
            try:
                channel.basic_publish(self.exchange, key, body, properties=props)
            except pika.exceptions.NackError:
                raise DeliveryError(f"AMQP broker {self._where()}: message nacked") from None
            except (pika.exceptions.AMQPError, OSError) as exc:
                self.close()
                if reused:
                    continue
                raise DeliveryError(f"AMQP broker {self._where()}: {_describe(exc)}") from None
            return f"confirmed {key}"
        raise DeliveryError(f"AMQP broker {self._where()}: connection lost")  # pragma: no cover

    def close(self) -> None:
        """Close the connection, if any (ignores errors: it may be dead already)."""
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None and conn.is_open:
            try:
                conn.close()
            except (pika.exceptions.AMQPError, OSError):
                log.debug("AMQP connection close failed", exc_info=True)


def _describe(exc: BaseException) -> str:
    text = str(exc) or repr(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
