"""The demo's local SMTP sink (aiosmtpd on loopback): it catches the builder's mails.

The demo points ``[notify]`` at it, so the FTBFS mails go through the builder's
own ``mail`` channel (``trunkline.notify``) and the demo prints them; nothing
leaves the machine.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from typing import Any

SMTP_TIMEOUT = 10.0


@dataclass
class _Collector:
    messages: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """aiosmtpd's hook: keep the message's bytes."""
        del server, session
        with self.lock:
            self.messages.append(bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on 127.0.0.1 (a free port) that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.host = "127.0.0.1"
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname=self.host, port=self.port)

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[bytes]:
        """The raw messages received so far, in order."""
        with self._collector.lock:
            return list(self._collector.messages)
