"""The questions users ask ``rdopkg info``/``findpkg``: ATTR:REGEX filters and fuzzy lookup.

Filters work like distroinfo's ``filter_pkgs`` (``re.search``, ANDed, any-match
over lists and dict keys such as ``maintainers``, ``tags``, ``buildsys-tags``),
with two fixes: the same attribute may be filtered more than once, and a
negated filter (``tags:~^flamingo$``) matches a package that lacks the
attribute altogether, since it indeed does not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from trunkline.errors import InputError
from trunkline.metadata.model import Package


@dataclass(frozen=True)
class PackageFilter:
    """One ``ATTR:REGEX`` filter.

    Attributes:
        attr: rdoinfo key to look at (``name``, ``maintainers``, ``tags``, ...).
        pattern: compiled regex, searched (not anchored).
        negate: True for ``ATTR:~REGEX``: keep packages that do NOT match.
    """

    attr: str
    pattern: re.Pattern[str]
    negate: bool = False

    def matches(self, raw: dict[str, Any]) -> bool:
        """True when the package record passes this filter."""
        return _value_matches(raw.get(self.attr), self.pattern) != self.negate


def parse_filter(text: str) -> PackageFilter:
    """Parse ``ATTR:REGEX`` / ``ATTR:~REGEX``; a bare word filters on ``name``.

    Raises:
        InputError: the regex does not compile.
    """
    attr, sep, rex = text.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z0-9_-]+", attr):
        # bare regex (it may contain ':' itself, e.g. a URL)
        attr, rex = "name", text
    negate = rex.startswith("~")
    if negate:
        rex = rex[1:]
    try:
        pattern = re.compile(rex)
    except re.error as exc:
        raise InputError(
            f"filter {text!r}: invalid regular expression: {exc} (expected ATTR:REGEX)"
        ) from None
    return PackageFilter(attr, pattern, negate)


def matchable(val: Any) -> list[str]:
    """The strings a filter searches in a value: itself, its string items or dict keys.

    The indexes of :class:`~trunkline.metadata.catalog.Metadata` hold exactly
    these, so an indexed filter and a scan give the same answer.
    """
    if val is None:
        return []
    if isinstance(val, str):
        return [val]
    if isinstance(val, dict | list | tuple | set):
        return [e for e in val if isinstance(e, str)]
    return [str(val)]


def _value_matches(val: Any, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(s) is not None for s in matchable(val))


def filter_packages(packages: Iterable[Package], filters: Sequence[PackageFilter]) -> list[Package]:
    """Packages passing every filter (ANDed), in the given order."""
    return [p for p in packages if all(f.matches(p.raw) for f in filters)]


def strip_project_url(url: str) -> str:
    """Reduce an upstream/distgit URL to a project name as distroinfo does.

    Strips ``scheme://``, a ``.git`` and ``-distgit`` suffix and an ``openstack/`` prefix.
    """
    url = re.sub(r"^[^:]+://", "", url)
    url = url.removesuffix(".git").removesuffix("-distgit")
    if url.startswith("openstack/"):
        url = url.partition("/")[2]
    return url


def find_package(
    packages: Sequence[Package], query: str, *, strict: bool = False
) -> Package | None:
    """Best single match for a name, project or upstream URL (``rdopkg findpkg``).

    Order: exact name; project or stripped upstream URL; then, unless ``strict``,
    a project contained in a URL-looking query, or the query contained in a name.
    """
    for pkg in packages:
        if pkg.name == query:
            return pkg
    ps = strip_project_url(query)
    for pkg in packages:
        if pkg.project.lower() == ps:
            return pkg
        if pkg.upstream and strip_project_url(pkg.upstream) == ps:
            return pkg
    if strict:
        return None
    psl = ps.lower()
    if re.search(r"\W", ps):
        for pkg in packages:
            if pkg.project and pkg.project.lower() in psl:
                return pkg
    for pkg in packages:
        if psl in pkg.name.lower():
            return pkg
    return None
