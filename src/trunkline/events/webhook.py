"""The webhook sender (channel ``webhook:<name>``): each event POSTed as signed JSON.

Request: ``POST <url>``, body the payload's compact JSON (UTF-8), headers

- ``Content-Type: application/json``
- ``X-Trunkline-Event``: the topic (``build.finished``)
- ``X-Trunkline-Delivery``: the outbox message id (the same on every retry:
  de-duplicate on it)
- ``X-Trunkline-Timestamp``: epoch seconds of this attempt
- ``X-Trunkline-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the
  webhook's secret, over ``<timestamp>.<body>`` (the timestamp header's digits, a
  dot, the raw body bytes) — the scheme of Stripe and Slack: a receiver checks the
  signature with a constant-time compare and rejects timestamps too far from its
  clock (replays).

A 2xx answer delivers; anything else, a timeout or a connection error is a
:class:`DeliveryError` the outbox dispatcher retries with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

import httpx

from trunkline import __version__
from trunkline.errors import DeliveryError
from trunkline.events.amqp import body_of
from trunkline.outbox.dispatch import Envelope


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` keyed with ``secret``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """True when ``header`` is the signature of ``body`` at ``timestamp`` (constant time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


class WebhookSender:
    """POSTs outbox messages to one URL, signed with one secret."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Args:
        url: the receiver.
        secret: the HMAC key.
        timeout: seconds to connect, and for each read and write.
        clock: epoch seconds (tests pass a fixed clock).
        transport: an httpx transport (default: the network).
        """
        self.url = url
        self.secret = secret
        self.clock = clock
        self._client = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": f"trunkline/{__version__}"},
            follow_redirects=False,
        )

    def send(self, envelope: Envelope) -> str:
        """POST ``envelope``; return ``HTTP <status>``.

        Raises:
            DeliveryError: no 2xx answer (the status and the start of the body), or
                the receiver could not be reached in time.
        """
        body = body_of(envelope)
        stamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            "X-Trunkline-Event": envelope.topic,
            "X-Trunkline-Delivery": envelope.message_id,
            "X-Trunkline-Timestamp": stamp,
            "X-Trunkline-Signature": signature(self.secret, stamp, body),
        }
        try:
            resp = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{self.url}: {type(exc).__name__}: {exc}") from None
        if not 200 <= resp.status_code < 300:
            raise DeliveryError(f"{self.url}: HTTP {resp.status_code} {resp.text[:200]}")
        return f"HTTP {resp.status_code}"

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
