"""Limits on every door of the gateway (issue 17 §3, §7): JSON nesting, compressed bodies,
speech text and its pool, event streams per conversation, per client and idle, new
conversations and messages per client (the peer, or a trusted proxy's X-Forwarded-For hop),
who may frame the pages, and the Telegram secret header. Each test failed before the change.

The gateway runs in this process (no Rasa behind it: the chat answers with the general number),
except where a whole process is measured (memory under compressed uploads).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ipaddress
import json
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientTimeout, web
from aiohttp.test_utils import TestClient, TestServer

from cli.services import free_port
from gateway import texts
from gateway import web as routes
from gateway.app import create_app
from gateway.config import Config
from tests.conftest import start_gateway
from voice.tts import MAX_WAV_BYTES


def config(**changes: Any) -> Config:
    """A gateway with nothing behind it: Rasa's port is closed, Telegram is off."""
    return Config(
        rasa_url=f"http://127.0.0.1:{free_port()}",
        actions_url=f"http://127.0.0.1:{free_port()}",
        secret=b"s" * 32,
        **changes,
    )


@contextlib.asynccontextmanager
async def gateway(tmp_path: Path, **changes: Any) -> AsyncIterator[TestClient]:
    os.environ["APURI_DB_URL"] = f"sqlite:///{tmp_path / 'doors.db'}"
    app = create_app(config(**changes))
    async with TestClient(TestServer(app)) as client:
        yield client


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())


async def new_id(client: TestClient, **headers: str) -> str:
    resp = await client.post("/api/conversations", headers=headers)
    assert resp.status == 201, await resp.text()
    return (await resp.json())["conversation"]


@pytest.fixture(autouse=True)
def _own_database(monkeypatch) -> None:
    """Each test's own database (set by `gateway`), and no speech engine loading meanwhile."""
    monkeypatch.delenv("APURI_DB_URL", raising=False)
    monkeypatch.setenv("APURI_STT", "off")


# -- JSON ------------------------------------------------------------------------------------


def test_deeply_nested_json_is_a_finnish_400_and_the_gateway_goes_on(tmp_path) -> None:
    async def test() -> None:
        async with gateway(tmp_path) as client:
            for body in ("[" * 15_000, '{"a":' * 3_000, '{"text": ' + "[" * 21 + "]" * 21 + "}"):
                resp = await client.post("/api/messages", data=body)
                assert resp.status == 400
                assert (await resp.json())["error"] == texts.NOT_JSON
            # brackets inside strings are text, not nesting
            conversation = await new_id(client)
            body = json.dumps({"conversation": conversation, "text": "[" * 1500})
            resp = await client.post("/api/messages", data=body)
            assert resp.status == 200, await resp.text()

    run(test)


# -- compressed bodies -----------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_compressed_uploads_are_refused_before_they_are_inflated(tmp_path) -> None:
    """Six gzip bodies of 194 kB (each 200 MB inflated) on every route that reads a body: a
    415 with a Finnish sentence, and the gateway's memory does not grow by what they hold."""
    bomb = gzip.compress(b'{"text": "' + b"0" * 200_000_000 + b'"}', compresslevel=9)
    port = free_port()
    proc, _ = start_gateway(
        f"sqlite:///{tmp_path / 'gz.db'}",
        port,
        timeout=60,
        APURI_VAR_DIR=str(tmp_path),
        APURI_STT="off",
    )
    try:
        before = rss_kib(proc.pid)
        for path in ("/api/messages", "/api/voice?conversation=x", "/api/speech") * 2:
            status, body = raw_post(port, path, bomb, {"Content-Encoding": "gzip"})
            assert status == 415, body
            assert json.loads(body)["error"] == texts.ENCODED_BODY
        time.sleep(0.5)
        grown = rss_kib(proc.pid) - before
        assert grown < 50_000, f"the gateway grew by {grown} KiB"
        assert raw_post(port, "/api/conversations", b"", {})[0] == 201
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def raw_post(
    port: int, path: str, body: bytes, headers: dict[str, str], raw_headers: bytes = b""
) -> tuple[int, str]:
    """One request over a plain socket (header bytes exactly as given)."""
    head = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        f"Content-Length: {len(body)}",
        "Content-Type: application/json",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    request = ("\r\n".join(head) + "\r\n").encode() + raw_headers + b"\r\n" + body
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    head_part, _, rest = response.partition(b"\r\n\r\n")
    return int(head_part.split()[1]), rest.decode("utf-8", "replace")


# -- speech ----------------------------------------------------------------------------------


