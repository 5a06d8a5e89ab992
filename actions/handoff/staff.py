"""Staff logins for the staff page: scrypt password hashes, sessions in the database (so any
gateway can check them), a lock-out after repeated failures."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

import sqlalchemy as sa

from actions.handoff import schema
from actions.handoff.store import Handoffs, stamp
from bot import clock

USERNAME = re.compile(r"^[a-z0-9._-]{2,64}$")
MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
SESSION_FOR = dt.timedelta(hours=8)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class StaffError(ValueError):
    """A login that cannot be made (bad username, weak password, taken name)."""


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    encode = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${encode(salt).decode()}${encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), dklen=32,
                             n=int(n), r=_SCRYPT["r"], p=_SCRYPT["p"])  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


_DUMMY = hash_password("not a password of anyone", b"0" * 16)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Staff:
    def __init__(self, handoffs: Handoffs) -> None:
        self.engine = handoffs.engine

    def add(self, username: str, password: str) -> None:
        if not USERNAME.match(username):
            raise StaffError("username: 2–64 of a–z, 0–9, '.', '_' and '-'")
        kinds = sum(any(test(c) for c in password)
                    for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum()))
        if len(password) < MIN_PASSWORD or kinds < 2:
            raise StaffError(f"password: at least {MIN_PASSWORD} characters of at least two "
                             "kinds (small, capital, digits, others)")  # fmt: skip
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(schema.staff), [{
                    "username": username, "password_hash": hash_password(password),
                    "created_at": stamp(), "failed_logins": 0,
                }])  # fmt: skip
        except sa.exc.IntegrityError as err:
            raise StaffError(f"{username!r} exists already") from err

    def login(self, username: str, password: str) -> tuple[str, str] | str:
        """(session token, CSRF token), or why not: "locked" or "wrong"."""
        s = schema.staff
        now = clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(s).where(s.c.username == username)).first()
            if row is None:
                check_password(password, _DUMMY)  # the same time as for a real name
                return "wrong"
            user = row._mapping
            if user["locked_until"] and user["locked_until"] > stamp(now):
                return "locked"
            if not check_password(password, user["password_hash"]):
                failures = user["failed_logins"] + 1
                locked = stamp(now + LOCK_FOR) if failures >= MAX_FAILURES else None
                conn.execute(sa.update(s).where(s.c.username == username).values(
                    failed_logins=0 if locked else failures, locked_until=locked))  # fmt: skip
                return "locked" if locked else "wrong"
            conn.execute(sa.update(s).where(s.c.username == username)
                         .values(failed_logins=0, locked_until=None))  # fmt: skip
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            conn.execute(sa.insert(schema.staff_sessions), [{
                "token_hash": _token_hash(token), "username": username, "csrf": csrf,
                "expires_at": stamp(now + SESSION_FOR),
            }])  # fmt: skip
        return token, csrf

    def session(self, token: str | None) -> dict[str, Any] | None:
        """{"username", "csrf"} of a live session, or None."""
        if not token:
            return None
        t = schema.staff_sessions
        query = sa.select(t.c.username, t.c.csrf).where(
            t.c.token_hash == _token_hash(token), t.c.expires_at > stamp())  # fmt: skip
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def logout(self, token: str) -> None:
        t = schema.staff_sessions
        with self.engine.begin() as conn:
            conn.execute(sa.delete(t).where(sa.or_(t.c.token_hash == _token_hash(token),
                                                   t.c.expires_at < stamp())))  # fmt: skip
