"""The gateway's API at the edge (contract §6): answers through Rasa, a clear Finnish error for
every kind of bad input, the general number when Rasa or the action server is down, the event
stream, the health check, and the gateway staying up through all of it."""

from __future__ import annotations

import asyncio
import json
import re
import string
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from cli.services import free_port
from gateway import conversations
from gateway.texts import BAD_CONVERSATION, FORBIDDEN_CONVERSATION
from tests.conftest import conversation, gateway_process, new_conversation
from tests.helpers import call, say, say_in

FALLBACK = "040 555 0100"  # the sample's general contact, the default APURI_FALLBACK_PHONE


def message(base: str, label: str, text: str) -> bytes:
    """A message in the conversation this test calls `label` (a real id from the gateway)."""
    return json.dumps({"conversation": conversation(base, label), "text": text}).encode()


def texts(messages: list[dict]) -> str:
    return " ".join(m["text"] for m in messages)


def test_a_question_gets_the_directory_answer_with_buttons(stack) -> None:
    messages = say(stack.url, "gw-1", "onko Kuopiossa kuoroja")
    assert "Löysin nämä, Kuopio:" in texts(messages)
    buttons = [b for m in messages for b in m["buttons"]]
    assert {"title": "Kyllä, lisää", "payload": "/affirm"} in buttons
    more = say(stack.url, "gw-1", "/affirm")  # a bot button sends its payload
    assert "Siinä olivat kaikki" in texts(more)


def test_an_answer_is_one_message(stack) -> None:
    """ "Löysin nämä", the records and "Haluatko lisää?" in one bubble with its buttons (one
    "Lue ääneen"); before, they came as three messages."""
    [answer] = say(stack.url, "gw-one", "onko Kuopiossa kuoroja")
    lines = answer["text"].splitlines()
    assert lines[0] == "Löysin nämä, Kuopio:" and len(lines) >= 3, lines
    assert "Haluatko lisää?" in lines[-1]
    assert [b["title"] for b in answer["buttons"]][:1] == ["Kyllä, lisää"]
    [crisis] = say(stack.url, "gw-one", "haluan kuolla")  # said once, not by both
    assert "09 2525 0111" in crisis["text"] and crisis["text"].count("0111") == 1


