"""Notifications on FTBFS: mails and distgit reviews, delivered through the outbox.

The producer (the FTBFS lifecycle) emits ``ftbfs.opened``, ``ftbfs.culprit`` and
``ftbfs.fixed`` through a :class:`~trunkline.outbox.routing.Router`; this package
says which channels want them (:func:`notify_routes`) and builds the senders
that deliver them (:func:`notify_senders`), from ``[notify]`` only:

* ``mail`` (when ``smtp_server`` is set): every ``ftbfs.*`` topic, :mod:`.mail`;
* ``review`` (when ``review = "gerrit"`` or ``"git"``): ``ftbfs.opened`` (push a
  change) and ``ftbfs.fixed`` (abandon it unless it was merged), :mod:`.review`,
  with the driver :mod:`.gerrit` (Gerrit's REST) or :mod:`.gitreview` (a plain git
  remote).

A builder without ``[notify]`` gets no route, so nothing is enqueued.
:func:`notify_retry_policy` is the backoff of these channels (``[notify] retry_*``);
:func:`notify_worker` is the :class:`~trunkline.outbox.dispatch.OutboxWorker` that
delivers them with it. ``deliver_due`` only picks the channels of its senders, so
this worker and the one of ``[events]`` (its own ``retry_*``) run side by side
without sharing a policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trunkline.outbox.dispatch import OutboxWorker, RetryPolicy, Sender
from trunkline.outbox.routing import Route

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from trunkline.config import Settings
    from trunkline.notify.mail import SmtpTransport
    from trunkline.notify.review import ReviewDriver

MAIL_TOPICS = ("ftbfs.opened", "ftbfs.culprit", "ftbfs.fixed")
REVIEW_TOPICS = ("ftbfs.opened", "ftbfs.fixed")


def notify_routes(settings: Settings) -> list[Route]:
    """The routes of the configured channels (none without ``[notify]``)."""
    n = settings.notify
    routes: list[Route] = []
    if n.smtp_server.strip():
        routes.append(Route("mail", MAIL_TOPICS))
    if n.review != "none":
        routes.append(Route("review", REVIEW_TOPICS))
    return routes


def notify_retry_policy(settings: Settings) -> RetryPolicy:
    """The outbox backoff of ``[notify] retry_base_seconds``, ``_cap_seconds`` and so on."""
    n = settings.notify
    return RetryPolicy(
        base_seconds=n.retry_base_seconds,
        cap_seconds=n.retry_cap_seconds,
        max_attempts=n.retry_max_attempts,
    )


def smtp_transport(settings: Settings) -> SmtpTransport:
    """The SMTP connection settings of ``[notify]`` (password read now).

    Raises:
        ConfigError: the password file or variable is unreadable or empty.
    """
    from trunkline.notify.mail import SmtpTransport
    from trunkline.notify.secret import read_password

    n = settings.notify
    password = read_password(
        "notify.smtp_password", path=n.smtp_password_file, env_name=n.smtp_password_env
    )
    return SmtpTransport(
        server=n.smtp_server,
        port=n.smtp_port,
        tls=n.smtp_tls,
        ca_file=n.smtp_ca_file,
        user=n.smtp_user,
        password=password,
        timeout=n.timeout,
    )


def _review_author(settings: Settings) -> tuple[str, str]:
    from trunkline.config import AUTHOR

    found = AUTHOR.fullmatch(settings.notify.gerrit.author)
    if found:
        return found[1], found[2]
    return settings.builder.name, settings.notify.mail_from


def notify_senders(settings: Settings, factory: sessionmaker[Session]) -> dict[str, Sender]:
    """The senders of the channels :func:`notify_routes` routes to, by channel name.

    Raises:
        ConfigError: a password file or variable named in ``[notify]`` is unusable.
    """
    n = settings.notify
    senders: dict[str, Sender] = {}
    if n.smtp_server.strip():
        from trunkline.notify.mail import MailSender
        from trunkline.notify.mailbody import Recipients

        senders["mail"] = MailSender(
            transport=smtp_transport(settings),
            mail_from=n.mail_from,
            recipients=Recipients(
                builder_list=n.recipients,
                mail_maintainers=n.mail_maintainers,
                opt_out=frozenset(n.opt_out),
            ),
        )
    if n.review != "none":
        from trunkline.notify.review import ReviewSender

        senders["review"] = ReviewSender(
            driver=_review_driver(settings),
            factory=factory,
            topic=n.gerrit.topic or settings.builder.name,
            author=_review_author(settings),
        )
    return senders


def _review_driver(settings: Settings) -> ReviewDriver:
    """The driver of ``[notify] review`` (``gerrit`` or ``git``), imported when configured.

    Raises:
        ConfigError: the Gerrit password file or variable is unusable.
    """
    n = settings.notify
    if n.review == "git":
        from trunkline.notify.gitreview import GitReviewDriver

        return GitReviewDriver(git_timeout=settings.builder.git_timeout)
    from trunkline.notify.gerrit import GerritDriver
    from trunkline.notify.secret import read_password

    g = n.gerrit
    return GerritDriver(
        url=g.url,
        user=g.user,
        password=read_password(
            "notify.gerrit.password", path=g.password_file, env_name=g.password_env
        ),
        timeout=n.timeout,
        git_timeout=settings.builder.git_timeout,
    )


def notify_worker(
    settings: Settings, factory: sessionmaker[Session], *, interval: float = 30.0
) -> OutboxWorker | None:
    """The background delivery of ``mail`` and ``review`` with ``[notify]``'s backoff.

    None when ``[notify]`` configures no channel. The caller starts it, calls
    ``wake()`` after a commit that emitted ``ftbfs.*`` and ``stop()`` at the end.

    Raises:
        ConfigError: a password file or variable named in ``[notify]`` is unusable.
    """
    senders = notify_senders(settings, factory)
    if not senders:
        return None
    return OutboxWorker(factory, senders, policy=notify_retry_policy(settings), interval=interval)
