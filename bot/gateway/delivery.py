"""Delivery of callback and handoff requests from the durable outbox: the chosen person's
Telegram (with the buttons Otan / Hoidettu) and e-mail (APURI_SMTP_URL). Runs in the gateway,
retries with back-off while a channel fails, and survives restarts: the outbox is in the
database, and a row is marked sent only after the channel accepted it."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import urllib.parse
from email.message import EmailMessage
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.gateway import texts
from bot.gateway.records import Records

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0
PURGE_EVERY = 24 * 3600.0  # seconds: done requests lose their personal data daily


def buttons(handoff_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("Otan", callback_data=f"take:{handoff_id}"),
        InlineKeyboardButton("Hoidettu", callback_data=f"done:{handoff_id}"),
    ]])  # fmt: skip


class Delivery:
    def __init__(self, records: Records, telegram: Any = None, smtp_url: str = "",
                 mail_from: str = "", retention_days: int = 30) -> None:  # fmt: skip
        self.records = records
        self.retention_days = retention_days
        self._purged_at = 0.0
        self.telegram = telegram  # bot.gateway.telegram.TelegramChannel, or None
        self.smtp_url = smtp_url
        self.mail_from = mail_from or "apuri@localhost"
        self._task: asyncio.Task | None = None

    def channels(self) -> tuple[str, ...]:
        """The channels that can send now (Telegram rows wait while the bot is not connected)."""
        ready = []
        if self.telegram is not None and self.telegram.state == "running":
            ready.append("telegram")
        if self.smtp_url:
            ready.append("email")
        return tuple(ready)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        restarted = False
        while True:
            try:
                if not restarted:  # a fresh start retries at once what waited for a back-off
                    await asyncio.to_thread(lambda: self.records.get().retry_now())
                    restarted = True
                await self.once()
                await self.purge_daily()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the database is down: try again soon
                logger.warning("delivery: the outbox cannot be read now")
            await asyncio.sleep(POLL_SECONDS)

    async def purge_daily(self) -> None:
        """Done requests older than APURI_RETENTION_DAYS lose their personal data, once a day
        (and at start)."""
        now = asyncio.get_running_loop().time()
        if self._purged_at and now - self._purged_at < PURGE_EVERY:
            return
        count = await asyncio.to_thread(lambda: self.records.get().purge(self.retention_days))
        self._purged_at = now
        logger.info("purge: %d done requests lost their personal data", count)

    async def once(self) -> int:
        """Send what is due now; how many were sent."""
        channels = self.channels()
        if not channels:
            return 0
        store = await asyncio.to_thread(self.records.get)
        rows = await asyncio.to_thread(store.claim_due, channels)
        sent = 0
        for row in rows:
            try:
                await self.send(row)
            except Exception as err:  # noqa: BLE001 - any failure: back off and try again
                logger.warning("delivery %s via %s failed: %s", row["handoff_id"],
                               row["channel"], type(err).__name__)  # fmt: skip
                await asyncio.to_thread(store.failed, row["id"], row["attempts"],
                                        type(err).__name__)  # fmt: skip
                continue
            await asyncio.to_thread(store.sent, row["id"])
            logger.info("delivery %s via %s: sent", row["handoff_id"], row["channel"])
            sent += 1
        return sent

    async def send(self, row: dict[str, Any]) -> None:
        text = texts.request_for_person(row)
        if row["channel"] == "telegram":
            await self.telegram.app.bot.send_message(
                chat_id=int(row["recipient"]), text=text, reply_markup=buttons(row["handoff_id"])
            )
        elif row["channel"] == "email":
            await asyncio.to_thread(self._mail, row["recipient"], row["handoff_id"], text)
        else:
            raise ValueError(f"unknown channel {row['channel']!r}")

    def _mail(self, to: str, handoff_id: str, text: str) -> None:
        url = urllib.parse.urlsplit(self.smtp_url)
        message = EmailMessage()
        message["From"], message["To"] = self.mail_from, to
        message["Subject"] = f"Apuri: pyyntö {handoff_id}"
        message.set_content(text)
        with smtplib.SMTP(url.hostname or "localhost", url.port or 25, timeout=20) as smtp:
            if url.username:
                smtp.login(urllib.parse.unquote(url.username),
                           urllib.parse.unquote(url.password or ""))  # fmt: skip
            smtp.send_message(message)
