"""What the last report run saw, so the next one redoes only what changed.

The state is one JSON file in the repo tree (``.report-state.json``): the
highest build id and row count seen, a fingerprint of every page written, and
per package a digest of its summary with its rendered status row and CSV line.
A new run asks the DB only about builds above that id and renders only the
rows whose digest changed; if the row count does not add up (rows were
deleted, e.g. a recheck), or the file is missing, unreadable, or of another
format version, it recomputes everything. Losing the file is therefore always
safe, only slower.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline.publish.atomic import write_chunks_atomic

log = logging.getLogger(__name__)

STATE_FILE = ".report-state.json"
FORMAT = 2


@dataclass(frozen=True, slots=True)
class PackageEntry:
    """The cached status report pieces of one package."""

    digest: str
    failing: bool
    html: str
    csv: str


@dataclass
class ReportState:
    """Mutable bookkeeping of one report tree (working state, not a result).

    Attributes:
        key: what everything depends on besides the DB (version, project name, base URL).
        max_id: the highest build id included.
        count: how many build rows existed then.
        pages: output file name -> fingerprint of the content it was rendered from.
        status_key: what every status row depends on besides its summary (date, URLs).
        packages: package name -> its cached entry, valid for ``status_key``.
    """

    key: str
    max_id: int = 0
    count: int = 0
    pages: dict[str, str] = field(default_factory=dict)
    status_key: str = ""
    packages: dict[str, PackageEntry] = field(default_factory=dict)


def load_state(repos: Path, key: str) -> ReportState | None:
    """The saved state of ``repos``, or None if absent, unreadable or for another ``key``."""
    path = repos / STATE_FILE
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        return ReportState(
            key=key,
            max_id=int(data["max_id"]),
            count=int(data["count"]),
            pages={str(k): str(v) for k, v in data["pages"].items()},
            status_key=str(data["status_key"]),
            packages={
                str(name): PackageEntry(str(d), bool(f), str(h), str(c))
                for name, (d, f, h, c) in data["packages"].items()
            },
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("%s: unusable report state (%s); regenerating everything", path, exc)
        return None


def save_state(repos: Path, state: ReportState) -> None:
    """Write the state atomically."""
    data = {
        "format": FORMAT,
        "key": state.key,
        "max_id": state.max_id,
        "count": state.count,
        "pages": state.pages,
        "status_key": state.status_key,
        "packages": {n: (e.digest, e.failing, e.html, e.csv) for n, e in state.packages.items()},
    }
    encoder = json.JSONEncoder(separators=(",", ":"))
    write_chunks_atomic(repos / STATE_FILE, encoder.iterencode(data))
