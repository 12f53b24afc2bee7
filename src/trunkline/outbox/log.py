"""The delivery log: outbox messages with their attempts, for ``trunkline outbox list``.

Read-only and bounded (``limit``, newest first), like every query of the schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.db.models import OutboxAttempt, OutboxMessage, OutboxState


@dataclass(frozen=True)
class DeliveryEntry:
    """One outbox message and how its delivery went (times in epoch seconds)."""

    id: int
    message_id: str
    channel: str
    topic: str
    subject: str | None  # the payload's package (ftbfs.*, build.*), if any
    state: str  # pending, delivered, dead
    attempts: int
    created_at: int
    next_attempt_at: int | None  # pending only
    delivered_at: int | None
    last_error: str | None
    last_detail: str | None  # what the last attempt's receiver said (success or not)


def delivery_log(
    session: Session, *, pending_only: bool = False, limit: int = 100
) -> list[DeliveryEntry]:
    """The newest ``limit`` messages (only the pending ones with ``pending_only``)."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if pending_only:
        stmt = stmt.where(OutboxMessage.state == OutboxState.PENDING)
    rows = list(session.scalars(stmt))
    last: dict[int, str] = {}
    if rows:
        attempts = session.execute(
            select(OutboxAttempt.outbox_id, OutboxAttempt.detail)
            .where(OutboxAttempt.outbox_id.in_([r.id for r in rows]))
            .order_by(OutboxAttempt.id)
        )
        last = {int(row[0]): str(row[1]) for row in attempts}
    return [
        DeliveryEntry(
            id=r.id,
            message_id=r.message_id,
            channel=r.channel,
            topic=r.topic,
            subject=_subject(r.payload),
            state=str(r.state),
            attempts=r.attempts,
            created_at=r.created_at,
            next_attempt_at=r.next_attempt_at if r.state == OutboxState.PENDING else None,
            delivered_at=r.delivered_at,
            last_error=r.last_error,
            last_detail=last.get(r.id),
        )
        for r in rows
    ]


def _subject(payload: str) -> str | None:
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    value = body.get("package") if isinstance(body, dict) else None
    return str(value) if value is not None else None
