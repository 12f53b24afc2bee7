"""``POST /api/recheck_package`` and ``GET /api/components`` with DLRN's semantics.

A recheck makes the next build cycle rebuild a package's last failed build
(DLRN deletes the row; trunkline keeps it as RETRY, which the builder's
"already processed" lookups ignore). A successful build cannot be rechecked:
DLRN's 409 and message. Both write paths need credentials.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.api import world
from tests.api.conftest import LiveApi
from trunkline.db import queries
from trunkline.db.models import BuildStatus, Commit, Promotion

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def builds(live: LiveApi) -> dict[str, world.Build]:
    """pkg-ok: one good build; pkg-bad: good then failed; components on some builds;
    promotions of network (twice) and compute; storage has a build but no promotion."""
    with live.sessions() as s:
        ok = world.add_build(s, live.repos, "pkg-ok", 1, component="network")
        bad_ok = world.add_build(s, live.repos, "pkg-bad", 2, component="compute")
        bad = world.add_build(s, live.repos, "pkg-bad", 3, BuildStatus.FAILED, component="compute")
        world.add_build(s, live.repos, "pkg-disk", 4, component="storage")
        for build, name in ((ok, "ci-a"), (ok, "ci-b"), (bad_ok, "ci-a")):
            s.add(
                Promotion(
                    commit_id=build.id, promotion_name=name, timestamp=1, component=build.component
                )
            )
        s.add(Promotion(commit_id=ok.id, promotion_name="no-component", timestamp=2))
        s.commit()
    return {"ok": ok, "bad_ok": bad_ok, "bad": bad}


def _status(live: LiveApi, build_id: int) -> BuildStatus:
    with live.sessions() as s:
        return s.scalars(select(Commit.status).where(Commit.id == build_id)).one()


def test_recheck_needs_credentials_and_changes_nothing_without_them(
    live: LiveApi, builds: dict[str, world.Build]
) -> None:
    with live.client(auth=False) as c:
        r = c.post("/api/recheck_package", json={"package_name": "pkg-bad"})
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized access"})
    with httpx.Client(base_url=live.url, auth=(world.USER, "wrong"), timeout=30) as c:
        r = c.post("/api/recheck_package", json={"package_name": "pkg-bad"})
    assert r.status_code == 401
    assert _status(live, builds["bad"].id) is BuildStatus.FAILED


def test_a_read_only_user_cannot_recheck(live: LiveApi, builds: dict[str, world.Build]) -> None:
    with httpx.Client(base_url=live.url, auth=(world.VIEWER, world.PASSWORD), timeout=30) as c:
        r = c.post("/api/recheck_package", json={"package_name": "pkg-bad"})
    assert (r.status_code, r.json()) == (403, {"message": "user 'viewer' is read-only"})
    assert _status(live, builds["bad"].id) is BuildStatus.FAILED


def test_recheck_of_a_successful_package_is_dlrns_409(
    live: LiveApi, builds: dict[str, world.Build]
) -> None:
    with live.client() as c:
        r = c.post("/api/recheck_package", json={"package_name": "pkg-ok"})
    assert (r.status_code, r.json()) == (
        409,
        {
            "message": "Error while rechecking pkg-ok. "
            "It's not possible to recheck a successful commit"
        },
    )
    assert _status(live, builds["ok"].id) is BuildStatus.SUCCESS


def test_recheck_of_an_unknown_package_is_a_400(
    live: LiveApi, builds: dict[str, world.Build]
) -> None:
    with live.client() as c:
        r = c.post("/api/recheck_package", json={"package_name": "no-such-pkg"})
    assert (r.status_code, r.json()) == (
        400,
        {
            "message": "Error while rechecking no-such-pkg. There are no existing commits "
            "or the commit to be rechecked is already marked as RETRY."
        },
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Errors detected: 1 {'package_name': 'field required'}"),
        (b"{}", "Errors detected: 1 {'package_name': 'field required'}"),
        (
            b'{"package_name": null}',
            "Errors detected: 1 {'package_name': 'none is not an allowed value'}",
        ),
        (b'{"package_name": 7}', "Errors detected: 1 {'package_name': 'str type expected'}"),
    ],
)
def test_recheck_without_package_name_is_dlrns_400(
    live: LiveApi, builds: dict[str, world.Build], content: bytes, message: str
) -> None:
    """DLRN reads no content type here: an empty body without one is a 400, not a 415."""
    with live.client() as c:
        r = c.post("/api/recheck_package", content=content)
    assert (r.status_code, r.json()) == (400, {"message": message})


def test_recheck_of_a_failed_package_makes_the_next_cycle_rebuild_it(
    live: LiveApi, builds: dict[str, world.Build]
) -> None:
    bad, bad_ok = builds["bad"], builds["bad_ok"]
    # DLRN's clients send the package name in the query string with an empty JSON body.
    with live.client() as c:
        r = c.post(
            "/api/recheck_package",
            params={"package_name": "pkg-bad"},
            headers={"content-type": "application/json"},
        )
    assert (r.status_code, r.json()) == (201, {"result": "ok"})
    assert _status(live, bad.id) is BuildStatus.RETRY
    with live.sessions() as s:
        # What the build cycle asks before building a pair: it is no longer processed,
        # and polling restarts from the build before it.
        assert not queries.is_processed(s, "pkg-bad", bad.commit_hash, bad.distro_hash)
        last = queries.last_processed(s, "pkg-bad")
        assert last is not None and last.id == bad_ok.id
    # The good build before it is now the last processed one: rechecking again is a 409.
    with live.client() as c:
        r = c.post("/api/recheck_package", json={"package_name": "pkg-bad"})
    assert r.status_code == 409
    assert _status(live, bad_ok.id) is BuildStatus.SUCCESS


def test_components_lists_each_promoted_component_once_sorted_without_auth(
    live: LiveApi, builds: dict[str, world.Build]
) -> None:
    """DLRN's getComponents: distinct non-null promotions.component (not storage)."""
    with live.client(auth=False) as c:
        r = c.get("/api/components")
    assert (r.status_code, r.json()) == (200, {"components": ["compute", "network"]})
