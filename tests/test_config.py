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
        ("[notify]\nrecipients = ['a@b.org']\n", "recipients needs smtp_server"),
        ("[notify]\nopt_out = ['nova']\n", "opt_out needs smtp_server"),
        ("[notify]\nretry_base_seconds = 5\n", "retry_base_seconds needs smtp_server or a"),
        ("[notify]\nsmtp_server = 'h'\nsmtp_user = 'u'\n", "smtp_user needs smtp_password_file"),
        ("[notify]\nsmtp_server = 'h'\nmail_from = 'nobody'\n", "'nobody' is not a mail"),
        ("[notify]\nsmtp_server = 'h'\nsmtp_password_env = '1X'\n", "not an environment var"),
        ("[notify]\nreview = 'gerrit'\n", 'review = "gerrit" needs [notify.gerrit] url'),
        ("[notify]\nreview = 'github'\n", "key 'notify.review'"),
        ("[notify.gerrit]\nurl = 'https://r.example.org'\n", "used only with review"),
        ("[notify]\nreview = 'gerrit'\ngerrit = { url = 'ssh://r' }\n", "notify.gerrit.url"),
        (
            "[notify]\nreview = 'gerrit'\ngerrit = { url = 'https://r', author = 'bot' }\n",
            "expected 'Name <user@host>'",
        ),
        (
            "[notify]\nreview = 'gerrit'\ngerrit = { url = 'https://r', user = 'bot' }\n",
            "gerrit.user needs gerrit.password_file or gerrit.password_env",
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
    """Every default written out (``model_dump``) is accepted back: sections refuse only
    keys that differ from their default and cannot act ([notify] without a server,
    [stable] keys of the other driver), not defaults repeated."""
    from trunkline.config import settings_from_dict

    cfg = tmp_path / "trunkline.toml"
    cfg.write_text(EXAMPLE_CONFIG)
    settings = load_settings(cfg)
    assert settings_from_dict(settings.model_dump()) == settings
