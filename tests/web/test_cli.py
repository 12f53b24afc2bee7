"""``trunkline web`` through the installed script: a site file, or one builder's config."""

from __future__ import annotations

import http.client
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.api.conftest import free_port
from tests.cli.sandbox import EXE
from tests.web import world
from tests.web.conftest import LiveSite


def _get(port: int, path: str, proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise AssertionError(f"port {port}: no answer (exit {proc.poll()})")


@pytest.mark.parametrize("mode", ["site", "config"])
def test_web_serves_until_interrupted(live_site: LiveSite, mode: str) -> None:
    port = free_port()
    if mode == "site":
        args = ["web", "--site", str(live_site.site_file)]
        shown = list(world.BUILDERS)
    else:
        cfg = live_site.site_file.parent / "centos9-epoxy" / "trunkline.toml"
        args = ["--config", str(cfg), "web"]
        shown = ["centos9-epoxy"]
    argv = [str(EXE), *args, "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        status, html = _get(port, "/", proc)
        assert status == 200
        for name in world.BUILDERS:
            assert (f'href="/builds?builder={name}"' in html) == (name in shown)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert f"dashboard: http://127.0.0.1:{port}/ ({', '.join(shown)})" in out.decode()
    assert b"Traceback" not in err


def test_web_does_not_write_to_the_builders(live_site: LiveSite) -> None:
    """Serving and browsing leave every builder's database file as it was."""
    dbs = [Path(str(w.settings.database_url).removeprefix("sqlite:///")) for w in live_site.worlds]
    before = {p: p.read_bytes() for p in dbs}
    for path in ("/", "/builds?q=nova", "/ftbfs", "/promotions", "/packages/openstack-cinder"):
        conn = http.client.HTTPConnection(live_site.url.removeprefix("http://"), timeout=10)
        conn.request("GET", path)
        assert conn.getresponse().status == 200
        conn.close()
    assert {p: p.read_bytes() for p in dbs} == before
