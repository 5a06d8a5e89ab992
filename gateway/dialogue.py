"""One user message in, the bot's answers out: shared by the web chat and Telegram."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from typing import Any

import finnish
from bot import privacy
from gateway import texts
from gateway.live import LiveRelay
from gateway.rasa import RasaClient, RasaUnavailable
from gateway.vault import Vault, VaultDown
from store.handoff.vault import PrivateNotKept

logger = logging.getLogger(__name__)

MAX_TEXT = 2000  # characters in one message (contract §6)
SAFETY_WAIT = 10.0  # seconds a danger message waits for the bot before the general number
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


def safety_answer(text: str) -> dict[str, Any] | None:
    """112 or the crisis line for a message with danger words, decided here in the gateway
    before anything that can fail (the vault, the rate limit, Rasa) is touched."""
    danger = finnish.safety_intent(text)
    if danger is None:
        return None
    return {"text": texts.EMERGENCY if danger == "emergency" else texts.CRISIS, "buttons": []}


def safety_first(
    first: dict[str, Any] | None, answers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The safety answer first and once, then the rest as one message (Rasa says the safety
    answer too when it is up)."""
    if first is None:
        return one_message(answers)
    return [first, *one_message([a for a in answers if a["text"] != first["text"]])]


def one_message(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An answer is one message: "Löysin nämä", the records and "Haluatko lisää?" in one
    bubble (one "Lue ääneen", one Telegram message), with all their buttons under it."""
    if len(answers) <= 1:
        return answers
    text = "\n".join(a["text"] for a in answers if a["text"])
    return [{"text": text, "buttons": [b for a in answers for b in a["buttons"]]}]


async def respond(
    rasa: RasaClient,
    sender: str,
    text: str,
    vault: Vault | None = None,
    live: LiveRelay | None = None,
) -> list[dict[str, Any]]:
    """What the user sees after saying `text`: the safety answer first when there is one, then
    the person on the line or the bot; the general number when they cannot answer. A danger
    message waits for them at most SAFETY_WAIT seconds."""
    first = safety_answer(text)

    async def rest() -> list[dict[str, Any]]:
        relayed = await live.from_user(sender, text) if live is not None else None
        if relayed is not None:  # a person is on the line: the bot stays quiet
            return relayed
        return await ask(rasa, sender, text, vault, danger=first is not None)

    if first is None:
        return one_message(await rest())
    try:
        answers = await asyncio.wait_for(rest(), SAFETY_WAIT)
    except asyncio.TimeoutError:
        logger.warning("no answer in %.0f s after a danger message", SAFETY_WAIT)
        answers = [_unavailable()]
    except Exception:  # noqa: BLE001 - a bug must not take the crisis line with it
        logger.exception("answering a danger message failed")
        answers = [_unavailable()]
    return safety_first(first, answers)


def _unavailable() -> dict[str, Any]:
    return {"text": texts.unavailable(), "buttons": []}


async def ask(
    rasa: RasaClient, sender: str, text: str, vault: Vault | None = None, danger: bool = False
) -> list[dict[str, Any]]:
    """The bot's answers; the general number when Rasa or the action server is silent.

    With a vault, phone numbers and private messages reach Rasa as tags and come back as
    values: Rasa's tracker never holds them. When the vault's database is down, numbers are
    masked here and the message still goes on; a private answer (a callback's subject) does
    not, and the user is told why. `danger`: the message has danger words."""
    degraded = False  # the database is down: a danger message gets a human's number too
    if vault is not None:
        try:
            text = await vault.hide(sender, text)
        except PrivateNotKept:
            return [_not_kept()]
        except VaultDown:
            if not danger and await rasa.asks_private(sender):
                return [_not_kept()]
            text, degraded = privacy.mask_numbers(text), True
    try:
        answers = [_answer(m) for m in await rasa.send(sender, _for_rasa(text))]
    except RasaUnavailable as err:
        logger.warning("Rasa did not answer: %s", err)
        answers = []
    if vault is not None:
        try:
            answers = await vault.reveal(sender, answers)
        except VaultDown:  # the next message could not be kept private: say so instead
            answers = [a for a in answers if not (a.get("custom") or {}).get("private_next")]
            answers.append(_not_kept())
    answers = [
        {"text": a["text"], "buttons": a["buttons"]} for a in answers if a["text"] or a["buttons"]
    ]
    if not answers:  # Rasa down, or an action failed and nothing was said
        return [_unavailable()]
    if degraded and danger:
        answers.append({"text": texts.partly_down(), "buttons": []})
    return answers


def _not_kept() -> dict[str, Any]:
    return {"text": texts.private_not_kept(), "buttons": []}
