"""The Telegram channel end to end: a real gateway process (`python -m gateway`) talks to a
fake Bot API (tests/fake_telegram.py) and to the stack's Rasa and action server. Long polling,
webhook mode, long answers, the rate limit, update types the bot does not handle, bad input,
and a Bot API that is not there when the gateway starts."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from aiohttp import web

from cli.services import free_port
from gateway import texts
from gateway.limits import RateLimit
from gateway.telegram import MAX_MESSAGE, split
from tests.conftest import new_conversation
from tests.fake_telegram import TOKEN as BOT_TOKEN
from tests.fake_telegram import BackgroundServer, FakeTelegram, Json
from tests.helpers import (
    Gateway,
    ask_on_telegram,
    bot_api,
    finnish,
    http,
    new_chat,
    problems_in,
    said,
)

SECRET = "kuopion-kuorot-2024_salaisuus"
CHOIRS = ("Lauluveikot", "Kuopion Kamarikuoro", "Savon Laulajat", "Kuopion Naiskuoro")
BUTTONS = ["Kyllä, lisää", "Ohjaa ihmiselle", "Ei kiitos"]


def keyboard(message: Json) -> list[str]:
    """The texts of a reply keyboard's buttons, row by row."""
    markup = message["reply_markup"] or {}
    return [
        b["text"] if isinstance(b, dict) else b for row in markup.get("keyboard", []) for b in row
    ]


# -- split: unit tests -----------------------------------------------------------------------


def sentences(n: int) -> str:
    return " ".join(
        f"Yhdistys numero {i} kokoontuu Kuopiossa joka tiistai klo 18." for i in range(n)
    )


def test_split_keeps_a_short_answer_as_it_is() -> None:
    assert split("Hei! Olen Apuri. Mitä etsit?") == ["Hei! Olen Apuri. Mitä etsit?"]
    assert split("x" * MAX_MESSAGE) == ["x" * MAX_MESSAGE]


def test_split_keeps_the_line_breaks_of_a_list() -> None:
    answer = (
        "Kuopion Kamarikuoro (Kuopio), puh. 040 555 0200.\n"
        "Kuopion Naiskuoro (Kuopio), puh. 040 555 0220.\n"
        "Lauluveikot — mieskuoro (Kuopio), puh. 040 555 0101."
    )
    assert split(answer) == [answer]
    long_list = "\n".join([answer] * 60)  # about 9 000 characters, one item a line
    parts = split(long_list)
    assert len(parts) >= 3
    for part in parts:
        assert len(part) <= MAX_MESSAGE
        assert part in long_list, "a part is not the answer's own text (line breaks lost?)"


def test_split_cuts_a_long_answer_between_sentences_and_loses_nothing() -> None:
    text = sentences(200)  # about 12 000 characters
    parts = split(text)
    assert len(parts) >= 3
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    assert all(p.endswith(".") and p[0].isupper() for p in parts), [p[-30:] for p in parts]
    assert " ".join(parts).split() == text.split()
    assert all(len(p) > MAX_MESSAGE - 100 for p in parts[:-1]), "parts are not full"


def test_split_small_limit_and_every_sentence_end() -> None:
    assert split("Yksi. Kaksi! Kolme? Neljä…", limit=12) == ["Yksi. Kaksi!", "Kolme?", "Neljä…"]


def test_split_does_not_cut_after_an_abbreviation() -> None:
    """An abbreviation ("puh.") is not a sentence end: a phone number stays with its name."""
    text = "Yhteystiedot löytyvät alta. Maija Esimerkki, puh. 040 555 0102."
    parts = split(text, limit=60)
    assert parts == ["Yhteystiedot löytyvät alta.", "Maija Esimerkki, puh. 040 555 0102."]


def test_split_cuts_one_over_long_sentence_at_a_space() -> None:
    words = [f"sana{i}" for i in range(1500)]  # about 11 000 characters, no sentence end
    text = " ".join(words)
    parts = split(text)
    assert len(parts) >= 3
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    assert " ".join(parts).split() == words, "a word was cut or lost"
    assert all(p == p.strip() for p in parts)


def test_split_cuts_a_word_longer_than_a_message() -> None:
    text = "Alku. " + "a" * 9000 + " loppu."
    parts = split(text)
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


