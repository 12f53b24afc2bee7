"""Phase repo contents CI votes on, and the rule that gates a promotion.

CI reports a result on a phase repo through the existing API
(``POST /api/report_result`` with ``aggregate_hash``, stored as any aggregate
vote in ``civotes_agg``). The hash names the repo's *content*: the sha256 of
the tag and its sorted NVRs (:func:`repo_hash`), recorded as a
:class:`~trunkline.db.models.StableRepo` each time trunkline changes or shows
the tag. Moving an NVR up one phase needs every job of ``[stable] rules.<phase>``
to have a successful, finished vote on *some* content of the phase below that
held the NVR (the trunk promotions' :func:`~trunkline.promotion.rules.aggregate_rules_met`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.db.models import StableRepo
from trunkline.promotion.rules import aggregate_rules_met


def repo_hash(tag: str, nvrs: Iterable[str]) -> str:
    """sha256 (hex) of ``tag`` and the sorted ``nvrs``, one per line."""
    text = "\n".join([tag, *sorted(set(nvrs))]) + "\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(session: Session, tag: str, nvrs: Iterable[str]) -> str:
    """Record the content ``tag`` has now (once per distinct content); commit; its hash."""
    names = sorted(set(nvrs))
    digest = repo_hash(tag, names)
    if session.get(StableRepo, digest) is None:
        session.add(
            StableRepo(hash=digest, tag=tag, nvrs="\n".join(names), timestamp=int(time.time()))
        )
        session.commit()
    return digest


def rules_hold(session: Session, tag: str, nvr: str, jobs: tuple[str, ...]) -> bool:
    """True if ``jobs`` all passed on some recorded content of ``tag`` holding ``nvr``.

    No jobs: True (a phase without rules needs no vote).
    """
    if not jobs:
        return True
    rows = session.scalars(select(StableRepo).where(StableRepo.tag == tag).limit(10_000))
    return any(
        nvr in row.nvrs.split("\n") and aggregate_rules_met(session, row.hash, jobs) for row in rows
    )
