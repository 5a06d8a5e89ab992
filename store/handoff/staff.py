"""Staff logins for the staff page: scrypt password hashes, sessions in the database (so any
gateway can check them), and attempts counted in the database before a password is checked.

A login runs in three steps, so the gateway can run each in its own pool: `Staff.reserve`
counts the attempt (per name and address, and per address) and says whether the password may
be checked at all; `verify` runs scrypt (slow, no database); `Staff.finish` opens the session.
Unknown names go through the same steps against a dummy hash, so the answers and their timing
do not tell which names exist.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core import clock, settings
from store.handoff import schema
from store.handoff.rows import stamp
from store.handoff.store import Handoffs

USERNAME = re.compile(r"^[a-z0-9._-]{2,64}$")
MIN_PASSWORD = 12
PER_NAME = 5  # attempts per (name, address) in a window
PER_ADDRESS = 20  # attempts per address across all names in a window (an office behind NAT)
WINDOW = dt.timedelta(minutes=15)  # a window starts at its first attempt; a lock ends with it
SESSION_FOR = dt.timedelta(hours=8)
LOCAL = "local"  # the client of logins made outside the gateway (the command line, tests)

# scrypt at current guidance (OWASP): N=2^17, r=8, p=1 takes 128 MiB, above OpenSSL's default
# 32 MiB cap, hence maxmem. Hashes made with weaker parameters are rehashed at the next login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MAXMEM = 256 * 1024 * 1024
_LEGACY_R, _LEGACY_P = 8, 1  # "scrypt$16384$salt$digest" had only N in it
_N_RANGE = (2**14, 2**20)  # what a stored hash may ask for, so a bad row cannot exhaust memory


class StaffError(ValueError):
    """A login that cannot be made (bad username, weak password, taken name)."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str, salt: bytes | None = None) -> str:
    """ "scrypt$N$r$p$salt$digest": the parameters travel with the hash, so they can grow."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=MAXMEM,
        dklen=32,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    """(n, r, p, salt, digest) of a stored hash in the current or the old format, or None."""
    parts = stored.split("$")
    try:
        if len(parts) == 6 and parts[0] == "scrypt":
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        elif len(parts) == 4 and parts[0] == "scrypt":
            n, r, p = int(parts[1]), _LEGACY_R, _LEGACY_P
        else:
            return None
        salt = base64.b64decode(parts[-2], validate=True)
        digest = base64.b64decode(parts[-1], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (
        _N_RANGE[0] <= n <= _N_RANGE[1]
        and n & (n - 1) == 0
        and 1 <= r <= 32
        and 1 <= p <= 16
        and salt
        and digest
    ):
        return None
    return n, r, p, salt, digest


def check_password(password: str, stored: str) -> bool:
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    got = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAXMEM, dklen=len(expected)
    )
    return hmac.compare_digest(got, expected)


def needs_rehash(stored: str) -> bool:
    """True when a hash was made with other parameters than today's."""
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (SCRYPT_N, SCRYPT_R, SCRYPT_P)


