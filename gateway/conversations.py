"""Web conversation ids are secrets the server makes (contract §6): 128 random bits and an
HMAC of them with APURI_SECRET, so a made-up or altered id is refused, and any gateway with the
same secret accepts any id. Knowing an id is what lets a browser read its answers, its event
stream and its live chat, so the id itself never goes further than the gateway: Rasa, the
database and the logs see only its address, a hash of it (`sender`, `gateway.addresses`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from gateway.addresses import web_address

RANDOM_BYTES = 16  # 128 bits
MAC_BYTES = 16
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes in unpadded base64url
_LABEL = b"apuri conversation id\x00"


def _mac(secret: bytes, random: bytes) -> bytes:
    return hmac.new(secret, _LABEL + random, hashlib.sha256).digest()[:MAC_BYTES]


def new(secret: bytes) -> str:
    random = secrets.token_bytes(RANDOM_BYTES)
    return base64.urlsafe_b64encode(random + _mac(secret, random)).decode().rstrip("=")


def valid(secret: bytes, conversation: str) -> bool:
    """True only for an id this secret signed."""
    if not _SHAPE.match(conversation):
        return False
    raw = base64.urlsafe_b64decode(conversation + "=")
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != conversation:
        return False  # the last letter's spare bits set: one id, one spelling
    random, mac = raw[:RANDOM_BYTES], raw[RANDOM_BYTES:]
    return hmac.compare_digest(mac, _mac(secret, random))


def sender(conversation: str) -> str:
    """Rasa's sender id for a web conversation: its address (`addresses.web_address`), a hash,
    so the tracker, the handoff records and any log line never hold the id that grants access."""
    return web_address(conversation)