def test_finnish_letters_come_as_they_are(stack) -> None:
    req = urllib.request.Request(
        stack.url + "/api/messages",
        method="POST",
        headers={"Content-Type": "application/json"},
        data=message(stack.url, "gw-2", "hei"),
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert "Hei! Olen Apuri" in resp.read().decode("utf-8")


ID = b"@id@"  # a real conversation id in its place at run time: these cases are about the text


@pytest.mark.parametrize(
    "body,status,fragment",
    [
        (b"", 400, "JSON"),
        (b"{not json", 400, "JSON"),
        (b"[1, 2]", 400, "JSON"),
        (b'{"conversation": "@id@"}', 400, "JSON"),
        (b'{"conversation": "@id@", "text": 5}', 400, "JSON"),
        (b'{"conversation": "@id@", "text": ' + b"[" * 30 + b"]" * 30 + b"}", 400, "JSON"),
        (b'{"text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "", "text": "hei"}', 400, "tunnus"),
        (b'{"conversation": 5, "text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "' + b"x" * 65 + b'", "text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "../etc/passwd", "text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "@id@", "text": ""}', 400, "Kirjoita viesti"),
        (b'{"conversation": "@id@", "text": "   \\n\\t  "}', 400, "Kirjoita viesti"),
        (b'{"conversation": "@id@", "text": "\\u0000\\u0001\\u200b"}', 400, "Kirjoita viesti"),
        (json.dumps({"conversation": "@id@", "text": "a" * 2001}).encode(), 400, "2000"),
        (json.dumps({"conversation": "@id@", "text": "a" * 20_000}).encode(), 413, "liian suuri"),
        (b'{"conversation": "@id@", "text": "\xff\xfe h\xe4"}', 400, "UTF-8"),
    ],
)
def test_bad_input_gets_a_finnish_error(
    stack, body: bytes, status: int, fragment: str, request
) -> None:
    if ID in body:
        body = body.replace(ID, new_conversation(stack.url).encode())
    got, data, _ = call(stack.url, "/api/messages", body)
    assert got == status, data
    assert fragment in data["error"]
    after = f"gw-after-{abs(hash(request.node.name)) % 10**8}"
    assert "112" in say(stack.url, after, "talo palaa")[0]["text"]  # still up


def test_a_new_conversation_id_comes_from_the_server(stack) -> None:
    status, data, _ = call(stack.url, "/api/conversations", None)
    assert status == 201, data
    first = data["conversation"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first), first  # 128 random bits and a MAC
    status, data, _ = call(stack.url, "/api/conversations", b"")
    assert status == 201 and data["conversation"] != first
    assert "Hei! Olen Apuri" in texts(say_in(stack.url, first, "hei"))


def altered(conversation_id: str, at: int) -> str:
    """The id with one character changed so that the bytes it stands for change too (the last
    character of 43 carries 4 bits: +16 flips one of them)."""
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    other = alphabet[(alphabet.index(conversation_id[at]) + 16) % 64]
    return conversation_id[:at] + other + conversation_id[at + 1 :]


FORGED = {
    "made up": lambda real: "testi",
    "made up, id-shaped": lambda real: "A" * 43,
    "first character changed": lambda real: altered(real, 0),
    "a middle character changed": lambda real: altered(real, 21),
    "last character changed": lambda real: altered(real, 42),
    "signed with another secret": lambda real: conversations.new(b"another gateway's secret 1234"),
}
ROUTES = ["/api/messages", "/api/events", "/api/voice"]


def ask_with(base: str, route: str, conversation_id: str, text: str = "hei") -> tuple[int, dict]:
    """One request to `route` in the conversation `conversation_id`."""
    quoted = urllib.parse.quote(conversation_id, safe="")
    if route == "/api/messages":
        body = json.dumps({"conversation": conversation_id, "text": text}).encode()
        status, data, _ = call(base, route, body)
    elif route == "/api/events":
        status, data, _ = call(base, f"{route}?conversation={quoted}", None, method="GET")
    else:
        status, data, _ = call(
            base,
            f"{route}?conversation={quoted}",
            b"RIFF\0\0\0\0WAVE",
            headers={"Content-Type": "audio/wav"},
        )
    return status, data


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("forged", list(FORGED))
def test_an_id_the_server_did_not_sign_is_refused(stack, route: str, forged: str) -> None:
    real = new_conversation(stack.url)
    fake = FORGED[forged](real)
    assert fake != real and conversations.sender(fake) != conversations.sender(real)
    status, data = ask_with(stack.url, route, fake)
    assert (status, data.get("error")) == (403, FORBIDDEN_CONVERSATION), data
    assert "messages" not in data  # nothing from the bot for a conversation that is not yours


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("bad", ["", "../etc/passwd", "x" * 65, "hei maailma", "ä" * 10])
def test_a_malformed_id_is_refused_on_every_route(stack, route: str, bad: str) -> None:
    status, data = ask_with(stack.url, route, bad)
    assert (status, data.get("error")) == (400, BAD_CONVERSATION), data
    assert "tunnus" in data["error"]


def test_a_refused_id_with_danger_words_still_gets_112(stack) -> None:
    status, data = ask_with(stack.url, "/api/messages", "testi", "talo palaa")
    assert status == 403 and data["error"] == FORBIDDEN_CONVERSATION, data
    assert "112" in data["messages"][0]["text"]


def test_exactly_2000_characters_is_fine(stack) -> None:
    assert say(stack.url, "gw-3", "kuoro " * 333 + "ab")  # 2000 characters


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE records; --",
        "🙂" * 50,
        "a\u202eb",
        '/inform{"municipality": "<b>x</b>"}',
    ],
)
def test_markup_and_injection_get_an_answer_and_change_nothing(stack, text: str) -> None:
    messages = say(stack.url, "gw-4", text)
    assert messages and all(
        "<script>" not in m["text"] and "<b>" not in m["text"] for m in messages
    )
    assert "Lauluveikot" in texts(say(stack.url, "gw-4b", "onko Kuopiossa mieskuoroa"))


def test_the_same_conversation_keeps_its_place(stack) -> None:
    say(stack.url, "gw-5", "asun Kuopiossa")
    assert "Maija Esimerkki" in texts(say(stack.url, "gw-5", "kuka on järjestöyhdyshenkilö"))