# An unknown name is checked against this: today's parameters, a digest no password gives.
_DUMMY = (
    f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(secrets.token_bytes(16))}$"
    f"{_b64(secrets.token_bytes(32))}"
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(*parts: str) -> str:
    """A counter's key: an HMAC with APURI_SECRET, so no name or address is stored in clear
    and none can be found by trying all four billion IPv4 addresses."""
    return hmac.new(_secret(), "\n".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


@functools.cache
def _secret() -> bytes:
    return settings.secret()


@dataclass(frozen=True)
class Attempt:
    """A login counted before its password is checked."""

    username: str
    client: str
    allowed: bool  # within both limits: the password may be checked
    last: bool  # the last try of its window: a wrong password locks
    known: bool = field(repr=False)
    stored: str = field(repr=False)  # the name's hash, or the dummy for an unknown name

    @property
    def name_key(self) -> str:
        return _key("name", self.username, self.client)

    @property
    def address_key(self) -> str:
        return _key("address", self.client)


@dataclass(frozen=True)
class Verdict:
    """What scrypt said: right or not, and the new hash of a right password with old
    parameters (made here, in the password pool, not in a database thread)."""

    ok: bool
    rehashed: str | None = None


def verify(attempt: Attempt, password: str) -> Verdict:
    """The slow step, with no database: the same scrypt work for known and unknown names."""
    right = check_password(password, attempt.stored) and attempt.known
    if right and needs_rehash(attempt.stored):
        return Verdict(True, hash_password(password))
    return Verdict(right)


class Staff:
    def __init__(self, handoffs: Handoffs) -> None:
        self.engine = handoffs.engine

    def add(self, username: str, password: str) -> None:
        if not USERNAME.match(username):
            raise StaffError("username: 2–64 of a–z, 0–9, '.', '_' and '-'")
        kinds = sum(
            any(test(c) for c in password)
            for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
        )
        if len(password) < MIN_PASSWORD or kinds < 2:
            raise StaffError(
                f"password: at least {MIN_PASSWORD} characters of at least two "
                "kinds (small, capital, digits, others)"
            )
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    sa.insert(schema.staff),
                    [
                        {
                            "username": username,
                            "password_hash": hash_password(password),
                            "created_at": stamp(),
                            "failed_logins": 0,
                        }
                    ],
                )
        except sa.exc.IntegrityError as err:
            raise StaffError(f"{username!r} exists already") from err

    # -- a login in steps: reserve (database), verify (password pool), finish (database) ------

    def reserve(self, username: str, client: str) -> Attempt:
        """Count one attempt on both counters, atomically and before any password is checked,
        so concurrent attempts (from any gateway) cannot all slip under the limit."""
        now = clock.now()
        s, t = schema.staff, schema.login_attempts
        name_key, address_key = _key("name", username, client), _key("address", client)
        with self.engine.begin() as conn:
            for key in (name_key, address_key):  # always in this order: no deadlocks
                conn.execute(_count(conn, key, stamp(now), stamp(now + WINDOW)))
            query = sa.select(t.c.key, t.c.attempts).where(t.c.key.in_((name_key, address_key)))
            counts = dict(conn.execute(query).all())
            stored = conn.execute(
                sa.select(s.c.password_hash).where(s.c.username == username)
            ).scalar()
        per_name, per_address = counts[name_key], counts[address_key]
        return Attempt(
            username=username,
            client=client,
            allowed=per_name <= PER_NAME and per_address <= PER_ADDRESS,
            last=per_name >= PER_NAME or per_address >= PER_ADDRESS,
            known=stored is not None,
            stored=stored or _DUMMY,
        )

    def release(self, attempt: Attempt) -> None:
        """Give an attempt back on both counters: its password was never checked (the
        password pool was full), so it should not count against anyone."""
        t = schema.login_attempts
        with self.engine.begin() as conn:
            for key in (attempt.name_key, attempt.address_key):
                conn.execute(
                    sa.update(t)
                    .where(t.c.key == key, t.c.attempts > 0)
                    .values(attempts=t.c.attempts - 1)
                )

    def finish(self, attempt: Attempt, verdict: Verdict) -> tuple[str, str] | str:
        """(session token, CSRF token), or why not: "locked" or "wrong". A right password
        starts the name's count again and gives its attempt back to the address."""
        if not verdict.ok:
            return "locked" if attempt.last else "wrong"
        now = clock.now()
        s, t = schema.staff, schema.login_attempts
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(t).where(t.c.key == attempt.name_key))
            conn.execute(
                sa.update(t)
                .where(t.c.key == attempt.address_key, t.c.attempts > 0)
                .values(attempts=t.c.attempts - 1)
            )
            if verdict.rehashed:  # only if nobody changed the password meanwhile
                conn.execute(
                    sa.update(s)
                    .where(s.c.username == attempt.username, s.c.password_hash == attempt.stored)
                    .values(password_hash=verdict.rehashed)
                )
            conn.execute(
                sa.insert(schema.staff_sessions),
                [
                    {
                        "token_hash": _token_hash(token),
                        "username": attempt.username,
                        "csrf": csrf,
                        "expires_at": stamp(now + SESSION_FOR),
                    }
                ],
            )
        with self.engine.begin() as conn:  # housekeeping, apart from the login's own rows
            conn.execute(sa.delete(t).where(t.c.until < stamp(now)))
        return token, csrf

    def login(self, username: str, password: str, client: str = LOCAL) -> tuple[str, str] | str:
        """All three steps in this thread (the command line, tests): a session, or why not."""
        attempt = self.reserve(username, client)
        if not attempt.allowed:
            return "locked"
        return self.finish(attempt, verify(attempt, password))

    # -- sessions ------------------------------------------------------------------------------

    def session(self, token: str | None) -> dict[str, Any] | None:
        """{"username", "csrf"} of a live session, or None."""
        if not token:
            return None
        t = schema.staff_sessions
        query = sa.select(t.c.username, t.c.csrf).where(
            t.c.token_hash == _token_hash(token), t.c.expires_at > stamp()
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def logout(self, token: str) -> None:
        t = schema.staff_sessions
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(t).where(
                    sa.or_(t.c.token_hash == _token_hash(token), t.c.expires_at < stamp())
                )
            )


def _count(conn: sa.engine.Connection, key: str, now: str, until: str) -> Any:
    """One atomic statement: a new window at 1, or one more in the current window."""
    t = schema.login_attempts
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    ended = t.c.until <= now
    return (
        insert(t)
        .values(key=key, attempts=1, until=until)
        .on_conflict_do_update(
            index_elements=[t.c.key],
            set_={
                "attempts": sa.case((ended, 1), else_=t.c.attempts + 1),
                "until": sa.case((ended, until), else_=t.c.until),
            },
        )
    )
