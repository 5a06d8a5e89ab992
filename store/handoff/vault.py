"""The vault: phone numbers and private messages kept out of Rasa's tracker, under tags."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from store.handoff import schema
from store.handoff.rows import stamp

logger = logging.getLogger(__name__)


class PrivateNotKept(Exception):
    """A message that was to be private could not be stored; it must not go on in clear."""


class Vault:
    """Numbers and private messages by conversation
    Mixed into `Handoffs`, which holds the engine."""

    engine: sa.engine.Engine

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
