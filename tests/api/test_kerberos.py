"""HTTP Negotiate (Kerberos) against a real MIT KDC on loopback, with DLRN's client.

Two realms run for the module (tests/api/kdc.py): TRUNKLINE.TEST, whose
``HTTP/localhost`` keys are the server's keytab, and OTHER.TEST, which has its
own ``HTTP/localhost`` the server has no keys for. ``dlrnapi --auth-method
kerberosAuth`` (DLRN's client, with gssapi in its virtualenv) must succeed with a
ticket of the server's realm; every token that does not verify (garbage, another
service, another realm, expired, replayed) is a 401 with a Negotiate challenge.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import gssapi
import httpx
import pytest
from sqlalchemy import select

from tests.api import world
from tests.api.conftest import LiveApi, start_live
from tests.api.kdc import Realms, start_realms
from tests.peervenv import ensure_venv
from trunkline.api.negotiate import Negotiator
from trunkline.config import settings_from_dict
from trunkline.db.models import CIVote
from trunkline.errors import ConfigError

pytestmark = pytest.mark.db

REALM, OTHER = "TRUNKLINE.TEST", "OTHER.TEST"
SERVICE = f"HTTP/localhost@{REALM}"
PASSWORD = "kerberos-pw"


@pytest.fixture(scope="module")
def realms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Realms]:
    """Both realms; KRB5_CONFIG points this process (the server's) at them."""
    users: dict[str, str | None] = dict.fromkeys((world.USER, world.VIEWER, "stranger"), PASSWORD)
    spec: dict[str, dict[str, str | None]] = {
        REALM: {**users, "HTTP/localhost": None, "HTTP/otherhost": None},
        OTHER: {world.USER: PASSWORD, "HTTP/localhost": None},
    }
    root = tmp_path_factory.mktemp("kdc")
    with start_realms(root, spec) as r, pytest.MonkeyPatch.context() as mp:
        for key, value in r.env().items():
            mp.setenv(key, value)
        yield r


@pytest.fixture(scope="module")
def live_krb(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, realms: Realms
) -> Iterator[LiveApi]:
    """The API with Negotiate on for HTTP/localhost@TRUNKLINE.TEST only: the realm's
    keytab also holds HTTP/otherhost, whose tickets must still be refused."""
    api = {"kerberos_keytab": str(realms.keytab(REALM)), "kerberos_principal": SERVICE}
    yield from start_live(request, tmp_path_factory.mktemp("api"), "sqlite", api=api)


@pytest.fixture(scope="module")
def build(live_krb: LiveApi) -> world.Build:
    """One good build to vote on."""
    with live_krb.sessions() as s:
        b = world.add_build(s, live_krb.repos, "pkg-a", 1)
        s.commit()
    return b


@pytest.fixture(scope="session")
def dlrnapi_krb() -> Path:
    """DLRN's client with gssapi, which its kerberosAuth method imports."""
    python = ensure_venv(
        "dlrnapi-client-gssapi",
        ["dlrnapi-client", "gssapi"],
        check_import="dlrnapi_client, gssapi",
    )
    return python.parent / "dlrnapi"


def dlrnapi(
    exe: Path, live: LiveApi, realms: Realms, ccache: Path, principal: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """``dlrnapi --auth-method kerberosAuth`` with the tickets of ``ccache``."""
    env = {**os.environ, **realms.env(), "KRB5CCNAME": f"FILE:{ccache}", "NO_PROXY": "127.0.0.1"}
    return subprocess.run(
        [str(exe), "--url", live.url, "--auth-method", "kerberosAuth", "-s", principal, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _report(b: world.Build, job: str) -> list[str]:
    return [
        "report-result", "--job-id", job, "--commit-hash", b.commit_hash,
        "--distro-hash", b.distro_hash, "--info-url", "http://ci/x", "--timestamp", "1000",
        "--success", "true",
    ]  # fmt: skip


def token(ccache: Path, service: str) -> bytes:
    """A first Kerberos token for ``service`` from the tickets in ``ccache``."""
    name = gssapi.Name(service, gssapi.NameType.kerberos_principal)
    creds = gssapi.Credentials(usage="initiate", store={"ccache": f"FILE:{ccache}"})
    return bytes(gssapi.SecurityContext(name=name, creds=creds, usage="initiate").step())


def post_health(live: LiveApi, tok: bytes) -> httpx.Response:
    header = {"Authorization": "Negotiate " + base64.b64encode(tok).decode()}
    with httpx.Client(base_url=live.url, timeout=30) as c:
        return c.post("/api/health", headers=header, json={})


def test_dlrnapi_kerberos_login_reports_a_result_as_its_user(
    dlrnapi_krb: Path, live_krb: LiveApi, realms: Realms, build: world.Build
) -> None:
    ccache = realms.kinit(f"{world.USER}@{REALM}", PASSWORD)
    proc = dlrnapi(dlrnapi_krb, live_krb, realms, ccache, SERVICE, *_report(build, "krb-job"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert (out["job_id"], out["success"]) == ("krb-job", True)
    with live_krb.sessions() as s:
        vote = s.scalars(select(CIVote).where(CIVote.ci_name == "krb-job")).one()
    assert vote.user == world.USER  # the principal's name up to the realm


@pytest.mark.parametrize(
    ("realm", "service"),
    [(OTHER, f"HTTP/localhost@{OTHER}"), (REALM, f"HTTP/otherhost@{REALM}")],
    ids=["other-realm", "other-service"],
)
def test_dlrnapi_with_a_ticket_the_server_cannot_read_gets_401(
    dlrnapi_krb: Path,
    live_krb: LiveApi,
    realms: Realms,
    build: world.Build,
    realm: str,
    service: str,
) -> None:
    ccache = realms.kinit(f"{world.USER}@{realm}", PASSWORD)
    proc = dlrnapi(dlrnapi_krb, live_krb, realms, ccache, service, *_report(build, "bad"))
    assert proc.returncode != 0
    assert "(401)" in proc.stderr, proc.stderr[-2000:]


def test_negotiate_returns_the_servers_token_for_mutual_authentication(
    live_krb: LiveApi, realms: Realms
) -> None:
    ccache = realms.kinit(f"{world.USER}@{REALM}", PASSWORD)
    name = gssapi.Name(SERVICE, gssapi.NameType.kerberos_principal)
    creds = gssapi.Credentials(usage="initiate", store={"ccache": f"FILE:{ccache}"})
    ctx = gssapi.SecurityContext(name=name, creds=creds, usage="initiate")
    r = post_health(live_krb, bytes(ctx.step()))
    assert r.status_code == 200, r.text
    scheme, _, reply = r.headers["www-authenticate"].partition(" ")
    assert scheme == "Negotiate"
    ctx.step(base64.b64decode(reply))
    assert ctx.complete  # the client verified the server


def test_a_replayed_token_is_401(live_krb: LiveApi, realms: Realms) -> None:
    tok = token(realms.kinit(f"{world.USER}@{REALM}", PASSWORD), SERVICE)
    assert post_health(live_krb, tok).status_code == 200
    again = post_health(live_krb, tok)
    assert again.status_code == 401
    assert again.headers["www-authenticate"] == 'Negotiate, Basic realm="trunkline"'


def test_an_expired_ticket_is_401(live_krb: LiveApi, realms: Realms) -> None:
    """The realm's clockskew is 3 s: a 1 s ticket is refused 4.5 s later."""
    tok = token(realms.kinit(f"{world.USER}@{REALM}", PASSWORD, lifetime="1s"), SERVICE)
    time.sleep(4.5)
    assert post_health(live_krb, tok).status_code == 401


@pytest.mark.parametrize("value", ["Negotiate", "Negotiate !!!", "Negotiate " + "QUJD" * 8])
def test_a_malformed_token_is_401_with_a_challenge(live_krb: LiveApi, value: str) -> None:
    with httpx.Client(base_url=live_krb.url, timeout=30) as c:
        r = c.post("/api/health", headers={"Authorization": value}, json={})
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized access"})
    assert r.headers["www-authenticate"] == 'Negotiate, Basic realm="trunkline"'


def test_a_principal_without_a_trunkline_user_is_403(live_krb: LiveApi, realms: Realms) -> None:
    tok = token(realms.kinit(f"stranger@{REALM}", PASSWORD), SERVICE)
    r = post_health(live_krb, tok)
    assert (r.status_code, r.json()) == (
        403,
        {"message": f"Kerberos principal 'stranger@{REALM}' is not a trunkline user"},
    )


def test_a_read_only_users_principal_cannot_write(live_krb: LiveApi, realms: Realms) -> None:
    tok = token(realms.kinit(f"{world.VIEWER}@{REALM}", PASSWORD), SERVICE)
    r = post_health(live_krb, tok)
    assert (r.status_code, r.json()) == (403, {"message": f"user {world.VIEWER!r} is read-only"})


def test_basic_auth_still_works_beside_negotiate(live_krb: LiveApi) -> None:
    with live_krb.client() as c:
        assert c.post("/api/health", json={}).status_code == 200


def test_an_unusable_keytab_is_a_config_error(realms: Realms, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        Negotiator(tmp_path / "missing.keytab")
    with pytest.raises(ConfigError, match=r"^\[api\] kerberos_keytab: "):
        Negotiator(realms.keytab(REALM), f"HTTP/nothere@{REALM}")


@pytest.mark.parametrize(
    ("api", "message"),
    [
        ({"kerberos_keytab": "http.keytab"}, "key 'api.kerberos_keytab': must be"),
        ({"kerberos_principal": SERVICE}, "key 'api.kerberos_principal': needs"),
    ],
)
def test_kerberos_settings_are_checked(api: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from_dict({"api": api})