# -- the fake Bot API itself -----------------------------------------------------------------


def test_fake_bot_api_long_polls_and_confirms_with_offset() -> None:
    with FakeTelegram() as fake:
        started = time.monotonic()
        assert bot_api(fake, "getUpdates", {"timeout": 1}) == (200, {"ok": True, "result": []})
        assert time.monotonic() - started >= 0.9, "did not wait"
        threading.Timer(0.3, fake.push_text, (5, "hei")).start()
        started = time.monotonic()
        _, got = bot_api(fake, "getUpdates", {"timeout": 20}, form=True)
        assert time.monotonic() - started < 5, "did not answer when the update came"
        (update,) = got["result"]
        assert update["message"]["text"] == "hei" and update["message"]["chat"]["id"] == 5
        offset = {"offset": update["update_id"] + 1, "timeout": 0}
        assert bot_api(fake, "getUpdates", offset)[1]["result"] == []
        fake.push_text(6, "/start")
        fake.push_raw(poll_update())
        _, got = bot_api(fake, "getUpdates", {"allowed_updates": ["poll"], "limit": 5})
        assert [list(u)[1] for u in got["result"]] == ["poll"]
        _, got = bot_api(fake, "getUpdates", {"allowed_updates": [], "limit": 1})
        entity = got["result"][0]["message"]["entities"][0]
        assert entity == {"type": "bot_command", "offset": 0, "length": 6}


def test_fake_bot_api_records_messages_from_json_and_form_data() -> None:
    markup = {"keyboard": [[{"text": "Kyllä"}], [{"text": "Ei"}]], "resize_keyboard": True}
    with FakeTelegram() as fake:
        for form in (False, True):
            status, body = bot_api(
                fake, "sendMessage", {"chat_id": 7, "text": "true", "reply_markup": markup}, form
            )
            assert status == 200 and body["result"]["chat"]["id"] == 7
        assert [(m["chat_id"], m["text"], m["reply_markup"]) for m in fake.sent(7)] == [
            (7, "true", markup),
            (7, "true", markup),
        ]
        assert bot_api(fake, "sendMessage", {"chat_id": 7, "text": "x" * 4097})[0] == 400
        assert bot_api(fake, "sendMessage", {"chat_id": 7, "text": " "})[0] == 400
        not_found = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        assert bot_api(fake, "sendDice", {"chat_id": 7}) == (404, not_found)
        assert bot_api(fake, "getMe", token="123456:WRONG")[0] == 401
        with fake.failing("502"):
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(f"{fake.api_url}/bot{BOT_TOKEN}/getMe", timeout=5)
        fake.stop()
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"{fake.api_url}/bot{BOT_TOKEN}/getMe", timeout=5)
        fake.start()  # back on the same port
        assert bot_api(fake, "getMe")[1]["result"]["is_bot"] is True


# -- long polling: one gateway for the module ------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def polling(stack, directory_url: str, fake: FakeTelegram, tmp_path_factory) -> Iterator[Gateway]:
    log = tmp_path_factory.mktemp("telegram") / "polling.log"
    gateway = Gateway(log, fake.api_url, stack.rasa, stack.actions, directory_url)
    try:
        gateway.wait_telegram("running")
        fake.wait_until_polling()
        yield gateway
    finally:
        gateway.stop()


def test_polling_connects_and_reports_it(polling: Gateway, fake: FakeTelegram) -> None:
    telegram = polling.telegram()
    assert telegram["ok"] is True and telegram["mode"] == "polling", telegram
    assert fake.calls_of("getMe") and fake.calls_of("deleteWebhook")
    poll = fake.calls_of("getUpdates")[-1]
    assert poll.get("timeout", 0) > 0, "not long polling"


def test_start_greets_in_finnish(polling: Gateway, fake: FakeTelegram) -> None:
    chat = new_chat()
    answer = ask_on_telegram(fake, chat, "/start")
    assert "Hei" in said(answer) and "Apuri" in said(answer), said(answer)
    assert finnish(said(answer))
    assert any(
        c["chat_id"] == chat and c["action"] == "typing" for c in fake.calls_of("sendChatAction")
    )
    other = new_chat()  # the form a command takes in a group: /start@botname
    assert "Apuri" in said(ask_on_telegram(fake, other, "/start@apuri_test_bot"))


