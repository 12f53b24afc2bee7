"""The ``mail`` channel: FTBFS mails sent through SMTP with :mod:`smtplib`.

:class:`SmtpTransport` opens one connection per mail (plain, STARTTLS or
implicit TLS, optional AUTH), bounded by ``[notify] timeout``;
:class:`MailSender` is the outbox :class:`~trunkline.outbox.dispatch.Sender`.

Errors (one attempt fails with :class:`DeliveryError`, the dispatcher retries
with the ``[notify] retry_*`` backoff):

* connection refused or reset, timeout, TLS failure, a 4xx reply: transient;
* a 5xx reply (``550`` unknown user, ``554`` relay denied, ``535`` bad login):
  permanent for this server, but most often a configuration the admin fixes
  (relay rights, password), after which the pending mail goes through. So it is
  retried like a 4xx, and its message says ``permanent`` so the delivery log
  (``trunkline outbox list``) shows it; after ``retry_max_attempts`` the message is
  ``dead`` and kept. A server that refuses only some recipients delivers to the
  others: the attempt succeeds and its detail names the refused ones.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal

from trunkline.errors import DeliveryError
from trunkline.notify.mailbody import TOPICS, Recipients, compose
from trunkline.outbox.dispatch import Envelope

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class SmtpTransport:
    """One SMTP server and how to talk to it (the ``[notify] smtp_*`` keys).

    Attributes:
        server: host name or address.
        port: TCP port; 0 means the TLS mode's default (25, 587, 465).
        tls: ``none`` (plain), ``starttls`` (upgrade, refused if the server cannot),
            ``ssl`` (TLS from the first byte).
        ca_file: CA bundle the server certificate must chain to (None: the system's).
        user: AUTH user (empty: no AUTH); ``password`` its password.
        timeout: seconds for the connection and each reply.
    """

    server: str
    port: int = 0
    tls: Literal["none", "starttls", "ssl"] = "none"
    ca_file: Path | None = None
    user: str = ""
    password: str | None = None
    timeout: float = 30.0

    @property
    def address(self) -> str:
        """``host:port`` for messages."""
        return f"{self.server}:{self.port or DEFAULT_PORTS[self.tls]}"

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _connect(self) -> smtplib.SMTP:
        port = self.port or DEFAULT_PORTS[self.tls]
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(
                self.server, port, timeout=self.timeout, context=self._context()
            )
        return smtplib.SMTP(self.server, port, timeout=self.timeout)

    def send(self, msg: EmailMessage, *, sender: str, to: list[str]) -> str:
        """Send ``msg`` from ``sender`` to ``to``; return what the server accepted.

        Raises:
            DeliveryError: connection, TLS, AUTH or a refusal of the mail or of every
                recipient; the message names the server and its reply code.
        """
        try:
            with self._connect() as conn:
                if self.tls == "starttls":
                    conn.starttls(context=self._context())
                if self.user:
                    conn.login(self.user, self.password or "")
                refused = conn.send_message(msg, from_addr=sender, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(
                f"smtp {self.address}: every recipient refused: {_refusals(exc.recipients)}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raw = exc.smtp_error
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
            kind = "permanent" if 500 <= exc.smtp_code < 600 else "transient"
            raise DeliveryError(
                f"smtp {self.address}: {exc.smtp_code} {text} ({kind})".strip()
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            what = str(exc) or type(exc).__name__
            raise DeliveryError(f"smtp {self.address}: {what}") from None
        accepted = len(to) - len(refused)
        detail = f"smtp {self.address}: accepted for {accepted} recipient(s)"
        return detail + (f"; refused {_refusals(refused)}" if refused else "")


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(
        f"{addr} ({code} {text.decode('utf-8', 'replace')})"
        for addr, (code, text) in sorted(recipients.items())
    )


@dataclass(frozen=True)
class MailSender:
    """The outbox sender of the ``mail`` channel: one mail per ``ftbfs.*`` message."""

    transport: SmtpTransport
    mail_from: str
    recipients: Recipients

    def send(self, envelope: Envelope) -> str:
        """Compose the mail of ``envelope`` and send it (see the module for errors).

        A topic that has no mail, or a package nobody is to be mailed about (maintainers
        opted out and no ``recipients``), is delivered as nothing sent, with that said.

        Raises:
            DeliveryError: the SMTP server could not take the mail.
        """
        if envelope.topic not in TOPICS:
            return f"{envelope.topic} has no mail: nothing sent"
        p = envelope.payload
        to = self.recipients.for_package(str(p["package"]), p.get("maintainers") or [])
        if not to:
            return f"no recipient for {p['package']} (opted out, no [notify] recipients)"
        msg = compose(envelope, mail_from=self.mail_from, to=to)
        return self.transport.send(msg, sender=self.mail_from, to=to)


def probe_message(*, builder: str, mail_from: str, to: list[str], via: str) -> EmailMessage:
    """The mail of ``trunkline notify test-mail``: says which builder and server sent it."""
    msg = EmailMessage()
    msg["Subject"] = f"[trunkline] {builder}: test mail"
    msg["From"] = mail_from
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid("test-mail", domain=mail_from.rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"This is a test mail from the trunkline builder {builder}, sent through {via}.\n"
        "FTBFS mails of this builder take the same way.\n"
    )
    return msg
