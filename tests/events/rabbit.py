"""The real RabbitMQ on loopback for the event tests: a private exchange and queue per test."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pika

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DOWN_URL = "amqp://guest:guest@127.0.0.1:1/"  # nothing listens on port 1


@dataclass(frozen=True)
class Received:
    """One message as a consumer got it."""

    routing_key: str
    message_id: str
    delivery_mode: int
    content_type: str
    topic: str
    body: dict[str, Any]


class Consumer:
    """A durable exchange (as the sender declares it) and an exclusive queue bound to ``#``."""

    def __init__(self) -> None:
        self.exchange = f"tl-test-{uuid.uuid4().hex[:12]}"
        params = pika.URLParameters(AMQP_URL)
        params.heartbeat = 0  # a test may leave it idle longer than a heartbeat
        self._conn = pika.BlockingConnection(params)
        self._ch = self._conn.channel()
        self._ch.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        self.queue = self._ch.queue_declare("", exclusive=True).method.queue
        self._ch.queue_bind(self.queue, self.exchange, routing_key="#")

    def drain(self, want: int = 0, timeout: float = 10.0) -> list[Received]:
        """Every message in the queue; waits up to ``timeout`` for at least ``want``."""
        got: list[Received] = []
        deadline = time.monotonic() + timeout
        while True:
            method, props, body = self._ch.basic_get(self.queue, auto_ack=True)
            if method is None:
                if len(got) >= want or time.monotonic() > deadline:
                    return got
                time.sleep(0.05)
                continue
            got.append(
                Received(
                    method.routing_key,
                    props.message_id,
                    props.delivery_mode,
                    props.content_type,
                    props.type,
                    json.loads(body),
                )
            )

    def close(self) -> None:
        """Delete the exchange and close the connection."""
        self._ch.exchange_delete(self.exchange)
        self._conn.close()


def consumer() -> Iterator[Consumer]:
    """A fixture body: a consumer, deleted after the test."""
    c = Consumer()
    try:
        yield c
    finally:
        c.close()
