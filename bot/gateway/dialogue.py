"""One user message in, the bot's answers out: shared by the web chat and Telegram."""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from bot.gateway import texts
from bot.gateway.rasa import RasaClient, RasaUnavailable
from bot.gateway.vault import Vault

logger = logging.getLogger(__name__)

MAX_TEXT = 2000  # characters in one message (contract §6)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_INTENT_PAYLOAD = re.compile(r"^/[a-z_]{2,40}$")  # a bot button: "/affirm"


def clean(text: str) -> str:
    """The message as the bot should read it: NFC, no control or direction characters."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def problem(text: str) -> str | None:
    """A Finnish sentence saying what is wrong with a cleaned message, or None."""
    if not text:
        return texts.EMPTY
    if len(text) > MAX_TEXT:
        return texts.TOO_LONG.format(limit=MAX_TEXT)
    return None


def _for_rasa(text: str) -> str:
    """Button payloads name an intent; anything else starting with "/" is plain text (no
    entities or slots can be injected with "/intent{…}")."""
    if text.startswith("/") and not _INTENT_PAYLOAD.match(text):
        return text.lstrip("/ ") or text
    return text


def _answer(message: dict[str, Any]) -> dict[str, Any]:
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict) and b.get("title")
    ]
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
    return {"text": str(message.get("text") or ""), "buttons": buttons, "custom": custom}


async def ask(
    rasa: RasaClient, sender: str, text: str, vault: Vault | None = None
) -> list[dict[str, Any]]:
    """The bot's answers; the general number when Rasa or the action server is silent.

    With a vault, phone numbers and private messages reach Rasa as tags and come back as
    values: Rasa's tracker never holds them."""
    try:
        if vault is not None:
            text = await vault.hide(sender, text)
        answers = [_answer(m) for m in await rasa.send(sender, _for_rasa(text))]
        if vault is not None:
            answers = await vault.reveal(sender, answers)
    except RasaUnavailable as err:
        logger.warning("Rasa did not answer: %s", err)
        answers = []
    except Exception:  # noqa: BLE001 - the database behind the vault is down
        logger.exception("the vault could not be used")
        answers = []
    answers = [{"text": a["text"], "buttons": a["buttons"]} for a in answers
               if a["text"] or a["buttons"]]  # fmt: skip
    if not answers:  # Rasa down, or an action failed and nothing was said
        return [{"text": texts.unavailable(), "buttons": []}]
    return answers
