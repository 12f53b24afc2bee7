"""Bad input gets DLRN's status codes and one-line messages, and changes nothing."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.api import world
from tests.api.conftest import LiveApi

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def build(live_sqlite: LiveApi) -> world.Build:
    """One good build with a repo on disk."""
    with live_sqlite.sessions() as s:
        b = world.add_build(s, live_sqlite.repos, "pkg-a", 1)
        b2 = world.add_build(s, live_sqlite.repos, "pkg-b", 2)
        world.add_vote(s, b2, "job", True, 10)
        s.commit()
    return b


def _promote(c: httpx.Client, b: world.Build, name: str) -> httpx.Response:
    body = {"commit_hash": b.commit_hash, "distro_hash": b.distro_hash, "promote_name": name}
    return c.post("/api/promote", json=body)


def test_malformed_json_is_a_400(live_sqlite: LiveApi, build: world.Build) -> None:
    with live_sqlite.client() as c:
        r = c.post(
            "/api/report_result", content=b"{nope", headers={"content-type": "application/json"}
        )
    assert (r.status_code, r.json()) == (400, {"message": "request body: malformed JSON"})


@pytest.mark.parametrize(
    "path",
    [
        "/api/report_result",
        "/api/promote",
        "/api/promote-batch",
        "/api/last_tested_repo",
        "/api/recheck_package",
        "/api/health",
    ],
)
@pytest.mark.parametrize(
    ("ctype", "content"), [("text/plain", b"a=b"), ("application/json", b"{nope"), (None, b"")]
)
def test_a_write_without_credentials_is_a_401_whatever_its_body(
    live_sqlite: LiveApi, build: world.Build, path: str, ctype: str | None, content: bytes
) -> None:
    """DLRN's login_required wraps its content-type check: credentials come first."""
    headers = {"content-type": ctype} if ctype else {}
    with live_sqlite.client(auth=False) as c:
        r = c.post(path, content=content, headers=headers)
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized access"})
    assert r.headers["www-authenticate"] == 'Basic realm="trunkline"'


def test_non_json_post_is_a_415(live_sqlite: LiveApi, build: world.Build) -> None:
    with live_sqlite.client() as c:
        r = c.post("/api/promote", content=b"a=b", headers={"content-type": "text/plain"})
    assert (r.status_code, r.json()) == (415, {"message": "Unsupported Media Type, use JSON"})


EITHER_HASH = '"Either the aggregate hash or both commit_hash and distro_hash must be provided"'


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/report_result", {"job_id": "x", "url": "u", "timestamp": 1}, EITHER_HASH),
        (
            "/api/report_result",
            {"job_id": "x", "url": "u", "timestamp": 1, "success": True},
            EITHER_HASH,
        ),
        (
            "/api/report_result",
            {"job_id": "x", "aggregate_hash": "a"},
            "Errors detected: 3 {'timestamp': 'field required', 'success': 'field required',"
            " 'url': 'field required'}",
        ),
        (
            "/api/promote",
            {"commit_hash": "ab"},
            "Both commit_hash and distro_hash must be specified.",
        ),
        (
            "/api/promote",
            {"commit_hash": "ab", "distro_hash": "cd"},
            "Errors detected: 1 {'promote_name': 'field required'}",
        ),
        (
            "/api/last_tested_repo",
            {"max_age": 0},
            "Errors detected: 1 {'reporting_job_id': 'field required'}",
        ),
        (
            "/api/last_tested_repo",
            {"reporting_job_id": "j"},
            "Errors detected: 1 {'max_age': 'field required'}",
        ),
        ("/api/remote/import", {}, "Missing parameters"),
    ],
)
def test_missing_fields_are_a_400_with_dlrns_message(
    live_sqlite: LiveApi, build: world.Build, path: str, body: dict[str, object], message: str
) -> None:
    """DLRN's own messages: its pydantic models' root validators first, then
    ``Errors detected: N {field: 'field required'}`` in the model's field order."""
    with live_sqlite.client() as c:
        r = c.post(path, json=body)
    assert (r.status_code, r.json()) == (400, {"message": message})


def test_wrongly_typed_field_names_the_field(live_sqlite: LiveApi, build: world.Build) -> None:
    body = {
        "job_id": "x",
        "url": "u",
        "timestamp": "yesterday",
        "success": True,
        "commit_hash": build.commit_hash,
        "distro_hash": build.distro_hash,
    }
    with live_sqlite.client() as c:
        r = c.post("/api/report_result", json=body)
    assert r.status_code == 400
    assert r.json()["message"].startswith("Invalid parameter timestamp:")


