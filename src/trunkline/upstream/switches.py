"""The refs each package followed last cycle, kept between runs so that a switch is told once.

When ``stable/X`` disappears and a package starts following ``unmaintained/X``
(or stays at the ``X-eol`` tag, or falls back to master), the builder says so
once — a warning in the log and a line in ``trunkline build``'s output — not at
every cycle: staying at an end-of-life tag builds nothing, so no new build row
would carry the news. The ledger is a small JSON file in ``data_dir``
(``followed-refs.json``: package -> side -> ``{"wanted": ..., "ref": ...}``),
replaced atomically; a missing or unreadable one is an empty ledger (every
retired ref is then told once more).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline.upstream.branches import FollowedRef, Step

LEDGER_FILE = "followed-refs.json"
log = logging.getLogger(__name__)

_WHY = {
    Step.UNMAINTAINED: "following branch {ref}",
    Step.EOL: "staying at tag {ref} (end of life: nothing new to build)",
    Step.EOM: "staying at tag {ref} (end of maintenance: nothing new to build)",
    Step.MASTER: "following {ref} (builder.fallback_to_master): another release's code",
}


@dataclass(frozen=True)
class RefSwitch:
    """A package's followed ref changed (or is first seen replacing a retired one).

    Attributes:
        package: package name.
        side: ``upstream`` or ``distgit``.
        wanted: the ref the metadata names.
        ref: the ref followed now.
        previous: the ref followed before, None when first seen.
        step: how ``ref`` was reached (``Step.WANTED``: the wanted ref is back).
    """

    package: str
    side: str
    wanted: str
    ref: str
    previous: str | None
    step: Step

    def __str__(self) -> str:
        was = f" (was {self.previous})" if self.previous else ""
        if self.step is Step.WANTED:
            return f"{self.package}: {self.side} {self.wanted} is back, following it{was}"
        why = _WHY[self.step].format(ref=self.ref)
        return f"{self.package}: {self.side} {self.wanted} is gone, {why}{was}"


class RefLedger:
    """The followed refs of every package, as of the last cycle that polled it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LEDGER_FILE
        self._refs: dict[str, dict[str, dict[str, str]]] = self._load()
        self._changed = False

    def _load(self) -> dict[str, dict[str, dict[str, str]]]:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable, starting a new one: %s", self.path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            str(pkg): {
                str(side): {"wanted": str(v.get("wanted", "")), "ref": str(v.get("ref", ""))}
                for side, v in sides.items()
                if isinstance(v, dict)
            }
            for pkg, sides in data.items()
            if isinstance(sides, dict)
        }

    def note(self, package: str, side: str, followed: FollowedRef) -> RefSwitch | None:
        """Remember what ``package`` follows now; return the switch to tell, if any.

        A switch is told when the followed ref changed and the new or the old one
        replaced a retired ref, or, for a package first seen, when it already follows
        a replacement.
        """
        sides = self._refs.setdefault(package, {})
        before = sides.get(side)
        now = {"wanted": followed.wanted, "ref": followed.ref}
        if before != now:
            sides[side] = now
            self._changed = True
        if before is None:
            if not followed.retired:
                return None
            previous = None
        else:
            was_retired = before["ref"] != before["wanted"]
            if before["ref"] == followed.ref or not (followed.retired or was_retired):
                return None
            previous = before["ref"]
        return RefSwitch(package, side, followed.wanted, followed.ref, previous, followed.step)

    def save(self) -> None:
        """Write the ledger atomically (a temp file renamed over the old one), if it changed."""
        if not self._changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{LEDGER_FILE}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self._refs, fh, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
            self._changed = False
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
