"""The dnf ``.repo`` file of a hashed repo (DLRN's ``delorean.repo``)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


def repo_file_text(
    *,
    repo_id: str,
    title: str,
    relpath: PurePosixPath,
    baseurl: str,
    repos_root: Path,
    priority: int = 1,
) -> str:
    """The ``[repo_id]`` section pointing at ``relpath`` under ``baseurl``.

    An empty ``baseurl`` gives a ``file://`` URL of the published directory, so a
    local builder's repos install with dnf as they are.
    """
    url = (
        f"{baseurl.rstrip('/')}/{relpath}"
        if baseurl
        else (repos_root / relpath).absolute().as_uri()
    )
    return f"[{repo_id}]\nname={title}\nbaseurl={url}\nenabled=1\ngpgcheck=0\npriority={priority}\n"