def test_unknown_hashes_are_a_400(live_sqlite: LiveApi, build: world.Build) -> None:
    with live_sqlite.client() as c:
        r = c.get("/api/repo_status", params={"commit_hash": "ffff", "distro_hash": "eeee"})
        assert (r.status_code, r.json()["message"]) == (
            400,
            "commit_hash+distro_hash+extended_hash combination not found",
        )
        r = c.post(
            "/api/report_result",
            json={
                "job_id": "j",
                "url": "u",
                "timestamp": 1,
                "success": "true",
                "aggregate_hash": "abc",
            },
        )
        assert (r.status_code, r.json()["message"]) == (400, "aggregate_hash not found")


def test_no_matching_vote_is_a_400(live_sqlite: LiveApi, build: world.Build) -> None:
    with live_sqlite.client() as c:
        r = c.get("/api/last_tested_repo", params={"max_age": 1, "job_id": "nobody"})
    assert (r.status_code, r.json()) == (400, {"message": "No vote found"})


@pytest.mark.parametrize("name", ["..", "../evil", "a/b", "bad\nname", "-rf", ""])
def test_unsafe_promotion_names_are_dlrns_403_and_create_nothing(
    live_sqlite: LiveApi, build: world.Build, name: str
) -> None:
    """DLRN refuses a name whose link would land outside the repo root with 403."""
    before = sorted(p.name for p in live_sqlite.repos.iterdir())
    with live_sqlite.client() as c:
        r = _promote(c, build, name)
    shown = name.replace("\n", " ")  # error messages are one line
    assert (r.status_code, r.json()) == (403, {"message": f"Invalid promote_name {shown}"})
    assert sorted(p.name for p in live_sqlite.repos.iterdir()) == before
    assert not (live_sqlite.repos.parent / "evil").exists()


@pytest.mark.parametrize("name", ["current", "consistent"])
def test_reserved_promotion_names_are_a_403(
    live_sqlite: LiveApi, build: world.Build, name: str
) -> None:
    with live_sqlite.client() as c:
        r = _promote(c, build, name)
    shown = name.replace("\n", " ")  # error messages are one line
    assert (r.status_code, r.json()) == (403, {"message": f"Invalid promote_name {shown}"})


def test_promote_batch_is_all_or_nothing(live_sqlite: LiveApi, build: world.Build) -> None:
    good = {
        "commit_hash": build.commit_hash,
        "distro_hash": build.distro_hash,
        "promote_name": "all-or-none",
    }
    bad = {"commit_hash": "ffff", "distro_hash": "eeee", "promote_name": "all-or-none"}
    with live_sqlite.client() as c:
        r = c.post("/api/promote-batch", json=[good, bad])
        assert r.status_code == 400
        assert not (live_sqlite.repos / "all-or-none").exists()
        assert c.get("/api/promotions", params={"promote_name": "all-or-none"}).json() == []


@pytest.mark.parametrize(
    ("auth", "status"),
    [
        (None, 401),
        (("ci", "wrong"), 401),
        (("nobody", "x"), 401),
        (("viewer", world.PASSWORD), 403),
    ],
)
def test_writes_need_a_writer_and_change_nothing(
    live_sqlite: LiveApi, build: world.Build, auth: tuple[str, str] | None, status: int
) -> None:
    with httpx.Client(base_url=live_sqlite.url, auth=auth) as c:
        r = _promote(c, build, f"denied-{status}")
        assert r.status_code == status
        if status == 401:
            assert r.headers["www-authenticate"].startswith("Basic")
        assert c.post("/api/health").status_code == status
    assert not (live_sqlite.repos / f"denied-{status}").exists()


def test_concurrent_promotions_of_one_name_never_break_the_link(
    live_sqlite: LiveApi, build: world.Build
) -> None:
    with live_sqlite.sessions() as s:
        others = [world.add_build(s, live_sqlite.repos, f"race-{i}", 10 + i) for i in range(4)]
        s.commit()
    link = live_sqlite.repos / "racing"
    stop = threading.Event()
    broken: list[str] = []

    def watch() -> None:
        while not stop.is_set():
            if link.is_symlink() and not (link / "delorean.repo").is_file():
                broken.append("dangling")

    def push(b: world.Build) -> None:
        with live_sqlite.client() as c:
            for _ in range(5):
                assert _promote(c, b, "racing").status_code == 201

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=push, args=(b,)) for b in others]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert broken == []
    with live_sqlite.client() as c:
        last = c.get("/api/promotions", params={"promote_name": "racing", "limit": 1}).json()[0]
    assert link.resolve().name == last["repo_hash"]  # last one recorded is what the link shows
