"""[notify] as a user writes it: the example's keys load and act; secrets are read at start."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from tests.notify import payloads
from trunkline.config import load_settings, settings_from_dict
from trunkline.config_example import EXAMPLE_CONFIG
from trunkline.errors import ConfigError, DeliveryError
from trunkline.notify import notify_retry_policy, notify_routes, notify_senders
from trunkline.notify.secret import read_password


def uncommented_notify(example: str) -> str:
    """The example config with every commented key of its [notify] section turned on."""
    head, rest = example.split("[notify]\n", 1)
    section, tail = rest.split("\n[replication]", 1)
    lines = [ln[2:] if ln.startswith("# ") else ln for ln in section.splitlines()]
    lines = [ln.replace('smtp_server = ""', 'smtp_server = "smtp.example.org"') for ln in lines]
    return head + "[notify]\n" + "\n".join(lines) + "\n[replication]" + tail


def test_the_example_s_notify_keys_load_and_route_both_channels(tmp_path: Path) -> None:
    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(uncommented_notify(EXAMPLE_CONFIG))
    settings = load_settings(cfg)
    n = settings.notify
    assert (n.smtp_tls, n.review, n.gerrit.author) == (
        "starttls",
        "gerrit",
        "RDO Trunk <trunk@example.org>",
    )
    assert [(r.channel, r.patterns) for r in notify_routes(settings)] == [
        ("mail", ("ftbfs.opened", "ftbfs.culprit", "ftbfs.fixed")),
        ("review", ("ftbfs.opened", "ftbfs.fixed")),
    ]
    policy = notify_retry_policy(settings)
    assert [policy.delay(a) for a in (1, 2, 3, 8)] == [30, 60, 120, 3600]
    # the password file does not exist here: refused when the senders are built, not later
    with pytest.raises(ConfigError, match=r"smtp_password_file /etc/trunkline/smtp-password: "):
        notify_senders(settings, sessionmaker())


@pytest.mark.parametrize(
    ("content", "env", "expected"),
    [
        ("s3cret\nignored\n", {}, "s3cret"),  # the first line, without its newline
        (None, {"PW": "from-env"}, "from-env"),
        (None, {}, ConfigError("notify.smtp_password_env: environment variable PW is unset")),
        ("\n", {}, ConfigError("is empty|empty \\(expected the password on line 1\\)")),
    ],
)
def test_a_password_comes_from_a_file_or_a_variable(
    tmp_path: Path, content: str | None, env: dict[str, str], expected: str | Exception
) -> None:
    path = None
    if content is not None:
        path = tmp_path / "pw"
        path.write_text(content)

    def read() -> str | None:
        return read_password(
            "notify.smtp_password", path=path, env_name="" if path else "PW", environ=env
        )

    if isinstance(expected, Exception):
        with pytest.raises(type(expected), match=str(expected)):
            read()
    else:
        assert read() == expected


def test_the_timeout_bounds_a_server_that_never_answers(tmp_path: Path) -> None:
    with socket.socket() as mute:  # accepts connections (backlog) and never says hello
        mute.bind(("127.0.0.1", 0))
        mute.listen(4)
        port = mute.getsockname()[1]
        settings = settings_from_dict(
            {
                "builder": {"data_dir": str(tmp_path)},
                "notify": {"smtp_server": "127.0.0.1", "smtp_port": port, "timeout": 0.5,
                           "recipients": ["list@example.org"]},
            }
        )  # fmt: skip
        sender = notify_senders(settings, sessionmaker())["mail"]
        start = time.monotonic()
        with pytest.raises(DeliveryError, match=rf"smtp 127\.0\.0\.1:{port}: .*timed out"):
            sender.send(payloads.envelope("ftbfs.opened", payloads.opened()))
        assert time.monotonic() - start < 10  # the default timeout (30 s) would fail this


def test_relative_secret_and_ca_paths_are_taken_against_the_config_s_directory(
    tmp_path: Path,
) -> None:
    cfg = tmp_path / "etc" / "trunkline.toml"
    cfg.parent.mkdir()
    cfg.write_text(
        '[notify]\nsmtp_server = "h"\nsmtp_ca_file = "ca.pem"\nsmtp_user = "u"\n'
        'smtp_password_file = "secrets/smtp"\nreview = "gerrit"\n'
        '[notify.gerrit]\nurl = "https://r"\nuser = "u"\npassword_file = "../gerrit"\n'
    )
    n = load_settings(cfg).notify
    assert (n.smtp_ca_file, n.smtp_password_file, n.gerrit.password_file) == (
        tmp_path / "etc" / "ca.pem",
        tmp_path / "etc" / "secrets" / "smtp",
        tmp_path / "gerrit",
    )
