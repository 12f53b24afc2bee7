"""A fake Gerrit REST API on loopback: the part of Gerrit that cannot run here.

Speaks what :class:`trunkline.notify.gerrit.GerritDriver` uses, in Gerrit's format
(https://gerrit-review.googlesource.com/Documentation/rest-api-changes.html):
``GET /a/changes/<id>`` returns a ChangeInfo behind the ``)]}'`` XSSI line,
``POST /a/changes/<id>/abandon`` with ``{"message": ...}`` abandons a NEW change
(409 ``change is merged``/``change is abandoned`` otherwise), unknown ids are 404
``Not found: <id>``, and ``/a/`` needs HTTP basic auth (401 without).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeGerrit:
    """The changes the fake knows, by Change-Id: status and the abandon messages."""

    user: str = "trunkline-bot"
    password: str = "http-pass"
    status: dict[str, str] = field(default_factory=dict)  # Change-Id -> NEW|MERGED|ABANDONED
    abandoned_with: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    url: str = ""


def _handler(gerrit: FakeGerrit) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _reply(self, code: int, body: Any) -> None:
            text = body if isinstance(body, str) else ")]}'\n" + json.dumps(body)
            data = text.encode()
            ctype = "text/plain" if isinstance(body, str) else "application/json"
            self.send_response(code)
            self.send_header("Content-Type", f"{ctype}; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _change(self) -> str | None:
            gerrit.requests.append(f"{self.command} {self.path}")
            if not self.path.startswith("/a/changes/"):
                self._reply(404, "Not found\n")
                return None
            token = base64.b64encode(f"{gerrit.user}:{gerrit.password}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {token}":
                self._reply(401, "Unauthorized\n")
                return None
            cid = self.path.removeprefix("/a/changes/").split("/", 1)[0]
            if cid not in gerrit.status:
                self._reply(404, f"Not found: {cid}\n")
                return None
            return cid

        def _info(self, cid: str) -> dict[str, Any]:
            return {"id": f"project~rpm-master~{cid}", "change_id": cid,
                    "status": gerrit.status[cid], "_number": 4242}  # fmt: skip

        def do_GET(self) -> None:
            cid = self._change()
            if cid is not None:
                self._reply(200, self._info(cid))

        def do_POST(self) -> None:
            cid = self._change()
            if cid is None:
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/abandon"):
                self._reply(404, "Not found\n")
            elif gerrit.status[cid] != "NEW":
                self._reply(409, f"change is {gerrit.status[cid].lower()}\n")
            else:
                gerrit.status[cid] = "ABANDONED"
                gerrit.abandoned_with[cid] = str(body.get("message", ""))
                self._reply(200, self._info(cid))

    return Handler


@contextmanager
def fake_gerrit(gerrit: FakeGerrit | None = None) -> Iterator[FakeGerrit]:
    """Serve ``gerrit`` on 127.0.0.1 (its ``url`` set) until the block ends."""
    gerrit = gerrit or FakeGerrit()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gerrit))
    gerrit.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gerrit
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
