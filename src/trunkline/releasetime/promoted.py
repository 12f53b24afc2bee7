"""Which upstream and distgit commits a promoted repo holds, from its ``versions.csv``.

A promotion (``current``, ``consistent`` or a name CI promoted, e.g.
``current-tripleo``) is a link in the repo tree to one hashed repo; that repo's
``versions.csv`` (DLRN's file, :mod:`trunkline.publish.versions_csv`) has one row
per package with the upstream commit (``Source Sha``) and the distgit commit
(``Dist Sha``) of the build the repo holds, and its NVR. A row with an empty NVR
is a package that never built: it is not in the repo.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from trunkline.config import Settings
from trunkline.errors import InputError
from trunkline.publish.layout import check_name
from trunkline.publish.links import read_link
from trunkline.publish.versions_csv import parse_versions_csv


@dataclass(frozen=True)
class BuiltPackage:
    """One package as a promoted repo holds it.

    Attributes:
        name: the source package name.
        source_sha: the upstream commit built (the distgit commit for a distgit-only package).
        dist_sha: the distgit commit built.
        nvr: the SRPM's NVR with the dist tag.
    """

    name: str
    source_sha: str
    dist_sha: str
    nvr: str


@dataclass(frozen=True)
class PromotedRepo:
    """A promotion resolved: its name, the hashed repo it points to, what that repo holds."""

    promotion: str
    relpath: PurePosixPath
    packages: dict[str, BuiltPackage]


def read_promoted(settings: Settings, promotion: str) -> PromotedRepo:
    """Resolve ``promotion`` in the builder's repo tree and read its ``versions.csv``.

    Raises:
        InputError: no such promotion link, or the repo it names has no ``versions.csv``
            (a components builder's aggregate, or a tree that is not trunkline's/DLRN's).
    """
    check_name(promotion, "promotion")
    repos = settings.builder.repos_path
    rel = read_link(repos, promotion)
    if rel is None:
        raise InputError(
            f"--from {promotion!r}: no such promotion in {repos} "
            "(expected current, consistent or a promotion name CI promoted)"
        )
    csv_path = repos / rel / "versions.csv"
    try:
        text = csv_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{csv_path}: cannot read the promoted repo's versions.csv: {exc}"
        ) from None
    packages: dict[str, BuiltPackage] = {}
    for row in parse_versions_csv(text):
        if not row.get("Pkg NVR"):
            continue
        name = row["Project"]
        packages[name] = BuiltPackage(name, row["Source Sha"], row["Dist Sha"], row["Pkg NVR"])
    return PromotedRepo(promotion, rel, packages)


def mirror_paths(settings: Settings, package: str) -> tuple[Path, Path]:
    """The builder's bare mirrors of a package: (upstream, distgit).

    The builder's own naming (``builder/cycle.py``): ``<name>.git`` and ``<name>_distro.git``
    under ``<data_dir>/mirrors``; they hold every commit the builder built.
    """
    base = settings.builder.data_dir / "mirrors"
    name = check_name(package, "package name")
    return base / f"{name}.git", base / f"{name}_distro.git"
