"""The routes a builder with mail and review configured has, without configuring them.

The lifecycle tests look at what is enqueued, not at delivery, so they route the
FTBFS topics as ``[notify]`` would (its own topic lists) and pass no sender.
"""

from __future__ import annotations

from trunkline.notify import MAIL_TOPICS, REVIEW_TOPICS
from trunkline.outbox.routing import Route, Router


def ftbfs_router() -> Router:
    """``mail`` for every ``ftbfs.*`` topic with a mail, ``review`` for opened/fixed."""
    return Router([Route("mail", MAIL_TOPICS), Route("review", REVIEW_TOPICS)])
