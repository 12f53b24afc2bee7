"""``commit.yaml``: the build record stored in every hashed repo, in DLRN's shape.

DLRN writes ``{"commits": [<every Commit column as a string>]}``; tools (its remote
import, ``dlrnapi-client``'s users, the rdo infra scripts) read it back, so the keys
and the string-typed values are kept exactly. trunkline's extra columns follow
DLRN's ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from trunkline.db.models import Commit
from trunkline.errors import InputError

DLRN_FIELDS = (
    "id",
    "dt_commit",
    "dt_distro",
    "dt_extended",
    "dt_build",
    "project_name",
    "repo_dir",
    "distgit_dir",
    "commit_hash",
    "distro_hash",
    "extended_hash",
    "commit_branch",
    "status",
    "component",
    "artifacts",
    "notes",
    "flags",
    "type",
    "versions_csv",
)
EXTRA_FIELDS = ("version", "release", "install_status", "unmet_buildrequires")


def _text(value: Any) -> str:
    if value is None:
        return "None"
    return str(value.value) if hasattr(value, "value") else str(value)


def commit_record(row: Commit) -> dict[str, str]:
    """One build row as DLRN's commit.yaml record (every value a string)."""
    return {name: _text(getattr(row, name)) for name in (*DLRN_FIELDS, *EXTRA_FIELDS)}


def commit_yaml_document(rows: Iterable[Commit]) -> str:
    """The ``commit.yaml`` text for ``rows``."""
    doc = {"commits": [commit_record(r) for r in rows]}
    return yaml.dump(doc, Dumper=yaml.CSafeDumper, default_flow_style=False, sort_keys=False)


def parse_commit_yaml(text: str, source: str = "commit.yaml") -> list[Mapping[str, object]]:
    """The records of a ``commit.yaml`` (ours or DLRN's).

    Raises:
        InputError: not YAML, or no ``commits`` list of mappings.
    """
    try:
        doc = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML: {' '.join(str(exc).split())}") from None
    commits = doc.get("commits") if isinstance(doc, dict) else None
    if not isinstance(commits, list) or not all(isinstance(c, dict) for c in commits):
        raise InputError(f"{source}: field 'commits': expected a list of build records")
    return commits
