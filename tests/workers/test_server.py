"""The builder's artifact server and the worker's client, over real HTTP on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.workers.relay import free_port
from trunkline.workers.jobs import CHECKSUM_HEADER, JobOutcome, UploadedFile
from trunkline.workers.server import ArtifactServer, JobBoard, ServedJob
from trunkline.workers.worker import BuilderClient, BuilderUnreachableError, JobGoneError

TOKEN = "server-test-token-0123456789"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, ServedJob]]:
    tar = tmp_path / "distgit.tar"
    tar.write_bytes(b"a tar, as far as the server cares\n" * 1000)
    board = JobBoard(TOKEN)
    job = ServedJob("j1", tar, None, tmp_path / "incoming" / "j1")
    board.add(job)
    server = ArtifactServer(f"127.0.0.1:{free_port()}", board)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", job
    finally:
        server.close()


def _outcome(*files: UploadedFile) -> JobOutcome:
    return JobOutcome("SUCCESS", "", "alpha-1-1", (), files, "test:1")


@pytest.mark.parametrize(
    "auth", [None, f"Basic {TOKEN}", "Bearer wrong-token-0123456789", f"Bearer {TOKEN}x"]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/jobs/j1/distgit.tar"),
        ("PUT", "/jobs/j1/a1/rpm/x.rpm"),
        ("POST", "/jobs/j1/a1/result"),
    ],
)
def test_every_route_needs_the_token(
    served: tuple[str, ServedJob], auth: str | None, method: str, path: str
) -> None:
    base, job = served
    headers = {"Authorization": auth} if auth else {}
    response = httpx.request(method, base + path, headers=headers, content=b"{}")
    assert response.status_code == 401
    assert not job.done.is_set() and not job.incoming.exists()


def test_a_source_is_fetched_only_with_its_checksum(
    served: tuple[str, ServedJob], tmp_path: Path
) -> None:
    base, job = served
    client = BuilderClient(base, TOKEN)
    good = hashlib.sha256(job.distgit_tar.read_bytes()).hexdigest()
    client.fetch("j1", "distgit.tar", tmp_path / "got.tar", good)
    assert (tmp_path / "got.tar").read_bytes() == job.distgit_tar.read_bytes()
    with pytest.raises(BuilderUnreachableError, match="sha256 differs"):
        client.fetch("j1", "distgit.tar", tmp_path / "bad.tar", "0" * 64)
    with pytest.raises(JobGoneError):  # the job has no tarball
        client.fetch("j1", "tarball", tmp_path / "t.tgz", good)
    with pytest.raises(JobGoneError):  # a job the builder does not wait for
        client.fetch("other", "distgit.tar", tmp_path / "o.tar", good)
    client.close()


def test_a_result_is_taken_once_and_only_when_every_file_matches(
    served: tuple[str, ServedJob], tmp_path: Path
) -> None:
    base, job = served
    rpm = tmp_path / "alpha-1-1.noarch.rpm"
    rpm.write_bytes(b"rpm bytes" * 100)
    client = BuilderClient(base, TOKEN)
    entry = client.upload("j1", "a1", "rpm", rpm)
    assert entry.sha256 == hashlib.sha256(rpm.read_bytes()).hexdigest()
    # a body that does not match its header is refused and not kept
    bad = httpx.put(
        f"{base}/jobs/j1/a1/rpm/evil.rpm",
        content=b"other bytes",
        headers={"Authorization": f"Bearer {TOKEN}", CHECKSUM_HEADER: entry.sha256},
    )
    assert bad.status_code == 400
    assert not (job.incoming / "a1" / "rpm" / "evil.rpm").exists()
    for files in (
        (UploadedFile("rpm", "missing.rpm", entry.sha256),),  # never uploaded
        (UploadedFile("rpm", rpm.name, "f" * 64),),  # another checksum
        (entry, UploadedFile("rpm", rpm.name, entry.sha256)),  # fine, but from attempt a2
    ):
        attempt = "a2" if len(files) == 2 else "a1"
        with pytest.raises(BuilderUnreachableError, match="HTTP 400"):
            client.post_result("j1", attempt, _outcome(*files))
        assert not job.done.is_set()
    client.post_result("j1", "a1", _outcome(entry))
    assert job.done.is_set() and job.attempt == "a1"
    assert job.outcome == _outcome(entry)
    with pytest.raises(JobGoneError, match="409"):  # a redelivered job's second result
        client.post_result("j1", "a1", _outcome(entry))
    with pytest.raises(JobGoneError, match="409"):
        client.upload("j1", "a3", "rpm", rpm)
    client.close()


@pytest.mark.parametrize(
    "path",
    ["/jobs/j1/a1/exe/x", "/jobs/j1/a1/rpm/..", "/jobs/j1/a1/rpm/-x.rpm", "/jobs/j1/a1/srpm"],
)
def test_an_upload_outside_its_place_is_refused(served: tuple[str, ServedJob], path: str) -> None:
    base, job = served
    response = httpx.put(
        base + path,
        content=b"x",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            CHECKSUM_HEADER: hashlib.sha256(b"x").hexdigest(),
        },
    )
    assert response.status_code == 400
    assert not job.done.is_set()
    assert not job.incoming.exists() or not any(p.is_file() for p in job.incoming.rglob("*"))


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"status": "SUCCESS"}',  # fields missing
        b'{"status": "DONE", "error": "", "nvr": "", "unmet_buildrequires": [], '
        b'"files": [], "worker": "w"}',  # not a BuildStatus a worker may report
        b'{"status": "SUCCESS", "error": "", "nvr": "", "unmet_buildrequires": [], '
        b'"files": [{"kind": "exe", "name": "x", "sha256": "0"}], "worker": "w"}',
    ],
)
def test_a_bad_manifest_is_refused_and_nothing_is_taken(
    served: tuple[str, ServedJob], body: bytes
) -> None:
    base, job = served
    response = httpx.post(
        f"{base}/jobs/j1/a1/result", content=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 400 and response.text.startswith("bad manifest")
    assert not job.done.is_set() and job.outcome is None
