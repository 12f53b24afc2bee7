"""RPM version comparison, with rpm's own semantics.

Ordering versions is easy to get subtly wrong (``1.0~rc1 < 1.0 < 1.0^post1``,
``1.10 > 1.9``, letters vs digits, epochs), so trunkline never compares versions
itself: everything goes through ``rpm.labelCompare`` of the host's rpm bindings,
which is the reference the repositories' consumers (dnf) use too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import rpm

EVR = tuple[str | int | None, str, str | None]
"""(epoch, version, release); epoch and release may be None (= not given)."""


def _norm(evr: tuple[object, ...]) -> tuple[str, str, str]:
    if len(evr) != 3:
        raise ValueError(f"EVR must be (epoch, version, release), got {evr!r}")
    epoch, version, release = evr
    return (
        "0" if epoch in (None, "") else str(epoch),
        str(version),
        "" if release is None else str(release),
    )


def compare_evr(a: tuple[object, ...], b: tuple[object, ...]) -> int:
    """Compare two (epoch, version, release) triples like rpm does.

    Args:
        a: first triple; a None/empty epoch means 0, a None release means "".
        b: second triple.

    Returns:
        -1 when ``a`` is older, 0 when equal, 1 when ``a`` is newer.

    Raises:
        ValueError: a triple does not have three items.
    """
    result = cast(int, rpm.labelCompare(_norm(a), _norm(b)))
    return (result > 0) - (result < 0)


def compare_versions(a: str, b: str) -> int:
    """Compare two version strings (no epoch, no release) like rpm does.

    Args:
        a: first version, e.g. ``1.0~rc1``.
        b: second version, e.g. ``1.0``.

    Returns:
        -1 when ``a`` is older, 0 when equal, 1 when ``a`` is newer.
    """
    return compare_evr(("0", a, ""), ("0", b, ""))


def newest(versions: Iterable[str]) -> str:
    """The newest of some version strings, by rpm ordering.

    Args:
        versions: version strings; at least one.

    Returns:
        The newest one (the first of equals, as given).

    Raises:
        ValueError: ``versions`` is empty.
    """
    best: str | None = None
    for version in versions:
        if best is None or compare_versions(version, best) > 0:
            best = version
    if best is None:
        raise ValueError("newest() needs at least one version")
    return best