def test_speech_text_is_capped_and_digits_cannot_grow_it_into_minutes(tmp_path) -> None:
    async def test() -> None:
        async with gateway(tmp_path) as client:
            too_long = await client.post("/api/speech", json={"text": "a" * 1501})
            assert too_long.status == 400
            assert "1500" in (await too_long.json())["error"]
            digits = await client.post("/api/speech", json={"text": "1" * 1400, "slow": True})
            assert digits.status == 413
            assert (await digits.json())["error"] == texts.SPEECH_TOO_LONG
            pauses = await client.post("/api/speech", json={"text": "Hei. " * 290, "slow": True})
            assert pauses.status == 413, "290 sentences read slowly: minutes of audio"
            answer = "Kuopion Kamarikuoro harjoittelee tiistaisin kello kahdeksantoista. " * 20
            ok = await client.post("/api/speech", json={"text": answer[:1500], "slow": True})
            assert ok.status == 200
            assert len(await ok.read()) <= MAX_WAV_BYTES

    run(test)


def test_a_flood_of_speech_gets_busy_at_once_and_chat_is_served(tmp_path) -> None:
    """24 long texts at once: a few are read, the rest get 503 "ruuhkainen" at once instead of
    queueing (and holding megabytes each); a chat message meanwhile is answered."""

    async def test() -> None:
        async with gateway(tmp_path) as client:
            conversation = await new_id(client)
            text = "Kuopion Kamarikuoro harjoittelee tiistaisin. " * 30  # about 1 400 letters

            async def speech() -> int:
                resp = await client.post("/api/speech", json={"text": text, "slow": True})
                await resp.read()
                return resp.status

            flood = [asyncio.ensure_future(speech()) for _ in range(24)]
            await asyncio.sleep(0.2)
            chat = await client.post(
                "/api/messages", json={"conversation": conversation, "text": "hei"}
            )
            assert chat.status == 200
            assert "040 555 0100" in (await chat.json())["messages"][0]["text"]
            statuses = await asyncio.gather(*flood)
            assert statuses.count(503) >= 18, statuses
            assert statuses.count(200) >= 1, statuses

    run(test)


# -- event streams ---------------------------------------------------------------------------


async def open_stream(client: TestClient, conversation: str, **headers: str) -> Any:
    resp = await client.get(
        f"/api/events?conversation={conversation}",
        headers=headers,
        timeout=ClientTimeout(total=None, sock_read=None),
    )
    if resp.status == 200:
        await resp.content.readline()  # ": yhteys auki"
    return resp


