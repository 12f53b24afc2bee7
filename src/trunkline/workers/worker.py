"""``trunkline worker``: takes build jobs from its queues and builds them with its own driver.

A worker is a Dramatiq worker with one thread and a prefetch of one, so it
holds one job at a time and leaves the others to other workers. For each job
it fetches the distgit tree and tarball from the builder's artifact server
(checking each against the message's sha256), runs the same pipeline as a
local build (``pipeline.build_commit``) with this host's driver, uploads every
RPM, the SRPM and the logs with their sha256, then posts the manifest. Only
then does the job's function return and Dramatiq acknowledge the message: a
worker killed before that leaves the job unacknowledged and RabbitMQ hands it
to another worker (late acknowledgement).

A 404 from the builder (it no longer waits for this job: another cycle) or a
409 (another attempt's result was taken) ends the job without a retry; an
unreachable builder raises, and Dramatiq retries the job later (``broker.py``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tarfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
import httpx

from trunkline.builder.drivers.base import BuildDriver
from trunkline.builder.pipeline import BuildJob, PipelineResult, build_commit
from trunkline.errors import TrunklineError
from trunkline.publish.layout import check_name
from trunkline.workers.broker import make_broker, shown_url
from trunkline.workers.jobs import (
    ACTOR_NAME,
    CHECKSUM_HEADER,
    JobMessage,
    JobOutcome,
    UploadedFile,
    sha256_file,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[str], None]
HTTP_TIMEOUT = 60.0  # seconds per request to the builder (connect, read and write)


class JobGoneError(Exception):
    """The builder does not want this job's result (404: not waited for; 409: taken)."""


class BuilderUnreachableError(TrunklineError):
    """The builder's artifact server failed or could not be reached; the job is retried."""


@dataclass(frozen=True)
class WorkerOptions:
    """How one worker runs.

    Attributes:
        broker_url: the RabbitMQ URL.
        builder_url: the builder's artifact server, ``http://host:port``.
        token: the builder's ``[workers] token``.
        queues: the queues consumed (each checked by ``jobs.check_queue``).
        work_dir: where jobs are unpacked and built (one subdir per job, removed after).
    """

    broker_url: str
    builder_url: str
    token: str
    queues: tuple[str, ...]
    work_dir: Path


class BuilderClient:
    """The worker's side of the artifact server (``server.py``)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/")
        self.http = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code in (404, 409):
            raise JobGoneError(f"{what}: {response.status_code} {response.text.strip()}")
        if response.status_code >= 300:
            raise BuilderUnreachableError(
                f"{what}: HTTP {response.status_code} {response.text.strip()}"
            )

    def fetch(self, job_id: str, what: str, dest: Path, sha256: str) -> None:
        """Download ``/jobs/<id>/<what>`` to ``dest`` and check its sha256.

        Raises:
            JobGoneError: 404 (the builder does not wait for this job).
            BuilderUnreachableError: a network error, another status, or a checksum mismatch.
        """
        url = f"{self.base}/jobs/{job_id}/{what}"
        try:
            with self.http.stream("GET", url) as response:
                if response.status_code != 200:
                    response.read()
                    self._check(response, f"GET {url}")
                with dest.open("wb") as fh:
                    for block in response.iter_bytes(1 << 20):
                        fh.write(block)
        except httpx.HTTPError as exc:
            raise BuilderUnreachableError(f"GET {url}: {exc}") from exc
        if sha256_file(dest) != sha256:
            raise BuilderUnreachableError(f"GET {url}: sha256 differs from the job message")

    def upload(self, job_id: str, attempt: str, kind: str, path: Path) -> UploadedFile:
        """PUT one result file with its sha256; returns its manifest entry."""
        digest = sha256_file(path)
        url = f"{self.base}/jobs/{job_id}/{attempt}/{kind}/{check_name(path.name, 'file name')}"
        try:
            headers = {CHECKSUM_HEADER: digest, "Content-Length": str(path.stat().st_size)}
            response = self.http.put(url, content=_blocks(path), headers=headers)
        except httpx.HTTPError as exc:
            raise BuilderUnreachableError(f"PUT {url}: {exc}") from exc
        self._check(response, f"PUT {url}")
        return UploadedFile(kind, path.name, digest)

    def post_result(self, job_id: str, attempt: str, outcome: JobOutcome) -> None:
        """POST the manifest; the builder verifies every file before it takes it."""
        url = f"{self.base}/jobs/{job_id}/{attempt}/result"
        try:
            response = self.http.post(url, content=json.dumps(outcome.to_json()))
        except httpx.HTTPError as exc:
            raise BuilderUnreachableError(f"POST {url}: {exc}") from exc
        self._check(response, f"POST {url}")


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        yield from iter(lambda: fh.read(1 << 20), b"")


def worker_name() -> str:
    """``host:pid``, written in the builder's build log."""
    return f"{socket.gethostname()}:{os.getpid()}"


