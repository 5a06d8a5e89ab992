"""The outbox: deliveries claimed one at a time with a lease and a random token, so a row is
sent once, also with several gateways on one database; a sender that dies lets it go when the
lease ends, and only the current claimer can mark it sent or failed."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

import sqlalchemy as sa

from core import clock, settings
from store.handoff import schema
from store.handoff.rows import row_dict as _row
from store.handoff.rows import stamp

logger = logging.getLogger(__name__)


def routes(person: dict[str, Any]) -> list[tuple[str, str]]:
    """Where a request for the person goes: their Telegram, and e-mail when the gateway can
    send it. The same for a callback asked in the chat and on the phone."""
    out = []
    if person.get("telegram_chat_id"):
        out.append(("telegram", str(person["telegram_chat_id"])))
    if person.get("email") and settings.email_available():
        out.append(("email", person["email"]))
    return out


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


class Outbox:
    """Deliveries of requests to the chosen person
    Mixed into `Handoffs`, which holds the engine."""

    engine: sa.engine.Engine

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
