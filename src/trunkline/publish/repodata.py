"""Repodata of a hashed repo, by the ``createrepo_c`` CLI, reusing the previous repo's.

A new hashed repo holds one new build and links to the newest RPMs of every
other package: all but a handful of its packages are already described in the
previous repo's metadata. ``--update --update-md-path <previous>/repodata`` makes
createrepo_c reuse those records (matched by file name, size and mtime, which
links preserve) instead of re-reading every RPM — DLRN re-scans them all.
"""

from __future__ import annotations

from pathlib import Path

from trunkline.errors import CommandError, PublishError
from trunkline.process import run


def createrepo(
    repo: Path,
    *,
    previous: Path | None = None,
    include_srpm: bool = True,
    log_path: Path | None = None,
    timeout: float = 1800.0,
) -> None:
    """Write ``repo/repodata`` for the RPMs (files and links) in ``repo``.

    Args:
        repo: the staged repo directory.
        previous: a published repo whose ``repodata`` may be reused.
        include_srpm: index source RPMs too (DLRN does).
        log_path: where the command is logged.
        timeout: seconds.

    Raises:
        PublishError: createrepo_c failed.
    """
    argv = ["createrepo_c", "--quiet", "--no-database", "--workers", "2"]
    if previous is not None and (previous / "repodata" / "repomd.xml").is_file():
        argv += ["--update", "--update-md-path", str(previous / "repodata")]
    if not include_srpm:
        argv += ["--excludes", "*.src.rpm"]
    try:
        run([*argv, str(repo)], timeout=timeout, log_path=log_path)
    except CommandError as exc:
        raise PublishError(f"{repo.name}: createrepo_c failed: {exc.detail}") from None
