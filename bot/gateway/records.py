"""The handoff database as the gateway uses it: opened on first use, so the gateway starts and
serves the web chat even when the database is down."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from actions.handoff import Handoffs
from bot.gateway.pools import Busy

# What "the database cannot be used now" looks like: a connection or SQL error, a file that
# cannot be opened, or the database pool full. Anything else is a bug and is not caught as this.
DOWN = (sa.exc.SQLAlchemyError, OSError, Busy)


class Records:
    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._store: Handoffs | None = None
        self._lock = threading.Lock()

    def get(self) -> Handoffs:
        """The store; raises while the database cannot be reached (and tries again next time)."""
        with self._lock:
            if self._store is None:
                self._store = Handoffs(self.url)
            return self._store
