"""``new-version``'s Source update: the new tarball and the lookaside ``sources`` file, offline.

Fedora and CentOS distgits keep the tarball out of git: a ``sources`` file lists
it as ``SHA512 (name-1.2.0.tar.gz) = <hex>`` and ``.gitignore`` names it.
fedpkg downloads the new tarball to fill these; trunkline makes it from the
upstream tag already fetched into the distgit (``git archive
--prefix=<top>/``), so ``new-version`` needs no network. The file name and top
directory come from ``Source0`` expanded by rpm after the new Version is set
(``foo-%{upstream_version}.tar.gz`` → ``foo-1.2.0.tar.gz``, top ``foo-1.2.0``).
A Source0 that spells the old version literally is rewritten first. RDO's
distgits keep a ``sources`` file holding only ``#`` comments (their tarballs
come from tarballs.openstack.org): it lists nothing, so it is left alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from trunkline import gitcmd
from trunkline.errors import InputError, SpecError
from trunkline.rpmspec import adapter, editor

SOURCES_FILE = "sources"
# archive suffix -> git archive format and the compressor git needs configured for it
_FORMATS = {
    ".tar.gz": ("tar.gz", None),
    ".tgz": ("tgz", None),
    ".tar.xz": ("tar.xz", "xz -c"),
    ".tar.bz2": ("tar.bz2", "bzip2 -c"),
    ".tar.zst": ("tar.zst", "zstd -c -q"),
    ".tar": ("tar", None),
    ".zip": ("zip", None),
}
_BSD_LINE = re.compile(r"^(?P<algo>[A-Z0-9]+) \((?P<name>[^)]+)\) = (?P<hash>[0-9a-fA-F]+)$")
_OLD_LINE = re.compile(r"^(?P<hash>[0-9a-fA-F]{32,128})\s+(?P<name>\S+)$")


@dataclass(frozen=True)
class SourcesUpdate:
    """What ``new-version`` did to the Sources of a distgit."""

    source0: str  # Source0 as rpm expands it with the new Version
    source0_rewritten: bool  # a literal version in Source0 was replaced
    tarball: Path | None = None  # written next to the spec (None without a sources file)
    sha512: str = ""
    created: bool = False  # the tarball did not exist before
    gitignore_added: bool = False


def expanded_source0(spec_path: Path) -> str:
    """``Source0`` with rpm macros expanded.

    Raises:
        SpecError: the spec cannot be parsed or has no Source0.
    """
    info = adapter.read_spec(spec_path)
    for number, location in info.sources:
        if number == 0:
            return location
    raise SpecError(f"{spec_path}: no Source0 to make the tarball name from")


def archive_layout(spec_path: Path, source0: str) -> tuple[str, str, str]:
    """(file name, top directory, git archive format) for an expanded Source0.

    Raises:
        SpecError: Source0 does not name an archive git can write.
    """
    name = source0.rsplit("/", 1)[-1].split("#", 1)[0]
    for suffix, (fmt, _) in _FORMATS.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return name, name[: -len(suffix)], fmt
    known = ", ".join(_FORMATS)
    raise SpecError(f"{spec_path}: Source0 '{name}' is not an archive git can write ({known})")


def write_tarball(repo: Path, tag: str, dest: Path, top: str, fmt: str) -> str:
    """``git archive`` the tag as ``dest`` with every path under ``top/``; returns its SHA512."""
    compressor = next(c for f, c in _FORMATS.values() if f == fmt)
    config = ["-c", f"tar.{fmt}.command={compressor}"] if compressor else []
    tmp = dest.with_name(f".{dest.name}.tmp")
    try:
        gitcmd.checkout(repo).output(
            *config, "archive", f"--format={fmt}", f"--prefix={top}/", "-o", str(tmp), tag
        )
    except Exception:
        tmp.unlink(missing_ok=True)  # never leave half an archive behind
        raise
    tmp.replace(dest)
    digest = hashlib.sha512()
    with dest.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rewrite_sources(path: Path, old_name: str, new_name: str, sha512: str) -> None:
    """Replace ``old_name``'s line of a ``sources`` file by ``SHA512 (new_name) = hash``.

    Other lines (signatures, extra sources) are kept; without a line for
    ``old_name`` the new one is appended.

    Raises:
        InputError: a line is in neither the ``ALGO (file) = hash`` nor the ``hash  file`` form.
    """
    new_line = f"SHA512 ({new_name}) = {sha512}"
    lines: list[str] = []
    replaced = False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            if line.strip():
                lines.append(line)
            continue
        match = _BSD_LINE.match(line) or _OLD_LINE.match(line)
        if match is None:
            raise InputError(f"{path}:{number}: expected 'SHA512 (FILE) = HASH', got {line!r}")
        if match.group("name") in (old_name, new_name):
            if not replaced:
                lines.append(new_line)
            replaced = True
        else:
            lines.append(line)
    if not replaced:
        lines.append(new_line)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def _ignores_tarballs(gitignore: Path) -> bool:
    """True when ``.gitignore`` lists archives (Fedora style: one ``/name-V.tar.gz`` per line)."""
    for line in gitignore.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#") and entry.endswith(tuple(_FORMATS)):
            return True
    return False


def ignore_tarball(repo: Path, name: str) -> bool:
    """Append ``/name`` to ``.gitignore`` when it lists tarballs and does not cover ``name``.

    Returns:
        True when ``.gitignore`` was changed.
    """
    gitignore = repo / ".gitignore"
    if not gitignore.is_file() or not _ignores_tarballs(gitignore):
        return False
    if gitcmd.checkout(repo).run("check-ignore", "--quiet", "--", name, check=False).ok:
        return False
    text = gitignore.read_text(encoding="utf-8")
    gitignore.write_text(
        text + ("" if not text or text.endswith("\n") else "\n") + f"/{name}\n", encoding="utf-8"
    )
    return True


def old_tarball_name(repo: Path, spec_path: Path) -> str | None:
    """The tarball the ``sources`` file has now (None without a ``sources`` file)."""
    path = repo / SOURCES_FILE
    if not path.is_file():
        return None
    try:
        entries = [
            ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()[:1] not in "#"
        ]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from None
    if not entries:
        return None  # comments only (RDO): no lookaside tarball to replace
    return archive_layout(spec_path, expanded_source0(spec_path))[0]


def update_sources(
    repo: Path,
    spec_path: Path,
    *,
    old_version: str,
    new_version: str,
    tag: str,
    old_name: str | None,
) -> SourcesUpdate:
    """After Version is set: fix a literal Source0, then write the tarball and ``sources``.

    Args:
        repo: the distgit checkout.
        spec_path: its spec, already at ``new_version``.
        old_version: the Version before (a literal copy in Source0 gets replaced).
        new_version: the new Version.
        tag: the upstream tag to archive.
        old_name: the tarball ``sources`` listed (:func:`old_tarball_name`), None when
            the distgit has no ``sources`` file: then no tarball is made.

    Raises:
        SpecError: Source0 is missing or not an archive name.
        InputError: the ``sources`` file is malformed.
    """
    rewritten = editor.replace_version_in_source(spec_path, old_version, new_version) is not None
    if old_name is None:
        return SourcesUpdate(source0="", source0_rewritten=rewritten)
    source0 = expanded_source0(spec_path)
    name, top, fmt = archive_layout(spec_path, source0)
    dest = repo / name
    created = not dest.exists()
    sha512 = write_tarball(repo, tag, dest, top, fmt)
    try:
        rewrite_sources(repo / SOURCES_FILE, old_name, name, sha512)
        added = ignore_tarball(repo, name)
    except Exception:
        if created:
            dest.unlink(missing_ok=True)
        raise
    return SourcesUpdate(source0, rewritten, dest, sha512, created, added)
