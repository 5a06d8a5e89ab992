"""Messages that reach a web conversation later (a human's reply, a handoff status).

The web page listens on `GET /api/events` (Server-Sent Events); whoever has something to say
publishes it here. This hub lives in one process; with several gateways the same two methods
go over Redis pub/sub (the scale issue), so nothing else depends on where a listener is.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

QUEUE_SIZE = 100  # a listener that falls this far behind loses the oldest events


class EventHub:
    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, conversation: str, event: dict[str, Any]) -> int:
        """Send an event to everyone listening to a conversation; how many got it."""
        listeners = self._listeners.get(conversation, set())
        for queue in listeners:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)
        return len(listeners)

    async def listen(
        self, conversation: str, keepalive: float = 15.0
    ) -> AsyncIterator[dict[str, Any] | None]:
        """The events of one conversation from now on, and None after `keepalive` seconds of
        quiet (so the stream can show it is alive), until the listener goes away."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._listeners[conversation].add(queue)
        try:
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), keepalive)
                except asyncio.TimeoutError:  # not TimeoutError on Python 3.10
                    yield None
        finally:
            self._listeners[conversation].discard(queue)
            if not self._listeners[conversation]:
                del self._listeners[conversation]
