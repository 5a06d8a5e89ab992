"""The gateway's API at the edge (contract §6): answers through Rasa, a clear Finnish error for
every kind of bad input, the general number when Rasa or the action server is down, the event
stream, the health check, and the gateway staying up through all of it."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bot.services import free_port
from tests.conftest import serving

FALLBACK = "040 555 0100"  # the sample's general contact, the default APURI_FALLBACK_PHONE


def call(base: str, path: str, body: bytes | None = None, method: str = "POST",
         headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:  # fmt: skip
    headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(base + path, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw, status, got = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        raw, status, got = err.read(), err.code, dict(err.headers)
    try:
        return status, json.loads(raw.decode("utf-8")), got
    except ValueError:
        return status, {"raw": raw.decode("utf-8", "replace")}, got


def message(conversation: str, text: str) -> bytes:
    return json.dumps({"conversation": conversation, "text": text}).encode()


def say(base: str, conversation: str, text: str) -> list[dict]:
    status, data, _ = call(base, "/api/messages", message(conversation, text))
    assert status == 200, data
    return data["messages"]


def texts(messages: list[dict]) -> str:
    return " ".join(m["text"] for m in messages)


def test_a_question_gets_the_directory_answer_with_buttons(stack) -> None:
    messages = say(stack.url, "gw-1", "onko Kuopiossa kuoroja")
    assert "Löysin nämä, Kuopio:" in texts(messages)
    buttons = [b for m in messages for b in m["buttons"]]
    assert {"title": "Kyllä, lisää", "payload": "/affirm"} in buttons
    more = say(stack.url, "gw-1", "/affirm")  # a bot button sends its payload
    assert "Siinä olivat kaikki" in texts(more)


def test_finnish_letters_come_as_they_are(stack) -> None:
    req = urllib.request.Request(
        stack.url + "/api/messages", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"conversation": "gw-2", "text": "hei"}).encode(),
    )  # fmt: skip
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert "Hei! Olen Apuri" in resp.read().decode("utf-8")


@pytest.mark.parametrize(
    "body,status,fragment",
    [
        (b"", 400, "JSON"),
        (b"{not json", 400, "JSON"),
        (b"[1, 2]", 400, "JSON"),
        (b'{"conversation": "x"}', 400, "JSON"),
        (b'{"conversation": "x", "text": 5}', 400, "JSON"),
        (b'{"text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "", "text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "' + b"x" * 65 + b'", "text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "../etc/passwd", "text": "hei"}', 400, "tunnus"),
        (b'{"conversation": "x", "text": ""}', 400, "Kirjoita viesti"),
        (b'{"conversation": "x", "text": "   \\n\\t  "}', 400, "Kirjoita viesti"),
        (b'{"conversation": "x", "text": "\\u0000\\u0001\\u200b"}', 400, "Kirjoita viesti"),
        (json.dumps({"conversation": "x", "text": "a" * 2001}).encode(), 400, "2000"),
        (json.dumps({"conversation": "x", "text": "a" * 20_000}).encode(), 413, "liian suuri"),
        (b'{"conversation": "x", "text": "\xff\xfe h\xe4"}', 400, "UTF-8"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_finnish_error(
    stack, body: bytes, status: int, fragment: str, request
) -> None:
    got, data, _ = call(stack.url, "/api/messages", body)
    assert got == status, data
    assert fragment in data["error"]
    after = f"gw-after-{abs(hash(request.node.name)) % 10**8}"
    assert "112" in say(stack.url, after, "talo palaa")[0]["text"]  # still up


def test_exactly_2000_characters_is_fine(stack) -> None:
    assert say(stack.url, "gw-3", "kuoro " * 333 + "ab")  # 2000 characters


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "'; DROP TABLE records; --", "🙂" * 50, "a\u202eb",
     '/inform{"municipality": "<b>x</b>"}'],
)  # fmt: skip
def test_markup_and_injection_get_an_answer_and_change_nothing(stack, text: str) -> None:
    messages = say(stack.url, "gw-4", text)
    assert messages and all("<script>" not in m["text"] and "<b>" not in m["text"]
                            for m in messages)  # fmt: skip
    assert "Lauluveikot" in texts(say(stack.url, "gw-4b", "onko Kuopiossa mieskuoroa"))


def test_the_same_conversation_keeps_its_place(stack) -> None:
    say(stack.url, "gw-5", "asun Kuopiossa")
    assert "Maija Esimerkki" in texts(say(stack.url, "gw-5", "kuka on järjestöyhdyshenkilö"))


def test_a_burst_is_slowed_down_politely_and_others_are_served(stack) -> None:
    statuses = []
    for _ in range(40):
        status, data, _ = call(stack.url, "/api/messages", message("gw-burst", "hei"))
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
    status, _, headers = call(stack.url, "/api/messages", None, method="OPTIONS",
                              headers={"Origin": "https://kunta.example",
                                       "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert status == 204 and headers.get("Access-Control-Allow-Origin") == "*"


def test_health_names_every_part(stack) -> None:
    status, data, _ = call(stack.url, "/health", None, method="GET")
    assert status == 200 and data["status"] == "ok"
    for part in ("rasa", "actions", "database", "speech", "telegram"):
        assert "ok" in data[part], part
    assert data["telegram"]["state"] == "off"


@pytest.fixture(scope="module")
def lonely_gateway(directory_url: str) -> Iterator[str]:
    """A gateway whose Rasa and action server are not there."""
    port = free_port()
    env = {"APURI_GATEWAY_PORT": str(port), "APURI_RASA_PORT": str(free_port()),
           "APURI_ACTIONS_PORT": str(free_port()), "APURI_DB_URL": directory_url,
           "TELEGRAM_BOT_TOKEN": ""}  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with serving([sys.executable, "-m", "bot.gateway"], f"{base}/health", env):
        yield base


def test_rasa_down_gives_the_general_number(lonely_gateway: str) -> None:
    messages = say(lonely_gateway, "gw-down", "onko Kuopiossa kuoroja")
    assert FALLBACK in texts(messages) and "112" in texts(messages)
    status, data, _ = call(lonely_gateway, "/health", None, method="GET")
    assert status == 200 and data["status"] == "degraded" and data["rasa"]["ok"] is False
    status, page, _ = call(lonely_gateway, "/", None, method="GET")
    assert status == 200 and '<html lang="fi"' in page["raw"]


def test_the_event_stream_stays_open_and_delivers_later_messages(monkeypatch) -> None:
    """In one process: a listener on /api/events hears keepalives through quiet times and then
    gets what is published to its conversation."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.gateway import web as routes
    from bot.gateway.app import create_app
    from bot.gateway.config import Config
    from bot.gateway.web import HUB, web_sender

    monkeypatch.setattr(routes, "KEEPALIVE", 0.2)

    async def scenario() -> list[str]:
        app = create_app(Config(rasa_url=f"http://127.0.0.1:{free_port()}"))
        async with TestClient(TestServer(app)) as client:
            bad = await client.get("/api/events?conversation=../x")
            assert bad.status == 400
            resp = await client.get("/api/events?conversation=sse-1")
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            assert (await resp.content.readline()).startswith(b":")
            await resp.content.readline()
            for _ in range(3):  # quiet: the stream says it is alive, and stays open
                assert (await asyncio.wait_for(resp.content.readline(), 5)).startswith(b":")
                await resp.content.readline()
            for _ in range(50):  # the listener registers when the stream starts
                if await app[HUB].publish(web_sender("sse-1"), {"text": "Hei, täällä Maija.",
                                                                "from": "human", "name": "Maija"}):
                    break
                await asyncio.sleep(0.05)
            line = b":"
            while line.startswith(b":") or line == b"\n":  # skip keepalives
                line = await asyncio.wait_for(resp.content.readline(), 5)
            return [line.decode("utf-8")]

    (line,) = asyncio.run(scenario())
    assert line.startswith("data: ")
    assert json.loads(line[6:]) == {"text": "Hei, täällä Maija.", "from": "human", "name": "Maija"}
