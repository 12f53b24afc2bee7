"""``commit.yaml`` (exactly DLRN's build record) and ``trunkline.yaml`` (our extra facts).

DLRN 0.26.1 writes ``commit.yaml`` with ``saveYAML_commit`` (dlrn/utils.py):
``{"commits": [{<column>: str(value)}]}`` over the 19 columns of its ``Commit``
table, dumped by ``yaml.dump(default_flow_style=False)`` (keys sorted). Its
readers -- ``loadYAML_list`` in ``dlrn-remote`` and DLRN's ``/api/remote/import``
-- call ``Commit(**record)``, so one key more (``version``...) raises
``TypeError``. ``artifacts`` of a SUCCESS build lists its own RPMs as
``repos/<build dir>/<file>`` (relative to DLRN's datadir; an importer downloads
each basename from the repo URL and writes it to ``<datadir>/<path>``); a build
without RPMs has ``None``. So this file holds exactly those keys and values,
and the facts trunkline adds (version, release, unmet BuildRequires, retries,
build time, where the build came from) go to ``trunkline.yaml`` beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from trunkline.db.models import Commit
from trunkline.errors import InputError
from trunkline.publish.layout import check_name

COMMIT_FILE = "commit.yaml"
EXTRA_FILE = "trunkline.yaml"
# dlrn/db.py ``Commit`` columns (0.26.1); saveYAML_commit writes every one, nothing else.
DLRN_FIELDS = (
    "id",
    "type",
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
    "versions_csv",
)
# DLRN's artifact paths are relative to its datadir, whose ``repos/`` is our repo tree.
ARTIFACT_PREFIX = "repos/"


def _text(value: Any) -> str:
    """``str(value)`` as DLRN's ``saveYAML_commit`` does (enums give their value)."""
    if value is None:
        return "None"
    return str(value.value) if hasattr(value, "value") else str(value)


def dlrn_artifacts(artifacts: Sequence[str]) -> str | None:
    """Repo-relative artifact paths as DLRN's ``artifacts`` column (``None`` if empty)."""
    return ",".join(ARTIFACT_PREFIX + a for a in artifacts) or None


def commit_record(row: Commit, component: str | None) -> dict[str, str]:
    """One build row as DLRN's ``commit.yaml`` record: its 19 keys, every value a string.

    Args:
        row: the build row, with ``artifacts`` already set (repo-relative paths).
        component: the component the build is published under (``None`` when the
            builder does not use components -- DLRN then records none either, and
            its importers place the build by it).
    """
    record = {name: _text(getattr(row, name)) for name in DLRN_FIELDS}
    record["component"] = _text(component)
    record["artifacts"] = _text(dlrn_artifacts(row.artifact_list))
    return record


def _dump(doc: object) -> str:
    return yaml.dump(doc, Dumper=yaml.CSafeDumper, default_flow_style=False, sort_keys=True)


def commit_yaml_document(row: Commit, component: str | None) -> str:
    """The ``commit.yaml`` text for one build (see :func:`commit_record`)."""
    return _dump({"commits": [commit_record(row, component)]})


@dataclass(frozen=True)
class ExtraFacts:
    """What trunkline knows about a build beyond DLRN's record (``trunkline.yaml``).

    Attributes:
        version / release: the package's Version and Release (without dist tag).
        unmet_buildrequires: BuildRequires no repo provided (space-separated names).
        retries: RETRY rows before this build.
        build_seconds: wall time of the build.
        origin: ``local`` or ``import``.
    """

    version: str | None
    release: str | None
    unmet_buildrequires: str
    retries: int
    build_seconds: float
    origin: str


def extra_yaml_document(facts: ExtraFacts) -> str:
    """The ``trunkline.yaml`` text: ``{"build": {<field>: value}}`` (typed values)."""
    return _dump(
        {
            "build": {
                "version": facts.version,
                "release": facts.release,
                "unmet_buildrequires": facts.unmet_buildrequires,
                "retries": facts.retries,
                "build_seconds": round(facts.build_seconds, 3),
                "origin": facts.origin,
            }
        }
    )


def parse_commit_yaml(text: str, source: str = COMMIT_FILE) -> list[Mapping[str, object]]:
    """The records of a ``commit.yaml`` (DLRN's, ours, or an older trunkline's with extra keys).

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


def record_artifacts(record: Mapping[str, object], source: str = COMMIT_FILE) -> tuple[str, ...]:
    """The file names a record's ``artifacts`` lists (DLRN downloads each basename).

    Raises:
        InputError: a name is not a plain ``*.rpm`` file name (UnsafeNameError if it
            could escape the download directory).
    """
    value = record.get("artifacts", record.get("rpms"))  # ``rpms``: DLRN's old synonym
    names = []
    for path in str(value or "").split(","):
        name = path.strip().rsplit("/", 1)[-1]
        if not name or name == "None":
            continue
        if not name.endswith(".rpm") or name.startswith("."):
            raise InputError(f"{source}: field 'artifacts': {path!r} is not an RPM file name")
        names.append(check_name(name, "artifact"))
    return tuple(names)
