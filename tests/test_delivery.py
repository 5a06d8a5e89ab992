"""Exactly once with more than one gateway: two gateway processes (no Rasa) share one real
PostgreSQL outbox, a slow SMTP server and the fake Telegram Bot API; every request reaches each
of its routes once, and is marked delivered. And a slow mail server cannot hold a send past its
deadline (which keeps it inside the claim's lease)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import smtplib
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator

import pytest

from cli.services import free_port
from gateway.delivery import DeadlineSMTP
from store.handoff import Handoffs
from tests.conftest import gateway_process
from tests.fake_telegram import TOKEN as BOT_TOKEN
from tests.fake_telegram import FakeTelegram
from tests.helpers import Mailbox

REQUESTS = 20
SMTP_SECONDS = 1.0  # each message, as a slow mail server would take
FIRST_CHAT = 9001
SECRET = "webhook-secret-not-secret"


class SlowMailbox(Mailbox):
    """A real SMTP server that takes SMTP_SECONDS to accept each message."""

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's
        await asyncio.sleep(SMTP_SECONDS)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_mailbox() -> Iterator[SlowMailbox]:
    box = SlowMailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@contextlib.contextmanager
def gateway(db_url: str, fake: FakeTelegram, mailbox: Mailbox, name: str) -> Iterator[str]:
    """`python -m gateway` with Telegram in webhook mode (two gateways must not both
    long-poll), e-mail from `name`@, and no Rasa or action server behind it; its base URL."""
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/telegram/webhook"
    with gateway_process(
        db_url,
        port,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_URL=fake.api_url,
        TELEGRAM_WEBHOOK_URL=webhook,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        APURI_SMTP_URL=f"smtp://127.0.0.1:{mailbox.port}",
        APURI_MAIL_FROM=f"{name}@kunta.example",
    ) as url:
        yield url


def telegram_running(url: str, timeout: float = 60) -> None:
    """Wait until the gateway's Telegram channel is connected (so it delivers Telegram rows)."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(url + "/health", timeout=30) as response:
            if json.load(response)["telegram"]["state"] == "running":
                return
        assert time.monotonic() < deadline, f"{url}: Telegram never connected"
        time.sleep(0.2)


def test_two_gateways_deliver_each_request_once(postgres_url: str, slow_mailbox) -> None:
    store = Handoffs(postgres_url)  # migrated before either gateway starts
    with (
        FakeTelegram() as fake,
        gateway(postgres_url, fake, slow_mailbox, "first") as first,
        gateway(postgres_url, fake, slow_mailbox, "second") as second,
    ):
        telegram_running(first)
        telegram_running(second)
        made = []
        for i in range(REQUESTS):
            person = {"id": f"p-{i}", "name": f"Henkilö {i}"}
            routes = [("telegram", str(FIRST_CHAT + i)), ("email", f"p{i}@kunta.example")]
            made.append(
                store.create(
                    "callback",
                    person,
                    routes,
                    municipality="Kuopio",
                    phone="+358401234567",
                    subject=f"Asia {i}",
                )["id"]
            )
        deadline = time.monotonic() + 120
        while not all(store.get(h)["delivered_at"] for h in made) or any(
            row["sent_at"] is None for h in made for row in store.deliveries(h)
        ):
            assert time.monotonic() < deadline, "not everything was delivered"
            time.sleep(0.5)
        time.sleep(2 * SMTP_SECONDS + 2)  # a second copy of anything would come now
        chats = Counter(m["chat_id"] for m in fake.sent())
        mails = Counter(m["To"] for m in slow_mailbox.messages)
        senders = {m["From"] for m in slow_mailbox.messages}
        assert fake.calls_of("getUpdates") == []
    assert chats == {FIRST_CHAT + i: 1 for i in range(REQUESTS)}
    assert mails == {f"p{i}@kunta.example": 1 for i in range(REQUESTS)}
    assert senders == {"first@kunta.example", "second@kunta.example"}  # both gateways sent
    for i, handoff_id in enumerate(made):
        text = next(m["text"] for m in fake.sent(FIRST_CHAT + i))
        assert handoff_id in text and f"Asia {i}" in text


def test_a_slow_mail_server_is_cut_off_at_the_deadline(slow_mailbox) -> None:
    """One deadline for the whole SMTP exchange, not one per socket call."""
    started = time.monotonic()
    smtp = DeadlineSMTP("127.0.0.1", slow_mailbox.port, started + SMTP_SECONDS / 2)
    try:
        with pytest.raises((TimeoutError, smtplib.SMTPServerDisconnected)):  # as smtplib says
            smtp.sendmail("apuri@kunta.example", ["p@kunta.example"], "Subject: x\n\nx\n")
    finally:
        smtp.close()
    assert time.monotonic() - started < SMTP_SECONDS
