"""Real MIT Kerberos realms on loopback for the Negotiate tests (Debian's krb5-kdc).

``start_realms(root, realms)`` creates one KDC database per realm with
``kdb5_util create -s``, adds principals with ``kadmin.local`` (users with a
password, services with random keys exported to ``<root>/<realm>.keytab``),
writes one ``krb5.conf`` naming every realm's KDC and starts one ``krb5kdc -n``
per realm on a free 127.0.0.1 port. Nothing outside ``root`` is touched: the
tools find their files through ``KRB5_CONFIG`` and ``KRB5_KDC_PROFILE``.
``clockskew = 3`` lets a test see an expired ticket refused seconds after it
expires instead of five minutes, while a loaded machine still has 3 s between
a client making its token and the server reading it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

KDC_TOOLS = ("kdb5_util", "kadmin.local", "krb5kdc", "kinit")
SBIN = ("/usr/sbin", "/usr/bin")


def tool(name: str) -> str:
    """The absolute path of a Kerberos tool (root's sbin may not be on PATH)."""
    for d in SBIN:
        if os.access(f"{d}/{name}", os.X_OK):
            return f"{d}/{name}"
    raise FileNotFoundError(f"{name}: not installed (apt-get install krb5-kdc krb5-admin-server)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Realms:
    """Running KDCs and the files a client or a server needs."""

    root: Path
    krb5_conf: Path
    ports: Mapping[str, int]

    def keytab(self, realm: str) -> Path:
        """The keytab holding ``realm``'s service keys."""
        return self.root / f"{realm}.keytab"

    def env(self) -> dict[str, str]:
        """Environment for Kerberos tools and libraries using these realms."""
        return {"KRB5_CONFIG": str(self.krb5_conf), "KRB5RCACHEDIR": str(self.root)}

    def kinit(self, principal: str, password: str, *, lifetime: str | None = None) -> Path:
        """Get a TGT for ``principal`` into a new ccache file; return its path."""
        ccache = self.root / f"cc-{principal.replace('/', '_')}-{time.monotonic_ns()}"
        args = [tool("kinit"), "-c", f"FILE:{ccache}"]
        if lifetime:
            args += ["-l", lifetime]
        subprocess.run(
            [*args, principal],
            input=password + "\n",
            env={**os.environ, **self.env()},
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return ccache


def _conf(root: Path, ports: Mapping[str, int]) -> tuple[Path, Path]:
    realms = "".join(f"  {r} = {{\n    kdc = 127.0.0.1:{p}\n  }}\n" for r, p in ports.items())
    krb5 = root / "krb5.conf"
    krb5.write_text(
        "[libdefaults]\n  default_realm = " + next(iter(ports)) + "\n"
        "  dns_lookup_kdc = false\n  dns_lookup_realm = false\n  rdns = false\n"
        "  udp_preference_limit = 1\n  clockskew = 3\n"
        "[realms]\n" + realms
    )
    kdc_realms = "".join(
        f"  {r} = {{\n    database_name = {root / r}.db\n    key_stash_file = {root / r}.stash\n"
        f"    kdc_listen = 127.0.0.1:{p}\n    kdc_tcp_listen = 127.0.0.1:{p}\n"
        f"    acl_file = {root / 'kadm5.acl'}\n  }}\n"
        for r, p in ports.items()
    )
    kdc = root / "kdc.conf"
    kdc.write_text(f"[realms]\n{kdc_realms}[logging]\n  kdc = FILE:{root / 'kdc.log'}\n")
    return krb5, kdc


def _run(args: Sequence[str], env: Mapping[str, str]) -> None:
    subprocess.run(list(args), env=dict(env), capture_output=True, text=True, check=True)


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"krb5kdc exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"krb5kdc did not listen on 127.0.0.1:{port}")


@contextmanager
def start_realms(root: Path, realms: Mapping[str, Mapping[str, str | None]]) -> Iterator[Realms]:
    """Create and run the realms; stop their KDCs on exit.

    Args:
        root: an empty directory for databases, keytabs, ccaches and logs.
        realms: realm -> {principal: password, or None for a service whose random
            keys go to that realm's keytab}.
    """
    ports = {realm: _free_port() for realm in realms}
    krb5, kdc = _conf(root, ports)
    env = {**os.environ, "KRB5_CONFIG": str(krb5), "KRB5_KDC_PROFILE": str(kdc)}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for realm, principals in realms.items():
            _run([tool("kdb5_util"), "create", "-s", "-r", realm, "-P", "master-key-pw"], env)
            for principal, password in principals.items():
                admin = [tool("kadmin.local"), "-r", realm, "-q"]
                if password is None:
                    _run([*admin, f"addprinc -randkey {principal}"], env)
                    keytab = root / f"{realm}.keytab"
                    _run([*admin, f"ktadd -k {keytab} {principal}"], env)
                else:
                    _run([*admin, f"addprinc -pw {password} {principal}"], env)
            proc = subprocess.Popen(
                [tool("krb5kdc"), "-n", "-r", realm, "-P", str(root / f"{realm}.pid")],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(proc)
            _wait_listening(ports[realm], proc)
        yield Realms(root, krb5, ports)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
