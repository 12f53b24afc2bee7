"""``trunkline distgit clone PACKAGE``: clone a distgit with the remotes rdopkg sets up.

The package is looked up in the metadata (a local directory or a git URL, so it
works offline), its ``distgit`` (or ``master-distgit`` with ``--master``) is
cloned, and the remotes ``upstream``, ``patches``, ``review-patches`` and
``review-origin`` are added under the names rdopkg uses, so every other
``distgit`` command (and rdopkg) finds them. ``upstream`` and ``patches`` are
fetched; the ssh review remotes are only added (they need Gerrit credentials).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.distgit import gitops
from trunkline.errors import CommandError, InputError, SourceError
from trunkline.metadata import Package, load_metadata

log = logging.getLogger(__name__)

# rdoinfo key → remote name, in the order rdopkg adds them.
REMOTE_KEYS = (
    ("patches", "patches"),
    ("upstream", "upstream"),
    ("review-patches", "review-patches"),
    ("review-origin", "review-origin"),
)
FETCHED = ("upstream", "patches")


@dataclass(frozen=True)
class CloneResult:
    """Where the distgit went, which remotes it has, and what could not be fetched."""

    path: Path
    package: str
    distgit: str
    remotes: dict[str, str]
    warnings: tuple[str, ...] = ()


def _with_user(url: str, user: str | None) -> str:
    if user and url.startswith("ssh://") and "@" not in url.split("/", 3)[2]:
        return re.sub(r"^ssh://", f"ssh://{user}@", url)
    return url


def remote_urls(pkg: Package, user: str | None = None) -> dict[str, str]:
    """The remotes a package's distgit gets, from its metadata record."""
    urls: dict[str, str] = {}
    for key, remote in REMOTE_KEYS:
        value = pkg.raw.get(key)
        if isinstance(value, str) and value:
            urls[remote] = _with_user(value, user)
    return urls


def clone(
    name: str,
    info: str,
    *,
    dest: Path | None = None,
    master: bool = False,
    user: str | None = None,
    info_files: tuple[str, ...] = ("rdo.yml",),
    cache_dir: Path | None = None,
) -> CloneResult:
    """Clone the package's distgit and add its remotes (see the module docstring).

    Raises:
        UnknownPackageError: the package is not in the metadata.
        InputError: the destination exists, or the package has no distgit.
        SourceError: the distgit cannot be cloned.
    """
    md = load_metadata(info, info_files=info_files, cache_dir=cache_dir)
    pkg = md.package(name)
    url = (pkg.master_distgit if master else pkg.distgit) or pkg.distgit
    if not url:
        raise InputError(f"package {name!r}: metadata has no distgit URL")
    target = dest or Path.cwd() / name
    if target.exists():
        raise InputError(f"{target}: destination already exists")
    try:
        gitcmd.Git(env=gitcmd.USER).run("clone", "--quiet", url, str(target), timeout=3600)
    except CommandError as exc:
        raise SourceError(f"{url}: cannot clone distgit of {name}: {exc.detail}") from None
    urls = remote_urls(pkg, user)
    warnings: list[str] = []
    existing = gitops.remotes(target)
    git = gitcmd.checkout(target)
    for remote, remote_url in urls.items():
        git.run("remote", "set-url" if remote in existing else "add", remote, remote_url)
    for remote in FETCHED:
        if remote not in urls:
            warnings.append(f"package {name!r}: metadata has no '{remote}' URL")
            continue
        try:
            gitops.fetch(target, remote, tags=remote == "upstream")
        except SourceError as exc:
            warnings.append(str(exc))
    return CloneResult(target, name, url, urls, tuple(warnings))
