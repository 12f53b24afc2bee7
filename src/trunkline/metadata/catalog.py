"""The loaded metadata: packages, releases and the indexes every query goes through.

:class:`Metadata` is built once from a parsed info dict (see ``load.py``) and
cached (see ``cache.py``). It is shaped for the warm path of a CLI call, which
must cost milliseconds: in the cache each package is its own small pickle,
turned into a :class:`Package` only when a query returns it, and the indexes
(rdoinfo key -> matchable value -> package positions, for name, project, conf,
component, maintainers, tags and buildsys-tags) answer names and ``ATTR:REGEX``
filters by matching the few hundred distinct values instead of scanning 1,400
records as distroinfo does.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from typing import Any

from trunkline.errors import MetadataError, UnknownPackageError
from trunkline.metadata.model import Package, Release
from trunkline.metadata.query import (
    PackageFilter,
    filter_packages,
    find_key,
    find_position,
    matchable,
)
from trunkline.metadata.subst import substitute

# rdoinfo keys indexed by value (the ones users filter on).
INDEXED_KEYS = ("name", "project", "conf", "component", "maintainers", "tags", "buildsys-tags")


def apply_release_overrides(pkg: Package, tag: str) -> Package:
    """The package as seen for release ``tag``: its ``tags.<tag>`` overrides on top.

    Like distroinfo's ``apply_tag``, a non-null ``tags.<tag>`` dict is merged onto
    the top level (``source-branch``, ``component``, ...); overridden string
    values get one ``%(key)s`` substitution pass.
    """
    over = pkg.tags.get(tag)
    if not isinstance(over, dict) or not over:
        return pkg
    raw = dict(pkg.raw)
    raw.update(over)
    subst, _ = substitute({k: raw[k] for k in raw})
    for key in over:
        raw[key] = subst[key]
    return Package.from_raw(raw)


class Metadata:
    """A merged rdoinfo database with indexes by name, project, maintainer and tags.

    Attributes:
        releases: releases in file order.
        components: declared component names.
        info: the merged info (``package-configs``, ``package-default``, ...).
        files: relative paths of the files read.
        identity: the content identity it was loaded from (tree hash or path).
    """

    def __init__(self, info: dict[str, Any], files: Sequence[str], identity: str) -> None:
        self.files = list(files)
        self.identity = identity
        self._pkgs: list[Package | None] = [Package.from_raw(raw) for raw in info["packages"]]
        self._blobs: list[bytes] | None = None
        self.releases = [Release.from_raw(r) for r in info["releases"] if isinstance(r, dict)]
        comps = info.get("components") or []
        self.components = [
            str(c.get("name")) for c in comps if isinstance(c, dict) and c.get("name")
        ]
        self.info = {k: v for k, v in info.items() if k not in ("packages", "releases")}
        built = [self._pkg(i) for i in range(len(self._pkgs))]
        self._order = sorted(range(len(built)), key=lambda i: (built[i].name, built[i].project))
        self._rank = {pos: rank for rank, pos in enumerate(self._order)}
        self._by_name: dict[str, list[int]] = {}
        self._index: dict[str, dict[str, list[int]]] = {key: {} for key in INDEXED_KEYS}
        for pos, pkg in enumerate(built):
            self._by_name.setdefault(pkg.name, []).append(pos)
            for key in INDEXED_KEYS:
                idx = self._index[key]
                for value in dict.fromkeys(matchable(pkg.raw.get(key))):
                    idx.setdefault(value, []).append(pos)
        self._releases = {r.name: r for r in self.releases}
        self._find_keys = [find_key(pkg) for pkg in built]

    # --- cache shape -------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k != "_pkgs"}
        if self._blobs is None:
            state["_blobs"] = [
                pickle.dumps(self._pkg(i).raw, protocol=pickle.HIGHEST_PROTOCOL)
                for i in range(len(self._pkgs))
            ]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._pkgs = [None] * len(state["_blobs"])

    def _pkg(self, pos: int) -> Package:
        pkg = self._pkgs[pos]
        if pkg is None:
            assert self._blobs is not None
            raw = pickle.loads(self._blobs[pos])  # noqa: S301 - our own cache entry
            pkg = self._pkgs[pos] = Package.from_raw(raw)
        return pkg

    def _sorted(self, positions: Iterable[int]) -> list[Package]:
        return [self._pkg(i) for i in sorted(set(positions), key=self._rank.__getitem__)]

    # --- lookups -------------------------------------------------------------------

    @property
    def packages(self) -> list[Package]:
        """Every package, sorted by name (then project)."""
        return [self._pkg(i) for i in self._order]

    @property
    def packages_in_file_order(self) -> list[Package]:
        """Every package, in the order the metadata defines them."""
        return [self._pkg(i) for i in range(len(self._pkgs))]

    def __len__(self) -> int:
        """The number of packages."""
        return len(self._pkgs)

    def value_counts(self, key: str) -> dict[str, int]:
        """How many packages have each value of an indexed key (``conf``, ``component``...).

        Raises:
            KeyError: ``key`` is not one of ``INDEXED_KEYS``.
        """
        return {value: len(pos) for value, pos in self._index[key].items()}

    def package(self, name: str) -> Package:
        """The package named ``name`` (the first defined when a name is duplicated).

        Raises:
            UnknownPackageError: no package has that name.
        """
        found = self._by_name.get(name)
        if not found:
            raise UnknownPackageError(f"package {name!r}: not in the metadata (expected a name)")
        return self._pkg(found[0])

    def packages_named(self, name: str) -> list[Package]:
        """Every package with that name (more than one only in broken metadata)."""
        return [self._pkg(i) for i in self._by_name.get(name, ())]

    def by_project(self, project: str) -> Package | None:
        """The package of an rdoinfo ``project``, if any."""
        found = self._index["project"].get(project)
        return self._pkg(found[0]) if found else None

    def by_maintainer(self, email: str) -> list[Package]:
        """Packages listing exactly this maintainer e-mail."""
        return self._sorted(self._index["maintainers"].get(email, ()))

    def by_buildsys_tag(self, tag: str) -> list[Package]:
        """Packages with an NVR in build-system tag ``tag``."""
        found = self._sorted(self._index["buildsys-tags"].get(tag, ()))
        return [p for p in found if tag in p.buildsys_tags]

    def tagged(self, tag: str) -> list[Package]:
        """Packages whose ``tags`` include ``tag`` (no overrides applied), by name."""
        return self._sorted(self._index["tags"].get(tag, ()))

    def tag_names(self) -> list[str]:
        """Every tag some package uses, sorted."""
        return sorted(self._index["tags"])

    def release(self, name: str) -> Release:
        """The release called ``name``.

        Raises:
            MetadataError: no such release.
        """
        try:
            return self._releases[name]
        except KeyError:
            known = ", ".join(self._releases) or "none"
            raise MetadataError(f"release {name!r}: not defined (known: {known})") from None

    def packages_for_release(self, tag: str) -> list[Package]:
        """Packages tagged ``tag``, with that tag's overrides (pin, component, ...) applied."""
        return [apply_release_overrides(p, tag) for p in self.tagged(tag)]

    def with_tag_applied(self, tag: str) -> list[Package]:
        """Every package, with ``tag``'s overrides applied where it has some (``rdopkg -t``)."""
        return [apply_release_overrides(p, tag) for p in self.packages]

    def filter(self, filters: Sequence[PackageFilter], tag: str | None = None) -> list[Package]:
        """Packages passing every ``ATTR:REGEX`` filter, by name.

        Filters on indexed keys match the distinct values of the index; the rest
        are checked on the records the indexed filters left.

        Args:
            filters: the filters, ANDed.
            tag: apply this release tag's overrides first (``rdopkg info -t``); the
                overrides may change any key, so the records are all checked.
        """
        if tag:
            return filter_packages(self.with_tag_applied(tag), filters)
        positions: set[int] | None = None
        rest: list[PackageFilter] = []
        for flt in filters:
            index = self._index.get(flt.attr)
            if index is None:
                rest.append(flt)
                continue
            hits = {i for value, pos in index.items() if flt.pattern.search(value) for i in pos}
            if flt.negate:
                hits = set(range(len(self._pkgs))) - hits
            positions = hits if positions is None else positions & hits
        found = self.packages if positions is None else self._sorted(positions)
        return filter_packages(found, rest) if rest else found

    def find(self, query: str, *, strict: bool = False) -> Package | None:
        """Best match for a name, project or upstream URL (``rdopkg findpkg``)."""
        found = self._by_name.get(query)
        if found:
            return self._pkg(found[0])
        pos = find_position(self._find_keys, query, strict=strict)
        return None if pos is None else self._pkg(pos)

    def releases_of(self, pkg: Package) -> list[Release]:
        """The releases a package is built for (its tags that name a release)."""
        return [r for r in self.releases if r.name in pkg.tags]

    def declared_buildsys_tags(self) -> set[str]:
        """Every CBS tag some release repo declares."""
        return {t for r in self.releases for repo in r.repos for t in repo.buildsys_tags}
