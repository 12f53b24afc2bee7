"""The builder's remote executor: a build job goes to a worker through RabbitMQ.

``RemoteExecutor.run`` has the ``JobExecutor`` shape (``builder/executor.py``):
it packs the prepared distgit tree, serves it and the tarball on the artifact
server (``server.py``), sends a :class:`~trunkline.workers.jobs.JobMessage` to
the queue and waits until a worker's result was taken (checksums verified);
then it moves the RPMs, SRPM and logs into the job's work dir, where the local
pipeline would have left them, and returns the same ``PipelineResult``.

Waiting is said, never silent: while the broker is unreachable the job waits
and a warning says for which broker; while no worker took it, a warning every
``report_every`` seconds says which queue it waits on.
"""

from __future__ import annotations

import logging
import shutil
import tarfile
import threading
import time
import uuid
from pathlib import Path
from types import TracebackType

from dramatiq import Message
from dramatiq.errors import ConnectionClosed, ConnectionFailed

from trunkline.builder.pipeline import BuildJob, PipelineResult
from trunkline.config import Settings
from trunkline.db.models import BuildStatus
from trunkline.workers.broker import make_broker, shown_url
from trunkline.workers.jobs import ACTOR_NAME, JobMessage, sha256_file
from trunkline.workers.server import ArtifactServer, JobBoard, ServedJob

log = logging.getLogger(__name__)


def pack_tree(tree: Path, dest: Path) -> Path:
    """``tree``'s files as an uncompressed tar at ``dest`` (names relative to ``tree``)."""
    with tarfile.open(dest, "w") as tar:
        for path in sorted(tree.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(tree)), recursive=False)
    return dest


class RemoteExecutor:
    """Sends build jobs to ``trunkline worker`` processes; use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        queue: str,
        *,
        report_every: float = 30.0,
        retry_broker_every: float = 2.0,
    ) -> None:
        """Bind the artifact server (``[workers] listen``); nothing is sent yet.

        Raises:
            OSError: the listen address is taken or not this host's.
        """
        w = settings.workers
        self.settings = settings
        self.queue = queue
        self.report_every = report_every
        self.retry_broker_every = retry_broker_every
        self.incoming = settings.builder.data_dir / "incoming"
        shutil.rmtree(self.incoming, ignore_errors=True)  # an interrupted cycle's uploads
        self.incoming.mkdir(parents=True)
        self.board = JobBoard(w.token)
        self.server = ArtifactServer(w.listen, self.board)
        self.broker = make_broker(w.broker_url)
        self._broker_down = threading.Event()

    def __enter__(self) -> RemoteExecutor:
        self.server.start()
        log.info(
            f"remote workers: jobs go to queue {self.queue} on "
            f"{shown_url(self.settings.workers.broker_url)}, "
            f"artifacts served on {self.settings.workers.listen}"
        )
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.close()
        self.broker.close()

    def run(self, job: BuildJob) -> PipelineResult:
        """Have a worker build ``job``; wait as long as it takes (see the module doc)."""
        job_id = uuid.uuid4().hex
        job.workdir.mkdir(parents=True, exist_ok=True)
        tar = pack_tree(job.distgit_dir, job.workdir / "distgit.tar")
        served = ServedJob(job_id, tar, job.tarball, self.incoming / job_id)
        self.board.add(served)
        try:
            message = JobMessage(
                job_id=job_id,
                package=job.package,
                spec_name=job.spec_name,
                version=job.version,
                release=job.release,
                dist=job.dist,
                timeout=job.timeout,
                keep_changelog=job.keep_changelog,
                distgit_sha256=sha256_file(tar),
                tarball_name=job.tarball.name if job.tarball else "",
                tarball_sha256=sha256_file(job.tarball) if job.tarball else "",
                macros=dict(job.macros),
                env=dict(job.env),
                # file:// repos are the builder's own paths: a worker cannot read them
                repos={k: v for k, v in job.repos.items() if v.startswith(("http:", "https:"))},
            )
            self._send(message)
            self._wait(served, job.package)
            return self._collect(served, job)
        finally:
            self.board.remove(job_id)
            shutil.rmtree(served.incoming, ignore_errors=True)
            tar.unlink(missing_ok=True)

    def _send(self, message: JobMessage) -> None:
        """Enqueue, waiting (and saying so) while the broker is unreachable."""
        msg: Message[None] = Message(
            queue_name=self.queue,
            actor_name=ACTOR_NAME,
            args=(),
            kwargs=message.to_json(),
            options={},
        )
        said = 0.0
        while True:
            try:
                self.broker.enqueue(msg)
            except (ConnectionClosed, ConnectionFailed) as exc:
                now = time.monotonic()
                if now - said >= self.report_every:
                    said = now
                    log.warning(
                        f"waiting for the broker {shown_url(self.settings.workers.broker_url)} "
                        f"({exc or type(exc).__name__}): {message.package} is sent when it is back"
                    )
                self._broker_down.set()
                time.sleep(self.retry_broker_every)
                continue
            if self._broker_down.is_set():
                self._broker_down.clear()
                log.warning(f"broker reachable again: {message.package} sent")
            return

    def _wait(self, served: ServedJob, package: str) -> None:
        start = time.monotonic()
        while not served.done.wait(self.report_every):
            waited = time.monotonic() - start
            log.warning(f"waiting for a worker on queue {self.queue}: {package} ({waited:.0f}s)")

    def _collect(self, served: ServedJob, job: BuildJob) -> PipelineResult:
        """Move the verified files where the local pipeline puts them."""
        outcome = served.outcome
        assert outcome is not None  # done is set only with an outcome
        base = served.attempt_dir(served.attempt)
        result_dir = job.workdir / "result"
        srpm_dir = job.workdir / "rpmbuild" / "SRPMS"
        for d in (result_dir, srpm_dir):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        job.log_dir.mkdir(parents=True, exist_ok=True)
        rpms: list[Path] = []
        srpm: Path | None = None
        logs: list[Path] = []
        build_log = job.log_dir / "build.log"
        with build_log.open("a", encoding="utf-8") as fh:
            fh.write(f"# built by worker {outcome.worker} (queue {self.queue})\n")
        for f in outcome.files:
            src = base / f.kind / f.name
            if f.kind == "log" and f.name == "build.log":
                with build_log.open("ab") as out, src.open("rb") as inp:
                    shutil.copyfileobj(inp, out)
                logs.append(build_log)
                continue
            dest = {"rpm": result_dir, "srpm": srpm_dir, "log": job.log_dir}[f.kind] / f.name
            shutil.move(src, dest)
            if f.kind == "rpm":
                rpms.append(dest)
            elif f.kind == "srpm":
                srpm = dest
            else:
                logs.append(dest)
        return PipelineResult(
            status=BuildStatus(outcome.status),
            rpms=tuple(rpms),
            srpm=srpm,
            logs=tuple(dict.fromkeys(logs)),
            error=outcome.error,
            nvr=outcome.nvr,
            unmet_buildrequires=outcome.unmet_buildrequires,
        )
