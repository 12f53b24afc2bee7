"""What a dnf repository ships, read from its real repodata (createrepo_c's reader).

For each repository (a local directory, ``file://`` or ``http(s)://`` baseurl)
the index keeps, per binary package name, its newest EVR, and per
``python3dist(NAME)`` provide (NAME normalized as PEP 503) the newest package
providing it. Nothing is guessed from file names: ``repomd.xml`` names the
primary metadata, which createrepo_c parses (``xml_parse_primary``, files
skipped). Source packages are ignored.

Warm runs are cheap: the index of a primary file is cached as JSON under
``cache_dir``, keyed by the primary's checksum from ``repomd.xml`` (a new repo
revision has a new checksum, so the cache is never stale). RDO's report-uc.py
instead fills a fresh dnf sack (libsolv) on every run.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from trunkline.errors import InputError
from trunkline.publish.atomic import write_file_atomic

log = logging.getLogger(__name__)

CACHE_VERSION = 1
_DIST = re.compile(r"python3(?:\.(\d+))?dist\(([^()\[\]]+)\)")
_PEP503 = re.compile(r"[-_.]+")

EVR = tuple[str, str, str]


def pep503(name: str) -> str:
    """``name`` normalized as PEP 503 (lowercase, runs of ``-_.`` become ``-``)."""
    return _PEP503.sub("-", name).lower()


def evr_label(evr: EVR) -> str:
    """``E:V-R``, without ``E:`` when the epoch is 0 (as rpm prints it)."""
    epoch, version, release = evr
    core = f"{version}-{release}" if release else version
    return f"{epoch}:{core}" if epoch not in ("", "0") else core


def newer(a: EVR, b: EVR) -> bool:
    """Whether ``a`` sorts after ``b`` in rpm's ordering (``rpm.labelCompare``)."""
    import rpm

    return int(rpm.labelCompare(a, b)) > 0


@dataclass(frozen=True)
class RepoIndex:
    """The python-relevant content of one repository.

    Attributes:
        repo: the repo id shown in reports (``delorean``, ``baseos``).
        names: binary package name -> newest ``(epoch, version, release)``.
        dist: ``"<pyver>|<pep503 name>"`` (pyver empty for plain ``python3dist``)
            -> the newest providing package's ``(name, epoch, version, release)``.
    """

    repo: str
    names: dict[str, EVR]
    dist: dict[str, tuple[str, str, str, str]]

    def provider(self, module: str, python: str) -> tuple[str, EVR] | None:
        """The newest package here providing ``python3dist(module)`` (or the target's
        ``python3.Ndist(module)``), as ``(name, evr)``; None if none does."""
        key = pep503(module)
        best: tuple[str, EVR] | None = None
        for hit in (self.dist.get(f"|{key}"), self.dist.get(f"{python}|{key}")):
            if hit is not None and (best is None or newer(hit[1:], best[1])):
                best = (hit[0], (hit[1], hit[2], hit[3]))
        return best


def _local_dir(baseurl: str) -> Path | None:
    if baseurl.startswith("file://"):
        return Path(unquote(urlparse(baseurl).path))
    if "://" not in baseurl:
        return Path(baseurl)
    return None


def _fetch(repo: str, url: str, target: Path, timeout: float) -> None:
    import httpx

    try:
        resp = httpx.get(url, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise InputError(f"repo {repo}: {url}: cannot download: {exc}") from None
    if resp.status_code != 200:
        raise InputError(f"repo {repo}: {url}: HTTP {resp.status_code} (expected 200)")
    write_file_atomic(target, resp.content)


def _primary(cr: Any, repomd: Path, label: str) -> tuple[str, str]:
    """``(location_href, checksum)`` of the primary record of ``repomd``."""
    try:
        md = cr.Repomd(str(repomd))
    except (cr.CreaterepoCError, OSError) as exc:
        raise InputError(f"repo {label}: {repomd}: unreadable repomd.xml: {exc}") from None
    for rec in md.records:
        if rec.type == "primary":
            return str(rec.location_href), str(rec.checksum)
    raise InputError(f"repo {label}: {repomd}: no primary record (expected createrepo output)")


def _parse_primary(cr: Any, path: Path, label: str) -> dict[str, Any]:
    names: dict[str, EVR] = {}
    dist: dict[str, tuple[str, str, str, str]] = {}

    def on_package(pkg: Any) -> None:
        if pkg.arch == "src":
            return
        evr: EVR = (pkg.epoch or "0", pkg.version, pkg.release)
        old = names.get(pkg.name)
        if old is None or newer(evr, old):
            names[pkg.name] = evr
        for prov in pkg.provides:
            m = _DIST.fullmatch(prov[0])
            if m is None:
                continue
            pyver = f"3.{m.group(1)}" if m.group(1) else ""
            key = f"{pyver}|{pep503(m.group(2))}"
            have = dist.get(key)
            if have is None or newer(evr, have[1:]):
                dist[key] = (pkg.name, *evr)

    try:
        cr.xml_parse_primary(str(path), pkgcb=on_package, do_files=False)
    except (cr.CreaterepoCError, OSError) as exc:
        raise InputError(f"repo {label}: {path}: unreadable primary metadata: {exc}") from None
    return {"names": names, "dist": dist}


def read_repo(repo: str, baseurl: str, cache_dir: Path, *, timeout: float = 120.0) -> RepoIndex:
    """Index the repository at ``baseurl`` (see the module docstring).

    Args:
        repo: its id in reports.
        baseurl: a directory, ``file://`` or ``http(s)://`` URL holding ``repodata/``.
        cache_dir: where indexes (and downloaded metadata) are cached.
        timeout: seconds per download.

    Raises:
        InputError: no repodata there, or it cannot be read or downloaded.
    """
    import createrepo_c as cr

    base = baseurl.rstrip("/")
    local = _local_dir(base)
    work = cache_dir / "download" / re.sub(r"[^A-Za-z0-9._-]", "_", repo)
    if local is not None:
        repomd = local / "repodata" / "repomd.xml"
        if not repomd.is_file():
            raise InputError(f"repo {repo}: {repomd}: not found (expected a dnf repository)")
    else:
        repomd = work / "repomd.xml"
        _fetch(repo, f"{base}/repodata/repomd.xml", repomd, timeout)
    href, checksum = _primary(cr, repomd, repo)
    cached = cache_dir / f"{checksum}.json"
    data: dict[str, Any] | None = None
    if cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if data is not None and data.get("version") != CACHE_VERSION:
            data = None
    if data is None:
        if local is not None:
            data = _parse_primary(cr, local / href, repo)
        else:
            with tempfile.TemporaryDirectory(prefix="uc-primary-") as tmp:
                target = Path(tmp) / Path(href).name
                _fetch(repo, f"{base}/{href}", target, timeout)
                data = _parse_primary(cr, target, repo)
        data["version"] = CACHE_VERSION
        write_file_atomic(cached, json.dumps(data, separators=(",", ":")))
        log.info("uc: indexed %s (%d packages)", repo, len(data["names"]))
    return RepoIndex(
        repo=repo,
        names={k: (v[0], v[1], v[2]) for k, v in data["names"].items()},
        dist={k: (v[0], v[1], v[2], v[3]) for k, v in data["dist"].items()},
    )