def test_a_conversation_with_buttons(polling: Gateway, fake: FakeTelegram) -> None:
    chat = new_chat()
    answer = ask_on_telegram(fake, chat, "onko Kuopiossa kuoroja")
    text = said(answer)
    shown = [c for c in CHOIRS if c in text]
    assert len(shown) == 3, text
    assert text.count("puh. 040") >= 3, text
    assert "Haluatko lisää?" in answer[-1]["text"]
    assert keyboard(answer[-1]) == BUTTONS
    assert all(len(row) == 1 for row in answer[-1]["reply_markup"]["keyboard"])
    assert all(m["reply_markup"] is None for m in answer[:-1])
    assert all(m["parse_mode"] is None for m in answer)  # plain text: nothing is lost to markup

    more = ask_on_telegram(fake, chat, "Kyllä, lisää")  # a button press is its title as text
    rest = [c for c in CHOIRS if c not in shown]
    assert rest[0] in said(more), said(more)
    assert not any(c in said(more) for c in shown), "the same results again"
    assert keyboard(more[-1]), "no buttons after the last results"

    person = ask_on_telegram(fake, chat, "kuka on Kuopion järjestöyhdyshenkilö")
    assert "Maija Esimerkki" in said(person) and "040 555 0102" in said(person), said(person)
    # the old buttons go: the person is offered to call back, with buttons of its own
    assert keyboard(person[-1]) == ["Kyllä, soittakaa", "Ei kiitos"], "old buttons stay"


def test_a_list_arrives_one_item_a_line(polling: Gateway, fake: FakeTelegram) -> None:
    answer = ask_on_telegram(fake, new_chat(), "onko Kuopiossa kuoroja")
    listing = next(m["text"] for m in answer if "Kuopion Kamarikuoro" in m["text"])
    lines = [line for line in listing.splitlines() if "puh." in line]
    assert len(lines) == 3, f"the items run together on one line: {listing!r}"


def test_apua_and_help_explain(polling: Gateway, fake: FakeTelegram) -> None:
    chat = new_chat()
    for command in ("/apua", "/help"):
        answer = said(ask_on_telegram(fake, chat, command))
        assert "Autan löytämään" in answer and "kunnassa" in answer, answer


def test_emergency_gets_112(polling: Gateway, fake: FakeTelegram) -> None:
    answer = said(ask_on_telegram(fake, new_chat(), "talo palaa"))
    assert "112" in answer, answer


def test_rate_limit_answers_politely_and_other_chats_are_served(
    polling: Gateway, fake: FakeTelegram
) -> None:
    limit = RateLimit()  # the gateway's own settings
    chat, other = new_chat(), new_chat()
    burst = 2 * limit.burst
    for _ in range(burst):
        fake.push_text(chat, "hei")
    # the other chat's message comes after the whole burst, and is answered
    answer = said(ask_on_telegram(fake, other, "kuka on Kuopion järjestöyhdyshenkilö", timeout=90))
    assert "Maija Esimerkki" in answer, answer
    sent = fake.sent(chat)
    slow = [m for m in sent if m["text"] == texts.SLOW_DOWN]
    assert slow, [m["text"] for m in sent]
    assert "Odota hetki" in slow[0]["text"] and finnish(slow[0]["text"])
    assert burst - len(slow) >= limit.burst, "the first messages of a burst are answered"
    assert sent[0]["text"] != texts.SLOW_DOWN
    time.sleep(1.5 / limit.per_second)  # the limit refills: the same chat is answered again
    again = said(ask_on_telegram(fake, chat, "talo palaa"))
    assert "112" in again and texts.SLOW_DOWN not in again, again


def channel_post_edit(chat: int) -> Json:
    channel = {"id": chat, "type": "channel", "title": "Kuopion kuorot"}
    now = int(time.time())
    return {
        "edited_channel_post": {
            "message_id": 7,
            "date": now - 60,
            "edit_date": now,
            "chat": channel,
            "sender_chat": channel,
            "text": "onko Kuopiossa kuoroja",
        }
    }


