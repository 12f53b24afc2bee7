"""Signing the release phase: ``rpmsign --addsign`` on RPMs, a detached signature on repodata.

The key is ``[stable] gpg_key`` in ``gpg_home`` (gpg's default home when unset).
Its passphrase comes from gpg-agent, or from ``gpg_passphrase_file`` through gpg's
loopback pinentry (``--pinentry-mode loopback --passphrase-file``, which rpmsign
passes on through ``%_gpg_sign_cmd_extra_args``). Every signed RPM is checked with
``rpm -K`` against the exported public key in a throw-away rpmdb before it is
published, so a repo never holds an RPM its own key does not verify.

Any failure is a :class:`~trunkline.buildsys.SigningError` with gpg's or rpm's
meaningful line.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from trunkline.buildsys import SigningError
from trunkline.config import StableSettings
from trunkline.errors import CommandError, ConfigError
from trunkline.process import run

PUBKEY_NAME = "RPM-GPG-KEY-trunkline-stable"
TIMEOUT = 300.0


class Signer:
    """Signs RPMs and repodata with one GPG key (see module doc)."""

    def __init__(self, settings: StableSettings) -> None:
        """Raises:
        ConfigError: ``[stable] gpg_key`` is not set (the release phase is signed).
        """
        if not settings.gpg_key:
            raise ConfigError(
                "[stable] gpg_key: missing (the release phase is signed; set the key id)"
            )
        self.key = settings.gpg_key
        self.home = settings.gpg_home
        self.passphrase_file = settings.gpg_passphrase_file
        if self.passphrase_file is not None and not self.passphrase_file.is_file():
            raise ConfigError(f"[stable] gpg_passphrase_file: {self.passphrase_file}: no such file")

    def _gpg_extra(self) -> list[str]:
        if self.passphrase_file is None:
            return []
        return ["--pinentry-mode", "loopback", "--passphrase-file", str(self.passphrase_file)]

    def _gpg(self, *args: str) -> list[str]:
        argv = ["gpg", "--batch", "--yes", "--no-tty"]
        if self.home is not None:
            argv += ["--homedir", str(self.home)]
        return [*argv, *args]

    def public_key(self) -> str:
        """The key's armored public key.

        Raises:
            SigningError: gpg has no such key.
        """
        try:
            out = run(self._gpg("--armor", "--export", self.key), timeout=TIMEOUT).stdout
        except CommandError as exc:
            raise SigningError(f"gpg key {self.key}: cannot export: {exc.detail}") from None
        if "BEGIN PGP PUBLIC KEY BLOCK" not in out:
            where = self.home or "gpg's default home"
            raise SigningError(f"gpg key {self.key}: not found in {where}")
        return out

    def sign_rpms(self, rpms: Sequence[Path], log_path: Path | None = None) -> None:
        """Add the key's signature to ``rpms`` in place, then check them with ``rpm -K``.

        Raises:
            SigningError: rpmsign failed or a signed RPM does not verify.
        """
        if not rpms:
            return
        pubkey = self.public_key()
        # rpm's %__gpg is /usr/bin/gpg2 on some distributions (Debian has no gpg2): the gpg
        # on PATH, the same one that signs the repodata
        gpg = shutil.which("gpg") or "gpg"
        argv = ["rpmsign", "--addsign", "--define", f"__gpg {gpg}"]
        argv += ["--define", f"_gpg_name {self.key}"]
        if self.home is not None:
            argv += ["--define", f"_gpg_path {self.home}"]
        extra = self._gpg_extra()
        if extra:
            argv += ["--define", f"_gpg_sign_cmd_extra_args {' '.join(extra)}"]
        try:
            run([*argv, *map(str, rpms)], timeout=TIMEOUT, log_path=log_path)
        except CommandError as exc:
            raise SigningError(f"rpmsign --addsign with key {self.key}: {exc.detail}") from None
        self.verify(rpms, pubkey)

    @staticmethod
    def verify(rpms: Sequence[Path], pubkey: str) -> None:
        """``rpm -K`` every RPM against ``pubkey`` in a throw-away rpmdb.

        Raises:
            SigningError: an RPM is unsigned, signed by another key, or damaged.
        """
        tmp = Path(tempfile.mkdtemp(prefix="trunkline-rpmdb-"))
        try:
            (tmp / "key.asc").write_text(pubkey, encoding="utf-8")
            db = ["--dbpath", str(tmp / "db")]
            try:
                run(["rpm", *db, "--import", str(tmp / "key.asc")], timeout=TIMEOUT)
            except CommandError as exc:
                raise SigningError(f"rpm --import of the public key: {exc.detail}") from None
            for rpm_file in rpms:
                got = run(["rpm", *db, "-K", str(rpm_file)], timeout=TIMEOUT, check=False)
                text = (got.stdout + got.stderr).strip()
                if not got.ok or "NOT OK" in text or "signatures OK" not in text:
                    raise SigningError(f"rpm -K {rpm_file.name}: {' '.join(text.split())}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def sign_file(self, path: Path) -> Path:
        """Write ``<path>.asc``, an armored detached signature of ``path`` (``repomd.xml.asc``).

        Raises:
            SigningError: gpg cannot sign.
        """
        out = path.with_name(path.name + ".asc")
        argv = self._gpg(*self._gpg_extra(), "--local-user", self.key, "--armor", "--detach-sign")
        try:
            run([*argv, "--output", str(out), str(path)], timeout=TIMEOUT)
        except CommandError as exc:
            raise SigningError(f"gpg --detach-sign with key {self.key}: {exc.detail}") from None
        return out
