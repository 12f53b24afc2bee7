"""Adding messages to the outbox and reading the ones due for delivery.

A producer calls :func:`enqueue` with the session that records the change, so the
message exists if and only if the change committed. Nothing here sends: that is
``outbox.dispatch``'s job, after commit.

Shapes: ``payload`` is a JSON object (``dict[str, Any]`` of JSON values); times are
epoch seconds (``int``), as every time column of the schema (DLRN's convention).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trunkline.db.models import OutboxMessage, OutboxState
from trunkline.errors import InputError

MAX_CHANNEL = 128
MAX_TOPIC = 256


def new_message_id() -> str:
    """A globally unique message id (UUID4, 32 hex digits) receivers de-duplicate on."""
    return uuid.uuid4().hex


def enqueue(
    session: Session,
    *,
    channel: str,
    topic: str,
    payload: Mapping[str, Any],
    now: int | None = None,
    message_id: str | None = None,
) -> str:
    """Add a message for ``channel`` to the outbox in ``session``'s transaction.

    Args:
        channel: who delivers it: ``mail``, ``review``, ``amqp``, ``webhook:<name>``.
        topic: what happened, dotted (``ftbfs.opened``, ``build.finished``).
        payload: a JSON object; it is serialised now, so later changes to it do not leak.
        now: epoch seconds (tests pass a clock); defaults to the wall clock.
        message_id: a caller-chosen id (to tie several channels' copies of one event
            together, suffix it); a new UUID otherwise.

    Returns:
        The message id.

    Raises:
        InputError: empty or over-long channel/topic, or a payload JSON cannot encode.
    """
    if not channel or len(channel) > MAX_CHANNEL:
        raise InputError(f"outbox channel {channel!r}: expected 1-{MAX_CHANNEL} characters")
    if not topic or len(topic) > MAX_TOPIC:
        raise InputError(f"outbox topic {topic!r}: expected 1-{MAX_TOPIC} characters")
    try:
        body = json.dumps(dict(payload), sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InputError(f"outbox payload of {topic}: not JSON-encodable ({exc})") from None
    when = int(time.time()) if now is None else now
    mid = message_id or new_message_id()
    session.add(
        OutboxMessage(
            message_id=mid,
            channel=channel,
            topic=topic,
            payload=body,
            created_at=when,
            state=OutboxState.PENDING,
            attempts=0,
            next_attempt_at=when,
        )
    )
    return mid


def due_ids(
    session: Session, *, channels: Collection[str], now: int, limit: int = 100
) -> list[int]:
    """Ids of pending messages for ``channels`` whose next attempt is at or before ``now``.

    Oldest first (by id, which is commit order for one writer), so per-package
    order is kept for a receiver that is up.
    """
    if not channels:
        return []
    stmt = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.channel.in_(sorted(channels)),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def pending_count(session: Session, *, channel: str | None = None) -> int:
    """How many messages are still to deliver (all channels, or one)."""
    from sqlalchemy import func

    stmt = select(func.count(OutboxMessage.id)).where(OutboxMessage.state == OutboxState.PENDING)
    if channel is not None:
        stmt = stmt.where(OutboxMessage.channel == channel)
    return int(session.scalar(stmt) or 0)