def poll_update() -> Json:
    option = {"text": "Kyllä", "voter_count": 1, "persistent_id": "k"}
    return {
        "poll": {
            "id": "5001",
            "question": "Tuletko?",
            "options": [option],
            "total_voter_count": 1,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    }


def blocked_by(chat: int) -> Json:
    bot = {"id": 123456, "is_bot": True, "first_name": "Apuri", "username": "apuri_test_bot"}
    user = {"id": chat, "is_bot": False, "first_name": "Testi"}
    return {
        "my_chat_member": {
            "chat": {"id": chat, "type": "private", "first_name": "Testi"},
            "from": user,
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
        }
    }


def test_other_update_types_are_ignored(polling: Gateway, fake: FakeTelegram) -> None:
    mark = polling.log_size()
    blocker, user = new_chat(), new_chat()
    sticker = {
        "file_id": "CAACAgQAAxkBAAE",
        "file_unique_id": "AgADBQAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    photo = [
        {
            "file_id": "AgACAgQAAxkBAAI",
            "file_unique_id": "AQADBQAD",
            "width": 90,
            "height": 90,
            "file_size": 1200,
        }
    ]
    fake.push_raw(poll_update())
    fake.push_raw(blocked_by(blocker))
    fake.push_raw({"message": fake.message(user, sticker=sticker)})
    fake.push_raw({"message": fake.message(user, photo=photo)})
    fake.push_raw({"a_future_update_type": {"id": 1, "note": "Bot API 99"}})
    answer = ask_on_telegram(fake, user, "kuka on Kuopion järjestöyhdyshenkilö")
    assert "Maija Esimerkki" in said(answer)
    assert fake.sent(user) == answer, "the sticker or the photo was answered"
    assert fake.sent(blocker) == [], "wrote to a user who blocked the bot"
    assert not fake.rejected
    assert problems_in(polling.log(mark)) == []
    assert polling.telegram()["ok"] is True


def test_an_edited_channel_post_is_not_answered(polling: Gateway, fake: FakeTelegram) -> None:
    """A channel the bot is in edits a post: that is not a user asking."""
    channel, user = -1_001_234_567_890, new_chat()
    fake.push_raw(channel_post_edit(channel))
    assert "Maija Esimerkki" in said(
        ask_on_telegram(fake, user, "kuka on Kuopion järjestöyhdyshenkilö")
    )
    assert fake.texts(channel) == [], "answered an edited channel post"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u200b\u200e\x00  \x07", "Kirjoita viesti"),  # nothing left after cleaning
        ("onko Kuopiossa kuoroja " * 220, "liian pitkä"),  # 5 060 characters
        ("onko\x00 Kuopiossa\x07 kuoroja\x1b", "Kuopio"),  # control characters are removed
        ("<b>onko Kuopiossa kuoroja</b><script>alert(1)</script>", ""),
        ("*onko* _Kuopiossa_ [kuoroja](javascript:alert(1)) `x`", ""),
        ("/tuntematon", ""),  # a command the bot does not know
        ('/affirm{"place": "Kuopio"}', ""),  # an attempt to set slots through a payload
    ],
    ids=["empty", "5000-chars", "control", "html", "markdown", "unknown-command", "payload"],
)
def test_bad_input_gets_a_finnish_answer(
    polling: Gateway, fake: FakeTelegram, text: str, expected: str
) -> None:
    mark = polling.log_size()
    chat = new_chat()
    answer = ask_on_telegram(fake, chat, text, timeout=10)
    reply = said(answer)
    assert reply.strip() and finnish(reply), reply
    assert expected in reply, reply
    assert "112" not in reply, f"an emergency answer to {text[:40]!r}: {reply}"
    assert all(m["parse_mode"] is None for m in answer)
    assert polling.proc.poll() is None and polling.telegram()["ok"] is True
    assert problems_in(polling.log(mark)) == []


def test_the_bot_token_stays_out_of_the_log(polling: Gateway, fake: FakeTelegram) -> None:
    """Whoever reads the log must not be able to take over the bot."""
    assert "112" in said(ask_on_telegram(fake, new_chat(), "talo palaa"))
    leaks = [line for line in polling.log().splitlines() if BOT_TOKEN in line]
    assert leaks == [], f"{len(leaks)} lines show the token, e.g. {leaks[0]}"


