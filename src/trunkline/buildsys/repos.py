"""The dnf repo of one phase tag: ``<repos_dir>/stable/<release>/<phase>/``, published atomically.

Each publication stages a new directory beside the published one, hard-links
the tagged builds' binary RPMs into it (copying across filesystems), writes
repodata with the builder's writer reusing the published repo's records
(``--update``: only new RPMs are read), and renames it into place (old or new,
never a mix; ``publish.atomic.staged_dir``). A signed phase also gets
``repodata/repomd.xml.asc``, the public key beside the RPMs and a ``.repo`` file
with ``gpgcheck=1`` and ``repo_gpgcheck=1``; unsigned phases say ``gpgcheck=0``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trunkline.buildsys.signing import PUBKEY_NAME, Signer
from trunkline.publish.atomic import staged_dir, write_file_atomic
from trunkline.publish.repodata import RepodataWriter

HASH_FILE = "repo_hash"  # the content hash CI votes on (buildsys/snapshots.py), one line


@dataclass(frozen=True)
class PhaseRepo:
    """Where one tag's repo is published and how it is reached.

    Attributes:
        tag: the tag (also the ``.repo`` section id).
        path: the published directory.
        url: its public URL (``file://`` when the builder has no baseurl).
    """

    tag: str
    path: Path
    url: str

    @property
    def repo_file(self) -> Path:
        """The ``.repo`` file written inside the repo."""
        return self.path / f"{self.tag}.repo"


def repo_file_text(repo: PhaseRepo, *, signed: bool) -> str:
    """The ``.repo`` section of ``repo``; signed ones check RPM and repodata signatures."""
    lines = [f"[{repo.tag}]", f"name={repo.tag}", f"baseurl={repo.url}", "enabled=1"]
    if signed:
        lines += ["gpgcheck=1", "repo_gpgcheck=1", f"gpgkey={repo.url}/{PUBKEY_NAME}"]
    else:
        lines += ["gpgcheck=0"]
    return "\n".join(lines) + "\n"


def _link(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def published_hash(repo: PhaseRepo) -> str | None:
    """The content hash the published repo was made for (None: never published)."""
    try:
        return (repo.path / HASH_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def publish(
    repo: PhaseRepo,
    rpms: Sequence[Path],
    writer: RepodataWriter,
    *,
    content_hash: str,
    signer: Signer | None = None,
    log_path: Path | None = None,
) -> None:
    """Publish ``rpms`` (binary RPMs, already signed for a signed phase) as ``repo``.

    ``content_hash`` (the tag's content, ``snapshots.repo_hash``) is written to
    ``repo_hash`` inside the repo, so CI can read what it votes on and a stale repo
    (a kill between a tag change and its publication) is recognised.

    Raises:
        PublishError: repodata cannot be written or the rename fails (nothing changed).
        SigningError: the repodata cannot be signed (nothing changed).
    """
    # the published repo stays in place until the rename: its records are reused
    previous = repo.path if (repo.path / "repodata" / "repomd.xml").is_file() else None
    with staged_dir(repo.path) as tmp:
        for rpm_file in rpms:
            _link(rpm_file, tmp / rpm_file.name)
        writer.write(tmp, previous=previous, include_srpm=False, log_path=log_path)
        if signer is not None:
            signer.sign_file(tmp / "repodata" / "repomd.xml")
            write_file_atomic(tmp / PUBKEY_NAME, signer.public_key())
        text = repo_file_text(repo, signed=signer is not None)
        write_file_atomic(tmp / repo.repo_file.name, text)
        write_file_atomic(tmp / HASH_FILE, content_hash + "\n")
