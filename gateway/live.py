"""Live handoff: a named person chats with the user through the gateway.

The user's messages go to the person's Telegram, and the person's replies come back to the
user's channel (the web chat's event stream, or their Telegram) with the person's first name.
Rasa stays quiet in that conversation until the person ends it ("Hoidettu" or /lopeta), the user
ends it ("lopeta"), or it times out; the user is told either way, and their place in the queue
while waiting. Sessions live in the database, so any gateway can relay them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from typing import Any

from telegram.error import TelegramError

from gateway import texts
from gateway.addresses import TelegramSender, telegram_chat
from gateway.hub import EventHub
from gateway.pools import DATABASE
from gateway.records import DOWN, Records
from gateway.workers import one_round

logger = logging.getLogger(__name__)
WAITING_FOR = dt.timedelta(minutes=5)  # nobody took it: the user is told and offered more
IDLE_FOR = dt.timedelta(minutes=20)  # nothing said on either side
TICK_SECONDS = 5.0
_END = re.compile(r"^\W*/?(lopeta|lopetetaan|lopeta keskustelu|poistu)\W*$", re.I)


def first_name(name: str | None) -> str:
    return (name or texts.SOMEONE).split()[0]


class LiveRelay:
    def __init__(
        self, records: Records, hub: EventHub, telegram: TelegramSender | None = None
    ) -> None:
        self.records = records
        self.hub = hub
        self.telegram = telegram  # None: no Telegram bot (or none yet: `use_telegram`)
        self._task: asyncio.Task | None = None

    def use_telegram(self, telegram: TelegramSender) -> None:
        """The bot's sender, once the Telegram channel is made (the channel relays its chats
        here, so it is made after the relay)."""
        self.telegram = telegram

    async def _store(self, method: str, *args: Any) -> Any:
        return await DATABASE.run(lambda: getattr(self.records.get(), method)(*args))

    # -- the user's side -----------------------------------------------------------------------

    async def from_user(self, conversation: str, text: str) -> list[dict[str, Any]] | None:
        """The answers for a user in a live session (None: no session, Rasa answers)."""
        try:
            session = await self._store("live", conversation)
        except DOWN as err:  # the database is down: Rasa answers as usual
            logger.warning("live: sessions cannot be read now (%s)", type(err).__name__)
            return None
        if session is None:
            return None
        name = first_name(session["person_name"])
        answers: list[dict[str, Any]] = []  # the safety answer, if any, comes before these
        if _END.match(text):
            await self.end(session, texts.LIVE_ENDED_BY_USER, notify_user=False)
            return [*answers, {"text": texts.LIVE_ENDED_BY_USER, "buttons": []}]
        try:
            await self._to_person(session, f"{texts.FROM_USER}: {text}")
        except (LiveUnavailable, TelegramError, asyncio.TimeoutError) as err:
            # Telegram is down or refuses: end it and point to a human
            logger.warning("live: the person cannot be reached now (%s)", type(err).__name__)
            await self.end(session, texts.LIVE_BROKEN, notify_user=False)
            return [*answers, {"text": f"{texts.LIVE_BROKEN} {texts.unavailable()}", "buttons": []}]
        await self._store("touch_live", conversation)
        if session["status"] == "waiting":
            position = await self._store("queue_position", conversation)
            answers.append(
                {"text": texts.LIVE_QUEUE.format(name=name, position=position), "buttons": []}
            )
        return answers

    async def to_user(self, conversation: str, text: str, name: str, sender: str = "human") -> None:
        """A message into the user's channel: the web chat's stream, or their Telegram."""
        chat_id = telegram_chat(conversation)
        if chat_id is not None and self.telegram is not None:
            prefix = f"{name}: " if sender == "human" else ""
            await self.telegram.send(chat_id, prefix + text)
        else:
            await self.hub.publish(conversation, {"text": text, "from": sender, "name": name})

    # -- the person's side ---------------------------------------------------------------------

    async def from_person(self, chat_id: int, text: str) -> bool:
        """A person's Telegram message: relayed when they are in a session (True), else not."""
        try:
            session = await self._store("active_for", str(chat_id))
        except DOWN:  # the database is down: treat as an ordinary chat
            return False
        if session is None:
            return False
        if _END.match(text):
            await self.end(
                session, texts.LIVE_ENDED_BY_PERSON.format(name=first_name(session["person_name"]))
            )
            await self._to_person(session, texts.LIVE_YOU_ENDED)
            return True
        await self.to_user(session["conversation"], text, first_name(session["person_name"]))
        await self._store("touch_live", session["conversation"])
        return True

    async def take(self, handoff_id: str, chat_id: int) -> str:
        """ "Otan" under a chat request: the session becomes this person's live chat."""
        session = await self._store("live_by_handoff", handoff_id)
        if session is None or session["status"] == "ended":
            return texts.LIVE_GONE
        current = await self._store("active_for", str(chat_id))
        if current and current["conversation"] != session["conversation"]:
            return texts.LIVE_BUSY
        await self._store("set_live", session["conversation"], "active")
        name = first_name(session["person_name"])
        await self.to_user(
            session["conversation"], texts.LIVE_JOINED.format(name=name), name, sender="bot"
        )
        return texts.LIVE_TAKEN

    async def done(self, handoff_id: str) -> None:
        """ "Hoidettu" under a chat request: the session ends."""
        session = await self._store("live_by_handoff", handoff_id)
        if session and session["status"] != "ended":
            await self.end(
                session, texts.LIVE_ENDED_BY_PERSON.format(name=first_name(session["person_name"]))
            )

    # -- ending --------------------------------------------------------------------------------

    async def end(self, session: dict[str, Any], message: str, notify_user: bool = True) -> None:
        await self._store("set_live", session["conversation"], "ended")
        await self._store("set_status", session["handoff_id"], "done")
        if notify_user:
            name = first_name(session["person_name"])
            await self.to_user(session["conversation"], message, name, sender="bot")

    async def tick(self) -> None:
        """End sessions nobody took, or where nobody said anything for a long time."""
        for session in await self._store("stale_live", WAITING_FOR, IDLE_FOR):
            name = first_name(session["person_name"])
            if session["status"] == "waiting":
                await self.end(session, texts.LIVE_NOBODY.format(name=name))
            else:
                await self.end(session, texts.LIVE_TIMED_OUT)
                await self._to_person(session, texts.LIVE_TIMED_OUT)

    async def _to_person(self, session: dict[str, Any], text: str) -> None:
        if self.telegram is None or not self.telegram.available():
            raise LiveUnavailable("Telegram is not connected")
        await self.telegram.send(int(session["person_chat_id"]), text)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            await one_round(
                self.tick, "live: checking time-outs", (*DOWN, LiveUnavailable, TelegramError)
            )
            await asyncio.sleep(TICK_SECONDS)


class LiveUnavailable(Exception):
    """The person cannot be reached in Telegram right now."""
