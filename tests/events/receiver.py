"""A webhook receiver on loopback that checks trunkline's signature as a consumer would.

It verifies ``X-Trunkline-Signature`` with :mod:`hmac` directly (not with
trunkline's code), answers 500 to the first ``fail_first`` requests (to exercise
retries), and keeps every accepted delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    """What the receiver saw: deliveries accepted, requests refused and why."""

    secret: bytes
    fail_first: int = 0
    accepted: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    url: str = ""

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        stamp = headers.get("x-trunkline-timestamp", "")
        mac = hmac.new(self.secret, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(f"sha256={mac}", headers.get("x-trunkline-signature", "")):
            self.refused.append("bad signature")
            return 401
        if self.fail_first > 0:
            self.fail_first -= 1
            self.refused.append("asked to fail")
            return 500
        self.accepted.append((headers, json.loads(body)))
        return 204


def start(receiver: Receiver) -> ThreadingHTTPServer:
    """Serve ``receiver`` on a free loopback port (sets ``receiver.url``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            self.send_response(receiver.handle(headers, body))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    return server
