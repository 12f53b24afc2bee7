"""rdoinfo's ``%(key)s`` substitution, on its own so the warm query path needs no YAML."""

from __future__ import annotations

from typing import Any


def substitute(pkg: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One pass of ``%(key)s`` substitution on top-level strings.

    Returns:
        The substituted record and the keys whose value could not be substituted
        (left as written).
    """
    out = dict(pkg)
    failed: list[str] = []
    for key, val in pkg.items():
        if isinstance(val, str) and "%" in val:
            try:
                out[key] = val % pkg
            except (KeyError, ValueError, TypeError):
                failed.append(key)
    return out, failed
