"""What travels between the builder and a worker: the job message and file checksums.

A job message is a JSON object (a Dramatiq message's ``kwargs``) that holds
everything of a :class:`~trunkline.builder.pipeline.BuildJob` but its paths: the
worker fetches the distgit tree (a tar) and the tarball from the builder's
artifact server and checks each against the message's sha256 before it builds.
Its results go back as files, each with its sha256 (``X-Trunkline-Sha256``), and
a final manifest the builder verifies before anything is recorded or published.
"""

from __future__ import annotations

import hashlib
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from trunkline.config import QUEUE_NAME
from trunkline.errors import InputError

ACTOR_NAME = "trunkline_build"  # the Dramatiq actor every worker registers
CHECKSUM_HEADER = "X-Trunkline-Sha256"
FILE_KINDS = ("rpm", "srpm", "log")  # where an uploaded file goes on the builder
STATUSES = ("SUCCESS", "FAILED", "RETRY")  # the BuildStatus values a worker may report


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def host_arch() -> str:
    """This host's machine architecture as rpm names it (``x86_64``, ``aarch64``)."""
    return platform.machine() or "noarch"


def queue_for(arch: str, driver: str) -> str:
    """The queue of jobs built on ``arch`` by ``driver``: ``build.<arch>.<driver>``."""
    return f"build.{arch}.{driver}"


def check_queue(queue: str, arch: str, driver: str) -> None:
    """Refuse a queue this host cannot build for (routing by capability).

    ``<pool>``, optional, is free: it keeps the jobs of builders that share a broker
    apart (a worker uploads to one builder, ``--builder-url``).

    Raises:
        InputError: the name is not ``build.<arch>.<driver>[.<pool>]`` or names another
            architecture or driver than this worker's.
    """
    if not QUEUE_NAME.fullmatch(queue):
        raise InputError(f"--queue {queue!r}: expected build.<arch>.<driver>[.<pool>]")
    _, q_arch, q_driver = queue.split(".")[:3]
    if (q_arch, q_driver) != (arch, driver):
        raise InputError(
            f"--queue {queue}: this worker builds {arch} with {driver}; "
            f"it can take {queue_for(arch, driver)}"
        )


@dataclass(frozen=True)
class JobMessage:
    """One build job on the wire (the fields of ``BuildJob`` that are not paths).

    Attributes:
        job_id: the builder's id of the job (hex), part of every URL of the job.
        package, spec_name, version, release, dist, macros, timeout, keep_changelog,
            env, repos: as in ``BuildJob``.
        distgit_sha256: sha256 of the distgit tree's tar the builder serves.
        tarball_name: the tarball's file name; empty when the package has none.
        tarball_sha256: its sha256; empty when none.
    """

    job_id: str
    package: str
    spec_name: str | None
    version: str
    release: str
    dist: str
    timeout: float
    keep_changelog: bool
    distgit_sha256: str
    tarball_name: str = ""
    tarball_sha256: str = ""
    macros: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    repos: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON object sent as the message's kwargs."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobMessage:
        """Read a message; an unknown or missing field is an InputError.

        Raises:
            InputError: the object does not have exactly this class's fields.
        """
        try:
            return cls(**data)
        except TypeError as exc:
            raise InputError(f"build job message: {exc}") from exc


@dataclass(frozen=True)
class UploadedFile:
    """A file a worker uploaded: its kind (rpm, srpm, log), name and sha256."""

    kind: str
    name: str
    sha256: str


@dataclass(frozen=True)
class JobOutcome:
    """The manifest a worker posts when a job is done.

    Attributes:
        status: ``SUCCESS``, ``FAILED`` or ``RETRY`` (``BuildStatus`` values).
        error: one line, empty on success.
        nvr: the SRPM's name-version-release (dist included), empty if none.
        unmet_buildrequires: as in ``PipelineResult``.
        files: every uploaded file, each checked by the builder against its sha256.
        worker: the worker's name (host and pid), written in the build log.
    """

    status: str
    error: str
    nvr: str
    unmet_buildrequires: tuple[str, ...]
    files: tuple[UploadedFile, ...]
    worker: str

    def to_json(self) -> dict[str, Any]:
        """The JSON object posted to ``/jobs/<id>/<attempt>/result``."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> JobOutcome:
        """Read a posted manifest.

        Raises:
            InputError: a field is missing or of the wrong type, or a file kind is unknown.
        """
        try:
            files = tuple(UploadedFile(**f) for f in data["files"])
            outcome = cls(
                status=str(data["status"]),
                error=str(data["error"]),
                nvr=str(data["nvr"]),
                unmet_buildrequires=tuple(str(x) for x in data["unmet_buildrequires"]),
                files=files,
                worker=str(data["worker"]),
            )
        except (KeyError, TypeError) as exc:
            raise InputError(f"job result: bad manifest ({exc})") from exc
        if outcome.status not in STATUSES:
            raise InputError(f"job result: status {outcome.status!r}: expected one of {STATUSES}")
        for f in files:
            if f.kind not in FILE_KINDS:
                raise InputError(f"job result: file {f.name!r}: unknown kind {f.kind!r}")
        return outcome
