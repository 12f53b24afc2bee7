"""Compare upper-constraints with what the repositories ship (RDO's report-uc, rebuilt).

Per module (:class:`UcRow`): the package providing ``python3dist(<module>)``
(PEP 503 name) in any repository, else the package pymod2pkg names for it
(``module2package(module, "fedora", py_vers=["py3"])``: ``PyYAML`` ->
``python3-pyyaml``); the newest EVR across repositories wins (RDO takes
``.latest()`` over its one sack), ties go to the first repository in the
configured order (the builder's ``current`` first). The status compares the
constrained version with the packaged *version* the way report-uc.py does,
``rpm.labelCompare(("0", uc, ""), ("0", version, ""))``: upper-constraints
versions have no epoch or release, so the package's epoch is shown, not
compared. ``missing`` rows (RDO's dashboard drops them) are kept.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from trunkline.constraints.repos import EVR, RepoIndex, evr_label, newer
from trunkline.constraints.ucfile import Constraint


class UcStatus(enum.StrEnum):
    """How the shipped package compares with upper-constraints (report-uc.py's words)."""

    EQUAL = "equal"
    LOWER = "lower"  # the package is older than upper-constraints
    GREATER = "greater"  # the package is newer than upper-constraints
    MISSING = "missing"  # no repository ships it


@dataclass(frozen=True)
class UcRow:
    """One module of the report.

    Attributes:
        release: the release the constraints are for (report-uc's ``-o``).
        module: the name in upper-constraints.
        uc_version: the constrained version.
        package: the binary package shipping it ("" when missing).
        packaged: its ``[E:]V-R`` ("" when missing).
        repo: the repository it was taken from ("" when missing).
        also: other repositories providing it, in configured order.
        mapped_by: ``python3dist`` or ``pymod2pkg`` ("" when missing).
        status: see :class:`UcStatus`.
    """

    release: str
    module: str
    uc_version: str
    package: str
    packaged: str
    repo: str
    also: tuple[str, ...]
    mapped_by: str
    status: UcStatus

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (``also`` as a list, ``status`` as its value)."""
        out = asdict(self)
        out["also"] = list(self.also)
        out["status"] = self.status.value
        return out


def compare(uc_version: str, version: str) -> UcStatus:
    """report-uc.py's status for a constrained version and a packaged version."""
    import rpm

    cmp = int(rpm.labelCompare(("0", uc_version, ""), ("0", version, "")))
    if cmp > 0:
        return UcStatus.LOWER
    if cmp < 0:
        return UcStatus.GREATER
    return UcStatus.EQUAL


def fallback_name(module: str) -> str:
    """pymod2pkg's Fedora python3 package name for ``module``."""
    import pymod2pkg

    return str(pymod2pkg.module2package(module, "fedora", py_vers=["py3"]))


def _find(
    module: str, indexes: Sequence[RepoIndex], python: str
) -> tuple[list[tuple[str, str, EVR]], str]:
    hits: list[tuple[str, str, EVR]] = []
    for index in indexes:
        found = index.provider(module, python)
        if found is not None:
            hits.append((index.repo, *found))
    if hits:
        return hits, "python3dist"
    name = fallback_name(module)
    for index in indexes:
        evr = index.names.get(name)
        if evr is not None:
            hits.append((index.repo, name, evr))
    return hits, "pymod2pkg" if hits else ""


def build_rows(
    constraints: Iterable[Constraint],
    indexes: Sequence[RepoIndex],
    *,
    release: str,
    python: str,
) -> list[UcRow]:
    """One :class:`UcRow` per constraint, in the constraints' order.

    Args:
        constraints: from :func:`~trunkline.constraints.ucfile.parse_constraints`.
        indexes: the repositories, in priority order.
        release: shown in each row.
        python: the target Python (for ``python3.Ndist`` provides).
    """
    rows: list[UcRow] = []
    for con in constraints:
        hits, how = _find(con.module, indexes, python)
        if not hits:
            rows.append(
                UcRow(release, con.module, con.version, "", "", "", (), "", UcStatus.MISSING)
            )
            continue
        best = hits[0]
        for hit in hits[1:]:
            if newer(hit[2], best[2]):
                best = hit
        also = tuple(h[0] for h in hits if h[0] != best[0])
        rows.append(
            UcRow(
                release=release,
                module=con.module,
                uc_version=con.version,
                package=best[1],
                packaged=evr_label(best[2]),
                repo=best[0],
                also=also,
                mapped_by=how,
                status=compare(con.version, best[2][1]),
            )
        )
    return rows


def counts(rows: Iterable[UcRow]) -> dict[str, int]:
    """Rows per status, every status present (0 when none)."""
    c = Counter(r.status.value for r in rows)
    return {s.value: c.get(s.value, 0) for s in UcStatus}
