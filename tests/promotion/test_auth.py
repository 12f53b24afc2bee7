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
    assert a.password.startswith("$pbkdf2-sha256$") and secret not in a.password
    assert a.password != b.password


def test_a_repeat_of_good_credentials_skips_the_kdf(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(db_session, "ci", "pw")
    auth = Authenticator()
    calls: list[str] = []
    real_verify = PASSWORDS.verify

    def counting_verify(secret: str, stored: str) -> bool:
        calls.append(secret)
        return bool(real_verify(secret, stored))

    monkeypatch.setattr(PASSWORDS, "verify", counting_verify)
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


def test_dlrn_sha512_crypt_hashes_still_verify(db_session: Session) -> None:
    from passlib.hash import sha512_crypt

    db_session.add(User(username="old", password=sha512_crypt.hash("pw", rounds=5000)))
    assert Authenticator().verify(db_session, "old", "pw") is not None


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
