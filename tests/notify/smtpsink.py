"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

Plain, STARTTLS or implicit TLS with a self-signed certificate made by the real
``openssl`` CLI, optionally requiring AUTH LOGIN (PLAIN excluded, so the client
has to speak LOGIN).
"""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from trunkline.process import run

USER, PASSWORD = "builder", "s3cret-pass"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed(dest: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost and its key, made by ``openssl req``."""
    cert, key = dest / "cert.pem", dest / "key.pem"
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        timeout=60,
    )
    return cert, key


@dataclass
class Received:
    """One mail as the server got it: envelope sender and recipients, parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None


@dataclass
class Inbox:
    """aiosmtpd handler keeping every message."""

    mails: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        data = getattr(session, "auth_data", None)
        login = data.decode() if isinstance(data, bytes) else None
        self.mails.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg, login))
        return "250 2.0.0 queued"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@contextmanager
def smtp_sink(
    *, port: int | None = None, tls: str = "none", cert: tuple[Path, Path] | None = None,
    auth: bool = False,
) -> Iterator[tuple[Inbox, int]]:  # fmt: skip
    """Run a server on 127.0.0.1 (``tls``: none, starttls, ssl) until the block ends."""
    inbox = Inbox()
    port = port or free_port()
    kwargs: dict[str, Any] = {}
    context = None
    if cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    if tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    if auth:
        kwargs.update(
            authenticator=_authenticate,
            auth_required=True,
            auth_require_tls=tls == "starttls",  # implicit TLS is not seen as TLS by aiosmtpd
            auth_exclude_mechanism=["PLAIN"],
        )
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=context if tls == "ssl" else None,
        **kwargs,
    )
    with warnings.catch_warnings():
        # aiosmtpd does not count implicit TLS as TLS when AUTH is required without STARTTLS
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
        controller.start()
        try:
            yield inbox, port
        finally:
            controller.stop()
