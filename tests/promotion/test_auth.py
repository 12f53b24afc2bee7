"""Password storage and the verified-credentials cache."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from trunkline.api.auth import PASSWORDS, Authenticator, create_user, hash_password, set_password
from trunkline.db.models import User
from trunkline.errors import InputError

pytestmark = pytest.mark.db


def test_passwords_are_stored_as_salted_kdf_hashes(db_session: Session) -> None:
    secret = "correct-horse-battery-staple"
    create_user(db_session, "ci", secret)
    create_user(db_session, "ci2", secret)
    a, b = db_session.get(User, "ci"), db_session.get(User, "ci2")
    assert a is not None and b is not None
    assert a.password.startswith("$argon2id$") and secret not in a.password
    assert a.password != b.password


def test_a_repeat_of_good_credentials_skips_the_kdf(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(db_session, "ci", "pw")
    auth = Authenticator()
    calls: list[str] = []
    real_verify = PASSWORDS.verify_and_update

    def counting_verify(secret: str, stored: str) -> tuple[bool, str | None]:
        calls.append(secret)
        ok, new = real_verify(secret, stored)
        return bool(ok), new

    monkeypatch.setattr(PASSWORDS, "verify_and_update", counting_verify)
    for _ in range(20):
        assert auth.verify(db_session, "ci", "pw") is not None
    assert calls == ["pw"]  # one KDF run, then the cache answers


def test_cache_never_accepts_a_wrong_or_changed_password(db_session: Session) -> None:
    create_user(db_session, "ci", "pw")
    auth = Authenticator()
    assert auth.verify(db_session, "ci", "pw") is not None
    assert auth.verify(db_session, "ci", "pw2") is None
    set_password(db_session, "ci", "new")
    assert auth.verify(db_session, "ci", "pw") is None
    assert auth.verify(db_session, "ci", "new") is not None
    assert auth.verify(db_session, "nobody", "pw") is None


# DLRN's own test user (dlrn/tests/samples/commits_3.yaml): passlib's
# sha512_crypt.encrypt("bar") as dlrn-user stores it.
DLRN_HASH = (
    "$6$rounds=656000$T678cDhCoMtxLlnq$yXrpe.kJgiP8Y1JZpAYQ0.yCE12Qr6zv6nZY1VY7OP6bxhoZ"
    "ezlzWSitvoqkx26Z30pUBKM4kX/JZJPdMIv1a."
)


def test_dlrn_sha512_crypt_hash_logs_in_and_is_rehashed_to_argon2(db_session: Session) -> None:
    db_session.add(User(username="foo", password=DLRN_HASH))
    db_session.flush()
    assert Authenticator().verify(db_session, "foo", "bar") is not None
    user = db_session.get(User, "foo")
    assert user is not None and user.password.startswith("$argon2id$")
    # The old password still works against the new hash (a fresh cache: a real KDF run).
    assert Authenticator().verify(db_session, "foo", "bar") is not None
    assert Authenticator().verify(db_session, "foo", "baz") is None


def test_a_wrong_password_does_not_rehash(db_session: Session) -> None:
    db_session.add(User(username="foo", password=DLRN_HASH))
    db_session.flush()
    assert Authenticator().verify(db_session, "foo", "wrong") is None
    user = db_session.get(User, "foo")
    assert user is not None and user.password == DLRN_HASH


def test_rehash_is_skipped_when_asked(db_session: Session) -> None:
    """A read-only API must not write: the login works, the old hash stays."""
    db_session.add(User(username="foo", password=DLRN_HASH))
    db_session.flush()
    assert Authenticator().verify(db_session, "foo", "bar", rehash=False) is not None
    user = db_session.get(User, "foo")
    assert user is not None and user.password == DLRN_HASH


@pytest.mark.parametrize(
    "old_hash",
    [
        PASSWORDS.handler("sha512_crypt").using(rounds=5000).hash("pw"),
        PASSWORDS.handler("pbkdf2_sha256").hash("pw"),
    ],
    ids=["sha512_crypt", "pbkdf2_sha256"],
)
def test_every_old_scheme_verifies_and_is_rehashed(db_session: Session, old_hash: str) -> None:
    db_session.add(User(username="old", password=old_hash))
    db_session.flush()
    assert Authenticator().verify(db_session, "old", "pw") is not None
    user = db_session.get(User, "old")
    assert user is not None and PASSWORDS.identify(user.password) == "argon2"


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("../x", "pw", "username '../x': not a safe name (no '/', '..', control chars)"),
        ("ok", "", "password: must not be empty"),
    ],
)
def test_bad_user_input_is_refused(
    db_session: Session, name: str, password: str, message: str
) -> None:
    with pytest.raises(InputError) as err:
        create_user(db_session, name, password)
    assert str(err.value) == message


def test_hash_password_refuses_empty() -> None:
    with pytest.raises(InputError, match="must not be empty"):
        hash_password("")
