"""Handoff and callback requests: every SQL statement about them lives here.

A request is written with its delivery rows (the outbox) in one transaction, before the bot
tells the user it is confirmed. Deliveries are claimed one at a time with a lease and a random
token, so one sender at a time works on a row, a sender that dies lets it go when the lease ends,
and only the current claimer can mark a row sent or failed; a row is sent once, also with several
gateways on one database. Phone numbers live only in these records (and, until a request is
made, in the vault the gateway keeps instead of Rasa's tracker); purge empties them when
requests grow old, whatever their status.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

import sqlalchemy as sa

from core import clock
from store.database import open_database
from store.handoff import schema

logger = logging.getLogger(__name__)

# The timing of one delivery, in one place. A sender claims one row for LEASE, sends it, then
# marks it sent or failed. A send gives up after SEND_TIMEOUT (Telegram: asyncio.wait_for;
# e-mail: one deadline for the whole SMTP exchange) and marking is retried for at most
# MARK_WITHIN; together far less than LEASE, so a claim does not run out while its claimer still
# works on it and no second gateway sends the same row. A claimer that dies lets it go with the
# lease; the claim token keeps a late claimer from marking a row someone else now holds.
SEND_TIMEOUT = dt.timedelta(seconds=30)
MARK_WITHIN = dt.timedelta(seconds=60)
LEASE = dt.timedelta(minutes=5)
BACKOFF_FIRST, BACKOFF_MAX = 5.0, 60.0  # seconds between delivery attempts
CLAIM_SPARE = 10  # rows looked at beyond those wanted: another sender may take the first ones
STATUSES = ("open", "taken", "done")
# The moves a request may make, here and nowhere else (the staff page and Telegram draw their
# buttons from it): taken or handled, handled, or back open.
TRANSITIONS = {"open": ("taken", "done"), "taken": ("done", "open"), "done": ("open",)}
# What purge and forget empty; "conversation" is "tg-<chat id>" for a Telegram user.
PERSONAL = ("phone", "subject", "preferred_text", "conversation")


def stamp(moment: dt.datetime | None = None) -> str:
    return clock.utc_key(moment)


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


class PrivateNotKept(Exception):
    """A message that was to be private could not be stored; it must not go on in clear."""


class Handoffs:
    """Requests to reach a human, their deliveries, live sessions, the vault and unmet needs."""

    def __init__(self, url: str | None = None, engine: sa.engine.Engine | None = None) -> None:
        self.engine = engine or open_database(url)

    # -- requests ------------------------------------------------------------------------------

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

    # -- deliveries ----------------------------------------------------------------------------

    def claim_due(self, channels: tuple[str, ...], limit: int = 1) -> list[dict[str, Any]]:
        """Deliveries on these channels that are due and free, each now claimed for LEASE with a
        new token (`claim_token`, for sent and failed), with their request. One by default:
        a sender claims the next row only when it is done with this one."""
        now = clock.now()
        o, h = schema.outbox, schema.handoffs
        free = sa.or_(o.c.claimed_until.is_(None), o.c.claimed_until < stamp(now))
        due = (
            sa.select(o.c.id)
            .join(h, h.c.id == o.c.handoff_id)
            .where(
                o.c.sent_at.is_(None),
                o.c.next_attempt_at <= stamp(now),
                o.c.channel.in_(channels),
                free,
                h.c.purged_at.is_(None),  # forgotten on request before it went out: not sent
            )
            .order_by(o.c.next_attempt_at, o.c.id)
            .limit(limit + CLAIM_SPARE)
        )
        claimed = []
        with self.engine.begin() as conn:
            for (row_id,) in conn.execute(due).all():
                token = secrets.token_hex(16)
                taken = conn.execute(  # another sender may have taken it since: only if free
                    sa.update(o)
                    .where(o.c.id == row_id, o.c.sent_at.is_(None), free)
                    .values(claimed_until=stamp(now + LEASE), claim_token=token)
                ).rowcount
                if taken:
                    claimed.append(row_id)
                    if len(claimed) == limit:
                        break
            if not claimed:
                return []
            query = (
                sa.select(
                    o,
                    h.c.kind,
                    h.c.person_name,
                    h.c.municipality,
                    h.c.topic,
                    h.c.phone,
                    h.c.preferred_text,
                    h.c.subject,
                    h.c.created_at,
                    h.c.status,
                )
                .join(h, h.c.id == o.c.handoff_id)
                .where(o.c.id.in_(claimed))
                .order_by(o.c.next_attempt_at, o.c.id)
            )
            return [_row(r) for r in conn.execute(query)]

    def sent(self, outbox_id: int, token: str) -> bool:
        """The channel accepted it: done for good, and the request counts as delivered. Only
        while this claim (`token`) still holds the row; whether it did."""
        now = stamp()
        o, h = schema.outbox, schema.handoffs
        mine = (o.c.id == outbox_id, o.c.claim_token == token, o.c.sent_at.is_(None))
        with self.engine.begin() as conn:
            if not conn.execute(
                sa.update(o).where(*mine).values(sent_at=now, claimed_until=None, claim_token=None)
            ).rowcount:
                logger.warning(
                    "outbox %s: sent, but the claim was lost (its lease ran out)", outbox_id
                )
                return False
            handoff_id = conn.execute(sa.select(o.c.handoff_id).where(o.c.id == outbox_id)).scalar()
            conn.execute(
                sa.update(h)
                .where(h.c.id == handoff_id, h.c.delivered_at.is_(None))
                .values(delivered_at=now)
            )
        return True

    def failed(self, outbox_id: int, token: str, attempts: int, error: str) -> bool:
        """Try again later: 5 s, 10 s, 20 s … at most a minute. Only while this claim (`token`)
        still holds the row, so a late failure never releases someone else's; whether it did."""
        wait = min(BACKOFF_FIRST * 2 ** max(attempts, 0), BACKOFF_MAX)
        values = {
            "attempts": attempts + 1,
            "last_error": error[:200],
            "claimed_until": None,
            "claim_token": None,
            "next_attempt_at": stamp(clock.now() + dt.timedelta(seconds=wait)),
        }
        o = schema.outbox
        mine = (o.c.id == outbox_id, o.c.claim_token == token, o.c.sent_at.is_(None))
        with self.engine.begin() as conn:
            if conn.execute(sa.update(o).where(*mine).values(**values)).rowcount:
                return True
        logger.warning("outbox %s: failed, but the claim was lost (its lease ran out)", outbox_id)
        return False

    def retry_now(self) -> int:
        """After a (re)start: every unsent delivery nobody holds is due at once; live claims
        stand (another gateway may be sending it now)."""
        o = schema.outbox
        free = sa.or_(o.c.claimed_until.is_(None), o.c.claimed_until < stamp())
        with self.engine.begin() as conn:
            return conn.execute(
                sa.update(o).where(o.c.sent_at.is_(None), free).values(next_attempt_at=stamp())
            ).rowcount

    def recipient_of(self, handoff_id: str, recipient: str) -> bool:
        """Whether the request was sent to this recipient (a Telegram chat may act on it)."""
        o = schema.outbox
        query = sa.select(o.c.id).where(o.c.handoff_id == handoff_id, o.c.recipient == recipient)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def deliveries(self, handoff_id: str) -> list[dict[str, Any]]:
        query = sa.select(schema.outbox).where(schema.outbox.c.handoff_id == handoff_id)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    # -- the vault: phone numbers kept out of Rasa's tracker -----------------------------------

    def keep_number(self, conversation: str, number: str) -> str:
        """A tag that stands for the number in this conversation (the same number, same tag)."""
        v = schema.vault
        with self.engine.begin() as conn:
            found = conn.execute(
                sa.select(v.c.tag).where(v.c.conversation == conversation, v.c.value == number)
            ).scalar()
            if found:
                return found
            mine = (v.c.conversation == conversation, v.c.tag.like("puhelinnumero%"))
            count = conn.execute(sa.select(sa.func.count()).select_from(v).where(*mine)).scalar()
            tag = f"puhelinnumero{count + 1}"
            conn.execute(
                sa.insert(v),
                [
                    {
                        "conversation": conversation,
                        "tag": tag,
                        "value": number,
                        "created_at": stamp(),
                    }
                ],
            )
        return tag

    def keep_message(self, conversation: str, text: str) -> str:
        """A tag that stands for a private message ("viesti1": a callback's subject)."""
        with self.engine.begin() as conn:
            return self._keep_message(conn, conversation, text)

    @staticmethod
    def _keep_message(conn: sa.engine.Connection, conversation: str, text: str) -> str:
        v = schema.vault
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(v)
            .where(v.c.conversation == conversation, v.c.tag.like("viesti%"))
        ).scalar()
        tag = f"viesti{count + 1}"
        conn.execute(
            sa.insert(v),
            [
                {
                    "conversation": conversation,
                    "tag": tag,
                    "value": text[:2000],
                    "created_at": stamp(),
                }
            ],
        )
        return tag

    def keep_private(self, conversation: str, flag: str, text: str) -> str | None:
        """When the conversation's next message was to be private (`flag` set): the message
        kept and its tag, the flag spent in the same transaction, so that a failure leaves the
        flag set and the message is never taken for an ordinary one. None when not private.

        Raises PrivateNotKept when the flag was there but the message could not be stored."""
        v = schema.vault
        with self.engine.begin() as conn:
            spent = conn.execute(
                sa.delete(v).where(v.c.conversation == conversation, v.c.tag == flag)
            ).rowcount
            if not spent:
                return None
            try:
                return self._keep_message(conn, conversation, text)
            except sa.exc.SQLAlchemyError as err:  # the transaction rolls back: the flag stays
                raise PrivateNotKept(type(err).__name__) from None

    def keep_flag(self, conversation: str, flag: str) -> None:
        v = schema.vault
        with self.engine.begin() as conn:
            conn.execute(sa.delete(v).where(v.c.conversation == conversation, v.c.tag == flag))
            conn.execute(
                sa.insert(v),
                [{"conversation": conversation, "tag": flag, "value": "1", "created_at": stamp()}],
            )

    def take_flag(self, conversation: str, flag: str) -> bool:
        """Whether the flag was set; it is gone afterwards."""
        v = schema.vault
        with self.engine.begin() as conn:
            query = sa.delete(v).where(v.c.conversation == conversation, v.c.tag == flag)
            return conn.execute(query).rowcount > 0

    def numbers(self, conversation: str) -> dict[str, str]:
        """Tag → number for one conversation."""
        v = schema.vault
        with self.engine.connect() as conn:
            query = sa.select(v.c.tag, v.c.value).where(v.c.conversation == conversation)
            return dict(conn.execute(query).all())

    # -- live handoff: a person chats with the user through the gateway ------------------------

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

    # -- unmet needs ---------------------------------------------------------------------------

    @staticmethod
    def _note_need(
        conn: sa.engine.Connection, municipality: str | None, topic: str | None, kind: str
    ) -> None:
        now = clock.now()
        year, week, _ = now.isocalendar()
        conn.execute(
            sa.insert(schema.needs),
            [
                {
                    "week": f"{year}-W{week:02d}",
                    "municipality": municipality,
                    "topic": topic,
                    "kind": kind,
                    "created_at": stamp(now),
                }
            ],
        )

    def note_need(self, municipality: str | None, topic: str | None, kind: str) -> None:
        """What someone needed and Apuri could not answer: place, topic and kind, no words."""
        with self.engine.begin() as conn:
            self._note_need(conn, municipality, topic, kind)

    def needs(self) -> list[dict[str, Any]]:
        """Counts per week, municipality, topic and kind, newest week first."""
        n = schema.needs
        query = (
            sa.select(
                n.c.week, n.c.municipality, n.c.topic, n.c.kind, sa.func.count().label("count")
            )
            .group_by(n.c.week, n.c.municipality, n.c.topic, n.c.kind)
            .order_by(n.c.week.desc(), sa.func.count().desc())
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]
