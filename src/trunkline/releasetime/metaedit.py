"""The metadata half of ``release new``, through the metadata editor (comments kept).

:class:`ReleaseEditor` adds to :class:`~trunkline.metadata.edit.MetadataEditor`
what release time needs: a release appended to the file holding ``releases``, a
new file (``tags/NAME.yml``, ``buildsys-tags/TAG.yml``) imported where its
siblings are imported (rdoinfo's ``tags.yml`` and ``buildsys-tags.yml``), or by the
``releases`` file when the tree has no such file yet, and a package's tag for the
release with or without a ``source-branch`` pin. ``save()`` validates the whole
edited tree before anything is written, as every edit does.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import PurePosixPath
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from trunkline.errors import MetadataError
from trunkline.metadata.edit import MetadataEditor, _scalar


def _commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel's round-trip types (strings quoted where YAML 1.1 needs)."""
    if isinstance(value, dict):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    if isinstance(value, str):
        return _scalar(value, "value")
    return value


class ReleaseEditor(MetadataEditor):
    """A metadata editor that can add a release, new tag files and release tags."""

    def releases_file(self) -> str:
        """The file whose ``releases`` list holds the releases.

        Raises:
            MetadataError: no file defines releases.
        """
        for rel in self.md.files:
            doc = self._doc(rel)
            if isinstance(doc, dict) and isinstance(doc.get("releases"), list):
                return rel
        raise MetadataError("releases: no metadata file defines a releases list")

    def add_release(self, entry: dict[str, Any]) -> None:
        """Append the release ``entry`` (a plain dict in rdoinfo's keys) to the releases list."""
        self._doc(self.releases_file())["releases"].append(_commented(entry))

    def _importer(self, rel: str) -> str:
        """The file that imports ``rel``'s siblings (``tags/*.yml``), else the releases file."""
        folder = PurePosixPath(rel).parent
        for other in self.md.files:
            doc = self._doc(other)
            imports = doc.get("import") if isinstance(doc, dict) else None
            if not isinstance(imports, list):
                continue
            base = PurePosixPath(other).parent
            for item in imports:
                if isinstance(item, str) and (base / item).parent == folder:
                    return other
        return self.releases_file()

    def ensure_file(self, rel: str) -> bool:
        """Create ``rel`` (``packages: []``) and import it, unless the tree already reads it.

        Returns:
            True when the file is new.
        """
        if rel in self.md.files or rel in self._docs:
            return False
        importer = self._importer(rel)
        doc = self._doc(importer)
        relative = str(PurePosixPath(rel).relative_to(PurePosixPath(importer).parent))
        imports = doc.get("import")
        if imports is None:
            doc.insert(0, "import", CommentedSeq([relative]))
        elif relative not in imports:
            imports.append(relative)
        self._docs[rel] = CommentedMap([("packages", CommentedSeq())])
        return True

    def tag_for_release(self, rel: str, project: str, release: str, ref: str | None) -> None:
        """Tag ``project`` for ``release`` in file ``rel``, pinned to ``ref`` when given."""
        entry = self._entry(rel, project, create=True)
        assert entry is not None
        tags = entry.get("tags")
        if tags is None:
            tags = entry["tags"] = CommentedMap()
        tags[release] = (
            None if ref is None else CommentedMap([("source-branch", _scalar(ref, "ref"))])
        )

    def texts(self) -> dict[str, str]:
        """The new text of every file the edits change (files only read are left out)."""
        out: dict[str, str] = {}
        for rel, text in super().texts().items():
            path = self.root / rel
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                out[rel] = text
        return out

    def save(self, baseline: Collection[tuple[str, ...]] | None = None) -> list[str]:
        """Create the folders of new files, then validate and write (see the base class)."""
        for rel in self._docs:
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        return super().save(baseline)
