"""Reading a password named by the config: from a file or an environment variable.

The TOML never holds a password (``[notify]`` has no plain password key): it names
a file (first line, trailing newline dropped; e.g. a systemd credential or a 0600
file) or an environment variable. Read once, when the senders are built, so a
missing secret is a :class:`ConfigError` at start, not a failed delivery later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from trunkline.errors import ConfigError


def read_password(
    key: str,
    *,
    path: Path | None,
    env_name: str,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The password configured by ``<key>_file`` / ``<key>_env``, or None when neither is set.

    Args:
        key: the config key prefix for messages (``notify.smtp_password``).
        path: the file holding the password (its first line).
        env_name: the environment variable holding it.
        environ: the environment to read (default: the process's).

    Raises:
        ConfigError: the file cannot be read or is empty, or the variable is unset/empty.
    """
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"{key}_file {path}: cannot read: {exc.strerror}") from None
        if not lines or not lines[0]:
            raise ConfigError(f"{key}_file {path}: empty (expected the password on line 1)")
        return lines[0]
    if env_name:
        value = (os.environ if environ is None else environ).get(env_name, "")
        if not value:
            raise ConfigError(f"{key}_env: environment variable {env_name} is unset or empty")
        return value
    return None
