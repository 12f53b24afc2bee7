"""The builder's one Router and one set of Senders: which events go where, who delivers.

The single place features plug their routes and senders into the builder
(``builder/cycle.py`` builds the router once per run and starts one
:class:`~trunkline.outbox.dispatch.OutboxWorker` with the senders).

TODO(lead): at merge, ``build_router`` returns
``Router(notify_routes(settings) + event_routes(settings))`` and ``build_senders``
``{**notify_senders(settings, factory), **event_senders(settings, factory)}``
(wt-notify: ``trunkline.notify``; wt-events). Until then the FTBFS events are routed
to ``mail`` and ``review`` as the contract says, and no sender is configured: the
messages stay pending in the outbox (``deliver_due`` leaves channels without a
sender alone) and are sent once a sender exists.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from trunkline.config import Settings
from trunkline.outbox.dispatch import Sender
from trunkline.outbox.routing import Route, Router

FTBFS_ROUTES = (
    Route("mail", ("ftbfs.*",)),
    Route("review", ("ftbfs.opened", "ftbfs.fixed")),
)


def build_router(settings: Settings) -> Router:
    """The builder's router (see the module doc; TODO(lead): notify_routes + event_routes)."""
    del settings  # TODO(lead): notify_routes(settings) + event_routes(settings)
    return Router(FTBFS_ROUTES)


def build_senders(settings: Settings, factory: sessionmaker[Session]) -> dict[str, Sender]:
    """The builder's senders by channel (TODO(lead): notify_senders + event_senders)."""
    del settings, factory  # TODO(lead): {**notify_senders(s, f), **event_senders(s, f)}
    return {}
