"""Live sessions: a named person chats with the user through the gateway."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from core import clock
from store.handoff import schema
from store.handoff.rows import row_dict as _row
from store.handoff.rows import stamp

logger = logging.getLogger(__name__)


class LiveSessions:
    """Live chats between a user and a named person
    Mixed into `Handoffs`, which holds the engine."""

    engine: sa.engine.Engine

    def start_live(
        self, person: dict[str, Any], conversation: str, **fields: Any
    ) -> dict[str, Any]:
        """A chat request to the person's Telegram and a waiting session, together."""
        chat_id = str(person["telegram_chat_id"])
        record = self.create(
            "chat", person, [("telegram", chat_id)], conversation=conversation, **fields
        )
        now = clock.now().astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        ls = schema.live_sessions
        with self.engine.begin() as conn:
            conn.execute(sa.delete(ls).where(ls.c.conversation == conversation))
            conn.execute(
                sa.insert(ls),
                [
                    {
                        "conversation": conversation,
                        "handoff_id": record["id"],
                        "person_chat_id": chat_id,
                        "person_name": person.get("name"),
                        "status": "waiting",
                        "created_at": now,
                        "last_activity_at": now,
                    }
                ],
            )
        return record

    def live(self, conversation: str) -> dict[str, Any] | None:
        """The waiting or active session of a user's conversation."""
        ls = schema.live_sessions
        query = sa.select(ls).where(
            ls.c.conversation == conversation, ls.c.status.in_(("waiting", "active"))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _row(row) if row else None

    def live_by_handoff(self, handoff_id: str) -> dict[str, Any] | None:
        ls = schema.live_sessions
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(ls).where(ls.c.handoff_id == handoff_id)).first()
        return _row(row) if row else None

    def active_for(self, person_chat_id: str) -> dict[str, Any] | None:
        """The session a person is talking in now (one at a time)."""
        ls = schema.live_sessions
        query = sa.select(ls).where(ls.c.person_chat_id == person_chat_id, ls.c.status == "active")
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _row(row) if row else None

    def queue_position(self, conversation: str) -> int:
        """1 for the first in the person's queue of waiting users."""
        session = self.live(conversation)
        if session is None:
            return 0
        ls = schema.live_sessions
        earlier = sa.or_(
            ls.c.created_at < session["created_at"],
            sa.and_(ls.c.created_at == session["created_at"], ls.c.conversation <= conversation),
        )
        query = (
            sa.select(sa.func.count())
            .select_from(ls)
            .where(
                ls.c.person_chat_id == session["person_chat_id"], ls.c.status == "waiting", earlier
            )
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def set_live(self, conversation: str, status: str) -> None:
        """waiting → active → ended; any message in it counts as activity."""
        ls = schema.live_sessions
        values: dict[str, Any] = {"status": status, "last_activity_at": stamp()}
        if status == "ended":
            values["ended_at"] = stamp()
        with self.engine.begin() as conn:
            conn.execute(sa.update(ls).where(ls.c.conversation == conversation).values(**values))

    def touch_live(self, conversation: str) -> None:
        ls = schema.live_sessions
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(ls)
                .where(ls.c.conversation == conversation)
                .values(last_activity_at=stamp())
            )

    def stale_live(self, waiting: dt.timedelta, idle: dt.timedelta) -> list[dict[str, Any]]:
        """Sessions nobody took in `waiting`, or where nothing was said in `idle`."""
        now = clock.now()
        ls = schema.live_sessions
        query = sa.select(ls).where(
            sa.or_(
                sa.and_(ls.c.status == "waiting", ls.c.created_at < stamp(now - waiting)),
                sa.and_(ls.c.status == "active", ls.c.last_activity_at < stamp(now - idle)),
            )
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]
