"""Push hooks in: each forge's documented push, verified by its scheme, queues its package."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import delete, select

from tests.api.conftest import LiveApi, start_live
from tests.builder.cycle_world import write_rdoinfo
from tests.events.forge_samples import push
from trunkline.db.models import HookRequest
from trunkline.events.hookqueue import repo_key

SECRETS = {f: f"{f}-s3cret" for f in ("github", "gitlab", "gitea", "forgejo", "gerrit")}
# forge -> (the repo URL it reports, the package whose upstream that is)
REPOS = {
    "github": ("https://github.com/example/alpha.git", "alpha"),
    "gitlab": ("https://gitlab.example.com/example/beta.git", "beta"),
    "gitea": ("https://gitea.example.com/example/gamma.git", "gamma"),
    "forgejo": ("https://codeberg.org/example/delta.git", "delta"),
    "gerrit": ("openstack/epsilon", "epsilon"),
}
GERRIT = "https://review.example.org"
QUEUE = 6


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    tmp = tmp_path_factory.mktemp("hooks")
    packages = []
    for forge, (where, name) in REPOS.items():
        upstream = f"{GERRIT}/{where}" if forge == "gerrit" else where
        packages.append(
            {
                "project": name,
                "name": name,
                "upstream": upstream,
                "master-distgit": f"https://src.example.org/rpms/{name}.git",
                "maintainers": ["p@example.com"],
                "tags": {"trunk": None},
            }
        )
    write_rdoinfo(tmp / "meta", packages)
    hooks: dict[str, object] = {f: {"secret": s} for f, s in SECRETS.items()}
    hooks["gerrit"] = {"secret": SECRETS["gerrit"], "url": GERRIT}
    hooks["queue_size"] = QUEUE
    yield from start_live(
        request,
        tmp,
        "sqlite",
        packages={"source": "rdoinfo", "path": str(tmp / "meta"), "tag": "trunk"},
        hooks=hooks,
    )


@pytest.fixture
def client(live: LiveApi) -> Iterator[httpx.Client]:
    with live.sessions() as session:
        session.execute(delete(HookRequest))
        session.commit()
    with live.client(auth=False) as c:
        yield c


def queued(live: LiveApi) -> list[tuple[str, str, str]]:
    with live.sessions() as session:
        rows = session.scalars(select(HookRequest).order_by(HookRequest.id))
        return [(r.forge, r.package, r.ref) for r in rows]


def post(
    client: httpx.Client,
    forge: str,
    ref: str = "refs/heads/master",
    secret: str = "",
    where: str = "",
) -> httpx.Response:
    headers, body = push(forge, where or REPOS[forge][0], ref, secret or SECRETS[forge])
    return client.post(f"/api/hooks/{forge}", content=body, headers=headers)


@pytest.mark.parametrize("forge", sorted(REPOS))
def test_a_verified_push_to_a_followed_branch_queues_its_package(
    live: LiveApi, client: httpx.Client, forge: str
) -> None:
    resp = post(client, forge)
    assert resp.status_code == 200, resp.text
    package = REPOS[forge][1]
    assert resp.json()["queued"] == [package]
    assert queued(live) == [(forge, package, "refs/heads/master")]


@pytest.mark.parametrize("forge", sorted(REPOS))
def test_a_bad_signature_is_401_and_queues_nothing(
    live: LiveApi, client: httpx.Client, forge: str
) -> None:
    resp = post(client, forge, secret="not-the-secret")
    assert resp.status_code == 401
    assert "signature" in resp.json()["message"]
    headers, body = push(forge, REPOS[forge][0], "refs/heads/master", SECRETS[forge])
    unsigned = {k: v for k, v in headers.items() if k == "Content-Type" or "Event" in k}
    assert client.post(f"/api/hooks/{forge}", content=body, headers=unsigned).status_code == 401
    assert queued(live) == []


@pytest.mark.parametrize(
    ("forge", "where", "ref", "status", "packages"),
    [
        ("github", "https://github.com/someone/else.git", "refs/heads/master", 404, None),
        ("gerrit", "openstack/unknown", "refs/heads/master", 404, None),
        ("github", REPOS["github"][0], "refs/heads/feature-x", 200, []),  # not followed
        ("gitlab", REPOS["gitlab"][0], "refs/tags/2.0.0", 200, ["beta"]),  # a new version
        ("gitea", "git@gitea.example.com:example/gamma.git", "refs/heads/master", 200, ["gamma"]),
        ("gerrit", REPOS["gerrit"][0], "master", 200, ["epsilon"]),  # Gerrit < 2.13: short name
    ],
)
def test_what_a_push_matches(
    live: LiveApi,
    client: httpx.Client,
    forge: str,
    where: str,
    ref: str,
    status: int,
    packages: list[str] | None,
) -> None:
    resp = post(client, forge, ref=ref, where=where)
    assert resp.status_code == status, resp.text
    if packages is None:
        assert "no followed package" in resp.json()["message"]
    else:
        assert resp.json()["queued"] == packages
    assert [p for _, p, _ in queued(live)] == (packages or [])


def test_non_push_events_are_ignored_and_unknown_forges_404(
    live: LiveApi, client: httpx.Client
) -> None:
    body = b'{"zen": "Keep it logically awesome.", "hook_id": 1}'
    import hashlib
    import hmac

    sig = "sha256=" + hmac.new(SECRETS["github"].encode(), body, hashlib.sha256).hexdigest()
    resp = client.post(
        "/api/hooks/github",
        content=body,
        headers={"X-GitHub-Event": "ping", "X-Hub-Signature-256": sig},
    )
    assert resp.status_code == 200 and resp.json()["queued"] == []
    assert client.post("/api/hooks/bitbucket", content=b"{}").status_code == 404
    assert queued(live) == []


def test_a_flood_past_the_queue_bound_is_429(live: LiveApi, client: httpx.Client) -> None:
    codes = [post(client, "github").status_code for _ in range(QUEUE + 3)]
    assert codes == [200] * QUEUE + [429] * 3
    assert len(queued(live)) == QUEUE


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://GitHub.com/example/alpha.git", "github.com/example/alpha"),
        ("https://user:tok@github.com:443/example/alpha/", "github.com/example/alpha"),
        ("git@github.com:example/alpha.git", "github.com/example/alpha"),
        ("ssh://git@github.com/example/alpha", "github.com/example/alpha"),
        ("file:///srv/git/alpha.git", "/srv/git/alpha"),
        ("/srv/git/alpha/", "/srv/git/alpha"),
    ],
)
def test_repo_urls_compare_without_scheme_credentials_and_dot_git(url: str, key: str) -> None:
    assert repo_key(url) == key
