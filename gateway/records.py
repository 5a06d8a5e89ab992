"""The handoff database as the gateway uses it: opened on first use, so the gateway starts and
serves the web chat even when the database is down."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from gateway.pools import Busy
from store.database import StoreUnavailable
from store.handoff import Handoffs

# What "the database cannot be used now" looks like: the store says so (refused, timed out,
# locked), its connection pool is exhausted, or a file cannot be opened. A bug (bad SQL, a
# broken row) is not caught as this: it keeps its type and its trace.
UNAVAILABLE = (StoreUnavailable, sa.exc.TimeoutError, OSError)
DOWN = (*UNAVAILABLE, Busy)  # and the gateway's own database pool full
# The database refused a row (a constraint, a value it cannot hold): what was to be kept is not
REFUSED = (sa.exc.IntegrityError, sa.exc.DataError)


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
