"""The demo's mail: a local SMTP sink (aiosmtpd on loopback) and a minimal FTBFS mail sender.

The sink catches what the builder sends so the demo can print it; nothing leaves
the machine. :class:`DemoMailSender` is the smallest ``mail`` channel sender that
shows the FTBFS lifecycle end to end.

TODO(lead): replace DemoMailSender by wt-notify's mail sender (``notify_senders``)
once trunkline.notify is merged; the demo then configures ``[notify]`` to the sink.
"""

from __future__ import annotations

import smtplib
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from trunkline.errors import DeliveryError
from trunkline.outbox.dispatch import Envelope

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


def _subject(env: Envelope) -> str:
    p = env.payload
    if env.topic == "ftbfs.opened":
        return f"[{p['builder']}] FTBFS: {p['package']} ({p['nvr']})"
    if env.topic == "ftbfs.fixed":
        return f"[{p['builder']}] fixed: {p['package']} builds again ({p['nvr']})"
    return f"[{p['builder']}] FTBFS culprit of {p['package']}: {p['culprit']['state']}"


def _commit_line(label: str, ref: dict[str, Any] | None) -> str:
    if ref is None:
        return ""
    return f"  {label}: {ref['hash'][:12]} {ref['subject'] or ''} ({ref['author'] or '?'})\n"


def _body(env: Envelope) -> str:
    p = env.payload
    text = f"Package {p['package']} ({p['nvr']}) on builder {p['builder']}.\n"
    if "culprit" in p:
        c = p["culprit"]
        text += f"Culprit ({c['state']}):\n"
        text += _commit_line("upstream", c["upstream"]) + _commit_line("distgit", c["distgit"])
    if "fix" in p:
        text += f"Fixed by {p['fixed_by']} after {p['duration_seconds']} s:\n"
        text += _commit_line("commit", p["fix"])
    if p.get("log_url"):
        text += f"Log: {p['log_url']}\n"
    if p.get("log_excerpt"):
        text += "\n" + "\n".join(p["log_excerpt"]) + "\n"
    return text


class DemoMailSender:
    """Sends ``ftbfs.*`` events as plain-text mails over SMTP (the ``mail`` channel)."""

    def __init__(self, host: str, port: int, mail_from: str = "trunkline@localhost") -> None:
        self.host, self.port, self.mail_from = host, port, mail_from

    def send(self, envelope: Envelope) -> str:
        """Send one mail to the package's maintainers.

        Raises:
            DeliveryError: the SMTP server refused it or cannot be reached.
        """
        msg = EmailMessage()
        msg["From"] = self.mail_from
        msg["To"] = ", ".join(envelope.payload.get("maintainers") or ["root@localhost"])
        msg["Subject"] = _subject(envelope)
        msg["Message-ID"] = make_msgid(idstring=envelope.message_id, domain="trunkline")
        msg.set_content(_body(envelope))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as smtp:
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp {self.host}:{self.port}: {exc}") from None
        return f"250 sent to {msg['To']}"
