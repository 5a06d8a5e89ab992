"""Handoff and callback requests: every SQL statement about them lives in this package, a
module per concern (requests, outbox, vault, live, needs; staff accounts in staff.py), joined
here into the one `Handoffs` store on the shared database.

Phone numbers live only in these records (and, until a request is made, in the vault the
gateway keeps instead of Rasa's tracker); purge empties them when requests grow old, whatever
their status.
"""

from __future__ import annotations

import sqlalchemy as sa

from store.database import open_database
from store.handoff.live import LiveSessions
from store.handoff.needs import Needs
from store.handoff.outbox import Outbox
from store.handoff.requests import Requests
from store.handoff.vault import Vault


class Handoffs(Requests, Outbox, Vault, LiveSessions, Needs):
    """Requests to reach a human, their deliveries, live sessions, the vault and unmet needs."""

    def __init__(self, url: str | None = None, engine: sa.engine.Engine | None = None) -> None:
        self.engine = engine or open_database(url)
