"""Importing builds made by another builder, from its hashed repo URL.

``POST /api/remote/import`` (DLRN's ``dlrn-remote``) reads ``<url>/commit.yaml``,
downloads the RPMs it lists and the build logs into a scratch directory, and
hands them to :func:`trunkline.builder.publisher.import_build`, which records and
publishes them exactly like a local build.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.errors import InputError, SourceError
from trunkline.publish.commitfile import parse_commit_yaml
from trunkline.publish.layout import check_name

log = logging.getLogger(__name__)

LOG_FILES = ("build.log", "installed", "mock.log", "root.log", "rpmbuild.log", "state.log")
TIMEOUT = 60.0


@dataclass(frozen=True)
class ImportResult:
    """The builds an import recorded (already-known builds included)."""

    commit_ids: tuple[int, ...]


def _fetch(client: httpx.Client, url: str) -> httpx.Response:
    try:
        return client.get(url)
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: cannot fetch: {exc}") from None


def import_repo(session: Session, settings: Settings, repo_url: str) -> ImportResult:
    """Import every build listed in ``<repo_url>/commit.yaml``.

    Raises:
        InputError: the URL is not http(s)/file or commit.yaml is malformed.
        SourceError: commit.yaml or an RPM it lists cannot be downloaded.
    """
    from trunkline.builder.publisher import import_build

    if not repo_url.startswith(("http://", "https://")):
        raise InputError(f"repo_url {repo_url!r}: expected an http:// or https:// URL")
    base = repo_url.rstrip("/")
    ids: list[int] = []
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
        resp = _fetch(client, f"{base}/commit.yaml")
        if resp.status_code != 200:
            raise SourceError(f"{base}/commit.yaml: HTTP {resp.status_code}")
        records = parse_commit_yaml(resp.text, f"{base}/commit.yaml")
        for record in records:
            with tempfile.TemporaryDirectory(prefix="trunkline-import-") as tmp:
                work = Path(tmp)
                files: list[Path] = []
                for artifact in str(record.get("artifacts") or "").split(","):
                    name = artifact.rsplit("/", 1)[-1]
                    if not name or name == "None":
                        continue
                    check_name(name, "artifact")
                    got = _fetch(client, f"{base}/{name}")
                    if got.status_code != 200:
                        raise SourceError(f"{base}/{name}: HTTP {got.status_code}")
                    (work / name).write_bytes(got.content)
                    files.append(work / name)
                logs: list[Path] = []
                for name in LOG_FILES:
                    got = _fetch(client, f"{base}/{name}")
                    if got.status_code == 200:
                        (work / name).write_bytes(got.content)
                        logs.append(work / name)
                row = import_build(session, settings, record, files, logs)
                ids.append(row.id)
    return ImportResult(tuple(ids))
