"""Conversation addresses: the one place that builds them and takes them apart.

An address names a user's conversation to Rasa (its sender id), the rate limits, the handoff
records and the live relay:

- "web-<hash>" for a web chat: a hash of the browser's conversation id, so the tracker, the
  records and any log line never hold the id that grants access (`gateway.conversations`);
- "tg-<chat id>" for a Telegram chat;
- "telegram:<chat id>" for who took a request in Telegram (the staff page says so).

`TelegramSender` is what the live relay and the delivery need to reach a Telegram chat; the
Telegram channel makes one (`gateway.telegram.TelegramChannel.sender`).
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

WEB = "web-"
TELEGRAM = "tg-"
_WEB_HASH_CHARS = 32  # hex digits of SHA-256: 128 bits


def web_address(browser_conversation: str) -> str:
    """The address of a web conversation, from the id the browser holds."""
    digest = hashlib.sha256(browser_conversation.encode()).hexdigest()
    return WEB + digest[:_WEB_HASH_CHARS]


def telegram_address(chat_id: int) -> str:
    """The address of a Telegram chat."""
    return f"{TELEGRAM}{chat_id}"


def telegram_chat(address: str) -> int | None:
    """The Telegram chat id an address names; None for any other address (a web one, or one
    `telegram_address` did not make, such as "tg-abc")."""
    if not address.startswith(TELEGRAM):
        return None
    try:
        chat_id = int(address[len(TELEGRAM) :])
    except ValueError:
        return None
    return chat_id if telegram_address(chat_id) == address else None


def telegram_handler(chat_id: int | str) -> str:
    """Who took a request by its button in Telegram, as the request records it."""
    return f"telegram:{chat_id}"


def by_telegram(taken_by: str | None) -> bool:
    """Whether a request was taken in Telegram (`telegram_handler`), not on the staff page."""
    return bool(taken_by) and str(taken_by).startswith("telegram:")


class TelegramSender(Protocol):
    """Sends the bot's messages to Telegram chats."""

    def available(self) -> bool:
        """True while the bot is connected to Telegram."""
        ...

    async def send(self, chat_id: int, text: str, **kwargs: Any) -> None:
        """One message to a chat (kwargs as for the Bot API's sendMessage, e.g.
        reply_markup); raises if Telegram did not accept it."""
        ...
