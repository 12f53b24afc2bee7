"""Local bare mirrors of upstream and distgit repositories.

Every package has two mirrors under ``<data_dir>/mirrors`` (``<name>.git`` and
``<name>_distro.git``), refreshed with ``git fetch`` before each poll. A mirror
keeps every branch and tag exactly as the remote has them (``+refs/...``
refspecs), so a force-pushed upstream is followed rather than merged, and a
deleted branch disappears (``--prune``).

A new mirror is cloned under a temporary name and renamed into place, so a kill
during the first clone never leaves a half-cloned mirror that later runs would
trust. A mirror whose remote URL changed in the metadata is re-cloned.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import CommandError, SourceError
from trunkline.publish.atomic import TMP_PREFIX, temp_sibling
from trunkline.upstream.refs import ORIGIN_FILE, origin_url, remote_unchanged

log = logging.getLogger(__name__)

FETCH_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")


def _clone(url: str, mirror: Path, timeout: float) -> None:
    mirror.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(mirror)
    try:
        # An unreachable URL must fail, not hang: gitcmd's NO_PROMPT never asks.
        gitcmd.NOWHERE.run("clone", "--quiet", "--bare", "--", url, str(tmp), timeout=timeout)
        git = gitcmd.bare(tmp)
        git.run("config", "--replace-all", "remote.origin.fetch", FETCH_REFSPECS[0], timeout=60)
        git.run("config", "--add", "remote.origin.fetch", FETCH_REFSPECS[1])
        (tmp / ORIGIN_FILE).write_text(url + "\n", encoding="utf-8")
        if mirror.exists():
            shutil.rmtree(mirror)
        tmp.rename(mirror)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def remove_stale_locks(mirror: Path) -> int:
    """Delete git lock files a killed git process left in ``mirror``.

    Only safe while the builder lock is held (no other git runs on our mirrors); a
    leftover ``refs/heads/master.lock`` would otherwise fail every later fetch.
    """
    removed = 0
    for pattern in ("*.lock", "refs/**/*.lock"):
        for lock in mirror.glob(pattern):
            lock.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_stale_clones(mirrors: Path) -> int:
    """Delete half-cloned mirrors (temporary names) left by a killed run."""
    removed = 0
    if mirrors.is_dir():
        for entry in mirrors.iterdir():
            if entry.name.startswith(TMP_PREFIX):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
    return removed


def refresh_mirror(url: str, mirror: Path, *, timeout: float = 600.0) -> Path:
    """Clone ``url`` into the bare mirror ``mirror``, or fetch what is new.

    Args:
        url: any URL or path git accepts (``file://`` in tests).
        mirror: the mirror's directory (``.../mirrors/<name>.git``).
        timeout: seconds for the clone or fetch.

    Returns:
        ``mirror``.

    Raises:
        SourceError: the remote cannot be reached or read (git's reason, one line).
    """
    if remote_unchanged(url, mirror):
        return mirror  # the cheap check: a local remote whose refs did not move
    try:
        if (mirror / "HEAD").exists() and origin_url(mirror) == url:
            remove_stale_locks(mirror)
            gitcmd.bare(mirror).run(
                "fetch", "--quiet", "--prune", "--force", "origin", *FETCH_REFSPECS, timeout=timeout
            )
        else:
            if mirror.exists():
                log.info("%s: remote URL changed or mirror broken; cloning again", mirror.name)
            _clone(url, mirror, timeout)
    except CommandError as exc:
        raise SourceError(f"{url}: cannot fetch: {exc.detail}") from None
    return mirror