# -- a long answer: a stand-in for Rasa that says a lot --------------------------------------


LONG_TEXT = sentences(90) + "\n\n" + " ".join(f"osa{i}" for i in range(900)) + "\n" + sentences(40)


class TalkativeRasa(BackgroundServer):
    """Rasa's REST channel, answering every message with a very long text and buttons."""

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._answer)
        app.router.add_get("/status", self._status)
        return app

    async def _answer(self, request: web.Request) -> web.Response:
        sender = (await request.json())["sender"]
        return web.json_response(
            [
                {"recipient_id": sender, "text": LONG_TEXT},
                {
                    "recipient_id": sender,
                    "text": "Haluatko lisää?",
                    "buttons": [{"title": t, "payload": "/affirm"} for t in BUTTONS],
                },
            ]
        )

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": "talkative"})


def test_a_long_answer_arrives_in_parts(directory_url: str, tmp_path) -> None:
    assert len(LONG_TEXT) > 2 * MAX_MESSAGE
    with FakeTelegram() as fake, TalkativeRasa() as rasa:
        gateway = Gateway(
            tmp_path / "long.log", fake.api_url, rasa.port, free_port(), directory_url
        )
        try:
            gateway.wait_telegram("running")
            chat = new_chat()
            answer = ask_on_telegram(fake, chat, "kerro kaikki")
        finally:
            gateway.stop()
    assert not fake.rejected, fake.rejected[0][2]
    # one answer is one message, cut into parts at paragraphs and sentences: the buttons
    # come with the last part, which ends with the question
    parts, last = answer[:-1], answer[-1]
    assert len(answer) >= 3 and all(len(p["text"]) <= MAX_MESSAGE for p in answer)
    said_all = " ".join(p["text"] for p in answer).split()
    assert said_all == (LONG_TEXT + " Haluatko lisää?").split(), "something lost"
    first_paragraph = sentences(90)
    assert parts[0]["text"] in first_paragraph and parts[0]["text"].endswith(".")
    assert all(p["reply_markup"] is None for p in parts)
    assert last["text"].endswith("Haluatko lisää?") and keyboard(last) == BUTTONS


# -- webhook mode ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooked(stack, directory_url: str, tmp_path_factory) -> Iterator[tuple[Gateway, FakeTelegram]]:
    with FakeTelegram() as fake:
        log = tmp_path_factory.mktemp("telegram") / "webhook.log"
        gateway = Gateway(
            log, fake.api_url, stack.rasa, stack.actions, directory_url, webhook_secret=SECRET
        )
        try:
            gateway.wait_telegram("running")
            yield gateway, fake
        finally:
            gateway.stop()


def test_webhook_is_registered_with_its_secret(hooked: tuple[Gateway, FakeTelegram]) -> None:
    gateway, fake = hooked
    assert fake.webhook["url"] == gateway.webhook_url
    assert fake.webhook["secret_token"] == SECRET
    assert gateway.telegram()["mode"] == "webhook"
    assert fake.calls_of("getUpdates") == [], "polls although a webhook is set"


def test_webhook_needs_the_secret(hooked: tuple[Gateway, FakeTelegram]) -> None:
    gateway, fake = hooked
    intruder, user = new_chat(), new_chat()
    for secret in (None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()):
        update = fake.text_update(intruder, "onko Kuopiossa kuoroja")
        status, body = fake.post_webhook(gateway.webhook_url, update, secret)
        assert status == 403, (secret, status, body)
    status, body = fake.post_webhook(gateway.webhook_url, b"{not json", SECRET)
    assert status == 400 and finnish(json.loads(body)["error"]), body
    status, body = fake.post_webhook(
        gateway.webhook_url, fake.text_update(user, "talo palaa"), SECRET
    )
    assert status == 200, body
    answer = said(fake.wait_for_messages(user, 1))
    assert "112" in answer, answer
    assert fake.sent(intruder) == [], "an update without the right secret was answered"


