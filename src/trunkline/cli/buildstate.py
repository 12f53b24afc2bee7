"""``build --status`` and ``build --recheck``: read or reset the last build of packages.

Both are DLRN's (``dlrn/shell.py`` ``main``): ``--status`` prints ``TYPE NAME
STATUS`` for the newest build of each package, whatever its status, RETRY
included (DLRN calls ``getLastProcessedCommit`` with ``not_status='invalid
status'``), ``NO_BUILD`` when there is none, and exits; ``--recheck`` makes the
newest non-RETRY build of each named package be built again on the next run, and
exits. DLRN deletes that row; here it is marked RETRY with ``FLAG_RECHECKED``, so
the history stays and ``--status`` skips it as DLRN, having deleted it, does. (A
RETRY from the API's ``recheck_package``, which DLRN also keeps, is shown.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from trunkline.builder.cycle import CycleOptions, select_packages
from trunkline.config import Settings
from trunkline.db import api_queries, queries
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import FLAG_RECHECKED, BuildStatus
from trunkline.errors import InputError
from trunkline.metadata.sources import FollowedPackage, make_source

NO_BUILD = "NO_BUILD"


@dataclass(frozen=True)
class PackageState:
    """One line of ``--status``: the package's newest build (see the module doc).

    Attributes:
        type: the build type (``rpm``, the only one trunkline builds).
        package: the package name.
        status: ``SUCCESS``, ``FAILED``, ``RETRY`` or ``NO_BUILD``.
        commit_hash / distro_hash: that build's pair ('' with ``NO_BUILD``).
    """

    type: str
    package: str
    status: str
    commit_hash: str
    distro_hash: str

    def line(self) -> str:
        """DLRN's line: the type right-aligned on 9 columns, the name, the status."""
        return f"{self.type:>9} {self.package} {self.status}"

    def as_json(self) -> dict[str, str]:
        """The fields as a JSON object."""
        return asdict(self)


def selected(
    settings: Settings, packages: tuple[str, ...], projects: tuple[str, ...]
) -> list[FollowedPackage]:
    """The followed packages named by ``--package`` (in that order, as DLRN prints
    them) or ``--project-name`` (none: all; both in the metadata's order, as DLRN's
    rdoinfo driver lists them), chosen as a build cycle chooses them.

    Raises:
        UnknownPackageError: a name or project matches no followed package.
        InputError: both selections are given.
    """
    options = CycleOptions(packages=packages, projects=projects)
    return select_packages(make_source(settings).packages(), options)


def package_states(settings: Settings, pkgs: list[FollowedPackage]) -> list[PackageState]:
    """The newest build of each of ``pkgs`` not rechecked from the CLI, in their order."""
    factory = session_factory(open_database(settings.database_url))
    with factory() as session:
        last = queries.latest_per_project_as_dlrn_sees(session)
    states = []
    for pkg in pkgs:
        row = last.get(pkg.name)
        if row is None:
            states.append(PackageState("rpm", pkg.name, NO_BUILD, "", ""))
        else:
            status = row.status.value
            states.append(PackageState("rpm", pkg.name, status, row.commit_hash, row.distro_hash))
    return states


def recheck(settings: Settings, pkgs: list[FollowedPackage], force: bool) -> list[str]:
    """Mark the newest non-RETRY build of each of ``pkgs`` RETRY; return one line per package.

    A FAILED build is always rechecked; a SUCCESS one only with ``force`` (DLRN
    ``--force-recheck``, which DLRN also gates behind ``allow_force_rechecks``).
    Nothing is changed unless every package can be rechecked.

    Raises:
        InputError: a package has no build, or its last build succeeded and not
            ``force``; names every such package.
    """
    factory = session_factory(open_database(settings.database_url))
    problems = []
    with factory() as session:
        builds = [(pkg.name, api_queries.last_processed_build(session, pkg.name)) for pkg in pkgs]
        for name, build in builds:
            if build is None:
                problems.append(f"{name}: no build to recheck")
            elif build.status is BuildStatus.SUCCESS and not force:
                problems.append(f"{name}: last build succeeded (use --force-recheck)")
        if problems:
            raise InputError(f"--recheck: {'; '.join(problems)}")
        lines = []
        for name, build in builds:
            if build is None:  # refused above
                continue
            lines.append(f"rechecked {name} {build.commit_hash[:8]} (was {build.status.value})")
            build.status = BuildStatus.RETRY
            build.flags = (build.flags or 0) | FLAG_RECHECKED
        session.commit()
    return lines
