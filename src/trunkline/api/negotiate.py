"""HTTP Negotiate (Kerberos, RFC 4559) for the API, on MIT Kerberos through ``gssapi``.

DLRN's ``KrbAuthentication`` driver (dlrn/api/drivers/krbauthentication.py) reads
``Authorization: Negotiate <base64 token>``, accepts the token with the HTTP
service keys of ``HTTP_KEYTAB_PATH`` and takes the user name as the client
principal up to ``@`` (``alice@EXAMPLE.COM`` -> ``alice``); a token that does not
verify is a 401. The same here, with two differences: the keytab is handed to
GSSAPI through a credential store (``gss_acquire_cred_from``) instead of the
process-wide ``KRB5_KTNAME``, and a completed exchange returns the server's
token (``WWW-Authenticate: Negotiate <token>``) so clients that want mutual
authentication (curl, requests-gssapi) get it. Roles do not come from FreeIPA
groups: the principal's user name must be a trunkline user (``trunkline user
create``), whose role applies.

``gssapi`` is the optional ``kerberos`` extra (it builds against libkrb5): it is
imported only when ``[api] kerberos_keytab`` is set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trunkline.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    """A verified Negotiate token.

    Attributes:
        principal: the client's Kerberos principal, ``user@REALM``.
        reply: the token to return in ``WWW-Authenticate`` (empty if none).
    """

    principal: str
    reply: bytes

    @property
    def username(self) -> str:
        """The principal up to ``@``, as DLRN maps it to a user."""
        return self.principal.split("@", 1)[0]


class Negotiator:
    """Accepts Kerberos tokens with the service keys of one keytab (thread-safe)."""

    def __init__(self, keytab: Path, principal: str = "") -> None:
        """Acquire the acceptor credentials once.

        Args:
            keytab: absolute path of the keytab holding the HTTP service keys.
            principal: accept only tickets for this service principal
                (``HTTP/host@REALM``); empty accepts any principal in the keytab.

        Raises:
            ConfigError: gssapi is not installed, or the keytab cannot be used
                (missing, unreadable, or without the principal's keys).
        """
        try:
            import gssapi
        except ImportError:
            raise ConfigError(
                "[api] kerberos_keytab: needs the gssapi module (pip install 'trunkline[kerberos]')"
            ) from None
        self._gssapi: Any = gssapi
        name = gssapi.Name(principal, gssapi.NameType.kerberos_principal) if principal else None
        if not keytab.is_file():
            raise ConfigError(f"[api] kerberos_keytab: {keytab}: no such file")
        try:
            self._creds = gssapi.Credentials(
                name=name, usage="accept", store={"keytab": str(keytab)}
            )
        except self._gssapi.exceptions.GSSError as exc:
            detail = " ".join(str(exc).split())
            raise ConfigError(f"[api] kerberos_keytab: {keytab}: {detail}") from None

    def accept(self, token: bytes) -> Accepted | None:
        """The client of a one-round Kerberos or SPNEGO token, or None if it does not verify.

        A malformed, forged, expired, replayed or other-realm token, or one for a
        service whose keys are not in the keytab, is None. Exchanges that need more
        than one round (NTLM through SPNEGO) are not supported: None.
        """
        gssapi = self._gssapi
        ctx = gssapi.SecurityContext(creds=self._creds, usage="accept")
        try:
            reply = ctx.step(token)
            # gssapi defers a step's error to the next attribute read: keep it inside.
            if not ctx.complete:
                return None
            principal = str(ctx.initiator_name)
        except gssapi.exceptions.GSSError as exc:
            log.info("Negotiate token refused: %s", " ".join(str(exc).split()))
            return None
        return Accepted(principal, bytes(reply or b""))
