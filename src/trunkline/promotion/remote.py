"""Importing builds made by another builder, from its hashed repo URL.

``POST /api/remote/import`` (DLRN's ``dlrn-remote``, dlrn/remote.py) reads
``<url>/commit.yaml``, downloads every RPM its ``artifacts`` lists (by basename,
from the same URL) and the build logs, and hands each build to the one recording
service (:class:`trunkline.publish.record.BuildRecorder`), which publishes it
exactly like a local build.

Unlike DLRN, which logs a failed RPM download and records the build anyway, an
import brings every RPM or fails before anything is recorded or published:

* every artifact must download (HTTP 200) with the byte count its
  ``Content-Length`` announced;
* where the remote build dir has repodata (a SUCCESS build's always does), a
  file it lists must have the size and checksum given there;
* a SUCCESS that lists no RPM is refused by the recorder's rule.

Every build of the file is downloaded and checked before the first one is
recorded. Logs are best effort (a failed build may lack some), as in DLRN.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import yaml
from sqlalchemy.orm import Session

from trunkline.config import Settings
from trunkline.db.models import BuildStatus
from trunkline.errors import InputError, SourceError
from trunkline.ftbfs.lifecycle import FtbfsLifecycle
from trunkline.outbox.routing import Router
from trunkline.publish import layout
from trunkline.publish.commitfile import (
    COMMIT_FILE,
    EXTRA_FILE,
    parse_commit_yaml,
    record_artifacts,
)
from trunkline.publish.finished import FinishedBuild, Origin, check_finished
from trunkline.publish.record import BuildRecorder
from trunkline.rpmspec.nvr import parse_rpm_filename

log = logging.getLogger(__name__)

LOG_FILES = ("build.log", "installed", "mock.log", "root.log", "rpmbuild.log", "state.log")
TIMEOUT = 60.0
CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportResult:
    """The builds an import recorded (already-known builds included)."""

    commit_ids: tuple[int, ...]


@dataclass(frozen=True)
class Expected:
    """What the remote repodata says of one file: size in bytes, checksum type and hex."""

    size: int
    checksum_type: str
    checksum: str


def _get(client: httpx.Client, url: str) -> httpx.Response:
    try:
        return client.get(url)
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: cannot fetch: {exc}") from None


def _download(client: httpx.Client, url: str, dest: Path, expected: Expected | None) -> Path:
    """Stream ``url`` into ``dest`` and check it (see module doc); ``dest`` is removed on error.

    Raises:
        SourceError: not HTTP 200, short, or not the size/checksum the repodata gives.
    """
    digest = hashlib.new(expected.checksum_type) if expected is not None else None
    size = 0
    try:
        with client.stream("GET", url) as got, dest.open("wb") as out:
            if got.status_code != 200:
                raise SourceError(f"{url}: HTTP {got.status_code}; nothing imported")
            for chunk in got.iter_bytes(CHUNK):
                out.write(chunk)
                size += len(chunk)
                if digest is not None:
                    digest.update(chunk)
            announced = got.headers.get("content-length")
        if announced is not None and announced.isdigit() and int(announced) != size:
            raise SourceError(f"{url}: got {size} bytes of {announced}; nothing imported")
        if expected is not None and digest is not None:
            if size != expected.size:
                raise SourceError(
                    f"{url}: {size} bytes, repodata says {expected.size}; nothing imported"
                )
            if digest.hexdigest() != expected.checksum:
                raise SourceError(
                    f"{url}: {expected.checksum_type} {digest.hexdigest()} differs from the "
                    f"repodata's {expected.checksum}; nothing imported"
                )
    except httpx.HTTPError as exc:
        dest.unlink(missing_ok=True)
        raise SourceError(f"{url}: cannot fetch: {exc}; nothing imported") from None
    except SourceError:
        dest.unlink(missing_ok=True)
        raise
    return dest


def remote_checksums(client: httpx.Client, base: str, work: Path) -> dict[str, Expected]:
    """File name -> size and checksum, from ``<base>/repodata`` ({} when there is none).

    Read with createrepo_c's own parser (any compression it writes).

    Raises:
        SourceError: repomd.xml exists but its primary metadata cannot be read.
    """
    got = _get(client, f"{base}/repodata/repomd.xml")
    if got.status_code != 200:
        return {}
    import createrepo_c as cr

    meta = work / "repodata"
    meta.mkdir()
    (meta / "repomd.xml").write_bytes(got.content)
    try:
        records = cr.Repomd(str(meta / "repomd.xml")).records
    except cr.CreaterepoCError as exc:
        raise SourceError(f"{base}/repodata/repomd.xml: unreadable: {exc}") from None
    href = next((r.location_href for r in records if r.type == "primary"), None)
    if href is None:
        raise SourceError(f"{base}/repodata/repomd.xml: field 'primary': missing")
    name = layout.check_name(href.rsplit("/", 1)[-1], "primary")
    primary = meta / name
    _download(client, f"{base}/repodata/{name}", primary, None)
    found: dict[str, Expected] = {}

    def keep(pkg: cr.Package) -> bool:
        key = str(pkg.location_href).rsplit("/", 1)[-1]
        kind = {"sha": "sha1"}.get(str(pkg.checksum_type), str(pkg.checksum_type))
        if kind in hashlib.algorithms_available:  # else only the size and length are checked
            found[key] = Expected(int(pkg.size_package), kind, str(pkg.pkgId))
        return True

    try:
        cr.xml_parse_primary(str(primary), pkgcb=keep, do_files=False)
    except cr.CreaterepoCError as exc:
        raise SourceError(f"{base}/repodata/{name}: unreadable: {exc}") from None
    return found


def _int_field(record: Mapping[str, object], key: str) -> int:
    value = record.get(key)
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        raise InputError(f"commit.yaml: field '{key}': expected a number, got {value!r}") from None


def _str_field(record: Mapping[str, object], key: str, *, required: bool = True) -> str | None:
    value = record.get(key)
    if value is None or str(value) in {"", "None"}:
        if required:
            raise InputError(f"commit.yaml: field '{key}': missing")
        return None
    return str(value)


def build_of_record(record: Mapping[str, object]) -> FinishedBuild:
    """A FinishedBuild (no files yet) from one ``commit.yaml`` record (values may be strings).

    Raises:
        InputError: a required field is missing or malformed; names the field.
    """
    status_text = _str_field(record, "status") or ""
    try:
        status = BuildStatus(status_text)
    except ValueError:
        raise InputError(
            f"commit.yaml: field 'status': expected SUCCESS, FAILED or RETRY, got {status_text!r}"
        ) from None
    return FinishedBuild(
        project=layout.check_name(_str_field(record, "project_name") or "", "project_name"),
        commit_hash=layout.check_hash(_str_field(record, "commit_hash") or "", "commit_hash"),
        distro_hash=layout.check_hash(_str_field(record, "distro_hash") or "", "distro_hash"),
        commit_branch=_str_field(record, "commit_branch", required=False) or "",
        dt_commit=_int_field(record, "dt_commit"),
        dt_distro=_int_field(record, "dt_distro"),
        dt_build=_int_field(record, "dt_build"),
        status=status,
        component=_str_field(record, "component", required=False),
        extended_hash=_str_field(record, "extended_hash", required=False),
        notes=_str_field(record, "notes", required=False) or "",
        origin=Origin.IMPORT,
    )


def _version_release(
    client: httpx.Client, base: str, rpms: tuple[Path, ...], dist: str
) -> tuple[str | None, str | None]:
    """Version and Release (no dist tag): the remote ``trunkline.yaml``, else the SRPM name."""
    got = _get(client, f"{base}/{EXTRA_FILE}")
    if got.status_code == 200:
        try:
            doc = yaml.load(got.text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            doc = None
        facts = doc.get("build") if isinstance(doc, dict) else None
        if isinstance(facts, dict) and facts.get("version") and facts.get("release"):
            return str(facts["version"]), str(facts["release"])
    srpm = next((f for f in rpms if f.name.endswith(".src.rpm")), None)
    if srpm is None:
        return None, None
    parts = parse_rpm_filename(srpm.name)
    release = parts.release.removesuffix(dist) if dist else parts.release
    return parts.version, release


def import_repo(session: Session, settings: Settings, repo_url: str) -> ImportResult:
    """Import every build listed in ``<repo_url>/commit.yaml`` (see module doc).

    Raises:
        InputError: the URL is not http(s) or commit.yaml is malformed.
        SourceError: commit.yaml or an RPM it lists cannot be downloaded or fails its
            checks; nothing is recorded.
        PublishError: a SUCCESS lists no RPM; nothing is recorded.
    """
    if not repo_url.startswith(("http://", "https://")):
        raise InputError(f"repo_url {repo_url!r}: expected an http:// or https:// URL")
    base = repo_url.rstrip("/")
    # imported builds open and close FTBFS periods like local ones, silently: the
    # builder that made them announced them (ftbfs/lifecycle.py)
    recorder = BuildRecorder(settings, lifecycle=FtbfsLifecycle(settings, Router(), emit=False))
    ids: list[int] = []
    pending: list[FinishedBuild] = []
    with (
        httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client,
        tempfile.TemporaryDirectory(prefix="trunkline-import-") as tmp,
    ):
        resp = _get(client, f"{base}/{COMMIT_FILE}")
        if resp.status_code != 200:
            raise SourceError(f"{base}/{COMMIT_FILE}: HTTP {resp.status_code}")
        records = parse_commit_yaml(resp.text, f"{base}/{COMMIT_FILE}")
        builds = [(build_of_record(r), record_artifacts(r)) for r in records]
        expected = remote_checksums(client, base, Path(tmp)) if builds else {}
        for i, (build, names) in enumerate(builds):
            known = recorder.recorded_id(session, build)
            if known is not None:
                ids.append(known)
                continue
            work = Path(tmp) / str(i)
            work.mkdir()
            rpms = tuple(
                _download(client, f"{base}/{name}", work / name, expected.get(name))
                for name in names
            )
            logs = []
            for name in LOG_FILES:
                got = _get(client, f"{base}/{name}")
                if got.status_code == 200:
                    (work / name).write_bytes(got.content)
                    logs.append(work / name)
            version, release = _version_release(client, base, rpms, settings.builder.dist)
            pending.append(
                replace(build, rpms=rpms, logs=tuple(logs), version=version, release=release)
            )
        for build in pending:  # every build passes the recorder's rules before one is recorded
            check_finished(build)
        try:
            for build in pending:
                ids.append(recorder.record(session, build).commit_id)
        finally:
            recorder.close()
    return ImportResult(tuple(ids))
