"""Limits on the gateway's doors: who the client is, how fast a conversation and a client may
send, how many new conversations a client may open, and how many event streams stay open.

A client is the peer address, or the X-Forwarded-For hop added by a proxy listed in
APURI_TRUSTED_PROXIES (contract §2). Counters are kept in this process; several gateways share
them through Redis in the scale issue (the same `allow` behind it).
"""

from __future__ import annotations

import ipaddress
import time
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from core.settings import Network


class RateLimit:
    """A token bucket per key: `burst` at once, then `per_second`."""

    def __init__(self, burst: int = 30, per_second: float = 1.0) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, last time)

    def allow(self, key: str) -> bool:
        """True when this key may do one more now (and it is counted)."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if len(self._buckets) > 100_000:  # forget idle keys rather than grow without end
            self._forget_full(now)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True

    def _forget_full(self, now: float) -> None:
        """Drop keys whose bucket has refilled: they lose nothing by being forgotten."""
        full = [
            k
            for k, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self.per_second >= self.burst
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) > 100_000:  # a flood of live keys: start over rather than grow
            self._buckets.clear()


def client_address(request: web.Request, proxies: tuple[Network, ...] = ()) -> str:
    """The client behind a request: the peer, or when the peer is a trusted proxy the nearest
    X-Forwarded-For hop that is not one (a client cannot choose what a proxy appends)."""
    peer = request.remote or "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
    hops = [h for h in hops if h]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop if _is_ip(hop) else peer
    return hops[0] if hops and _is_ip(hops[0]) else peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


@dataclass
class Streams:
    """Open event streams per conversation, per client and in all."""

    per_conversation: int = 3
    per_client: int = 20
    total: int = 500
    _conversations: Counter[str] = field(default_factory=Counter)
    _clients: Counter[str] = field(default_factory=Counter)

    def open(self, conversation: str, client: str) -> bool:
        """Count a new stream in, or False when one of the caps is reached."""
        if (
            self._conversations[conversation] >= self.per_conversation
            or self._clients[client] >= self.per_client
            or sum(self._clients.values()) >= self.total
        ):
            return False
        self._conversations[conversation] += 1
        self._clients[client] += 1
        return True

    def close(self, conversation: str, client: str) -> None:
        for counter, key in ((self._conversations, conversation), (self._clients, client)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]


@dataclass
class Limits:
    """Every rate limit of the gateway, one place."""

    proxies: tuple[Network, ...] = ()
    # a person types slower than one message a second; a script flooding one conversation
    conversation: RateLimit = field(default_factory=lambda: RateLimit(30, 1.0))
    # one address may be an office or a library behind NAT: many people, but not a flood
    client: RateLimit = field(default_factory=lambda: RateLimit(120, 4.0))
    # every new conversation is a tracker in Rasa's memory: a few per page load at most
    new_conversation: RateLimit = field(default_factory=lambda: RateLimit(30, 0.1))
    streams: Streams = field(default_factory=Streams)

    def client_of(self, request: web.Request) -> str:
        return client_address(request, self.proxies)

    def message(self, sender: str, client: str | None = None) -> bool:
        """One message from a conversation (and a client): True when both may send."""
        if client is not None and not self.client.allow(client):
            return False
        return self.conversation.allow(sender)
