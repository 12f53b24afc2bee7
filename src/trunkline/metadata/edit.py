"""Edits the upper-constraints bot and release tooling make, keeping comments and layout.

Files are edited with ruamel.yaml round-trip (comments, order and quoting kept;
the tags/ and buildsys-tags/ files come back byte-identical apart from the
edit). Edits are collected in a :class:`MetadataEditor` and written by
``save()``, which first re-validates the whole tree with the new texts and
refuses to write if the edits add any error: a batch of 100 pins costs one
validation, not one full reload per pin as releng's ``update_tag`` does.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Collection, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, cast

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from trunkline.errors import InputError, MetadataError, MetadataLoadError, UnknownPackageError
from trunkline.metadata.api import load_metadata
from trunkline.metadata.catalog import Metadata
from trunkline.metadata.fastyaml import FastSafeLoader
from trunkline.metadata.problems import Problem
from trunkline.metadata.validate import validate_tree


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=2, offset=0)
    return y


# "also defined at deps.yml:1568", "set at buildsys-tags/x.yml:4": a place named in a message
_PLACE_LINE = re.compile(r"(\.ya?ml):\d+\b")


def _scalar(value: str, what: str) -> str:
    """``value`` as the editor writes it: quoted when a YAML 1.1 reader would not read it back.

    ruamel writes YAML 1.2, where ``yes``, ``on`` or ``0777`` are plain strings;
    the loader (PyYAML, YAML 1.1, as distroinfo) would read them as a bool or a
    number, so such values are written quoted.

    Raises:
        InputError: a control character or a line break in ``value``.
    """
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise InputError(f"{what} {value!r}: holds a control character (expected one line of text)")
    try:
        plain_ok = yaml.load(value, Loader=FastSafeLoader) == value  # noqa: S506 - safe loader
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else SingleQuotedScalarString(value)


def problem_key(p: Problem) -> tuple[str, str, str, str, str]:
    """A problem without its lines, its own or those its message names.

    Lines shift when entries are inserted, so a problem that was there before an
    edit must compare equal after it.
    """
    return (p.file, p.severity, p.package, p.field, _PLACE_LINE.sub(r"\1", p.message))


_key = problem_key


class MetadataEditor:
    """Collects edits to a metadata directory and writes them after validation.

    Args:
        root: the metadata directory (a work tree; commit the result yourself).
        info_files: entry files, as for ``load_metadata``.
        cache_dir: cache for the model used to resolve names.
    """

    def __init__(
        self,
        root: Path,
        info_files: Sequence[str] = ("rdo-full.yml",),
        cache_dir: Path | None = None,
    ) -> None:
        self.root = root
        self.info_files = tuple(info_files)
        self.md: Metadata = load_metadata(root, info_files=self.info_files, cache_dir=cache_dir)
        self._docs: dict[str, Any] = {}
        self._yaml = _yaml()
        self.errors: list[tuple[str, str, str, str, str]] = []
        self._entries: dict[str, tuple[Any, dict[str, CommentedMap]]] = {}

    # --- locating ------------------------------------------------------------------

    def _project(self, package: str) -> str:
        pkg = self.md.by_project(package)
        if pkg is None:
            named = self.md.packages_named(package)
            if not named:
                raise UnknownPackageError(
                    f"package {package!r}: not in the metadata (expected a name or project)"
                )
            pkg = named[0]
        return pkg.project

    def _doc(self, rel: str) -> Any:
        if rel not in self._docs:
            try:
                self._docs[rel] = self._yaml.load((self.root / rel).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, YAMLError) as exc:
                # the loader read it (YAML 1.1); the round-trip reader (YAML 1.2) may not,
                # e.g. a key written twice in one mapping
                reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
                raise MetadataLoadError(f"{rel}: cannot be edited: {reason}") from None
        return self._docs[rel]

    def _file_named(self, stem: str, *, buildsys: bool) -> str | None:
        for rel in self.md.files:
            path = PurePosixPath(rel)
            if path.stem == stem and (path.parent.name == "buildsys-tags") == buildsys:
                return rel
        return None

    def _entry(self, rel: str, project: str, *, create: bool) -> CommentedMap | None:
        doc = self._doc(rel)
        if doc is None:
            doc = self._docs[rel] = CommentedMap()
        packages = doc.get("packages")
        if packages is None:
            packages = doc["packages"] = CommentedSeq()
        index = self._entries.get(rel)
        if index is None or index[0] is not packages:
            # first entry of a project per file (as the scan it replaces), built once per
            # file: a batch of pins costs one pass over the file, not one per pin
            found: dict[str, CommentedMap] = {}
            for item in packages:
                if isinstance(item, dict) and isinstance(item.get("project"), str):
                    found.setdefault(item["project"], cast(CommentedMap, item))
            index = self._entries[rel] = (packages, found)
        hit = index[1].get(project)
        if hit is not None or not create:
            return hit
        entry = CommentedMap([("project", project)])
        packages.append(entry)
        index[1][project] = entry
        return entry

    def _tag_target(self, project: str, tag: str) -> CommentedMap:
        rel = self._file_named(tag, buildsys=False)
        if rel is not None:
            entry = self._entry(rel, project, create=True)
            assert entry is not None
            return entry
        for rel in self.md.files:
            if PurePosixPath(rel).parent.name == "buildsys-tags":
                continue
            text = (self.root / rel).read_text(encoding="utf-8")
            if f"project: {project}" not in text:
                continue
            entry = self._entry(rel, project, create=False)
            if entry is not None:
                return entry
        raise MetadataError(f"tag {tag!r}: no file to hold it (expected tags/{tag}.yml imported)")

    # --- edits -----------------------------------------------------------------------

    def pin(self, package: str, tag: str, ref: str) -> None:
        """Set ``tags.<tag>.source-branch`` of a package (adding the tag if needed)."""
        self._check_tag(tag)
        entry = self._tag_target(self._project(package), tag)
        tags = entry.setdefault("tags", CommentedMap())
        over = tags.get(tag)
        if not isinstance(over, dict):
            over = tags[tag] = CommentedMap()
        over["source-branch"] = _scalar(ref, "ref")

    def unpin(self, package: str, tag: str) -> None:
        """Drop the ``source-branch`` pin of a package for a tag (the tag stays)."""
        entry = self._tag_target(self._project(package), tag)
        tags = entry.get("tags") or {}
        over = tags.get(tag)
        if not isinstance(over, dict) or "source-branch" not in over:
            raise MetadataError(
                f"package {package!r}: field 'tags.{tag}.source-branch': not pinned "
                "(expected an existing pin)"
            )
        del over["source-branch"]
        if not over:
            tags[tag] = None

    def add_tag(self, package: str, tag: str) -> None:
        """Tag a package for a release (``tags.<tag>: null``); a no-op if already tagged."""
        self._check_tag(tag)
        entry = self._tag_target(self._project(package), tag)
        tags = entry.get("tags")
        if tags is None:
            tags = entry["tags"] = CommentedMap()
        if tag not in tags:
            tags[tag] = None

    def set_nvr(self, package: str, buildsys_tag: str, nvr: str) -> None:
        """Set the NVR of a package in a build-system tag file."""
        rel = self._file_named(buildsys_tag, buildsys=True)
        if rel is None:
            raise MetadataError(
                f"buildsys-tag {buildsys_tag!r}: no file for it "
                f"(expected buildsys-tags/{buildsys_tag}.yml imported)"
            )
        entry = self._entry(rel, self._project(package), create=True)
        assert entry is not None
        btags = entry.get("buildsys-tags")
        if btags is None:
            btags = entry["buildsys-tags"] = CommentedMap()
        btags[buildsys_tag] = _scalar(nvr, "NVR")

    def add_package(
        self,
        project: str,
        conf: str,
        *,
        file: str = "rdo.yml",
        name: str | None = None,
        maintainers: Sequence[str] = (),
    ) -> None:
        """Add a package entry using a ``package-configs`` template."""
        if self.md.by_project(project) is not None:
            raise MetadataError(
                f"package {project!r}: field 'project': already defined (expected a new project)"
            )
        if conf not in (self.md.info.get("package-configs") or {}):
            raise MetadataError(
                f"package {project!r}: field 'conf': unknown conf {conf!r} "
                "(expected a package-configs template)"
            )
        if file not in self.md.files:
            raise MetadataError(
                f"{file}: not a file of this metadata (expected one of "
                f"{', '.join(self.md.files[:5])}, ...)"
            )
        entry = self._entry(file, _scalar(project, "project"), create=True)
        assert entry is not None
        if name:
            entry["name"] = _scalar(name, "name")
        entry["conf"] = _scalar(conf, "conf")
        if maintainers:
            entry["maintainers"] = CommentedSeq([_scalar(m, "maintainer") for m in maintainers])

    def _check_tag(self, tag: str) -> None:
        names = {r.name for r in self.md.releases}
        base = tag.removesuffix("-uc")
        if tag not in names and base not in names and tag not in self.md.tag_names():
            raise MetadataError(
                f"tag {tag!r}: names no release (expected one of "
                f"{', '.join(sorted(names))}, or RELEASE-uc)"
            )

    # --- writing ---------------------------------------------------------------------

    def texts(self) -> dict[str, str]:
        """The new text of every edited file."""
        out: dict[str, str] = {}
        for rel, doc in self._docs.items():
            buf = io.StringIO()
            self._yaml.dump(doc, buf)
            out[rel] = buf.getvalue()
        return out

    def save(self, baseline: Collection[tuple[str, ...]] | None = None) -> list[str]:
        """Validate the edited tree and write the changed files atomically.

        Args:
            baseline: the error keys (:func:`problem_key`) of the tree before the
                edits, when the caller knows them (``uc propose`` caches them per git
                tree); None validates the unedited tree first.

        Returns:
            The relative paths written. ``self.errors`` then holds the error keys
            of the written tree.

        Raises:
            MetadataError: the edits would add a validation error, or a file cannot be
                written (in both cases no file is changed).
        """
        texts = self.texts()
        if not texts:
            return []
        before: set[tuple[str, ...]]
        if baseline is None:
            before = {_key(p) for p in validate_tree(self.root, self.info_files).errors}
        else:
            before = {tuple(k) for k in baseline}
        after = validate_tree(self.root, self.info_files, overrides=texts).errors
        self.errors = [_key(p) for p in after]
        new = [p for p in after if _key(p) not in before]
        if new:
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            raise MetadataError(f"edit refused, it would add: {new[0]}{more}")
        self._write_all(texts)
        self._docs.clear()
        self._entries.clear()
        return list(texts)

    def _write_all(self, texts: dict[str, str]) -> None:
        """Write every file or none: all temporary files first, then rename them in place.

        Raises:
            MetadataError: a temporary file cannot be written (no file is changed, and
                the temporary files are removed).
        """
        temps: list[tuple[str, Path]] = []
        try:
            for rel, text in texts.items():
                target = self.root / rel
                fd, tmp = tempfile.mkstemp(prefix=".edit-", dir=target.parent)
                temps.append((tmp, target))
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                if target.exists():
                    os.chmod(tmp, target.stat().st_mode & 0o7777)
        except OSError as exc:
            for tmp, _ in temps:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            where = temps[-1][1] if temps else self.root
            raise MetadataError(
                f"{where}: cannot write: {exc.strerror or exc} (nothing was changed)"
            ) from None
        for tmp, target in temps:
            os.replace(tmp, target)
