"""API users: salted password hashes, HTTP Basic checks, and a cache that keeps POSTs fast.

Hashing is libpass's ``CryptContext`` (libpass is the maintained fork of passlib,
which has had no release since 2020; it installs the same ``passlib`` module).
New passwords are stored as ``argon2id`` (argon2-cffi; m=19 MiB, t=2, p=1,
OWASP's password storage recommendation).
DLRN's ``sha512_crypt`` hashes (``$6$rounds=656000$...``, dlrn/user.py) and
trunkline's earlier ``pbkdf2_sha256`` ones still verify, and the first successful
login with one of them stores an argon2id hash in its place (``verify_and_update``);
a wrong password changes nothing. pwdlib, the other maintained choice, only
knows argon2 and bcrypt, so it cannot read a DLRN users table.

A KDF costs tens of milliseconds by design, which DLRN pays on every POST. Here a
successful check is remembered as ``HMAC(process key, user, stored hash, password)``:
the key is random per process and never leaves memory, no plaintext is kept, a
changed or deleted password no longer matches (the stored hash is part of the
digest), and the stored hashes stay as strong as before.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from passlib.context import CryptContext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from trunkline.db.models import User, UserRole
from trunkline.errors import InputError
from trunkline.publish.layout import check_name

log = logging.getLogger(__name__)
# The first scheme hashes new passwords; the others only verify, then get replaced.
# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): every uncached
# check, a wrong password or an unknown user's dummy check included, holds that much
# memory in one of the server's worker threads, so the cost is kept bounded.
PASSWORDS = CryptContext(
    schemes=["argon2", "pbkdf2_sha256", "sha512_crypt"],
    deprecated="auto",
    argon2__memory_cost=19 * 1024,
    argon2__time_cost=2,
    argon2__parallelism=1,
)
CACHE_SIZE = 4096


def hash_password(password: str) -> str:
    """A salted hash of ``password`` for the users table.

    Raises:
        InputError: the password is empty.
    """
    if not password:
        raise InputError("password: must not be empty")
    return str(PASSWORDS.hash(password))


@dataclass(frozen=True)
class Identity:
    """An authenticated API user."""

    username: str
    role: UserRole


class Authenticator:
    """Checks HTTP Basic credentials against the users table, caching successes."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        """Args:
        cache_size: how many verified credentials to remember (LRU).
        """
        self._key = secrets.token_bytes(32)
        self._ok: OrderedDict[bytes, None] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def _digest(self, username: str, stored: str, password: str) -> bytes:
        msg = b"\0".join(s.encode("utf-8", "surrogatepass") for s in (username, stored, password))
        return hmac.new(self._key, msg, hashlib.sha256).digest()

    def verify(
        self, session: Session, username: str, password: str, *, rehash: bool = True
    ) -> Identity | None:
        """The user if ``password`` is theirs, else None.

        With ``rehash``, a password stored with an old scheme is re-hashed with
        the current one and committed (a failed commit is logged and rolled back:
        the login still succeeds). The caller passes False when the database must
        not be written (``[api] read_only``).
        """
        user = session.scalars(select(User).where(User.username == username).limit(1)).first()
        if user is None:
            # Spend the same time as a real check so user names cannot be probed.
            PASSWORDS.dummy_verify()
            return None
        cached = self._digest(username, user.password, password)
        with self._lock:
            if cached in self._ok:
                self._ok.move_to_end(cached)
                return Identity(user.username, user.role)
        try:
            ok, new_hash = PASSWORDS.verify_and_update(password, user.password)
        except (ValueError, TypeError):
            ok, new_hash = False, None
        if not ok:
            return None
        if new_hash is not None and rehash:
            _store_rehash(session, user, new_hash)
        # Keyed on the hash now stored, so the next request hits the cache.
        digest = self._digest(username, user.password, password)
        with self._lock:
            self._ok[digest] = None
            while len(self._ok) > self._size:
                self._ok.popitem(last=False)
        return Identity(user.username, user.role)


def _store_rehash(session: Session, user: User, new_hash: str) -> None:
    old = user.password
    user.password = new_hash
    try:
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("user %r: could not store the re-hashed password: %s", user.username, exc)
        return
    log.info("user %r: password re-hashed from %s", user.username, PASSWORDS.identify(old))


def create_user(
    session: Session, username: str, password: str, role: UserRole = UserRole.READ_WRITE
) -> User:
    """Add a user (the caller commits).

    Raises:
        InputError: the name is unsafe or taken, or the password is empty.
    """
    check_name(username, "username")
    if session.get(User, username) is not None:
        raise InputError(f"user {username!r}: already exists")
    user = User(username=username, password=hash_password(password), role=role)
    session.add(user)
    return user


def set_password(session: Session, username: str, password: str) -> None:
    """Change a user's password (the caller commits).

    Raises:
        InputError: no such user, or the password is empty.
    """
    user = session.get(User, username)
    if user is None:
        raise InputError(f"user {username!r}: no such user")
    user.password = hash_password(password)


def delete_user(session: Session, username: str) -> None:
    """Remove a user (the caller commits); their past votes keep their name.

    Raises:
        InputError: no such user.
    """
    user = session.get(User, username)
    if user is None:
        raise InputError(f"user {username!r}: no such user")
    session.delete(user)


def list_users(session: Session, *, limit: int = 10_000) -> list[User]:
    """All users, by name."""
    return list(session.scalars(select(User).order_by(User.username).limit(limit)))
