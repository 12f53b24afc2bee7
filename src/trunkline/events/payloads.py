"""The JSON object of every event topic, built in one place from the rows that changed.

Each payload names its schema, ``"schema": "trunkline.<topic>/<version>"``, and
is described by ``schemas/<topic>.json`` (JSON Schema 2020-12); every field is
always present, ``null`` when unknown (the outbox contract). Times are epoch
seconds. The router adds ``event_id``. A field is added in a compatible way
(consumers ignore unknown fields); removing or changing one bumps the version.

Producers: ``publish/record.py`` (``build.finished``, ``repo.published``, the
builder's ``promotion.moved`` of ``current``/``consistent``), ``builder/cycle.py``
(``build.queued``, ``build.started``), ``promotion/promote.py`` (named
promotions), ``promotion/votes.py`` (``vote.received``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from trunkline.config import Settings
from trunkline.db.models import Commit

VERSIONS = {
    "build.queued": 1,
    "build.started": 1,
    "build.finished": 1,
    "repo.published": 1,
    "promotion.moved": 1,
    "vote.received": 1,
    # produced by the FTBFS lifecycle (its payloads are the outbox contract's, without the
    # ``schema`` field: :func:`with_schema` adds it when the event goes out)
    "ftbfs.opened": 1,
    "ftbfs.culprit": 1,
    "ftbfs.fixed": 1,
}
SCHEMA_DIR = Path(__file__).parent / "schemas"


def schema_id(topic: str) -> str:
    """``trunkline.<topic>/<version>``: the ``schema`` field of ``topic``'s messages."""
    return f"trunkline.{topic}/{VERSIONS[topic]}"


def with_schema(topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its ``schema`` field (added when a producer left it out)."""
    if "schema" in payload or topic not in VERSIONS:
        return payload
    return {"schema": schema_id(topic), **payload}


def repo_hash(commit_hash: str, distro_hash: str) -> str:
    """DLRN's repo hash, ``<commit_hash>_<distro_hash[:8]>``."""
    return f"{commit_hash}_{distro_hash[:8]}"


def repo_url(settings: Settings, relpath: str | PurePosixPath | None) -> str | None:
    """The URL of a repo dir: under ``builder.baseurl``, else a ``file://`` URL."""
    if not relpath:
        return None
    base = settings.builder.baseurl.rstrip("/")
    if base:
        return f"{base}/{relpath}"
    return (settings.builder.repos_path / str(relpath)).resolve().as_uri()


def _head(topic: str, settings: Settings) -> dict[str, Any]:
    return {"schema": schema_id(topic), "builder": settings.builder.name}


def build_queued(
    settings: Settings,
    *,
    package: str,
    component: str | None,
    commit_hash: str,
    distro_hash: str,
    commit_branch: str | None,
    position: int,
    queue_length: int,
    now: int,
) -> dict[str, Any]:
    """``build.queued``: a (package, upstream commit, distgit commit) entered the queue."""
    return {
        **_head("build.queued", settings),
        "package": package,
        "component": component,
        "commit_hash": commit_hash,
        "distro_hash": distro_hash,
        "commit_branch": commit_branch,
        "position": position,
        "queue_length": queue_length,
        "queued_at": now,
    }


def build_started(
    settings: Settings,
    *,
    package: str,
    component: str | None,
    commit_hash: str,
    distro_hash: str,
    worker: str,
    now: int,
) -> dict[str, Any]:
    """``build.started``: a worker began building it."""
    return {
        **_head("build.started", settings),
        "package": package,
        "component": component,
        "commit_hash": commit_hash,
        "distro_hash": distro_hash,
        "worker": worker,
        "started_at": now,
    }


def _nvr(row: Commit) -> str | None:
    for path in row.artifact_list:
        if path.endswith(".src.rpm"):
            return path.rsplit("/", 1)[-1].removesuffix(".src.rpm")
    if row.version and row.release:
        return f"{row.project_name}-{row.version}-{row.release}"
    return None


def _build_fields(settings: Settings, row: Commit) -> dict[str, Any]:
    published = bool(row.repo_dir)
    return {
        "commit_id": row.id,
        "package": row.project_name,
        "component": row.component,
        "nvr": _nvr(row),
        "commit_hash": row.commit_hash,
        "distro_hash": row.distro_hash,
        "extended_hash": row.extended_hash,
        "repo_hash": repo_hash(row.commit_hash, row.distro_hash) if published else None,
        "repo_path": row.repo_dir or None,
        "repo_url": repo_url(settings, row.repo_dir) if published else None,
    }


def build_finished(settings: Settings, row: Commit) -> dict[str, Any]:
    """``build.finished``: a build was recorded, with its status (SUCCESS, FAILED, RETRY)."""
    return {
        **_head("build.finished", settings),
        **_build_fields(settings, row),
        "status": str(row.status),
        "version": row.version or None,
        "release": row.release or None,
        "commit_branch": row.commit_branch,
        "dt_commit": row.dt_commit,
        "dt_distro": row.dt_distro,
        "dt_build": row.dt_build,
        "build_seconds": row.build_seconds,
        "retries": row.retries,
        "notes": row.notes or None,
    }


def repo_published(settings: Settings, row: Commit, *, now: int) -> dict[str, Any]:
    """``repo.published``: a build's hashed repo (RPMs, repodata) is in the repo tree."""
    return {
        **_head("repo.published", settings),
        **_build_fields(settings, row),
        "install_status": str(row.install_status),
        "published_at": now,
    }


def promotion_moved(
    settings: Settings,
    row: Commit,
    *,
    name: str,
    by: str,
    user: str | None,
    aggregate_hash: str | None,
    now: int,
) -> dict[str, Any]:
    """``promotion.moved``: the link ``name`` now points at ``row``'s repo.

    ``by`` is ``builder`` (``current``/``consistent`` after a build), ``api`` (a
    promotion request) or ``rule`` (a ``[promotion.rules]`` rule met by CI votes).
    """
    return {
        **_head("promotion.moved", settings),
        **_build_fields(settings, row),
        "name": name,
        "by": by,
        "user": user,
        "aggregate_hash": aggregate_hash,
        "moved_at": now,
    }


def vote_received(
    settings: Settings,
    *,
    row: Commit | None,
    aggregate_hash: str | None,
    job_id: str,
    url: str,
    success: bool,
    in_progress: bool,
    notes: str,
    user: str | None,
    timestamp: int,
) -> dict[str, Any]:
    """``vote.received``: a CI job reported on a build (``row``) or an aggregate."""
    return {
        **_head("vote.received", settings),
        "commit_id": row.id if row is not None else None,
        "package": row.project_name if row is not None else None,
        "component": row.component if row is not None else None,
        "commit_hash": row.commit_hash if row is not None else None,
        "distro_hash": row.distro_hash if row is not None else None,
        "extended_hash": row.extended_hash if row is not None else None,
        "aggregate_hash": aggregate_hash,
        "job_id": job_id,
        "url": url,
        "success": success,
        "in_progress": in_progress,
        "notes": notes or None,
        "user": user,
        "timestamp": timestamp,
    }
