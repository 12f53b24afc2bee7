"""Configuration: typed, validated at load, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from trunkline.config import load_settings
from trunkline.config_example import EXAMPLE_CONFIG
from trunkline.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trunkline.toml"
    path.write_text(text)
    return path


def test_example_config_is_valid_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, EXAMPLE_CONFIG))
    assert settings.builder.data_dir == (tmp_path / "data").resolve()
    assert settings.builder.repos_path == (tmp_path / "data" / "repos").resolve()
    assert settings.packages.path == str((tmp_path / "metadata").resolve())
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("data/trunkline.sqlite")


def test_empty_config_gets_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""))
    assert settings.build.driver == "auto"
    assert settings.builder.dist == ".el9s"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[builder]\ndata-dir = 'x'\n", "unknown key 'builder.data-dir'"),
        ("[build]\ndriverr = 'mock'\n", "unknown key 'build.driverr'"),
        ("[builder]\nmaxretries = -1\n", "key 'builder.maxretries'"),
        ("[builder]\nrelease_numbering = 'nope'\n", "key 'builder.release_numbering'"),
        ("[promotion.rules]\ncurrent = ['job']\n", "key 'promotion.rules'"),
        ("[builder\n", "not valid TOML"),
        ("[build]\nenv = { 'A B' = 'x' }\n", "key 'build.env'"),
        ("[notify]\nsmtp_password = 'x'\n", "unknown key 'notify.smtp_password'"),
        ("[notify]\nsmtp_tls = 'tls'\n", "key 'notify.smtp_tls'"),
        ("[notify]\nrecipients = ['a@b.org']\n", "key 'notify.recipients': needs smtp_server"),
        ("[notify]\nopt_out = ['nova']\n", "key 'notify.opt_out': needs smtp_server"),
        (
            "[notify]\nretry_base_seconds = 5\n",
            "key 'notify.retry_base_seconds': needs smtp_server or a",
        ),
        (
            "[notify]\nsmtp_server = 'h'\nsmtp_user = 'u'\n",
            "key 'notify.smtp_user': needs smtp_password_file",
        ),
        ("[notify]\nsmtp_server = 'h'\nmail_from = 'nobody'\n", "'nobody' is not a mail"),
        ("[notify]\nsmtp_server = 'h'\nsmtp_password_env = '1X'\n", "not an environment var"),
        (
            "[notify]\nreview = 'gerrit'\n",
            "key 'notify.gerrit.url': missing (review = \"gerrit\" needs it)",
        ),
        ("[notify]\nreview = 'github'\n", "key 'notify.review'"),
        ("[notify.gerrit]\nurl = 'https://r.example.org'\n", "used only with review"),
        ("[notify]\nreview = 'gerrit'\ngerrit = { url = 'ssh://r' }\n", "notify.gerrit.url"),
        (
            "[notify]\nreview = 'gerrit'\ngerrit = { url = 'https://r', author = 'bot' }\n",
            "expected 'Name <user@host>'",
        ),
        (
            "[notify]\nreview = 'gerrit'\ngerrit = { url = 'https://r', user = 'bot' }\n",
            "key 'notify.gerrit.user': needs gerrit.password_file or gerrit.password_env",
        ),
        # each kind of type error names the key, what was expected and what was given
        ("[builder]\nworkers = 'many'\n", "key 'builder.workers': expected `int` (got 'many')"),
        ("[builder]\nworkers = 1.5\n", "key 'builder.workers': expected `int` (got 1.5)"),
        ("[api]\nport = 0\n", "key 'api.port': expected `int` >= 1 (got 0)"),
        ("[build]\ntimeout = 0\n", "key 'build.timeout': expected `float` > 0.0 (got 0)"),
        (
            "[builder]\nrelease_numbering = '1.date'\n",
            "key 'builder.release_numbering': expected one of '0.date.hash', '0.1.date.hash', "
            "'minor.date.hash' (got '1.date')",
        ),
        ("[builder]\ndata_dir = 5\n", "key 'builder.data_dir': expected a path (a string) (got 5)"),
        ("builder = 3\n", "key 'builder': expected a table (got 3)"),
        ("[packages]\ninfo_files = 'rdo.yml'\n", "key 'packages.info_files': expected an array"),
        ("[promotion.rules]\nci = [1]\n", "key 'promotion.rules': expected `str`"),
        ("[[events.webhooks]]\nname = 'x'\n", "missing key 'events.webhooks.0.url'"),
        (
            "[[events.webhooks]]\nname = 'x'\nurl = 'http://h/'\nsecret = 's'\n"
            "[[events.webhooks]]\nname = 'y'\nurl = 'h'\nsecret = 's'\n",
            "key 'events.webhooks.1.url': expected an http:// or https:// URL (got 'h')",
        ),
        # a section's checks see defaults as unset: koji without a hub says what is missing
        (
            "[stable]\ndriver = 'koji'\n",
            "key 'stable.hub_url': missing (driver koji needs the hub's URL)",
        ),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="trunkline init"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "override",
    [
        "builder.workers=3",
        'notify.smtp_server="127.0.0.1"',
        'stable.tag_pattern="x-{release}-{phase}"',
    ],
)
def test_an_override_keeps_the_sections_it_does_not_touch_unset(
    tmp_path: Path, override: str
) -> None:
    """Sections that refuse keys they do not use ([notify], [stable]) see only given keys.

    Re-validating every default as if written would make [notify] say its mail keys
    need a server, and [stable] that a key is for the other driver.
    """
    from trunkline.config import apply_overrides

    cfg = tmp_path / "trunkline.toml"
    cfg.write_text('[builder]\ndata_dir = "data"\n')
    settings = apply_overrides(load_settings(cfg), (override,))
    section, _, key = override.partition("=")[0].partition(".")
    assert getattr(getattr(settings, section), key) != getattr(
        getattr(load_settings(cfg), section), key
    )
    assert settings.builder.data_dir == (tmp_path / "data").resolve()


def test_a_dumped_config_loads_again(tmp_path: Path) -> None:
    """Every default written out (``to_dict``) is accepted back: sections refuse only
    keys that differ from their default and cannot act ([notify] without a server,
    [stable] keys of the other driver), not defaults repeated."""
    from trunkline.config import settings_from_dict

    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(EXAMPLE_CONFIG)
    settings = load_settings(cfg)
    assert settings_from_dict(settings.to_dict()) == settings


def test_a_config_written_without_its_defaults_loads_as_the_same(tmp_path: Path) -> None:
    """``to_dict(defaults=False)`` keeps what a file must say; ``replace`` copies."""
    from trunkline.config import settings_from_dict

    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(EXAMPLE_CONFIG)
    settings = load_settings(cfg)
    given = settings.to_dict(defaults=False)
    assert settings_from_dict(given) == settings
    assert "hooks" not in given  # a section left at its defaults is left out
    bare = load_settings(write(tmp_path, ""))
    assert bare.to_dict(defaults=False) == {
        "builder": {"data_dir": str((tmp_path / "data").resolve())},
        "config_path": str(tmp_path / "trunkline.toml"),
    }
    fewer = settings.replace(builder=settings.builder.replace(workers=1))
    assert fewer.builder.workers == 1 and settings.builder.workers != 1
    assert fewer.build is settings.build


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[workers]\nbroker_url = 'amqp://h/'\ntoken = 'hunter2-secret'\n",
            "key 'workers.token': at least 16 characters are needed with broker_url",
        ),
        (
            "[[events.webhooks]]\nname = 'ci'\nurl = 'http://h/'\nsecret = 7\n",
            "key 'events.webhooks.0.secret': expected `str`",
        ),
    ],
)
def test_an_error_on_a_secret_never_shows_its_value(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    assert str(info.value).endswith(message)
    assert "hunter2" not in str(info.value) and "got" not in str(info.value)


def test_an_override_may_be_spaced_as_in_the_file(tmp_path: Path) -> None:
    from trunkline.config import apply_overrides

    settings = load_settings(write(tmp_path, ""))
    assert apply_overrides(settings, ("builder.workers = 2",)).builder.workers == 2
    spaced = apply_overrides(settings, (' notify.smtp_server = "mail.example.org" ',))
    assert spaced.notify.smtp_server == "mail.example.org"