def test_webhook_conversation_and_other_updates(hooked: tuple[Gateway, FakeTelegram]) -> None:
    gateway, fake = hooked
    chat = new_chat()
    for update in (poll_update(), blocked_by(chat), {"some_new_thing": {"id": 3}}):
        status, body = fake.post_webhook(gateway.webhook_url, {"update_id": 77, **update}, SECRET)
        assert status == 200, (update, status, body)
    status, _ = fake.post_webhook(gateway.webhook_url, fake.text_update(chat, "/start"), SECRET)
    assert status == 200
    greeting = said(fake.wait_for_messages(chat, 1))
    assert "Hei" in greeting, greeting
    fake.post_webhook(gateway.webhook_url, fake.text_update(chat, "onko Kuopiossa kuoroja"), SECRET)
    sent = fake.wait_for(chat, lambda s: any(keyboard(m) for m in s), what="buttons")
    assert sum(c in said(sent) for c in CHOIRS) == 3
    assert keyboard(sent[-1]) == BUTTONS
    assert gateway.proc.poll() is None


# -- the Bot API is not there ----------------------------------------------------------------


def test_gateway_works_while_the_bot_api_is_unreachable(
    stack, directory_url: str, tmp_path
) -> None:
    fake = FakeTelegram()  # not started: connection refused
    gateway = Gateway(
        tmp_path / "unreachable.log", fake.api_url, stack.rasa, stack.actions, directory_url
    )
    try:
        telegram = gateway.wait_telegram("retrying", timeout=15)
        assert telegram["ok"] is False and telegram.get("error"), telegram
        status, page = http(f"{gateway.url}/")
        assert status == 200 and 'lang="fi"' in page
        status, body = http(
            f"{gateway.url}/api/messages",
            method="POST",
            body={"conversation": new_conversation(gateway.url), "text": "talo palaa"},
        )
        assert status == 200, body
        assert "112" in said(json.loads(body)["messages"])
        fake.fail("502")  # up, but behind a proxy that cannot reach it
        fake.start()
        fake.wait_for_attempt("getMe", timeout=30)
        assert gateway.telegram()["state"] == "retrying"
        fake.fail(None)
        assert gateway.wait_telegram("running", timeout=40)["ok"] is True
        chat = new_chat()
        assert "112" in said(ask_on_telegram(fake, chat, "talo palaa"))

        with fake.failing("drop"):  # the connection goes while the bot is polling
            time.sleep(2)
            telegram = gateway.telegram()
            assert telegram.get("error") or not telegram["ok"], telegram
            fake.push_text(chat, "kuka on Kuopion järjestöyhdyshenkilö")
            time.sleep(1)
        answer = said(
            fake.wait_for(
                chat, lambda s: "Maija" in said(s), timeout=45, what="an answer after the outage"
            )
        )
        assert "040 555 0102" in answer
        assert gateway.telegram()["ok"] is True
    finally:
        gateway.stop()
        fake.close()


def test_a_failure_between_connecting_and_polling_is_retried(
    stack, directory_url: str, tmp_path
) -> None:
    """getMe and deleteWebhook work, then polling's own deleteWebhook fails once: the bot
    must still come up."""
    with FakeTelegram() as fake:
        fake.fail_method("deleteWebhook", times=1, after=1)
        gateway = Gateway(
            tmp_path / "flaky.log", fake.api_url, stack.rasa, stack.actions, directory_url
        )
        try:
            telegram = gateway.wait_telegram("running", timeout=10)
            assert telegram["ok"] is True
            assert "112" in said(ask_on_telegram(fake, new_chat(), "talo palaa"))
        finally:
            gateway.stop()


def test_sigterm_stops_a_polling_gateway_promptly(directory_url: str, tmp_path) -> None:
    """`apuri run` stops the gateway with SIGTERM and kills it 15 s later: the bot must have
    stopped polling and exited cleanly well before that."""
    with FakeTelegram() as fake:
        gateway = Gateway(
            tmp_path / "stop.log", fake.api_url, free_port(), free_port(), directory_url
        )
        try:
            gateway.wait_telegram("running")
            fake.wait_until_polling()
            started = time.monotonic()
            gateway.proc.send_signal(signal.SIGTERM)
            try:
                code = gateway.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                code = None
            took = time.monotonic() - started
            assert code == 0, f"still running {took:.0f} s after SIGTERM"
        finally:
            gateway.stop()
