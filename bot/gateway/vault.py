"""The gateway's side of keeping personal data out of Rasa (bot/privacy.py): numbers and
private messages go into the handoff database's vault and Rasa gets tags; answers get the
values back on their way out."""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from bot import finnish, privacy
from bot.gateway.records import Records

logger = logging.getLogger(__name__)
PRIVATE_NEXT = "_private_next"  # the vault row saying "the next message is private"


class Vault:
    def __init__(self, records: Records) -> None:
        self.records = records

    async def hide(self, conversation: str, text: str) -> str:
        """The message as Rasa may see it."""
        private = await asyncio.to_thread(self._take_private_flag, conversation)
        if private and finnish.safety_intent(text) is None:  # danger words must reach Rasa
            store = self.records.get
            return await asyncio.to_thread(lambda: store().keep_message(conversation, text))
        if not privacy.finnish_phone_spans(text):
            return text
        return await asyncio.to_thread(self._hide_numbers, conversation, text)

    async def reveal(
        self, conversation: str, answers: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The answers as the person may see them; remembers when the next message is private."""
        if any((a.get("custom") or {}).get("private_next") for a in answers):
            await asyncio.to_thread(self._keep_private_flag, conversation)
        if not any(privacy.TAG.search(a["text"]) for a in answers):
            return answers
        values = await asyncio.to_thread(lambda: self.records.get().numbers(conversation))
        return [{**a, "text": privacy.reveal(a["text"], values)} for a in answers]

    def _hide_numbers(self, conversation: str, text: str) -> str:
        keep = functools.partial(self.records.get().keep_number, conversation)
        return privacy.hide_numbers(text, keep)

    def _take_private_flag(self, conversation: str) -> bool:
        return self.records.get().take_flag(conversation, PRIVATE_NEXT)

    def _keep_private_flag(self, conversation: str) -> None:
        self.records.get().keep_flag(conversation, PRIVATE_NEXT)
