"""What one row of a report shows, computed from a DB row: dates, NVR, links.

Everything that becomes a link is built here from validated pieces, so the
templates never concatenate URLs: a repo dir that is absolute or climbs out
with ``..`` gets no link, every path is percent-quoted, and an upstream commit
gets a web link only when its repository is on a known web host over http(s).
Escaping of the text itself is Jinja2's job (autoescape is always on).
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from trunkline.db.report_queries import BuildRow

LOG_NAMES = ("build.log", "rpmbuild.log")
NOTES_MAX = 300
_HEX = re.compile(r"^[0-9a-fA-F]{7,64}$")
# host -> path template of a commit page below the repository URL
WEB_HOSTS = {
    "github.com": "/commit/{hash}",
    "opendev.org": "/commit/{hash}",
    "gitlab.com": "/-/commit/{hash}",
    "pagure.io": "/c/{hash}",
    "src.fedoraproject.org": "/c/{hash}",
}


@dataclass(frozen=True, slots=True)
class Link:
    """A link: its text and its (already safe) href."""

    text: str
    href: str


@dataclass(frozen=True, slots=True)
class BuildView:
    """One build as a report row shows it."""

    id: int
    date: str
    package: str
    component: str
    upstream: Link
    ref: str  # the upstream ref built (commit_branch)
    wanted_ref: str  # the ref the metadata named, when it differs (a retired branch), else ""
    distgit: str
    nvr: str
    status: str
    install_status: str
    repo: Link | None
    logs: tuple[Link, ...]
    notes: str


def fmt_time(epoch: int) -> str:
    """UTC ``YYYY-MM-DD HH:MM`` of an epoch (empty for 0)."""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(epoch)) if epoch else ""


def nvr(project_name: str, row: BuildRow) -> str:
    """``<project>-<version>-<release>`` from the row's columns (empty if unknown)."""
    if not row.version or not row.release:
        return ""
    return f"{project_name}-{row.version}-{row.release}"


def commit_url(upstream: str | None, commit_hash: str) -> str | None:
    """The web page of an upstream commit, if the repo is on a known web host.

    Returns:
        an https/http URL, or None for unknown hosts, other schemes or odd hashes.
    """
    if not upstream or not _HEX.match(commit_hash):
        return None
    parts = urlsplit(upstream.strip())
    if parts.scheme not in {"https", "http"} or parts.hostname not in WEB_HOSTS:
        return None
    path = parts.path.rstrip("/").removesuffix(".git")
    if not path or ".." in path.split("/"):
        return None
    page = WEB_HOSTS[parts.hostname].format(hash=commit_hash)
    return f"{parts.scheme}://{parts.netloc}{quote(path)}{page}"


def repo_href(repo_dir: str) -> str | None:
    """A relative, percent-quoted href to a build's repo dir, or None if unsafe or empty."""
    if not repo_dir or repo_dir.startswith("/") or "\\" in repo_dir or ":" in repo_dir:
        return None
    parts = [p for p in repo_dir.split("/") if p]
    if not parts or any(p in {"..", "."} for p in parts):
        return None
    return quote("/".join(parts)) + "/"


def build_view(row: BuildRow, urls: Mapping[str, str]) -> BuildView:
    """The report row of one build; ``urls`` maps package -> upstream repo URL."""
    url = commit_url(urls.get(row.project_name), row.commit_hash)
    href = repo_href(row.repo_dir)
    notes = row.notes.strip()
    if len(notes) > NOTES_MAX:
        notes = notes[:NOTES_MAX] + "…"
    return BuildView(
        id=row.id,
        date=fmt_time(row.dt_build),
        package=row.project_name,
        component=row.component or "",
        upstream=Link(row.commit_hash[:10], url or ""),
        ref=row.commit_branch,
        wanted_ref=row.source_branch
        if row.source_branch and row.source_branch != row.commit_branch
        else "",
        distgit=row.distro_hash[:10],
        nvr=nvr(row.project_name, row),
        status=row.status,
        install_status=row.install_status,
        repo=Link("repo", href) if href else None,
        logs=tuple(Link(n, href + n) for n in LOG_NAMES) if href else (),
        notes=notes,
    )


def upstream_urls(repos: Path) -> dict[str, str]:
    """Package -> upstream URL, read from ``current/versions.csv`` (empty if absent).

    The DB does not store upstream URLs; the newest repo's versions.csv (DLRN
    format, columns ``Project`` and ``Source Repo``) does, in one small file.
    """
    path = repos / "current" / "versions.csv"
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return {
                r["Project"]: r["Source Repo"]
                for r in csv.DictReader(fh)
                if r.get("Project") and r.get("Source Repo")
            }
    except (OSError, UnicodeDecodeError, csv.Error, KeyError):
        return {}
