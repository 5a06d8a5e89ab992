"""The gateway's side of keeping personal data out of Rasa (bot/privacy.py): numbers and
private messages go into the handoff database's vault and Rasa gets tags; answers get the
values back on their way out.

The vault never holds up a message: when the database cannot be used, `hide` says so
(VaultDown) and the caller masks numbers in memory; answers keep their tags' generic words.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import finnish
from bot import privacy
from gateway import texts
from gateway.pools import DATABASE
from gateway.records import DOWN, REFUSED, Records
from store.handoff.vault import PrivateNotKept

logger = logging.getLogger(__name__)
PRIVATE_NEXT = "_private_next"  # the vault row saying "the next message is private"


class VaultDown(Exception):
    """The vault's database cannot be used now."""


class Vault:
    def __init__(self, records: Records) -> None:
        self.records = records

    async def hide(self, conversation: str, text: str) -> str:
        """The message as Rasa may see it. PrivateNotKept when it was to be private and could
        not be stored; VaultDown when the database cannot be used."""
        try:
            return await DATABASE.run(self._hide, conversation, text)
        except PrivateNotKept as err:
            logger.warning("vault: a private message could not be kept (%s)", err)
            raise
        except (*DOWN, *REFUSED) as err:
            logger.warning("vault: the database cannot be used (%s)", type(err).__name__)
            raise VaultDown from None

    def _hide(self, conversation: str, text: str) -> str:
        store = self.records.get()
        if finnish.safety_intent(text) is not None:  # danger words must reach Rasa as they are
            store.take_flag(conversation, PRIVATE_NEXT)
        else:
            tag = store.keep_private(conversation, PRIVATE_NEXT, text)
            if tag is not None:
                return tag
        if not privacy.finnish_phone_spans(text):
            return text
        return privacy.hide_numbers(text, functools.partial(store.keep_number, conversation))

    async def reveal(
        self, conversation: str, answers: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The answers as the person may see them; remembers when the next message is private.
        VaultDown when that cannot be remembered (the next message would go on in clear)."""
        private_next = any((a.get("custom") or {}).get("private_next") for a in answers)
        tagged = any(privacy.TAG.search(a["text"]) for a in answers)
        values: dict[str, str] = {}
        if private_next or tagged:
            try:
                values = await DATABASE.run(self._reveal, conversation, private_next, tagged)
            except (*DOWN, *REFUSED) as err:
                logger.warning("vault: the database cannot be used (%s)", type(err).__name__)
                if private_next:
                    raise VaultDown from None
        if not tagged:
            return answers
        return [{**a, "text": privacy.reveal(a["text"], values, texts.HIDDEN)} for a in answers]

    def _reveal(self, conversation: str, private_next: bool, tagged: bool) -> dict[str, str]:
        store = self.records.get()
        if private_next:
            store.keep_flag(conversation, PRIVATE_NEXT)
        return store.numbers(conversation) if tagged else {}
