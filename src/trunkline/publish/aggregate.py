"""Aggregate repo files over components (DLRN's ``use_components`` layout).

With components, every component has its own hashed repos and its own
``component/<c>/current`` (and ``consistent``, and promotion) links. What a user
installs from is the *aggregate*: one ``.repo`` file concatenating the ``.repo``
file each component's link points at. Its md5 is the aggregate hash (DLRN's), it
is stored immutably under ``<name>/<h[:2]>/<h[2:4]>/<h>/`` with a ``.md5`` file and
the concatenated ``versions.csv``, and ``<name>/<file>`` links are swapped to it
atomically. The top-level ``<name>`` is therefore a directory, not a link.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from trunkline.publish.atomic import swap_link, write_file_atomic
from trunkline.publish.layout import aggregate_relpath, check_name, link_dir
from trunkline.publish.versions_csv import HEADER


def aggregate_files(
    repos: Path, reponame: str, name: str, components: Sequence[str]
) -> tuple[str, str]:
    """The aggregate ``.repo`` text and ``versions.csv`` of link ``name`` over ``components``."""
    repo_text = ""
    rows: list[str] = []
    for component in sorted(components):
        base = link_dir(repos, component) / name
        repo_file = base / f"{reponame}.repo"
        if repo_file.is_file():
            repo_text += repo_file.read_text(encoding="utf-8") + "\n"
        csv_file = base / "versions.csv"
        if csv_file.is_file():
            rows.extend(csv_file.read_text(encoding="utf-8").splitlines(keepends=True)[1:])
    return repo_text, ",".join(HEADER) + "\n" + "".join(rows)


def write_aggregate(repos: Path, reponame: str, name: str, components: Sequence[str]) -> str:
    """Write (or reuse) the aggregate of ``name`` and point ``<name>/*`` at it.

    Returns:
        The aggregate hash (md5 of the ``.repo`` text, as DLRN computes it); empty when
        no component has the link yet.
    """
    check_name(name, "link name")
    repo_text, versions = aggregate_files(repos, reponame, name, components)
    if not repo_text:
        return ""  # no component has this link yet: nothing to aggregate
    digest = hashlib.md5(repo_text.encode(), usedforsecurity=False).hexdigest()
    target = repos / aggregate_relpath(name, digest)
    files = {
        f"{reponame}.repo": repo_text,
        f"{reponame}.repo.md5": digest,
        "versions.csv": versions,
    }
    for fname, text in files.items():
        if not (target / fname).is_file():
            write_file_atomic(target / fname, text)
    top = repos / name
    if top.is_symlink():  # a builder that just turned components on: the old link goes
        top.unlink()
    for fname in files:
        swap_link(top / fname, os.path.relpath(target / fname, top))
    return digest