def test_a_burst_is_slowed_down_politely_and_others_are_served(stack) -> None:
    statuses = []
    for _ in range(40):
        status, data, _ = call(stack.url, "/api/messages", message(stack.url, "gw-burst", "hei"))
        statuses.append(status)
    assert 429 in statuses
    assert "Odota hetki" in data["error"] or statuses[-1] == 200
    assert say(stack.url, "gw-other", "hei")


def test_unknown_api_route_and_method(stack) -> None:
    status, data, _ = call(stack.url, "/api/nothing", b"{}")
    assert status == 404 and "ei löytynyt" in data["error"]
    status, _, _ = call(stack.url, "/api/messages", None, method="GET")
    assert status == 405


def test_cross_origin_requests_to_the_api_are_allowed(stack) -> None:
    status, _, headers = call(
        stack.url,
        "/api/messages",
        None,
        method="OPTIONS",
        headers={"Origin": "https://kunta.example", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and headers.get("Access-Control-Allow-Origin") == "*"


def test_health_names_every_part(stack) -> None:
    status, data, _ = call(stack.url, "/health", None, method="GET")
    assert status == 200 and data["status"] == "ok"
    for part in ("rasa", "actions", "database", "speech", "telegram"):
        assert "ok" in data[part], part
    assert data["telegram"]["state"] == "off"


@pytest.fixture(scope="module")
def lonely_gateway(directory_url: str, tmp_path_factory) -> Iterator[str]:
    """A gateway whose Rasa and action server are not there (its secret in a var dir of its
    own, not the checkout's)."""
    var = str(tmp_path_factory.mktemp("var"))
    with gateway_process(directory_url, APURI_VAR_DIR=var) as base:
        yield base


def test_rasa_down_gives_the_general_number(lonely_gateway: str) -> None:
    messages = say(lonely_gateway, "gw-down", "onko Kuopiossa kuoroja")
    assert FALLBACK in texts(messages) and "112" in texts(messages)
    status, data, _ = call(lonely_gateway, "/health", None, method="GET")
    assert status == 200 and data["status"] == "degraded" and data["rasa"]["ok"] is False
    status, page, _ = call(lonely_gateway, "/", None, method="GET")
    assert status == 200 and '<html lang="fi"' in page["raw"]


def test_the_event_stream_stays_open_and_delivers_later_messages(monkeypatch, tmp_path) -> None:
    """In one process: a listener on /api/events hears keepalives through quiet times and then
    gets what is published to its conversation."""
    from aiohttp.test_utils import TestClient, TestServer

    from gateway import web as routes
    from gateway.app import create_app
    from gateway.config import Config
    from gateway.web import HUB, web_sender

    monkeypatch.setattr(routes, "KEEPALIVE", 0.2)
    monkeypatch.setenv("APURI_VAR_DIR", str(tmp_path))  # its secret: not in the checkout's var

    async def scenario() -> list[str]:
        app = create_app(Config(rasa_url=f"http://127.0.0.1:{free_port()}"))
        async with TestClient(TestServer(app)) as client:
            bad = await client.get("/api/events?conversation=../x")
            assert bad.status == 400
            made = await client.post("/api/conversations")
            assert made.status == 201
            sse = (await made.json())["conversation"]
            unknown = await client.get("/api/events?conversation=sse-1")
            assert unknown.status == 403
            resp = await client.get(f"/api/events?conversation={sse}")
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            assert (await resp.content.readline()).startswith(b":")
            await resp.content.readline()
            for _ in range(3):  # quiet: the stream says it is alive, and stays open
                assert (await asyncio.wait_for(resp.content.readline(), 5)).startswith(b":")
                await resp.content.readline()
            for _ in range(50):  # the listener registers when the stream starts
                if await app[HUB].publish(
                    web_sender(sse),
                    {"text": "Hei, täällä Maija.", "from": "human", "name": "Maija"},
                ):
                    break
                await asyncio.sleep(0.05)
            line = b":"
            while line.startswith(b":") or line == b"\n":  # skip keepalives
                line = await asyncio.wait_for(resp.content.readline(), 5)
            return [line.decode("utf-8")]

    (line,) = asyncio.run(scenario())
    assert line.startswith("data: ")
    assert json.loads(line[6:]) == {"text": "Hei, täällä Maija.", "from": "human", "name": "Maija"}
