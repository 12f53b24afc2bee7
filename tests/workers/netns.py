"""Separate hosts on one machine: network namespaces on a bridge (``ip netns``, veth).

:class:`Lan` makes a bridge in the root namespace with address ``<net>.1`` and one
namespace per host, each joined to the bridge by a veth pair with address
``<net>.N``. RabbitMQ and PostgreSQL listen on the root namespace's loopback
only, so :class:`Lan` also runs TCP relays on ``<net>.1`` (tests/workers/relay.py)
that reach them: to the servers, a relayed connection comes from 127.0.0.1.
Everything is removed on :meth:`Lan.close`. Needs root (CI runs as root).
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess

from tests.workers.relay import Relay


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class Lan:
    """A bridge with hosts (namespaces) on ``10.<a>.<b>.0/24``."""

    def __init__(self, hosts: tuple[str, ...]) -> None:
        tag = f"{os.getpid() % 10000:04d}{random.randrange(100):02d}"
        used = subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True).stdout
        free = [n for n in range(1, 250) if f"10.213.{n}." not in used]  # another run's LAN
        self.net = f"10.213.{random.choice(free)}"
        self.bridge = f"tlbr{tag}"
        self.namespaces = {host: f"tl{tag}-{host}" for host in hosts}
        self.addresses = {host: f"{self.net}.{i}" for i, host in enumerate(hosts, start=2)}
        self.gateway = f"{self.net}.1"
        self.relays: list[Relay] = []
        self._veths: list[str] = []

    def __enter__(self) -> Lan:
        try:
            _ip("link", "add", self.bridge, "type", "bridge")
            _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
            _ip("link", "set", self.bridge, "up")
            for i, (host, ns) in enumerate(self.namespaces.items()):
                outer, inner = f"{self.bridge}v{i}", f"{self.bridge}p{i}"
                _ip("netns", "add", ns)
                _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
                self._veths.append(outer)
                _ip("link", "set", inner, "netns", ns)
                _ip("link", "set", outer, "master", self.bridge, "up")
                _ip("-n", ns, "addr", "add", f"{self.addresses[host]}/24", "dev", inner)
                _ip("-n", ns, "link", "set", inner, "up")
                _ip("-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise
        return self

    def relay(self, port: int) -> int:
        """Relay ``<net>.1:P`` to ``127.0.0.1:port``; returns P."""
        relay = Relay(("127.0.0.1", port), host=self.gateway).start()
        self.relays.append(relay)
        return relay.port

    def argv(self, host: str, *argv: str) -> list[str]:
        """``argv`` run on ``host`` (in its namespace)."""
        return ["ip", "netns", "exec", self.namespaces[host], *argv]

    def close(self) -> None:
        for relay in self.relays:
            relay.stop()
        for ns in self.namespaces.values():
            with contextlib.suppress(subprocess.CalledProcessError):
                _ip("netns", "del", ns)
        for veth in self._veths:
            with contextlib.suppress(subprocess.CalledProcessError):
                _ip("link", "del", veth)
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("link", "del", self.bridge)

    def __exit__(self, *exc: object) -> None:
        self.close()
