"""Requests to reach a human: made with their outbox rows in one transaction, moved only as
TRANSITIONS allows, forgotten on request and purged when old."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

import sqlalchemy as sa

from core import clock
from store.handoff import schema
from store.handoff.rows import row_dict as _row
from store.handoff.rows import stamp

logger = logging.getLogger(__name__)

STATUSES = ("open", "taken", "done")
# The moves a request may make, here and nowhere else (the staff page and Telegram draw their
# buttons from it): taken or handled, handled, or back open.
TRANSITIONS = {"open": ("taken", "done"), "taken": ("done", "open"), "done": ("open",)}
# What purge and forget empty; "conversation" is "tg-<chat id>" for a Telegram user.
PERSONAL = ("phone", "subject", "preferred_text", "conversation")


class Requests:
    """Requests to reach a human
    Mixed into `Handoffs`, which holds the engine."""

    engine: sa.engine.Engine

    def create(
        self,
        kind: str,
        person: dict[str, Any] | None,
        routes: list[tuple[str, str]],
        **fields: Any,
    ) -> dict[str, Any]:
        """A new open request and one outbox row per route ("telegram", chat id), together."""
        now = stamp()
        record = {
            "id": secrets.token_hex(6),
            "kind": kind,
            "status": "open",
            "created_at": now,
            "person_id": (person or {}).get("id"),
            "person_name": (person or {}).get("name"),
            **{k: v for k, v in fields.items() if k in schema.handoffs.c},
        }
        with self.engine.begin() as conn:
            conn.execute(sa.insert(schema.handoffs), [record])
            for channel, recipient in routes:
                conn.execute(
                    sa.insert(schema.outbox),
                    [
                        {
                            "handoff_id": record["id"],
                            "channel": channel,
                            "recipient": recipient,
                            "attempts": 0,
                            "next_attempt_at": now,
                        }
                    ],
                )
            self._note_need(conn, record.get("municipality"), record.get("topic"), "handoff")
        return record

    def get(self, handoff_id: str) -> dict[str, Any] | None:
        query = sa.select(schema.handoffs).where(schema.handoffs.c.id == handoff_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _row(row) if row else None

    def list(self, status: str | None = None) -> list[dict[str, Any]]:
        """Requests, newest first; only one status when given."""
        query = sa.select(schema.handoffs).order_by(schema.handoffs.c.created_at.desc())
        if status:
            query = query.where(schema.handoffs.c.status == status)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def set_status(self, handoff_id: str, status: str, by: str | None = None) -> bool:
        """open → taken → done (and back to open), as TRANSITIONS allows; `by` who took it.
        False when there is no such request or it cannot move so from where it is (taken
        twice, a handled one taken): checked and changed in one statement."""
        if status not in STATUSES:
            raise ValueError(status)
        sources = [old for old, targets in TRANSITIONS.items() if status in targets]
        values: dict[str, Any] = {"status": status}
        if status in ("taken", "done"):
            values[f"{status}_at"] = stamp()
        if status == "taken" or (status == "done" and by):
            values["taken_by"] = by
        h = schema.handoffs
        query = sa.update(h).where(h.c.id == handoff_id, h.c.status.in_(sources))
        with self.engine.begin() as conn:
            return conn.execute(query.values(**values)).rowcount == 1

    def forget(self, handoff_id: str) -> bool:
        """Delete the personal data of one request and its live session, on request: the
        person asked, or staff did for them."""
        h, ls = schema.handoffs, schema.live_sessions
        query = (
            sa.update(h)
            .where(h.c.id == handoff_id)
            .values(**dict.fromkeys(PERSONAL), purged_at=stamp())
        )
        with self.engine.begin() as conn:
            found = conn.execute(query).rowcount == 1
            conn.execute(sa.delete(ls).where(ls.c.handoff_id == handoff_id))
        return found

    def purge(self, days: int) -> int:
        """Forget the personal data of old requests, so that none is kept forever; how many.

        Done requests go `days` after they were done; open and taken ones `days` after they
        were made (created_at), even if nobody ever finished them. Ended live sessions and those
        of purged requests are deleted, and vault rows older than `days`."""
        before = stamp(clock.now() - dt.timedelta(days=days))
        h, ls, v = schema.handoffs, schema.live_sessions, schema.vault
        old = sa.or_(
            sa.and_(h.c.status == "done", h.c.done_at < before),
            sa.and_(h.c.status != "done", h.c.created_at < before),
        )
        query = (
            sa.update(h)
            .where(old, h.c.purged_at.is_(None))
            .values(**dict.fromkeys(PERSONAL), purged_at=stamp())
        )
        purged = sa.select(h.c.id).where(h.c.purged_at.is_not(None))
        with self.engine.begin() as conn:
            count = conn.execute(query).rowcount
            conn.execute(
                sa.delete(ls).where(sa.or_(ls.c.status == "ended", ls.c.handoff_id.in_(purged)))
            )
            conn.execute(sa.delete(v).where(v.c.created_at < before))
        return count
