"""Which channels a topic goes to: one ``emit`` per state change, one outbox row per channel.

Producers (the build recorder, the FTBFS lifecycle, the API's votes and
promotions) call :meth:`Router.emit` with the session of the change; each feature
contributes :class:`Route` s from its config section (``[notify]`` routes
``ftbfs.*`` to ``mail`` and ``review``; ``[events]`` routes everything to
``amqp`` and the topics a webhook subscribes to ``webhook:<name>``). A router
with no routes enqueues nothing, so a builder without notifications pays one
function call per change.

Topics are dotted, ``<subject>.<verb>``: ``build.queued``, ``build.started``,
``build.finished``, ``repo.published``, ``promotion.moved`` (``current``,
``consistent`` and named promotions), ``ftbfs.opened``, ``ftbfs.culprit``,
``ftbfs.fixed``, ``vote.received``. Patterns are :func:`fnmatch.fnmatchcase`
globs (``ftbfs.*``, ``*``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from trunkline.outbox.store import enqueue, new_message_id


@dataclass(frozen=True)
class Route:
    """Send topics matching any of ``patterns`` to ``channel``."""

    channel: str
    patterns: tuple[str, ...]

    def wants(self, topic: str) -> bool:
        """True when ``topic`` matches one of the patterns."""
        return any(fnmatch.fnmatchcase(topic, p) for p in self.patterns)


class Router:
    """Fans one event out to the outbox rows of every channel that wants its topic."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self.routes: tuple[Route, ...] = tuple(routes)

    def channels(self, topic: str) -> list[str]:
        """The channels ``topic`` goes to, in route order, each once."""
        seen: list[str] = []
        for route in self.routes:
            if route.channel not in seen and route.wants(topic):
                seen.append(route.channel)
        return seen

    def emit(
        self,
        session: Session,
        topic: str,
        payload: Mapping[str, Any],
        *,
        now: int | None = None,
    ) -> list[str]:
        """Enqueue ``payload`` under ``topic`` for each channel that wants it.

        Every copy carries ``event_id`` (the same for all channels) beside its own
        message id, so a consumer of several channels can tie them together.

        Returns:
            The message ids enqueued (empty when no route wants the topic).
        """
        channels = self.channels(topic)
        if not channels:
            return []
        body = {**payload, "event_id": new_message_id()}
        return [
            enqueue(session, channel=channel, topic=topic, payload=body, now=now)
            for channel in channels
        ]
