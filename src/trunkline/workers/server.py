"""The builder's artifact server: sources out to workers, RPMs and logs in.

A small threaded HTTP server (stdlib ``http.server``) that lives as long as a
build cycle with remote workers. Every request needs ``Authorization: Bearer
<token>`` (``[workers] token``; 401 without it). Routes, ``<id>`` a job, ``<a>``
one attempt of a worker at it (a redelivered job is a new attempt)::

    GET  /jobs/<id>/distgit.tar          the distgit tree (tar)
    GET  /jobs/<id>/tarball              the upstream tarball (404: the job has none)
    PUT  /jobs/<id>/<a>/<kind>/<name>    one result file, kind rpm|srpm|log,
                                         header X-Trunkline-Sha256 (400 on mismatch)
    POST /jobs/<id>/<a>/result           the manifest (``jobs.JobOutcome``), JSON

The server only accepts what it can verify: a result is taken when every file
it lists was uploaded by that attempt with that sha256; the first result taken
wins and any later one is 409 (a job is built once more after a worker dies,
but recorded once). A job the builder no longer waits for is 404, which tells
a worker to drop the message. Nothing here writes to the DB or the repo tree.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import shutil
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from trunkline.errors import InputError, UnsafeNameError
from trunkline.publish.layout import check_name
from trunkline.workers.jobs import CHECKSUM_HEADER, FILE_KINDS, JobOutcome, sha256_file

log = logging.getLogger(__name__)

_MAX_MANIFEST = 1 << 20  # bytes of a result manifest


@dataclass
class ServedJob:
    """One job the builder waits for.

    Attributes:
        job_id: the job's id (hex).
        distgit_tar: the distgit tree as a tar, served to workers.
        tarball: the upstream tarball, or None.
        incoming: where attempts upload, ``<incoming>/<attempt>/<kind>/<name>``.
        done: set when a result was taken.
        outcome: the result taken (None before).
        attempt: the attempt whose files the result lists.
    """

    job_id: str
    distgit_tar: Path
    tarball: Path | None
    incoming: Path
    done: threading.Event = field(default_factory=threading.Event)
    outcome: JobOutcome | None = None
    attempt: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt_dir(self, attempt: str) -> Path:
        """The upload directory of one attempt."""
        return self.incoming / check_name(attempt, "attempt")


class JobBoard:
    """The jobs the builder waits for, by id (thread-safe)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._jobs: dict[str, ServedJob] = {}
        self._lock = threading.Lock()

    def add(self, job: ServedJob) -> None:
        """Serve ``job`` until :meth:`remove`."""
        with self._lock:
            self._jobs[job.job_id] = job

    def remove(self, job_id: str) -> None:
        """Stop serving a job (its later requests are 404)."""
        with self._lock:
            self._jobs.pop(job_id, None)

    def get(self, job_id: str) -> ServedJob | None:
        """The job, or None when the builder does not wait for it."""
        with self._lock:
            return self._jobs.get(job_id)

    def authorized(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries the token (constant time)."""
        scheme, _, value = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.token.encode()
        )


def accept_result(job: ServedJob, attempt: str, outcome: JobOutcome) -> tuple[int, str]:
    """Take ``outcome`` for ``job`` if every file it lists is there with its sha256.

    Returns:
        (HTTP status, message): 200 taken, 409 another attempt's result was taken,
        400 a file is missing or its checksum differs.
    """
    with job.lock:
        if job.done.is_set():
            return 409, f"job {job.job_id}: already built by another attempt"
        base = job.attempt_dir(attempt)
        for f in outcome.files:
            path = base / f.kind / check_name(f.name, "file name")
            if not path.is_file():
                return 400, f"{f.kind}/{f.name}: not uploaded"
            if sha256_file(path) != f.sha256:
                return 400, f"{f.kind}/{f.name}: sha256 differs from the manifest"
        job.outcome = outcome
        job.attempt = attempt
        job.done.set()
    return 200, "taken"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _reply(self, status: int, text: str) -> None:
        body = (text + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _job(self) -> tuple[ServedJob, list[str]] | None:
        if not self.server.board.authorized(self.headers.get("Authorization")):
            self._drain()
            self._reply(401, "a bearer token is needed")
            return None
        parts = [p for p in self.path.split("?", 1)[0].split("/") if p]
        job = self.server.board.get(parts[1]) if len(parts) >= 3 and parts[0] == "jobs" else None
        if job is None:
            self._drain()
            self._reply(404, "no such job")
            return None
        return job, parts[2:]

    def _drain(self) -> None:
        """Read the body we refuse, so the connection stays usable for the next request."""
        length = int(self.headers.get("Content-Length") or 0)
        while length > 0:
            block = self.rfile.read(min(length, 1 << 16))
            if not block:
                return
            length -= len(block)

    def do_GET(self) -> None:
        found = self._job()
        if found is None:
            return
        job, rest = found
        path = {"distgit.tar": job.distgit_tar, "tarball": job.tarball}.get("/".join(rest))
        if path is None or not path.is_file():
            self._reply(404, "no such file")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(path.stat().st_size))
        self.end_headers()
        with path.open("rb") as fh:
            shutil.copyfileobj(fh, self.wfile, 1 << 20)

    def do_PUT(self) -> None:
        found = self._job()
        if found is None:
            return
        job, rest = found
        try:
            if len(rest) != 3 or rest[1] not in FILE_KINDS:
                raise InputError("expected /jobs/<id>/<attempt>/<rpm|srpm|log>/<name>")
            attempt, kind, name = rest[0], rest[1], check_name(rest[2], "file name")
            dest_dir = job.attempt_dir(attempt) / kind
        except (InputError, UnsafeNameError) as exc:
            self._drain()
            self._reply(400, str(exc))
            return
        if job.done.is_set():
            self._drain()
            self._reply(409, "already built by another attempt")
            return
        dest_dir.mkdir(parents=True, exist_ok=True)
        status, text = self._receive(dest_dir / name)
        self._reply(status, text)

    def _receive(self, dest: Path) -> tuple[int, str]:
        expected = self.headers.get(CHECKSUM_HEADER, "")
        length = int(self.headers.get("Content-Length") or 0)
        digest = hashlib.sha256()
        part = dest.with_name(dest.name + ".part")
        with part.open("wb") as fh:
            while length > 0:
                block = self.rfile.read(min(length, 1 << 20))
                if not block:
                    break
                digest.update(block)
                fh.write(block)
                length -= len(block)
        if length or digest.hexdigest() != expected:
            part.unlink()
            return 400, f"{dest.name}: sha256 differs from {CHECKSUM_HEADER} or body cut short"
        part.replace(dest)
        return 201, "stored"

    def do_POST(self) -> None:
        found = self._job()
        if found is None:
            return
        job, rest = found
        length = int(self.headers.get("Content-Length") or 0)
        if len(rest) != 2 or rest[1] != "result" or length > _MAX_MANIFEST:
            self._drain()
            self._reply(400, "expected POST /jobs/<id>/<attempt>/result with a JSON manifest")
            return
        try:
            outcome = JobOutcome.from_json(json.loads(self.rfile.read(length)))
            status, text = accept_result(job, check_name(rest[0], "attempt"), outcome)
        except (ValueError, InputError) as exc:
            status, text = 400, f"bad manifest: {exc}"
        if status == 200:
            log.info("job %s: result %s from %s", job.job_id, outcome.status, outcome.worker)
        self._reply(status, text)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], board: JobBoard) -> None:
        self.board = board
        super().__init__(address, _Handler)


class ArtifactServer:
    """The server on ``host:port`` in a background thread, for one cycle."""

    def __init__(self, listen: str, board: JobBoard) -> None:
        """Bind the address (an OSError when it is taken or not this host's)."""
        host, _, port = listen.rpartition(":")
        self._server = _Server((host.strip("[]"), int(port)), board)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # close() returns within 50 ms
            name="artifact-server",
            daemon=True,
        )

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def close(self) -> None:
        """Stop serving and release the address."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