def test_event_streams_are_capped_per_conversation_client_and_in_all(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(routes, "KEEPALIVE", 0.2)  # a closed stream is noticed at the next one

    async def test() -> None:
        async with gateway(tmp_path, trusted_proxies=(ipaddress.ip_network("127.0.0.1"),)) as c:
            one = await new_id(c)
            streams = [await open_stream(c, one) for _ in range(3)]
            assert all(s.status == 200 for s in streams)
            fourth = await open_stream(c, one)
            assert fourth.status == 429
            assert (await fourth.json())["error"] == texts.TOO_MANY_STREAMS
            streams[0].close()
            await asyncio.sleep(1.0)  # the server sees the stream go at its next keepalive
            assert (await open_stream(c, one)).status == 200
            # one client, many conversations: at most 20 streams
            ids = [await new_id(c, **{"X-Forwarded-For": "203.0.113.9"}) for _ in range(21)]
            hop = {"X-Forwarded-For": "203.0.113.9"}
            mine = [await open_stream(c, i, **hop) for i in ids]
            assert [s.status for s in mine].count(200) == 20 and mine[-1].status == 429
            other = await open_stream(c, await new_id(c), **{"X-Forwarded-For": "203.0.113.10"})
            assert other.status == 200, "another client still gets a stream"

    run(test)


def test_an_idle_event_stream_is_closed(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(routes, "KEEPALIVE", 0.1)
    monkeypatch.setattr(routes, "STREAM_IDLE", 0.5)

    async def test() -> None:
        async with gateway(tmp_path) as client:
            stream = await open_stream(client, await new_id(client))
            started = time.monotonic()
            rest = await asyncio.wait_for(stream.content.read(), 10)  # ends: closed by the server
            assert time.monotonic() - started < 5 and b"odotan" in rest

    run(test)


# -- per client ------------------------------------------------------------------------------


def test_new_conversations_and_messages_are_limited_per_client(tmp_path) -> None:
    """300 messages with 300 new ids from one client: most are refused (today all passed and
    each left a tracker in Rasa's memory); another client is served meanwhile."""

    async def test() -> None:
        async with gateway(tmp_path) as client:
            made = refused = 0
            for _ in range(300):
                resp = await client.post("/api/conversations")
                if resp.status == 201:
                    made += 1
                else:
                    assert resp.status == 429
                    assert (await resp.json())["error"] == texts.TOO_MANY_CONVERSATIONS
                    refused += 1
            assert made <= 40 and refused >= 260, (made, refused)

    run(test)


def test_the_client_is_the_peer_or_a_trusted_proxys_hop(tmp_path) -> None:
    async def test() -> None:
        # not a trusted proxy: X-Forwarded-For is the client's own word and is ignored
        async with gateway(tmp_path) as client:
            for i in range(40):
                await client.post("/api/conversations", headers={"X-Forwarded-For": f"10.0.0.{i}"})
            assert (await client.post("/api/conversations")).status == 429
        # behind a trusted proxy: the hop it added is the client; a forged left part is not
        proxies = (ipaddress.ip_network("127.0.0.0/8"),)
        async with gateway(tmp_path, trusted_proxies=proxies) as client:
            forged = {"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}
            for _ in range(40):
                await client.post("/api/conversations", headers=forged)
            limited = await client.post(
                "/api/conversations", headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.7"}
            )
            assert limited.status == 429, "the same client behind a forged first hop"
            fresh = await client.post(
                "/api/conversations", headers={"X-Forwarded-For": "198.51.100.8"}
            )
            assert fresh.status == 201

    run(test)


def test_messages_are_limited_per_client_across_conversations(tmp_path) -> None:
    async def test() -> None:
        proxies = (ipaddress.ip_network("127.0.0.1"),)
        async with gateway(tmp_path, trusted_proxies=proxies) as client:
            ids = [await new_id(client, **{"X-Forwarded-For": f"10.1.0.{i}"}) for i in range(10)]
            hop = {"X-Forwarded-For": "198.51.100.20"}
            statuses = []
            for i in range(200):  # 20 messages in each of ten conversations, one client
                resp = await client.post(
                    "/api/messages", headers=hop, json={"conversation": ids[i % 10], "text": "hei"}
                )
                statuses.append(resp.status)
            assert statuses[:100].count(200) == 100
            assert statuses.count(429) >= 50, statuses
            danger = await client.post(
                "/api/messages", headers=hop, json={"conversation": ids[0], "text": "haluan kuolla"}
            )
            data = await danger.json()
            assert danger.status == 200 and "09 2525 0111" in data["messages"][0]["text"]
            assert data["messages"][1]["text"] == texts.SLOW_DOWN

    run(test)


# -- framing ---------------------------------------------------------------------------------


def test_pages_may_be_framed_only_by_the_listed_origins(tmp_path) -> None:
    async def test() -> None:
        async with gateway(tmp_path) as client:
            page = await client.get("/")
            assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
            assert page.headers["X-Frame-Options"] == "DENY"
        origins = ("https://www.kuopio.fi", "https://kunta.example:8443")
        async with gateway(tmp_path, embed_origins=origins) as client:
            page = await client.get("/saavutettavuus")
            policy = page.headers["Content-Security-Policy"]
            assert "frame-ancestors https://www.kuopio.fi https://kunta.example:8443" in policy
            assert "*" not in policy and "X-Frame-Options" not in page.headers

    run(test)


def test_embed_origins_are_checked_at_start(monkeypatch) -> None:
    from core import settings

    monkeypatch.setenv("APURI_EMBED_ORIGINS", "https://a.fi, https://b.fi")
    assert settings.embed_origins() == ("https://a.fi", "https://b.fi")
    monkeypatch.setenv("APURI_EMBED_ORIGINS", "https://a.fi; script-src *")
    with pytest.raises(SystemExit):
        settings.embed_origins()


# -- Telegram's secret header ----------------------------------------------------------------


def test_a_telegram_secret_with_non_ascii_letters_is_403_not_500(tmp_path) -> None:
    async def test() -> None:
        app = create_app(
            config(
                telegram_token="123456:TEST",
                telegram_api_url=f"http://127.0.0.1:{free_port()}",
                telegram_webhook_url="https://apuri.example/telegram/webhook",
                telegram_webhook_secret="oikea-salaisuus",
            )
        )
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            for secret in ("äöå-väärä".encode(), b"\xff\xfe", b"oikea-salaisuus" + b"\xe4"):
                status, body = await asyncio.to_thread(
                    raw_post,
                    port,
                    "/telegram/webhook",
                    b"{}",
                    {},
                    b"X-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n",
                )
                assert status == 403, body
                assert json.loads(body)["error"] == texts.WEBHOOK_FORBIDDEN
        finally:
            await runner.cleanup()

    run(test)


def test_a_body_refused_unread_closes_its_connection(tmp_path) -> None:
    """A 200 kB upload refused before it is read (a wrong id, too large): the answer says
    "Connection: close" and the next request is answered at once on a new connection. Before,
    aiohttp left the connection paused: the client's next request hung for 75 s and the socket
    stayed open (hundreds of them under a flood)."""

    async def test() -> None:
        async with gateway(tmp_path) as client:
            body = b"\x00" * 200_000
            for path, headers in (
                ("/api/voice?conversation=testi", {}),
                ("/api/messages", {"Content-Type": "application/json"}),
                ("/ei-ole", {}),
            ):
                resp = await client.post(path, data=body, headers=headers)
                assert resp.status in (403, 404, 413), resp.status
                assert resp.headers.get("Connection", "").lower() == "close", path
                await resp.read()
            started = time.monotonic()
            fresh = await client.post("/api/conversations")
            assert fresh.status == 201 and time.monotonic() - started < 5

    run(test)
