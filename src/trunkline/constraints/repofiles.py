"""Repositories named by dnf ``.repo`` files (RDO's report-uc reads ``delorean-deps.repo``).

Each enabled section with a ``baseurl`` becomes ``(section id, first baseurl)``;
a section that only has a ``metalink`` or ``mirrorlist``, or a baseurl with a
dnf variable (``$releasever``), is an error rather than silently skipped: the
report would otherwise compare against fewer repositories than configured.
"""

from __future__ import annotations

import configparser

from trunkline.errors import BuildError, InputError


def repos_of(url: str) -> list[tuple[str, str]]:
    """The ``(repo id, baseurl)`` of the enabled sections of the repo file at ``url``.

    Args:
        url: an ``http(s)://`` or ``file://`` URL, or a path.

    Raises:
        InputError: it cannot be read, is not a repo file, or a section has no usable
            baseurl.
    """
    from trunkline.builder.drivers.mockconfig import check_repo_file, fetch_repo_file

    try:
        text = fetch_repo_file(url)
        check_repo_file(url, text)
    except BuildError as exc:
        raise InputError(f"[uc] repo_files: {exc}") from None
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.read_string(text, source=url)
    out: list[tuple[str, str]] = []
    for section in parser.sections():
        if parser.get(section, "enabled", fallback="1").strip() in ("0", "false", "False", "no"):
            continue
        urls = parser.get(section, "baseurl", fallback="").split()
        if not urls:
            raise InputError(
                f"[uc] repo_files: {url}: [{section}] has no baseurl (expected one; "
                "metalink and mirrorlist are not followed)"
            )
        if "$" in urls[0]:
            raise InputError(
                f"[uc] repo_files: {url}: [{section}] baseurl {urls[0]!r} has a dnf variable "
                "(expected a literal URL)"
            )
        out.append((section, urls[0]))
    return out
