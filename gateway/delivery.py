"""Delivery of callback and handoff requests from the durable outbox: the chosen person's
Telegram (with the buttons Otan / Hoidettu) and e-mail (APURI_SMTP_URL). Runs in every gateway,
retries with back-off while a channel fails, and survives restarts: the outbox is in the
database, and a row is marked sent only after the channel accepted it.

Several gateways may share one database: each claims one row at a time (claim, send, mark, then
the next), every send ends well inside the claim's lease, and only the claimer may mark a row
(store.handoff.store: LEASE, SEND_TIMEOUT, MARK_WITHIN). Rasa is not needed for any of it."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import time
import urllib.parse
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from finnish import labels
from gateway import texts
from gateway.addresses import TelegramSender
from gateway.pools import DATABASE, MAIL
from gateway.records import DOWN, Records
from gateway.workers import one_round
from store.handoff import Handoffs
from store.handoff.outbox import MARK_WITHIN, SEND_TIMEOUT

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0
MARK_RETRY_SECONDS = 2.0  # between tries to record an outcome, for at most MARK_WITHIN
PURGE_EVERY = 24 * 3600.0  # seconds: old requests lose their personal data daily


def buttons(handoff_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(labels.BUTTONS[key], callback_data=f"{key}:{handoff_id}")
                for key in ("take", "done")
            ]
        ]
    )


class DeadlineSMTP(smtplib.SMTP):
    """smtplib with one deadline for the whole exchange: its own timeout is per socket call,
    and a server that answers slowly at every step could otherwise outlast the lease."""

    def __init__(self, host: str, port: int, deadline: float) -> None:
        self.deadline = deadline  # time.monotonic() when the exchange must be over
        super().__init__(host, port, timeout=self._left())

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the SMTP server took too long")
        return left

    def send(self, s: Any) -> None:
        if self.sock is not None:
            self.sock.settimeout(self._left())
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        if self.sock is not None:
            self.sock.settimeout(self._left())
        return super().getreply()


class Delivery:
    def __init__(
        self,
        records: Records,
        telegram: TelegramSender | None = None,
        smtp_url: str = "",
        mail_from: str = "",
        retention_days: int = 30,
    ) -> None:
        self.records = records
        self.retention_days = retention_days
        self._purged_at = 0.0
        self.telegram = telegram  # None: no Telegram bot
        self.smtp_url = smtp_url
        self.mail_from = mail_from or "apuri@localhost"
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    def channels(self) -> tuple[str, ...]:
        """The channels that can send now (Telegram rows wait while the bot is not connected)."""
        ready = []
        if self.telegram is not None and self.telegram.available():
            ready.append("telegram")
        if self.smtp_url:
            ready.append("email")
        return tuple(ready)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Finish the row in hand first (its send ends within SEND_TIMEOUT): a row cut off
        mid-send stays claimed until its lease ends, and may then go out twice."""
        if self._task is None:
            return
        self._stopping.set()
        grace = (SEND_TIMEOUT + MARK_WITHIN).total_seconds()
        done, _ = await asyncio.wait({self._task}, timeout=grace)
        if not done:
            self._task.cancel()

    async def _run(self) -> None:
        restarted = False
        while not self._stopping.is_set():
            if not restarted:  # a fresh start retries at once what waited for a back-off
                restarted = await one_round(
                    lambda: DATABASE.run(lambda: self.records.get().retry_now()),
                    "delivery: retrying what waited",
                    DOWN,
                )
            await one_round(self._round, "delivery: the outbox", DOWN)
            try:
                await asyncio.wait_for(self._stopping.wait(), POLL_SECONDS)
            except asyncio.TimeoutError:
                pass

    async def _round(self) -> None:
        await self.once()
        await self.purge_daily()

    async def purge_daily(self) -> None:
        """Requests lose their personal data APURI_RETENTION_DAYS after they were done, or
        made if never done; once a day (and at start)."""
        now = asyncio.get_running_loop().time()
        if self._purged_at and now - self._purged_at < PURGE_EVERY:
            return
        count = await DATABASE.run(lambda: self.records.get().purge(self.retention_days))
        self._purged_at = now
        logger.info("purge: %d requests lost their personal data", count)

    async def once(self) -> int:
        """Send what is due now, one row at a time: claim it, send it, mark it, then the next
        (a batch claimed at once could outlast its lease behind a slow channel). How many
        were sent."""
        store: Handoffs = await DATABASE.run(self.records.get)
        sent = 0
        while not self._stopping.is_set() and (channels := self.channels()):
            rows = await DATABASE.run(store.claim_due, channels)
            if not rows:
                break
            if await self.deliver(store, rows[0]):
                sent += 1
        return sent

    async def deliver(self, store: Handoffs, row: dict[str, Any]) -> bool:
        """One claimed row: sent and marked so, or marked failed for a later try."""
        try:
            await self.send(row)
        except Exception as err:  # noqa: BLE001 - any failure: back off and try again
            logger.warning(
                "delivery %s via %s failed: %s",
                row["handoff_id"],
                row["channel"],
                type(err).__name__,
            )
            await self._mark(
                store.failed, row["id"], row["claim_token"], row["attempts"], type(err).__name__
            )
            return False
        if not await self._mark(store.sent, row["id"], row["claim_token"]):
            return False  # the store logged it: the lease ran out and someone else has it
        logger.info("delivery %s via %s: sent", row["handoff_id"], row["channel"])
        return True

    async def _mark(self, mark: Callable[..., bool], *args: Any) -> bool:
        """Record an outcome, trying again while the database is away: a sent row left
        unmarked would go out again when its lease ends."""
        deadline = time.monotonic() + MARK_WITHIN.total_seconds()
        while True:
            try:
                return await DATABASE.run(mark, *args)
            except DOWN:  # the database or its pool is busy or down
                if time.monotonic() + MARK_RETRY_SECONDS > deadline:
                    raise
                logger.warning("delivery: the outcome cannot be saved now; trying again")
                await asyncio.sleep(MARK_RETRY_SECONDS)

    async def send(self, row: dict[str, Any]) -> None:
        """Raises if the channel did not accept it within SEND_TIMEOUT."""
        text = texts.request_for_person(row)
        if row["channel"] == "telegram":
            if self.telegram is None:  # never claimed without a bot (`channels`)
                raise RuntimeError("no Telegram bot")
            await asyncio.wait_for(
                self.telegram.send(
                    int(row["recipient"]), text, reply_markup=buttons(row["handoff_id"])
                ),
                SEND_TIMEOUT.total_seconds(),
            )
        elif row["channel"] == "email":
            await MAIL.run(self._mail, row["recipient"], row["handoff_id"], text)
        else:
            raise ValueError(f"unknown channel {row['channel']!r}")

    def _mail(self, to: str, handoff_id: str, text: str) -> None:
        """Once the server accepted the message it is sent: a failing QUIT changes nothing."""
        url = urllib.parse.urlsplit(self.smtp_url)
        message = EmailMessage()
        message["From"], message["To"] = self.mail_from, to
        message["Subject"] = texts.MAIL_SUBJECT.format(handoff_id=handoff_id)
        message.set_content(text)
        deadline = time.monotonic() + SEND_TIMEOUT.total_seconds()
        smtp = DeadlineSMTP(url.hostname or "localhost", url.port or 25, deadline)
        try:
            if url.username:
                smtp.login(
                    urllib.parse.unquote(url.username), urllib.parse.unquote(url.password or "")
                )
            smtp.send_message(message)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
