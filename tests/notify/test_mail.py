"""FTBFS mails through a real SMTP server on loopback (aiosmtpd): content, TLS, AUTH, outage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.notify import payloads
from tests.notify.smtpsink import PASSWORD, USER, free_port, self_signed, smtp_sink
from trunkline.config import Settings, settings_from_dict
from trunkline.db.engine import open_database, session_factory, session_scope
from trunkline.errors import DeliveryError
from trunkline.notify import notify_retry_policy, notify_routes, notify_senders, notify_worker
from trunkline.outbox.dispatch import Sender, deliver_due
from trunkline.outbox.log import delivery_log
from trunkline.outbox.routing import Router


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def factory(tmp_path: Path) -> sessionmaker[Session]:
    return session_factory(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"))


def settings(tmp_path: Path, port: int, **notify: Any) -> Settings:
    raw = {
        "builder": {"name": "centos9-master", "data_dir": str(tmp_path / "data")},
        "notify": {
            "smtp_server": "127.0.0.1",
            "smtp_port": port,
            "mail_from": "trunk@example.org",
            "recipients": ["list@example.org"],
            "timeout": 5.0,
            **notify,
        },
    }
    return settings_from_dict(raw)


def mail_sender(s: Settings, factory: sessionmaker[Session] | None = None) -> Sender:
    """The mail sender of ``s`` (it never opens a session: no database unless given)."""
    return notify_senders(s, factory or sessionmaker())["mail"]


@pytest.mark.parametrize("tls", ["none", "starttls", "ssl"])
def test_the_opening_mail_goes_through_each_tls_mode_with_auth_login(
    tmp_path: Path, cert: tuple[Path, Path], tls: str
) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n")
    with smtp_sink(tls=tls, cert=cert, auth=tls != "none") as (inbox, port):
        login = {"smtp_user": USER, "smtp_password_file": str(secret)} if tls != "none" else {}
        s = settings(tmp_path, port, smtp_tls=tls, smtp_ca_file=str(cert[0]), **login)
        detail = mail_sender(s).send(payloads.envelope("ftbfs.opened", payloads.opened()))
    assert detail == f"smtp 127.0.0.1:{port}: accepted for 3 recipient(s)"
    [got] = inbox.mails
    assert got.login == (USER if tls != "none" else None)
    assert got.mail_from == "trunk@example.org"
    assert got.rcpt_tos == ["ann@example.org", "bob@example.org", "list@example.org"]
    assert got.message["Subject"] == "[trunkline] centos9-master: openstack-nova failed to build"
    assert got.message["Message-ID"] == f"<{'0f' * 16}@example.org>"


def test_a_password_from_the_environment_and_a_wrong_one(
    tmp_path: Path,
    cert: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"smtp_user": USER, "smtp_password_env": "TL_SMTP_PW", "smtp_tls": "starttls"}
    with smtp_sink(tls="starttls", cert=cert, auth=True) as (inbox, port):
        s = settings(tmp_path, port, smtp_ca_file=str(cert[0]), **env)
        monkeypatch.setenv("TL_SMTP_PW", PASSWORD)
        mail_sender(s).send(payloads.envelope("ftbfs.opened", payloads.opened()))
        monkeypatch.setenv("TL_SMTP_PW", "wrong")
        with pytest.raises(DeliveryError, match=r"535 .*\(permanent\)"):
            mail_sender(s).send(payloads.envelope("ftbfs.opened", payloads.opened()))
    assert [m.login for m in inbox.mails] == [USER]


def test_starttls_is_never_skipped_when_the_server_cannot_do_it(
    tmp_path: Path, cert: tuple[Path, Path]
) -> None:
    with smtp_sink(tls="none") as (inbox, port):
        s = settings(tmp_path, port, smtp_tls="starttls", smtp_ca_file=str(cert[0]))
        with pytest.raises(DeliveryError, match="STARTTLS extension not supported"):
            mail_sender(s).send(payloads.envelope("ftbfs.opened", payloads.opened()))
    assert inbox.mails == []


@pytest.mark.parametrize(
    ("state", "says", "commit_shown"),
    [
        ("single", "Culprit: the only new commit since the last good build", True),
        ("bisected", "Culprit: found by building the commits in between (bisection)", True),
        ("could-not-isolate", "Culprit: could not be isolated", True),
        ("bisecting", "bisecting, another mail follows", False),
        ("unknown", "Culprit: unknown: no earlier successful build", False),
    ],
)
def test_the_opening_mail_says_culprit_log_excerpt_and_links(
    tmp_path: Path, state: str, says: str, commit_shown: bool
) -> None:
    payload = payloads.opened(culprit=payloads.culprit(state))
    with smtp_sink() as (inbox, port):
        mail_sender(settings(tmp_path, port)).send(payloads.envelope("ftbfs.opened", payload))
    body = inbox.mails[0].message.get_content().replace("\r\n", "\n")
    assert says in body
    for line in payloads.EXCERPT:  # the error: lines, not only the tail
        assert f"  {line}\n" in body
    assert f"Logs:     {payload['log_url']}\n" in body
    assert f"Repo:     {payload['repo_url']}\n" in body
    assert f"NVR:      {payload['nvr']}\n" in body
    assert "Package:  openstack-nova (component compute)\n" in body
    commit = payloads.culprit("single")["upstream"]
    for text in (commit["subject"], commit["author"], commit["url"]):
        assert (text in body) == commit_shown


def test_the_culprit_and_fixed_mails(tmp_path: Path, factory: sessionmaker[Session]) -> None:
    late = payloads.common(culprit=payloads.culprit("bisected"))
    done = payloads.fixed(review_url="https://review.example.org/c/nova-distgit/+/42")
    with smtp_sink() as (inbox, port):
        sender = mail_sender(settings(tmp_path, port))
        sender.send(payloads.envelope("ftbfs.culprit", late, mid="1" * 32))
        sender.send(payloads.envelope("ftbfs.fixed", done, mid="2" * 32))
    culprit_mail, fixed_mail = (m.message for m in inbox.mails)
    assert culprit_mail["Subject"] == (
        "[trunkline] centos9-master: openstack-nova failed to build (culprit abc1234def56)"
    )
    assert "Move compute into a namespace package" in culprit_mail.get_content()
    assert fixed_mail["Subject"] == "[trunkline] centos9-master: openstack-nova builds again"
    body = fixed_mail.get_content().replace("\r\n", "\n")
    assert "FTBFS #7 is closed after 2 d 3 h." in body
    assert "Fixed by the distgit commit:\n  distgit   fff0001aaa Fix %files" in body
    assert "by Ann Packager <ann@example.org>" in body
    assert "Review:   https://review.example.org/c/nova-distgit/+/42" in body
    # every mail of one FTBFS is in one thread
    assert culprit_mail["References"] == fixed_mail["References"]


@pytest.mark.parametrize(
    ("notify", "package", "expected"),
    [
        ({}, "openstack-nova", ["ann@example.org", "bob@example.org", "list@example.org"]),
        ({"opt_out": ["openstack-nova"]}, "openstack-nova", ["list@example.org"]),
        (
            {"opt_out": ["openstack-nova"]},
            "openstack-glance",
            ["ann@example.org", "bob@example.org", "list@example.org"],
        ),
        ({"mail_maintainers": False}, "openstack-nova", ["list@example.org"]),
        (
            {"recipients": ["ann@example.org"]},
            "openstack-nova",
            ["ann@example.org", "bob@example.org"],
        ),
    ],
)
def test_who_gets_the_mail(
    tmp_path: Path,
    notify: dict[str, Any],
    package: str,
    expected: list[str],
) -> None:
    with smtp_sink() as (inbox, port):
        s = settings(tmp_path, port, **notify)
        mail_sender(s).send(payloads.envelope("ftbfs.opened", payloads.opened(package=package)))
    assert inbox.mails[0].rcpt_tos == expected
    assert inbox.mails[0].message["To"] == ", ".join(expected)


def test_nobody_to_mail_sends_nothing_and_says_so(
    tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    with smtp_sink() as (inbox, port):
        s = settings(tmp_path, port, recipients=[], opt_out=["openstack-nova"])
        detail = mail_sender(s).send(payloads.envelope("ftbfs.opened", payloads.opened()))
    assert inbox.mails == []
    assert detail == "no recipient for openstack-nova (opted out, no [notify] recipients)"


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


def test_an_smtp_outage_delays_the_mail_which_is_then_sent_once(
    tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    port = free_port()  # nothing listens: connection refused
    s = settings(tmp_path, port, retry_base_seconds=60, retry_cap_seconds=600)
    senders = notify_senders(s, factory)
    policy = notify_retry_policy(s)
    router = Router(notify_routes(s))
    clock = Clock(1_764_000_000)
    with session_scope(factory) as session:
        [mid] = router.emit(session, "ftbfs.opened", payloads.opened(), now=clock.now)

    down = deliver_due(factory, senders, policy=policy, clock=clock)
    assert (down.delivered, down.failed) == (0, 1)
    assert "Connection refused" in down.errors[0]
    with smtp_sink(port=port) as (inbox, _):
        clock.now += 59  # not due yet: the first delay is retry_base_seconds
        assert deliver_due(factory, senders, policy=policy, clock=clock).delivered == 0
        clock.now += 1
        assert deliver_due(factory, senders, policy=policy, clock=clock).delivered == 1
        clock.now += 3600
        assert deliver_due(factory, senders, policy=policy, clock=clock).delivered == 0
    assert [m.message["Message-ID"] for m in inbox.mails] == [f"<{mid}@example.org>"]
    with session_scope(factory) as session:
        [entry] = delivery_log(session)
    assert (entry.state, entry.attempts, entry.last_error) == ("delivered", 2, None)
    assert entry.last_detail == f"smtp 127.0.0.1:{port}: accepted for 3 recipient(s)"


def test_a_resend_after_a_kill_carries_the_same_message_id(
    tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    envelope = payloads.envelope("ftbfs.opened", payloads.opened())
    with smtp_sink() as (inbox, port):
        sender = mail_sender(settings(tmp_path, port))
        sender.send(envelope)
        sender.send(envelope)  # the dispatcher's retry after a kill before its record
    first, second = (m.message for m in inbox.mails)
    assert first["Message-ID"] == second["Message-ID"]
    assert first.as_bytes() == second.as_bytes()


def test_no_notify_section_routes_and_sends_nothing(
    tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    s = settings_from_dict({"builder": {"data_dir": str(tmp_path)}})
    assert notify_routes(s) == []
    assert notify_senders(s, factory) == {}
    with session_scope(factory) as session:
        assert Router(notify_routes(s)).emit(session, "ftbfs.opened", payloads.opened()) == []


def test_the_notify_worker_delivers_in_the_background_after_a_wake(
    tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    with smtp_sink() as (inbox, port):
        s = settings(tmp_path, port)
        worker = notify_worker(s, factory, interval=60.0)
        assert worker is not None
        worker.start()
        with session_scope(factory) as session:
            [mid] = Router(notify_routes(s)).emit(session, "ftbfs.opened", payloads.opened())
        worker.wake()
        worker.stop()  # finishes the pass the wake started, then one last pass
    assert [m.message["Message-ID"] for m in inbox.mails] == [f"<{mid}@example.org>"]
    assert (
        notify_worker(settings_from_dict({"builder": {"data_dir": str(tmp_path)}}), factory) is None
    )
