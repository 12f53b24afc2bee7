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


# What findpkg compares, per package: name, name lowered, project lowered, stripped upstream.
FindKey = tuple[str, str, str, str | None]


def find_key(pkg: Package) -> FindKey:
    """The values :func:`find_position` compares for ``pkg`` (cached by the catalog)."""
    upstream = strip_project_url(pkg.upstream) if pkg.upstream else None
    return (pkg.name, pkg.name.lower(), pkg.project.lower(), upstream)


def find_position(keys: Sequence[FindKey], query: str, *, strict: bool = False) -> int | None:
    """The position of the best single match for a name, project or upstream URL.

    Order (``rdopkg findpkg``): exact name; project or stripped upstream URL; then,
    unless ``strict``, a project contained in a URL-looking query, or the query
    contained in a name. Works on :func:`find_key` tuples so a cached catalog can
    answer without loading every package.
    """
    for pos, key in enumerate(keys):
        if key[0] == query:
            return pos
    ps = strip_project_url(query)
    for pos, (_, _, project, upstream) in enumerate(keys):
        if project == ps or (upstream is not None and upstream == ps):
            return pos
    if strict:
        return None
    psl = ps.lower()
    if re.search(r"\W", ps):
        for pos, key in enumerate(keys):
            if key[2] and key[2] in psl:
                return pos
    for pos, key in enumerate(keys):
        if psl in key[1]:
            return pos
    return None
