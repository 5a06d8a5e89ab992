"""Find a human, end to end through the gateway, Rasa, the action server, the database and a
fake of the Telegram Bot API: a callback request stored before it is confirmed and delivered to
the right person exactly once (also across SIGKILL of every process), cancelling, safety during
the form, personal data kept out of Rasa's tracker, a live chat with the person, and a human
named when the action server dies."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.services import wait_http
from store.handoff import Handoffs
from tests.conftest import TOKEN, Apuri, conversation, running_apuri, sender_of
from tests.fake_telegram import FakeTelegram
from tests.helpers import Mailbox, all_pids, pid_listening

BOT_TOKEN = "123456:TEST"
MAIJA, LIISA = 7001, 7002  # the contact persons' Telegram chats in the fixture directory


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as telegram:
        yield telegram


def copy_of(directory_url: str, folder: Path) -> str:
    """A copy of the fixture directory's database: tests that write requests get their own."""
    copy = folder / "apuri.db"
    shutil.copy(Path(directory_url.removeprefix("sqlite:///")), copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def database(directory_url: str, tmp_path_factory) -> str:
    return copy_of(directory_url, tmp_path_factory.mktemp("handoff"))


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture(scope="module")
def apuri(model_path, fake: FakeTelegram, mailbox: Mailbox, database: str) -> Iterator[Apuri]:
    with running_apuri(
        database,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_URL=fake.api_url,
        APURI_SMTP_URL=f"smtp://127.0.0.1:{mailbox.port}",
        APURI_MAIL_FROM="apuri@kunta.example",
    ) as stack:
        fake.wait_until_polling(timeout=60)
        yield stack


def say(apuri: Apuri, label: str, text: str) -> str:
    """The bot's answer in the conversation this test calls `label` (a real id underneath)."""
    req = urllib.request.Request(
        f"{apuri.url}/api/messages",
        method="POST",
        headers={"Content-Type": "application/json"},
        data=json.dumps({"conversation": conversation(apuri.url, label), "text": text}).encode(),
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return "\n".join(m["text"] for m in json.loads(resp.read())["messages"])


def tracker(apuri: Apuri, label: str) -> str:
    sender = sender_of(apuri.url, label)
    url = f"http://127.0.0.1:{apuri.rasa}/conversations/{sender}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read().decode("utf-8")


def request_callback(apuri: Apuri, conversation: str, confirm: bool = True) -> str:
    """The whole callback conversation; the bot's last answer."""
    say(apuri, conversation, "asun Kuopiossa")
    assert "numeroon" in say(apuri, conversation, "voisiko joku soittaa minulle")
    assert "Milloin" in say(apuri, conversation, "040 123 4567")
    assert "mitä asia koskee" in say(apuri, conversation, "huomenna aamupäivällä")
    assert "tallentaa puhelinnumerosi" in say(apuri, conversation, "Haluan liittyä kuoroon")
    readback = say(apuri, conversation, "kyllä")
    assert "040 123 4567" in readback and "huomenna" in readback
    assert "Haluan liittyä kuoroon" in readback and "Maija Esimerkki" in readback
    return say(apuri, conversation, "kyllä" if confirm else "ei")


def test_a_callback_request_is_stored_confirmed_and_delivered(
    apuri, fake, mailbox, database
) -> None:
    answer = request_callback(apuri, "cb-1")
    found = re.search(r"Pyynnön tunnus on (\w+)", answer)
    assert found and "Maija Esimerkki soittaa sinulle" in answer, answer
    record = Handoffs(database).get(found.group(1))
    assert record["phone"] == "+358401234567" and record["status"] == "open"
    assert record["subject"] == "Haluan liittyä kuoroon" and record["person_id"] == "p-1"
    assert record["preferred_time"]  # a real moment, parsed from "huomenna aamupäivällä"
    [message] = fake.wait_for_messages(MAIJA, 1, timeout=30)
    assert "040 123 4567" in message["text"] and "Haluan liittyä kuoroon" in message["text"]
    buttons = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Otan", "Hoidettu"]
    for _ in range(50):
        if Handoffs(database).get(record["id"])["delivered_at"]:
            break
        time.sleep(0.2)
    assert Handoffs(database).get(record["id"])["delivered_at"]
    deadline = time.monotonic() + 30  # the second route: e-mail to the person's address
    while not any(record["id"] in m["Subject"] for m in mailbox.messages):
        assert time.monotonic() < deadline, "no e-mail"
        time.sleep(0.2)
    [mail] = [m for m in mailbox.messages if record["id"] in m["Subject"]]
    assert mail["To"] == "maija@kuopio.example" and mail["From"] == "apuri@kunta.example"
    assert "040 123 4567" in mail.get_content() and "Haluan liittyä kuoroon" in mail.get_content()
    fake.push_button(MAIJA, f"take:{record['id']}")
    wait_status(database, record["id"], "taken")
    assert Handoffs(database).get(record["id"])["taken_by"] == f"telegram:{MAIJA}"
    fake.push_button(LIISA, f"done:{record['id']}")  # not hers: nothing changes
    time.sleep(1)
    assert Handoffs(database).get(record["id"])["status"] == "taken"
    fake.push_button(MAIJA, f"done:{record['id']}")
    wait_status(database, record["id"], "done")
    time.sleep(1)
    assert len(fake.sent(MAIJA)) == 1  # delivered once


def wait_status(database: str, handoff_id: str, status: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while Handoffs(database).get(handoff_id)["status"] != status:
        assert time.monotonic() < deadline, f"{handoff_id} never became {status}"
        time.sleep(0.2)


def test_the_number_and_the_subject_stay_out_of_rasas_tracker(apuri) -> None:
    request_callback(apuri, "cb-2")
    stored = tracker(apuri, "cb-2")
    for secret in ("040 123 4567", "0401234567", "+358401234567", "Haluan liittyä kuoroon"):
        assert secret not in stored
    assert "puhelinnumero1" in stored and "viesti1" in stored


def test_no_at_the_read_back_stores_nothing(apuri, database) -> None:
    before = len(Handoffs(database).list())
    answer = request_callback(apuri, "cb-3", confirm=False)
    assert "en tallentanut mitään" in answer and "Maija Esimerkki" in answer
    assert len(Handoffs(database).list()) == before


@pytest.mark.parametrize("cancel", ["peru", "en halua"])
def test_cancelling_in_the_middle(apuri, database, cancel: str) -> None:
    before = len(Handoffs(database).list())
    conversation = f"cb-cancel-{cancel.replace(' ', '-')}"
    say(apuri, conversation, "asun Kuopiossa")
    say(apuri, conversation, "soittakaa minulle")
    say(apuri, conversation, "040 123 4567")
    assert "en tallentanut mitään" in say(apuri, conversation, cancel)
    assert len(Handoffs(database).list()) == before
    assert "Lauluveikot" in say(apuri, conversation, "onko täällä mieskuoroa")  # the form is over


def test_an_emergency_interrupts_the_form(apuri) -> None:
    say(apuri, "cb-4", "asun Kuopiossa")
    say(apuri, "cb-4", "soittakaa minulle")
    assert "112" in say(apuri, "cb-4", "talo palaa")
    assert "Lauluveikot" in say(apuri, "cb-4", "onko täällä mieskuoroa")


def test_a_crisis_interrupts_the_form(apuri) -> None:
    say(apuri, "cb-4b", "asun Kuopiossa")
    say(apuri, "cb-4b", "soittakaa minulle")
    say(apuri, "cb-4b", "040 123 4567")
    assert "09 2525 0111" in say(apuri, "cb-4b", "en jaksa enää elää")


def test_a_spoken_number_is_read_back_in_digits(apuri) -> None:
    say(apuri, "cb-4c", "asun Kuopiossa")
    say(apuri, "cb-4c", "soittakaa minulle")
    spoken = "nolla neljä nolla yks kaks kolme neljä viis kuus seittemän"
    assert "Milloin" in say(apuri, "cb-4c", spoken)
    say(apuri, "cb-4c", "ylihuomenna")
    say(apuri, "cb-4c", "kuoroon liittyminen")
    readback = say(apuri, "cb-4c", "kyllä")
    assert "040 123 4567" in readback and "ylihuomenna" in readback


def test_a_number_given_earlier_is_offered_back(apuri) -> None:
    say(apuri, "cb-5", "asun Kuopiossa")
    say(apuri, "cb-5", "numeroni on 050 765 4321")
    assert "050 765 4321, jonka kerroit" in say(apuri, "cb-5", "soittakaa minulle")
    assert "Milloin" in say(apuri, "cb-5", "kyllä")


def test_bad_answers_are_asked_again(apuri) -> None:
    say(apuri, "cb-6", "asun Kuopiossa")
    say(apuri, "cb-6", "soittakaa minulle")
    assert "ei näytä suomalaiselta puhelinnumerolta" in say(apuri, "cb-6", "123")
    assert "Milloin" in say(apuri, "cb-6", "040 123 4567")
    assert "En ymmärtänyt aikaa" in say(apuri, "cb-6", "31.2. klo 99")
    assert "mitä asia koskee" in say(apuri, "cb-6", "milloin vain")


def sse_lines(apuri: Apuri, label: str) -> Iterator[dict]:
    """The events of a web conversation's stream, as they come."""
    conn = http.client.HTTPConnection("127.0.0.1", apuri.gateway, timeout=30)
    conn.request("GET", f"/api/events?conversation={conversation(apuri.url, label)}")
    response = conn.getresponse()
    assert response.status == 200, response.read()
    while True:
        line = response.readline().decode("utf-8")
        if line.startswith("data: "):
            yield json.loads(line[6:])


def test_a_live_chat_with_the_person(apuri, fake, database) -> None:
    say(apuri, "live-1", "asun Iissä")
    offer = say(apuri, "live-1", "kuka on järjestöyhdyshenkilö")
    assert "Liisa Virtanen" in offer and "Haluatko kirjoittaa hänelle tässä chatissa" in offer
    assert "Pyysin, että Liisa liittyy" in say(apuri, "live-1", "kyllä")
    [request] = fake.wait_for_messages(LIISA, 1, timeout=30)
    handoff_id = re.search(r"tunnus (\w+)", request["text"]).group(1)
    events = sse_lines(apuri, "live-1")
    waiting = say(apuri, "live-1", "Hei, tarvitsen apua yhdistyksen perustamisessa")
    assert "jonossa sijalla 1" in waiting
    relayed = fake.wait_for(LIISA, lambda s: any("perustamisessa" in m["text"] for m in s))
    assert any(m["text"].startswith("Käyttäjä kirjoittaa") for m in relayed)
    fake.push_button(LIISA, f"take:{handoff_id}")
    assert next(events) == {
        "text": "Liisa liittyi keskusteluun. Kirjoita hänelle tähän.",
        "from": "bot",
        "name": "Liisa",
    }
    fake.push_text(LIISA, "Hei! Autan mielelläni. Mikä yhdistys on kyseessä?")
    assert next(events) == {
        "text": "Hei! Autan mielelläni. Mikä yhdistys on kyseessä?",
        "from": "human",
        "name": "Liisa",
    }
    assert say(apuri, "live-1", "kyläyhdistys") == ""  # relayed; the bot stays quiet
    fake.wait_for(LIISA, lambda s: any("kyläyhdistys" in m["text"] for m in s))
    fake.push_text(LIISA, "/lopeta")
    ended = next(events)
    assert ended["from"] == "bot" and "päätti keskustelun" in ended["text"]
    assert "Iin Eläkeläiset" in say(apuri, "live-1", "onko täällä eläkeläisten kerhoja")
    assert Handoffs(database).get(handoff_id)["status"] == "done"


def ask_liisa_to_chat(apuri: Apuri, fake: FakeTelegram, conversation: str) -> str:
    """A web user asks to chat with Liisa; the id of the chat request she gets."""
    before = len(fake.sent(LIISA))
    say(apuri, conversation, "asun Iissä")
    assert "Haluatko kirjoittaa" in say(apuri, conversation, "haluan puhua ihmisen kanssa")
    assert "Pyysin, että Liisa liittyy" in say(apuri, conversation, "kyllä")
    return new_request(fake, LIISA, before)


def new_request(fake: FakeTelegram, chat: int, before: int) -> str:
    """The id in the first request that reached `chat` after its first `before` messages."""
    sent = fake.wait_for(chat, lambda s: any("tunnus" in m["text"] for m in s[before:]))
    first = next(m for m in sent[before:] if "tunnus" in m["text"])
    return re.search(r"tunnus (\w+)", first["text"]).group(1)


def backdate_live(database: str, apuri: Apuri, label: str, minutes: int) -> None:
    """As if the session had waited (and been quiet) `minutes` longer: the gateway's own
    timer then ends it, as it would after real minutes."""
    import datetime as dt

    import sqlalchemy as sa

    from core import clock
    from store.handoff import schema

    then = clock.utc_key(clock.now() - dt.timedelta(minutes=minutes))
    table = schema.live_sessions
    with Handoffs(database).engine.begin() as conn:
        done = conn.execute(
            sa.update(table)
            .where(table.c.conversation == sender_of(apuri.url, label))
            .values(created_at=then, last_activity_at=then)
        )
    assert done.rowcount == 1, f"no live session for {label}"


def test_a_queue_of_two_and_a_chat_nobody_takes(apuri, fake, database) -> None:
    ask_liisa_to_chat(apuri, fake, "jono-1")
    ask_liisa_to_chat(apuri, fake, "jono-2")
    assert "jonossa sijalla 1" in say(apuri, "jono-1", "Hei, onko ketään paikalla?")
    assert "jonossa sijalla 2" in say(apuri, "jono-2", "Minulla olisi kysymys")
    events = sse_lines(apuri, "jono-1")
    backdate_live(database, apuri, "jono-1", 6)  # nobody took it in five minutes
    nobody = next(events)
    assert nobody["from"] == "bot" and "Liisa ei ehtinyt vastata" in nobody["text"]
    assert "jonossa sijalla 1" in say(apuri, "jono-2", "Odotan vielä")  # moved up
    assert "Iin Eläkeläiset" in say(apuri, "jono-1", "onko täällä eläkeläisten kerhoja")
    ended = say(apuri, "jono-2", "lopeta")  # the user ends it
    assert "Keskustelu päättyi" in ended
    assert "Iin Eläkeläiset" in say(apuri, "jono-2", "onko täällä eläkeläisten kerhoja")
    statuses = {
        r["conversation"]: r["status"] for r in Handoffs(database).list() if r["kind"] == "chat"
    }
    jono_1, jono_2 = sender_of(apuri.url, "jono-1"), sender_of(apuri.url, "jono-2")
    assert statuses[jono_1] == statuses[jono_2] == "done"


def test_a_quiet_live_chat_ends_and_both_are_told(apuri, fake, database) -> None:
    handoff_id = ask_liisa_to_chat(apuri, fake, "hiljaa-1")
    events = sse_lines(apuri, "hiljaa-1")
    fake.push_button(LIISA, f"take:{handoff_id}")
    assert "liittyi keskusteluun" in next(events)["text"]
    before = len(fake.texts(LIISA))
    backdate_live(database, apuri, "hiljaa-1", 25)  # twenty quiet minutes
    assert next(events)["text"] == "Keskustelu päättyi, koska kukaan ei kirjoittanut vähään aikaan."
    fake.wait_for(LIISA, lambda s: any("vähään aikaan" in m["text"] for m in s[before:]))


def test_a_live_chat_from_telegram(apuri, fake, database) -> None:
    user = 8123
    fake.push_text(user, "asun Iissä")
    fake.push_text(user, "haluan puhua ihmisen kanssa")
    fake.wait_for(user, lambda s: any("Haluatko kirjoittaa" in m["text"] for m in s), timeout=60)
    before = len(fake.texts(LIISA))
    fake.push_text(user, "kyllä")
    fake.wait_for(user, lambda s: any("Pyysin, että Liisa" in m["text"] for m in s), timeout=60)
    handoff_id = new_request(fake, LIISA, before)
    fake.push_button(LIISA, f"take:{handoff_id}")
    fake.wait_for(user, lambda s: any("Liisa liittyi" in m["text"] for m in s))
    fake.push_text(LIISA, "Hei, Liisa tässä. Miten voin auttaa?")
    fake.wait_for(
        user, lambda s: any(m["text"] == "Liisa: Hei, Liisa tässä. Miten voin auttaa?" for m in s)
    )
    fake.push_text(user, "Tarvitsen apua kokouksen kanssa")
    fake.wait_for(
        LIISA,
        lambda s: any(
            m["text"] == "Käyttäjä kirjoittaa: Tarvitsen apua " "kokouksen kanssa" for m in s
        ),
    )
    fake.push_button(LIISA, f"done:{handoff_id}")
    fake.wait_for(user, lambda s: any("Liisa päätti keskustelun" in m["text"] for m in s))
    assert Handoffs(database).get(handoff_id)["status"] == "done"


def test_nothing_is_lost_when_every_process_is_killed(model_path, directory_url, tmp_path) -> None:
    """Telegram is down; a request is confirmed; every process gets SIGKILL; everything comes
    back with Telegram up: the person gets the request exactly once."""
    database = copy_of(directory_url, tmp_path)  # no other gateway may deliver from it
    with FakeTelegram() as telegram:
        telegram.fail("502")
        first = Apuri(database, TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=telegram.api_url)
        first.ready()
        answer = request_callback(first, "kill-1")
        handoff_id = re.search(r"Pyynnön tunnus on (\w+)", answer).group(1)
        assert Handoffs(database).get(handoff_id)["delivered_at"] is None
        for pid in all_pids(first.proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        first.proc.wait(timeout=30)
        for port in (first.rasa, first.actions, first.gateway):
            wait_closed(port)
        assert Handoffs(database).get(handoff_id)["status"] == "open"  # survived
        telegram.fail(None)
        again = Apuri(database, TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=telegram.api_url)
        try:
            again.ready()
            mine = lambda s: [m for m in s if handoff_id in m["text"]]  # noqa: E731
            telegram.wait_for(MAIJA, lambda s: bool(mine(s)), timeout=90)
            time.sleep(5)  # anything sent twice would come now
            assert len(mine(telegram.sent(MAIJA))) == 1
            assert Handoffs(database).get(handoff_id)["delivered_at"] is not None
        finally:
            again.ctrl_c()


def wait_closed(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"port {port} still open")


def test_with_the_action_server_down_every_question_gets_a_human(apuri) -> None:
    os.kill(pid_listening(apuri.actions), signal.SIGKILL)
    answer = say(apuri, "down-1", "onko Kuopiossa kuoroja")
    assert "040 555 0100" in answer and "osittain" in answer
    wait_http(f"http://127.0.0.1:{apuri.actions}/health", [apuri.proc], 120)  # brought back
    assert "Lauluveikot" in say(apuri, "down-2", "onko Kuopiossa mieskuoroa")
