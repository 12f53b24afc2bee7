"""A minimal keep-alive HTTP/1.1 client for latency benchmarks (stdlib ``http.client``).

httpx spends ~0.4 ms of client-side work per request here: at the sub-millisecond
latencies of trunkline's API that is as much as the server's own time, and it
would be counted in both sides' p50, flattening every ratio toward 1. This
client does what the benchmark needs (GET with query parameters, POST with a
JSON body and Basic auth) in ~0.1 ms, the same for trunkline and DLRN.
"""

from __future__ import annotations

import base64
import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass(frozen=True)
class Reply:
    """A response: status, body, and what was asked (for error messages)."""

    status_code: int
    text: str
    method: str
    url: str


class LightClient:
    """One persistent connection to ``base_url``, reopened if the server closed it."""

    def __init__(self, base_url: str, timeout: float) -> None:
        """Args:
        base_url: ``http://host:port``.
        timeout: seconds per request.
        """
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._timeout = timeout
        self._conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        auth: tuple[str, str] | None = None,
    ) -> Reply:
        """Send one request and read the whole response."""
        url = f"{path}?{urlencode(params)}" if params else path
        headers = {}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        for attempt in (1, 2):
            try:
                self._conn.request(method, url, body=body, headers=headers)
                resp = self._conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                return Reply(resp.status, text, method, url)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._conn.close()
                self._conn = self._connect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply:
        """``GET path?params``."""
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None, auth: tuple[str, str] | None = None) -> Reply:
        """``POST path`` with a JSON body."""
        return self.request("POST", path, json_body=json, auth=auth)

    def __enter__(self) -> LightClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.close()
