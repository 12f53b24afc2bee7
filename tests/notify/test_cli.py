"""``trunkline outbox list`` and ``notify test-mail`` through the installed script."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.cli.sandbox import EXE
from tests.notify import payloads
from tests.notify.smtpsink import free_port, smtp_sink
from trunkline.config import load_settings
from trunkline.db.engine import open_database, session_factory, session_scope
from trunkline.notify import notify_retry_policy, notify_routes, notify_senders
from trunkline.outbox.dispatch import deliver_due
from trunkline.outbox.routing import Router


def trunkline(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "-c", str(cfg), *args], capture_output=True, text=True, check=False, timeout=60
    )


def test_the_delivery_log_shows_pending_and_delivered_mails(tmp_path: Path) -> None:
    port = free_port()
    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(
        f'[builder]\nname = "c9"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[notify]\nsmtp_server = "127.0.0.1"\nsmtp_port = {port}\n'
        'recipients = ["list@example.org"]\nmail_maintainers = false\n'
    )
    settings = load_settings(cfg)
    (tmp_path / "data").mkdir()
    factory = session_factory(open_database(settings.database_url))
    senders, policy = notify_senders(settings, factory), notify_retry_policy(settings)
    with session_scope(factory) as session:
        router = Router(notify_routes(settings))
        [first] = router.emit(session, "ftbfs.opened", payloads.opened(), now=100)
        [second] = router.emit(session, "ftbfs.fixed", payloads.fixed(), now=100)
    deliver_due(factory, senders, policy=policy, clock=lambda: 100.0)  # the server is down

    pending = trunkline(cfg, "outbox", "list", "--pending")
    assert pending.returncode == 0, pending.stderr
    refused = rf"smtp 127\.0\.0\.1:{port}: \[Errno 111\] Connection refused"
    assert re.fullmatch(
        rf"2 pending mail ftbfs\.fixed openstack-nova attempts=1 next 1970-01-01 00:02:10: "
        rf"{refused}\n1 pending mail ftbfs\.opened openstack-nova attempts=1 next 1970-01-01 "
        rf"00:02:10: {refused}\n",
        pending.stdout,
    )
    with smtp_sink(port=port) as (inbox, _):
        deliver_due(factory, senders, policy=policy, clock=lambda: 130.0)
    assert len(inbox.mails) == 2

    listed = json.loads(trunkline(cfg, "outbox", "list", "--json").stdout)
    assert [(e["message_id"], e["state"], e["attempts"]) for e in listed] == [
        (second, "delivered", 2),
        (first, "delivered", 2),
    ]
    assert listed[0]["last_detail"] == f"smtp 127.0.0.1:{port}: accepted for 1 recipient(s)"