def build_one(
    message: JobMessage,
    client: BuilderClient,
    driver: BuildDriver,
    work_dir: Path,
    progress: ProgressFn,
) -> str:
    """Fetch, build, upload and report one job; returns the status the builder took.

    Raises:
        JobGoneError: the builder does not want this job's result.
        BuilderUnreachableError: retry the job later.
    """
    attempt = uuid.uuid4().hex[:12]
    root = work_dir / f"{check_name(message.job_id, 'job id')}-{attempt}"
    root.mkdir(parents=True)
    try:
        progress(f"building {message.package} (job {message.job_id}, attempt {attempt})")
        tree = root / "distgit"
        tree.mkdir()
        client.fetch(message.job_id, "distgit.tar", root / "distgit.tar", message.distgit_sha256)
        with tarfile.open(root / "distgit.tar") as tar:
            tar.extractall(tree, filter="data")
        tarball = None
        if message.tarball_name:
            (root / "sources").mkdir()
            tarball = root / "sources" / check_name(message.tarball_name, "tarball name")
            client.fetch(message.job_id, "tarball", tarball, message.tarball_sha256)
        job = BuildJob(
            package=message.package,
            distgit_dir=tree,
            spec_name=message.spec_name,
            tarball=tarball,
            version=message.version,
            release=message.release,
            dist=message.dist,
            macros=message.macros,
            workdir=root / "pipeline",
            log_dir=root / "logs",
            timeout=message.timeout,
            keep_changelog=message.keep_changelog,
            env=message.env,
            repos=message.repos,
            cache_dir=work_dir / "driver-cache",
        )
        job.workdir.mkdir()
        result = build_commit(job, driver)
        outcome = _upload(message.job_id, attempt, result, client)
        client.post_result(message.job_id, attempt, outcome)
        progress(f"  {outcome.status} {message.package} {outcome.nvr} {outcome.error}".rstrip())
        return outcome.status
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _upload(job_id: str, attempt: str, result: PipelineResult, client: BuilderClient) -> JobOutcome:
    files = [client.upload(job_id, attempt, "rpm", p) for p in result.rpms]
    if result.srpm is not None:
        files.append(client.upload(job_id, attempt, "srpm", result.srpm))
    files += [client.upload(job_id, attempt, "log", p) for p in result.logs if p.is_file()]
    return JobOutcome(
        status=result.status.value,
        error=result.error,
        nvr=result.nvr,
        unmet_buildrequires=tuple(result.unmet_buildrequires),
        files=tuple(files),
        worker=worker_name(),
    )


def run_worker(
    options: WorkerOptions,
    driver: BuildDriver,
    stop: threading.Event,
    progress: ProgressFn,
) -> None:
    """Consume ``options.queues`` until ``stop`` is set (SIGTERM/SIGINT in the CLI).

    The job in progress when ``stop`` is set is finished (or, on SIGKILL,
    redelivered to another worker by RabbitMQ).
    """
    options.work_dir.mkdir(parents=True, exist_ok=True)
    for leftover in options.work_dir.iterdir():  # a killed worker's job dirs
        if leftover.name != "driver-cache":
            shutil.rmtree(leftover, ignore_errors=True)
    broker = make_broker(options.broker_url)
    client = BuilderClient(options.builder_url, options.token)

    def handle(**data: Any) -> None:
        message = JobMessage.from_json(data)
        try:
            build_one(message, client, driver, options.work_dir, progress)
        except JobGoneError as exc:
            progress(f"  dropped {message.package}: {exc}")
        except BuilderUnreachableError as exc:  # one line, and Dramatiq retries it later
            progress(f"  {message.package}: the builder failed, retried later: {exc}")
            raise dramatiq.Retry(str(exc)) from exc

    dramatiq.actor(actor_name=ACTOR_NAME, queue_name=options.queues[0], broker=broker)(handle)
    for queue in options.queues:
        broker.declare_queue(queue)
    worker = dramatiq.Worker(broker, queues=set(options.queues), worker_threads=1)
    worker.queue_prefetch = 1  # one job held at a time: the others stay for other workers
    worker.start()
    progress(
        f"worker {worker_name()}: {driver.name} jobs from {', '.join(options.queues)} "
        f"on {shown_url(options.broker_url)}, builder {options.builder_url}"
    )
    try:
        stop.wait()
    finally:
        worker.stop()
        broker.close()
        client.close()
