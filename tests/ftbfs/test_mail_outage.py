"""An SMTP outage neither fails nor slows the build; the FTBFS mail goes out later, once.

Real builds, a real aiosmtpd server on loopback that is down for the first run
(nothing listens on its port) and up for the next ones. The mail sender is
[notify]'s own (trunkline.notify), with no backoff so the test does not wait.
"""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builder.cycle_world import make_cycle_world
from trunkline.builder.cycle import BuildCycle, CycleOptions
from trunkline.config import apply_overrides
from trunkline.db.engine import open_database, session_factory
from trunkline.db.models import BuildStatus, OutboxMessage, OutboxState
from trunkline.demo.mail import MailSink
from trunkline.notify import notify_senders
from trunkline.outbox.dispatch import RetryPolicy

pytestmark = pytest.mark.slow


def test_smtp_down_then_up_the_mail_is_sent_once(tmp_path: Path) -> None:
    world = make_cycle_world(tmp_path, ("alpha",))
    sink = MailSink()  # its port is chosen; nothing listens until it is started
    settings = apply_overrides(
        world.settings(),
        (
            f'notify.smtp_server="{sink.host}"',
            f"notify.smtp_port={sink.port}",
            'notify.recipients=["team@example.org"]',
        ),
    )
    factory = session_factory(open_database(settings.database_url))
    cycle = BuildCycle(
        settings,
        senders=notify_senders(settings, factory),
        outbox_policy=RetryPolicy(base_seconds=0),  # due again at once: no waiting in a test
    )
    cycle.run(CycleOptions())
    world.break_upstream("alpha")
    report = cycle.run(CycleOptions())  # SMTP is down
    assert [o.status for o in report.outcomes] == [BuildStatus.FAILED]
    with cycle.sessions() as session:
        mail = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "mail")).one()
        assert mail.state == OutboxState.PENDING and mail.attempts >= 1
        assert "smtp 127.0.0.1" in (mail.last_error or "")
    with sink:
        assert cycle.run(CycleOptions()).outcomes == []  # nothing to build; the mail goes
        cycle.run(CycleOptions())
        received = [message_from_bytes(m) for m in sink.messages]
    assert len(received) == 1
    assert received[0]["Subject"] == "[trunkline] trunkline: alpha failed to build"
    with cycle.sessions() as session:
        row = session.get_one(OutboxMessage, mail.id)
        assert row.state == OutboxState.DELIVERED
