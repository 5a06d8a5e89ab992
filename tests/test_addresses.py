"""Conversation addresses (gateway.addresses), and the Telegram sender the live relay and the
delivery use instead of the channel itself. In one process, no network."""

from __future__ import annotations

import asyncio
import hashlib
from types import SimpleNamespace
from typing import Any

import pytest

from gateway import conversations
from gateway.addresses import TelegramSender, telegram_address, telegram_chat, web_address
from gateway.delivery import Delivery
from gateway.hub import EventHub
from gateway.live import LiveRelay, LiveUnavailable
from gateway.records import Records
from gateway.telegram import ChannelSender


@pytest.mark.parametrize("chat_id", [8123, 1, 0, -1001234567890])
def test_a_telegram_address_gives_back_its_chat(chat_id: int) -> None:
    address = telegram_address(chat_id)
    assert address == f"tg-{chat_id}"
    assert telegram_chat(address) == chat_id


def test_a_web_address_is_a_hash_and_no_telegram_chat() -> None:
    browser = conversations.new(b"secret")
    address = web_address(browser)
    assert address == "web-" + hashlib.sha256(browser.encode()).hexdigest()[:32]
    assert conversations.sender(browser) == address  # Rasa's sender id for a web chat
    assert browser not in address
    assert telegram_chat(address) is None


@pytest.mark.parametrize(
    "address", ["tg-abc", "tg-", "tg", "", "tg-007", "tg-+5", "tg- 5", "tg-1_0", "tg-5\n", "web-5"]
)
def test_anything_telegram_address_did_not_make_is_no_chat(address: str) -> None:
    assert telegram_chat(address) is None


class FakeSender:
    def __init__(self, available: bool = True) -> None:
        self.up = available
        self.sent: list[tuple[int, str, dict[str, Any]]] = []

    def available(self) -> bool:
        return self.up

    async def send(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.sent.append((chat_id, text, kwargs))


async def listening(hub: EventHub, conversation: str, events: list[dict[str, Any]]) -> asyncio.Task:
    """A web listener of `conversation`: it keeps what it hears in `events`, and stops after a
    short quiet."""

    async def listen() -> None:
        async for event in hub.listen(conversation, keepalive=0.05):
            if event is None:
                return
            events.append(event)

    task = asyncio.create_task(listen())
    await asyncio.sleep(0)  # it listens now
    return task


def test_the_relay_reaches_a_telegram_user_through_the_sender_and_a_web_user_through_the_hub():
    async def run() -> tuple[FakeSender, list[dict[str, Any]]]:
        hub, sender = EventHub(), FakeSender()
        relay = LiveRelay(Records("sqlite://"), hub)
        relay.use_telegram(sender)
        web, events = web_address("selain"), []
        listener = await listening(hub, web, events)
        await relay.to_user(telegram_address(8123), "Hei", "Maija")
        await relay.to_user(telegram_address(8123), "Maija liittyi", "Maija", sender="bot")
        await relay.to_user(web, "Moi", "Maija")
        await listener
        return sender, events

    sender, events = asyncio.run(run())
    assert sender.sent == [(8123, "Maija: Hei", {}), (8123, "Maija liittyi", {})]
    assert events == [{"text": "Moi", "from": "human", "name": "Maija"}]


def test_without_a_bot_a_telegram_address_goes_to_the_hub_as_before() -> None:
    async def run() -> list[dict[str, Any]]:
        hub = EventHub()
        relay = LiveRelay(Records("sqlite://"), hub)
        address, events = telegram_address(5), []
        listener = await listening(hub, address, events)
        await relay.to_user(address, "Hei", "Maija")
        await listener
        return events

    assert asyncio.run(run()) == [{"text": "Hei", "from": "human", "name": "Maija"}]


def test_a_person_is_out_of_reach_while_the_bot_is_not_connected() -> None:
    session = {"person_chat_id": "7001"}
    sender = FakeSender(available=False)
    relay = LiveRelay(Records("sqlite://"), EventHub(), sender)
    with pytest.raises(LiveUnavailable):
        asyncio.run(relay._to_person(session, "Hei"))
    sender.up = True
    asyncio.run(relay._to_person(session, "Hei"))
    assert sender.sent == [(7001, "Hei", {})]


def test_delivery_sends_telegram_rows_only_while_the_bot_is_connected() -> None:
    sender = FakeSender(available=False)
    delivery = Delivery(Records("sqlite://"), sender, smtp_url="smtp://localhost")
    assert delivery.channels() == ("email",)
    sender.up = True
    assert delivery.channels() == ("telegram", "email")
    assert Delivery(Records("sqlite://")).channels() == ()


def test_the_channel_sender_sends_through_the_channel_bot_while_it_runs() -> None:
    calls: list[dict[str, Any]] = []

    async def send_message(**kwargs: Any) -> None:
        calls.append(kwargs)

    channel = SimpleNamespace(state="starting", app=SimpleNamespace(bot=None))
    channel.app.bot = SimpleNamespace(send_message=send_message)
    sender: TelegramSender = ChannelSender(channel)  # type: ignore[arg-type]
    assert not sender.available()
    channel.state = "running"
    assert sender.available()
    asyncio.run(sender.send(42, "Hei", reply_markup="napit"))
    assert calls == [{"chat_id": 42, "text": "Hei", "reply_markup": "napit"}]
