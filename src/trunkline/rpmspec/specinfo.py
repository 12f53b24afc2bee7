"""What a spec says, as plain data, and which spec file a distgit holds (no rpm needed).

:class:`SpecInfo` is what :func:`trunkline.rpmspec.adapter.spec_info` reads with
rpm; it lives here, apart from rpm and specfile, so that a process that only
receives it (the builder asks the spec helper, ``rpmspec/service.py``) never
loads them. :func:`to_json`/:func:`from_json` carry it over the helper's pipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from trunkline.errors import SpecError

PLACEHOLDER = "XXX"
"""RDO master distgits' ``Version:``/``Release:`` value; DLRN fills in the real ones."""


@dataclass(frozen=True)
class SpecInfo:
    """What a spec file says, raw and with macros expanded.

    Attributes:
        path: the spec file.
        name: the source package name.
        version: Version expanded (``XXX`` in an RDO master distgit).
        release: Release expanded without the dist tag (``0.1.0rc1`` for
            ``0.1%{?milestone}%{?dist}`` with ``%global milestone .0rc1``).
        epoch: Epoch, or None.
        raw_version: the Version tag as written (``%{pypi_version}``).
        raw_release: the Release tag as written (``1%{?dist}``, ``%autorelease``).
        full_release: Release as rpm's header has it (with the dist tag, if defined).
        milestone: the expanded ``%{?milestone}`` (``.0rc1``), or "".
        upstream_version: the upstream version the spec says it packages:
            ``%{upstream_version}`` when the spec defines it, else Version + milestone.
        subpackages: names of the binary packages built (those with a ``%files``), in order.
        buildrequires: BuildRequires with their version constraints, e.g. ``python3-pbr >= 2``.
        requires: Requires of all binary packages, deduplicated, in spec order.
        provides: names every binary package provides.
        sources: (number, expanded location) of every active Source tag.
        patches: (number, expanded location) of every active Patch tag.
        magic: rdopkg's magic comments (``# patches_base=1.0.0``), first of each key.
        autorelease: Release uses rpmautospec's ``%autorelease``.
        autochangelog: ``%changelog`` is rpmautospec's ``%autochangelog``.
    """

    name: str
    version: str
    release: str
    epoch: int | None
    subpackages: tuple[str, ...]
    buildrequires: tuple[str, ...]
    requires: tuple[str, ...]
    sources: tuple[tuple[int, str], ...]
    patches: tuple[tuple[int, str], ...] = ()
    path: Path = Path()
    raw_version: str = ""
    raw_release: str = ""
    full_release: str = ""
    milestone: str = ""
    upstream_version: str = ""
    provides: tuple[str, ...] = ()
    requires_detail: tuple[tuple[str, str, str], ...] = ()
    magic: Mapping[str, str] = field(default_factory=dict)
    autorelease: bool = False
    autochangelog: bool = False

    @property
    def patch_files(self) -> tuple[str, ...]:
        """File names of the patches, in Patch number order."""
        return tuple(location.rsplit("/", 1)[-1] for _, location in self.patches)

    @property
    def vr(self) -> str:
        """``[EPOCH:]VERSION-RELEASE`` without the dist tag (rdopkg's changelog form)."""
        prefix = f"{self.epoch}:" if self.epoch is not None else ""
        return f"{prefix}{self.version}-{self.release}" if self.release else prefix + self.version

    @property
    def nvr(self) -> str:
        """``NAME-VERSION-RELEASE`` without epoch or dist (commit subjects use this)."""
        return f"{self.name}-{self.version}-{self.release}"

    @property
    def placeholder(self) -> bool:
        """Version or Release is RDO master's ``XXX`` (DLRN fills them in at build time)."""
        return PLACEHOLDER in (self.raw_version.strip(), self.raw_release.strip())


def find_spec(directory: Path, package: str | None = None) -> Path:
    """The spec file of a distgit: the only ``*.spec``, else ``<package>.spec``.

    This is the one rule: the builder builds, the build order reads and the
    distgit tools edit the same file.

    Raises:
        SpecError: no spec file, or several and none is ``<package>.spec``.
    """
    specs = sorted(p for p in directory.glob("*.spec") if p.is_file())
    return Path(directory, choose_spec([p.name for p in specs], package, where=directory))


def choose_spec(names: list[str], package: str | None, *, where: Path | str) -> str:
    """:func:`find_spec`'s rule over a list of file names (e.g. ``git ls-tree`` output).

    Raises:
        SpecError: no ``*.spec`` name, or several and none is ``<package>.spec``.
    """
    specs = sorted(n for n in names if n.endswith(".spec"))
    if len(specs) == 1:
        return specs[0]
    if package is not None and f"{package}.spec" in specs:
        return f"{package}.spec"
    if not specs:
        raise SpecError(f"{where}: no *.spec file in the distgit")
    wanted = f" and none is {package}.spec" if package else ""
    raise SpecError(f"{where}: several spec files ({', '.join(specs)}){wanted}")


def to_json(info: SpecInfo) -> dict[str, Any]:
    """``info`` as JSON-ready values (tuples become lists, the path a string)."""
    data = asdict(info)
    data["path"] = str(info.path)
    data["magic"] = dict(info.magic)
    return data


def from_json(data: Mapping[str, Any]) -> SpecInfo:
    """The :class:`SpecInfo` :func:`to_json` gave.

    Raises:
        KeyError / TypeError: ``data`` is not such an object.
    """
    return SpecInfo(
        name=str(data["name"]),
        version=str(data["version"]),
        release=str(data["release"]),
        epoch=None if data["epoch"] is None else int(data["epoch"]),
        subpackages=tuple(data["subpackages"]),
        buildrequires=tuple(data["buildrequires"]),
        requires=tuple(data["requires"]),
        sources=tuple((int(n), str(loc)) for n, loc in data["sources"]),
        patches=tuple((int(n), str(loc)) for n, loc in data["patches"]),
        path=Path(data["path"]),
        raw_version=str(data["raw_version"]),
        raw_release=str(data["raw_release"]),
        full_release=str(data["full_release"]),
        milestone=str(data["milestone"]),
        upstream_version=str(data["upstream_version"]),
        provides=tuple(data["provides"]),
        requires_detail=tuple((str(n), str(o), str(v)) for n, o, v in data["requires_detail"]),
        magic={str(k): str(v) for k, v in data["magic"].items()},
        autorelease=bool(data["autorelease"]),
        autochangelog=bool(data["autochangelog"]),
    )
