"""Abuse benchmark: how long a normal user waits for the bot while one client abuses the gateway.

    .venv/bin/python bench/abuse.py [--seconds 25] [--only speech,logins]

Starts one real stack (`apuri run`, tests.conftest's `running_apuri`) on loopback only, with the
sample directory in a temporary SQLite database that also holds one staff login (made with
`apuri staff add`). Then, one row at a time, a normal user (client 127.0.0.2, its own process)
asks ordinary Finnish questions through POST /api/messages every 0.5–1 s while one attacker
(its own process and its own 127.x address, so the per-client limits see two clients) does one
kind of abuse from issue 17 §3 for the same `--seconds`:

  speech        24 concurrent POST /api/speech of ~1400 characters, slow, in waves (≥ 1 s apart)
  logins        staff logins with made-up names from one address, 8 at a time, back to back
  logins-many   the same from 150 addresses (each its own 20-try window): scrypt never rests
  streams       one client keeping up to 300 GET /api/events open (topped up every second)
  conversations 300 POST /api/conversations and a message in each, in rounds (≥ 5 s apart)
  nested        15 kB of "[" to /api/messages and /api/speech, 4 at a time, back to back
  messages      20 at a time to /api/messages, half in one conversation and half across 29
  compressed    six gzip bodies of 194 kB that inflate to 200 MB, in rounds (≥ 0.25 s apart),
                each on a new connection; and once on a kept-alive one, to see that it still
                answers the next request
  oversized     the same with plain 194 kB bodies refused unread (413, a made-up id's 403, 405)

The report (the normal user's p50 / p95 / max, its errors, how each abuse was answered, and
the gateway process's RSS, open files and CPU from /proc) goes to
bench/results/abuse-<date>-<time>.md and .json. The goal (issue 17): every row's p95 under 1 s
on 2 cores. The attacker runs on the same 2 cores as the stack, and other work on the machine
adds noise: compare rows of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NORMAL = "127.0.0.2"  # the normal user's client address; every attacker has another
QUESTIONS = [
    "onko Kuopiossa kuoroja",
    "kuka on Kuopion järjestöyhdyshenkilö",
    "mitä tapahtumia on tulossa Rovaniemellä",
    "onko Siilinjärvellä eläkeläisten kerhoja",
    "tarvitsen apua verkkopankin kanssa Jyväskylässä",
    "mistä yhdistys voi hakea avustusta",
    "missä voisin käydä jumpassa Kemissä",
    "kuka on Joensuun järjestöyhdyshenkilö",
    "tarvitaan kokoustila yhdistykselle Lieksassa",
    "hei",
    "kiitos",
]
SPOKEN = (
    "Kuopiossa toimii monta kuoroa, jotka ottavat mielellään uusia laulajia mukaan. "
    "Harjoitukset pidetään yleensä arki-iltaisin seurakuntatalolla tai kansalaisopiston "
    "tiloissa, ja kahvit juodaan yhdessä tauolla. "
)
SPEECH_TEXT = (SPOKEN * 10)[:1400].rsplit(" ", 1)[0]  # ~1400 characters, under MAX_SPOKEN
BOMB_INFLATED = 200_000_000  # bytes a compressed upload would inflate to
STAFF_USER, STAFF_PASSWORD = "henkilokunta", "Bench-salasana-2026"
FIRST_NAMES = ("matti", "liisa", "pekka", "aino", "jari", "sari", "timo", "anne", "mika", "ritva")
CSRF_FIELD = re.compile(r'name="csrf" value="([A-Za-z0-9_-]+)"')
MAX_SOCKETS = 300  # the most connections any one attacker holds open


# --- the normal user ------------------------------------------------------------------------


def normal_user(base: str, start_at: float, end_at: float, seed: int) -> dict[str, Any]:
    """In its own process, so that the attacker's event loop never delays its clock."""
    return asyncio.run(_normal_user(base, start_at, end_at, seed))


async def _normal_user(base: str, start_at: float, end_at: float, seed: int) -> dict[str, Any]:
    from gateway import texts

    rng = random.Random(seed)
    unavailable = texts.unavailable()
    latencies: list[float] = []
    errors: list[str] = []
    connector = aiohttp.TCPConnector(local_addr=(NORMAL, 0), limit=4)
    timeout = aiohttp.ClientTimeout(total=20)
    result: dict[str, Any] = {}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        async with session.post(f"{base}/api/conversations") as resp:
            conversation = (await resp.json(content_type=None)).get("conversation")
            if resp.status != 201:
                return {"latencies_ms": [], "errors": [f"conversation {resp.status}"]}
        stream = asyncio.create_task(_own_stream(session, base, conversation, result))
        await asyncio.sleep(max(0.0, start_at + 0.5 - time.time()))
        while time.time() < end_at:
            body = {"conversation": conversation, "text": rng.choice(QUESTIONS)}
            start = time.perf_counter()
            try:
                async with session.post(f"{base}/api/messages", json=body) as resp:
                    data = await resp.json(content_type=None)
                    status = resp.status
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as err:
                errors.append(type(err).__name__)
            else:
                said = [m.get("text") for m in data.get("messages", [])] if status == 200 else []
                if status != 200:
                    errors.append(str(status))
                elif unavailable in said:  # the gateway's "Rasa did not answer" sentence
                    errors.append("general number")
                else:
                    latencies.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(rng.uniform(0.5, 1.0))
        stream.cancel()
        await asyncio.gather(stream, return_exceptions=True)
    if result.get("stream") != 200:
        errors.append(f"own event stream {result.get('stream')}")
    return {"latencies_ms": [round(x, 1) for x in latencies], "errors": errors}


async def _own_stream(
    session: aiohttp.ClientSession, base: str, conversation: str, result: dict[str, Any]
) -> None:
    """The event stream the web page keeps open: the normal user must still get one."""
    url = f"{base}/api/events?conversation={conversation}"
    forever = aiohttp.ClientTimeout(total=None, sock_read=None)
    try:
        async with session.get(url, timeout=forever) as resp:
            result["stream"] = resp.status
            async for _ in resp.content.iter_any():
                pass
    except (aiohttp.ClientError, asyncio.TimeoutError) as err:
        result.setdefault("stream", type(err).__name__)


# --- the attacker ---------------------------------------------------------------------------


@dataclass
class Answer:
    """What the gateway said, with the cookies a login form needs."""

    status: int
    body: bytes
    cookies: dict[str, str]


class Attack:
    """One attacker: its address, its deadline, and a tally of how it was answered."""

    def __init__(self, base: str, address: str, start_at: float, end_at: float) -> None:
        self.base, self.address = base, address
        self.start_at, self.end_at = start_at, end_at
        self.answers: dict[str, Counter[str]] = defaultdict(Counter)  # what → status → count
        self.notes: dict[str, Any] = {}

    def session(
        self, limit: int, address: str | None = None, fresh: bool = False
    ) -> aiohttp.ClientSession:
        """A session from this attacker's address, with at most `limit` sockets (`fresh`: a new
        connection for every request)."""
        connector = aiohttp.TCPConnector(
            local_addr=(address or self.address, 0),
            limit=min(limit, MAX_SOCKETS),
            force_close=fresh,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=60),
        )

    def running(self) -> bool:
        return time.time() < self.end_at

    async def started(self) -> None:
        """Setup is done before the clock starts; the abuse itself starts with the row."""
        await asyncio.sleep(max(0.0, self.start_at - time.time()))

    async def pace(self, began: float, period: float) -> None:
        """Rounds no closer than `period`: bounded, so the row measures this abuse, not a
        request flood from the same machine."""
        await asyncio.sleep(max(0.0, began + period - time.monotonic()))

    async def send(
        self, session: aiohttp.ClientSession, method: str, path: str, what: str, **kwargs: Any
    ) -> Answer:
        try:
            async with session.request(method, self.base + path, **kwargs) as resp:
                body = await resp.read()
                self.answers[what][str(resp.status)] += 1
                return Answer(resp.status, body, {k: m.value for k, m in resp.cookies.items()})
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            self.answers[what][type(err).__name__] += 1
            return Answer(0, b"", {})

    async def conversations(self, session: aiohttp.ClientSession, n: int) -> list[str]:
        """Up to `n` conversation ids, as many as the gateway gives this address."""
        made = []
        for _ in range(n):
            answer = await self.send(session, "POST", "/api/conversations", "setup: conversation")
            if answer.status == 201:
                made.append(json.loads(answer.body)["conversation"])
        return made


async def speech_flood(a: Attack) -> None:
    """The review's 24 at once: each could be minutes of slow speech and megabytes of WAV."""
    async with a.session(24) as session:
        await a.started()
        body = {"text": SPEECH_TEXT, "slow": True}
        while a.running():
            began = time.monotonic()
            answers = await asyncio.gather(
                *(a.send(session, "POST", "/api/speech", "speech", json=body) for _ in range(24))
            )
            wavs = [len(x.body) for x in answers if x.status == 200]
            a.notes["wav_bytes_max"] = max([a.notes.get("wav_bytes_max", 0), *wavs])
            await a.pace(began, 1.0)


async def _login(
    a: Attack, session: aiohttp.ClientSession, form: tuple[str, str], username: str
) -> None:
    token, cookie = form
    data = {"csrf": token, "username": username, "password": "Arvattu-salasana-1"}
    headers = {"Cookie": f"apuri_login_csrf={cookie}"}
    await a.send(
        session,
        "POST",
        "/staff/kirjaudu",
        "login",
        data=data,
        headers=headers,
        allow_redirects=False,
    )


async def _login_form(a: Attack, session: aiohttp.ClientSession) -> tuple[str, str] | None:
    """The hidden CSRF field and the cookie it must match (double submit), as a browser has."""
    answer = await a.send(session, "GET", "/staff", "GET /staff")
    field = CSRF_FIELD.search(answer.body.decode(errors="replace"))
    cookie = answer.cookies.get("apuri_login_csrf")
    return (field.group(1), cookie) if field and cookie else None


def _made_up_name(rng: random.Random, n: int, real: bool) -> str:
    """A made-up name; every tenth try is the real staff login with a wrong password."""
    return STAFF_USER if real else f"{rng.choice(FIRST_NAMES)}.{n}"


async def login_flood(a: Attack, addresses: int = 1, workers: int = 8) -> None:
    """Logins as fast as the gateway answers, from one address or from many."""
    rng = random.Random(3)
    count = iter(range(10**9))
    if addresses == 1:
        sessions = [a.session(workers)]
    else:  # 127.1.0.1 …: each address its own client to the limits
        sessions = [a.session(2, f"127.1.{i // 250}.{i % 250 + 1}") for i in range(addresses)]
    try:
        forms = [await _login_form(a, s) for s in sessions]
        await a.started()

        async def worker(k: int) -> None:
            while a.running():
                n = next(count)
                i = n % len(sessions)
                form = forms[i]
                if form is None:  # no login page for this one: ask again
                    forms[i] = form = await _login_form(a, sessions[i])
                    continue
                await _login(a, sessions[i], form, _made_up_name(rng, n, n % 10 == 0))

        await asyncio.gather(*(worker(k) for k in range(workers)))
    finally:
        a.notes["addresses"] = addresses
        await asyncio.gather(*(s.close() for s in sessions))


async def many_logins(a: Attack) -> None:
    """A botnet's view: no per-address window ever fills, so only the password pool limits."""
    await login_flood(a, addresses=150)


async def compressed(a: Attack) -> None:
    """The review's six gzip bodies: each refused before it is inflated, on a new connection
    each time; once on a kept-alive one too, to see that connection still works."""
    bomb = gzip.compress(bytes(BOMB_INFLATED), 9)
    a.notes["compressed_bytes"] = len(bomb)
    async with a.session(6, fresh=True) as session:
        ids = await a.conversations(session, 1)
        routes = [
            ("/api/messages", "application/json"),
            ("/api/speech", "application/json"),
            ("/staff/kirjaudu", "application/x-www-form-urlencoded"),
        ]
        if ids:
            routes.append((f"/api/voice?conversation={ids[0]}", "audio/wav"))
        await a.started()
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        probe = asyncio.create_task(kept_alive(a, "/api/messages", headers, bomb))
        await refused_rounds(a, session, routes, bomb, {"Content-Encoding": "gzip"}, "gzip")
        await probe


async def oversized(a: Attack) -> None:
    """Plain bodies of the same size that the gateway refuses before reading them (413 by their
    length, 403 for a made-up id, 405): a browser's voice upload refused for its id or its
    rate is one of these."""
    body = bytes(len(gzip.compress(bytes(BOMB_INFLATED), 9)))
    made_up = "A" * 43  # the shape of an id, not signed by the gateway
    routes = [
        ("/api/messages", "application/json"),
        (f"/api/voice?conversation={made_up}", "audio/webm"),
        ("/api/speech", "application/json"),
        ("/", "text/plain"),
    ]
    async with a.session(6, fresh=True) as session:
        await a.started()
        path, kind = routes[1]
        probe = asyncio.create_task(kept_alive(a, path, {"Content-Type": kind}, body))
        await refused_rounds(a, session, routes, body, {}, "plain")
        await probe


async def refused_rounds(
    a: Attack,
    session: aiohttp.ClientSession,
    routes: list[tuple[str, str]],
    body: bytes,
    headers: dict[str, str],
    what: str,
) -> None:
    """Six bodies at once round the routes, rounds at least 0.25 s apart, until the row ends."""
    n = 0
    while a.running():
        began = time.monotonic()
        jobs = []
        for _ in range(6):
            path, kind = routes[n % len(routes)]
            n += 1
            jobs.append(
                a.send(
                    session,
                    "POST",
                    path,
                    f"{what} {path.split('?')[0]}",
                    data=body,
                    headers={**headers, "Content-Type": kind},
                )
            )
        await asyncio.gather(*jobs)
        await a.pace(began, 0.25)


async def kept_alive(a: Attack, path: str, headers: dict[str, str], body: bytes) -> None:
    """Whether a kept-alive connection still answers its next request after the gateway refused
    a body it did not read. The request goes in one write, as a browser's upload does: aiohttp
    then pauses reading for a body over 128 kB and nothing resumes it, unless the gateway
    closes the connection with its answer."""
    host, port = a.base.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port), local_addr=(a.address, 0))
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    try:
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{lines}"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        first = await _status(reader)
        began = time.monotonic()
        writer.write(f"GET /widget.js HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        try:
            then = f"{await asyncio.wait_for(_status(reader), 10)} in "
        except asyncio.TimeoutError:
            then = "no answer in "
        except (OSError, EOFError):
            then = "connection closed by the gateway (a browser opens another) in "
        a.notes["kept_alive"] = f"{first}, then {then}{time.monotonic() - began:.1f} s"
    except (OSError, EOFError) as err:
        a.notes["kept_alive"] = f"refused body: {type(err).__name__}"
    finally:
        writer.close()


async def _status(reader: asyncio.StreamReader) -> int:
    """The status of one HTTP/1.1 response, its body read to the end."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    length = re.search(r"(?im)^content-length:\s*(\d+)", head)
    await reader.readexactly(int(length.group(1)) if length else 0)
    return int(head.split()[1])


async def event_streams(a: Attack) -> None:
    """Streams are held open, so the caps (not the rate) are what protects the others."""
    stop = asyncio.Event()
    held = {"open": 0, "peak": 0, "tasks": 0}

    async def hold(session: aiohttp.ClientSession, conversation: str) -> None:
        url = f"/api/events?conversation={conversation}"
        forever = aiohttp.ClientTimeout(total=None, sock_read=None)
        try:
            async with session.get(a.base + url, timeout=forever) as resp:
                a.answers["stream"][str(resp.status)] += 1
                if resp.status != 200:
                    await resp.read()
                    return
                held["open"] += 1
                held["peak"] = max(held["peak"], held["open"])
                try:
                    await stop.wait()
                finally:
                    held["open"] -= 1
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            a.answers["stream"][type(err).__name__] += 1
        finally:
            held["tasks"] -= 1

    async with a.session(MAX_SOCKETS) as session:
        ids = await a.conversations(session, 10)
        await a.started()
        tasks: set[asyncio.Task] = set()
        n = 0
        try:
            while a.running() and ids:
                began = time.monotonic()
                while held["tasks"] < MAX_SOCKETS:  # top up to the socket cap
                    held["tasks"] += 1
                    task = asyncio.create_task(hold(session, ids[n % len(ids)]))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    n += 1
                await a.pace(began, 1.0)
        finally:
            a.notes["streams_held_peak"] = held["peak"]
            stop.set()  # every held stream closes before the session does
            await asyncio.gather(*tasks, return_exceptions=True)


async def new_conversations(a: Attack) -> None:
    """Every conversation is a tracker in Rasa: a fresh id each time used to dodge the limits."""
    async with a.session(20) as session:
        await a.started()
        limit = asyncio.Semaphore(20)

        async def one(n: int) -> None:
            async with limit:
                made = await a.send(session, "POST", "/api/conversations", "conversation")
                if made.status == 201:
                    body = {
                        "conversation": json.loads(made.body)["conversation"],
                        "text": QUESTIONS[n % len(QUESTIONS)],
                    }
                    await a.send(session, "POST", "/api/messages", "message", json=body)

        while a.running():
            began = time.monotonic()
            await asyncio.gather(*(one(n) for n in range(300)))
            await a.pace(began, 5.0)


async def nested_json(a: Attack) -> None:
    """The parser used to recurse on "[[[…" until Python gave up (a 500)."""
    body = b"[" * 15_000
    headers = {"Content-Type": "application/json"}
    async with a.session(4) as session:
        await a.started()

        async def worker(k: int) -> None:
            path = ("/api/messages", "/api/speech")[k % 2]
            while a.running():
                await a.send(session, "POST", path, f"[[[ {path}", data=body, headers=headers)

        await asyncio.gather(*(worker(k) for k in range(4)))


async def message_flood(a: Attack) -> None:
    """What reaches Rasa is what slows everyone: the per-client limit must hold across ids."""
    async with a.session(20) as session:
        ids = await a.conversations(session, 30)
        await a.started()

        async def worker(k: int) -> None:
            n = k
            while a.running() and ids:
                one = k < 10 or len(ids) == 1
                conversation = ids[0] if one else ids[1 + n % (len(ids) - 1)]
                body = {"conversation": conversation, "text": QUESTIONS[n % len(QUESTIONS)]}
                what = "one conversation" if one else f"{len(ids) - 1} conversations"
                await a.send(session, "POST", "/api/messages", what, json=body)
                n += 1

        await asyncio.gather(*(worker(k) for k in range(20)))


ATTACKS: dict[str, tuple[str, Callable[[Attack], Awaitable[None]] | None]] = {
    "baseline": ("no abuse", None),
    "speech": ("speech: 24 × ~1400 characters, slow", speech_flood),
    "logins": ("staff logins, one address", login_flood),
    "logins-many": ("staff logins, 150 addresses", many_logins),
    "streams": ("event streams, one client", event_streams),
    "conversations": ("300 new conversations + messages", new_conversations),
    "nested": ("15 kB of nested [", nested_json),
    "messages": ("message flood, one client", message_flood),
    # last: sockets a refusal leaves behind (up to 75 s) would show in the next rows
    "compressed": ("gzip 194 kB → 200 MB, 6 at once", compressed),
    "oversized": ("plain 194 kB refused unread, 6 at once", oversized),
    "baseline-after": ("no abuse, again", None),
}


def attack(kind: str, base: str, address: str, start_at: float, end_at: float) -> dict[str, Any]:
    """In its own process: the abuse, stopped at `end_at` whatever it is doing."""
    return asyncio.run(_attack(kind, base, address, start_at, end_at))


async def _attack(
    kind: str, base: str, address: str, start_at: float, end_at: float
) -> dict[str, Any]:
    a = Attack(base, address, start_at, end_at)
    fn = ATTACKS[kind][1]
    assert fn is not None
    try:
        await asyncio.wait_for(fn(a), timeout=end_at + 0.5 - time.time())
    except asyncio.TimeoutError:
        pass
    return {"answers": {k: dict(v) for k, v in a.answers.items()}, **a.notes}


# --- the stack and its processes -------------------------------------------------------------


def add_staff(db_url: str, var_dir: str) -> None:
    """One real staff login, so that the login flood meets a real user table."""
    env = {**os.environ, "APURI_DB_URL": db_url, "APURI_VAR_DIR": var_dir}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "apuri"), "staff", "add", STAFF_USER],
        input=STAFF_PASSWORD + "\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of each child of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


def stack_pids(supervisor: int) -> dict[str, int]:
    """The gateway's, Rasa's and the action server's pids under `apuri run`."""
    pids = {}
    for pid, cmdline in _children(supervisor):
        if "-m gateway" in cmdline:
            pids["gateway"] = pid
        elif "bot.rasa_server" in cmdline:
            pids["rasa"] = pid
        elif "run actions" in cmdline:
            pids["actions"] = pid
    return pids


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def open_files(pid: int) -> int:
    """The gateway's open files: sockets it still holds show here."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and of its children that it has waited for
    (espeak-ng runs as the gateway's child)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run_row(
    pool: ProcessPoolExecutor,
    kind: str,
    base: str,
    address: str,
    seconds: float,
    pids: dict[str, int],
    seed: int,
) -> dict[str, Any]:
    """One row: the normal user and (unless a baseline) the attacker, for the same seconds."""
    gateway = pids["gateway"]
    load = os.getloadavg()[0]
    rss_before, cpu_before = rss_mb(gateway), {k: cpu_seconds(p) for k, p in pids.items()}
    start_at = time.time() + 4  # time for setup (conversation ids, the gzip bomb)
    end_at = start_at + seconds
    user = pool.submit(normal_user, base, start_at, end_at, seed)
    attacker = None
    if ATTACKS[kind][1] is not None:
        attacker = pool.submit(attack, kind, base, address, start_at, end_at)
    peak, files = rss_before, open_files(gateway)
    while not user.done() or (attacker is not None and not attacker.done()):
        peak, files = max(peak, rss_mb(gateway)), max(files, open_files(gateway))
        time.sleep(0.2)
    cpu = {k: round(cpu_seconds(p) - cpu_before[k], 1) for k, p in pids.items()}
    time.sleep(3)  # what the gateway still holds once refused and queued work has drained
    rss_after = rss_mb(gateway)
    measured = user.result()
    ms = np.array(measured["latencies_ms"] or [0.0])
    return {
        "row": kind,
        "label": ATTACKS[kind][0],
        "attacker": address if attacker else None,
        "seconds": seconds,
        "load_1min": round(load, 2),
        "messages": len(measured["latencies_ms"]),
        "errors": measured["errors"],
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "max_ms": round(float(ms.max()), 1),
        "abuse": attacker.result() if attacker else None,
        "gateway_rss_mb": {"before": rss_before, "peak": peak, "after": rss_after},
        "gateway_open_files_peak": files,
        "cpu_s": cpu,
        "latencies_ms": measured["latencies_ms"],
    }


# --- the report -----------------------------------------------------------------------------


def answered(abuse: dict[str, Any] | None) -> str:
    """ "speech 240 → 50×200, 190×503": how the gateway answered each kind of request."""
    if not abuse:
        return "–"
    parts = []
    for what, counts in abuse["answers"].items():
        if what.startswith(("setup", "probe")):
            continue
        total = sum(counts.values())
        ranked = sorted(counts.items(), key=lambda x: -x[1])
        shown = ", ".join(f"{n}×{status}" for status, n in ranked)
        parts.append(f"{what} {total} → {shown}")
    if "streams_held_peak" in abuse:
        parts.append(f"at most {abuse['streams_held_peak']} held open at once")
    if "kept_alive" in abuse:
        parts.append(f"one refused on a kept-alive connection: {abuse['kept_alive']}")
    if "wav_bytes_max" in abuse:
        parts.append(f"largest WAV {abuse['wav_bytes_max'] / 1e6:.1f} MB")
    return "; ".join(parts)


def render(report: dict[str, Any]) -> str:
    rows = [
        f"# Abuse against the gateway — {report['date']}",
        "",
        f"A normal user ({NORMAL}, one conversation, a question every 0.5–1 s) for "
        f"{report['seconds']:.0f} s per row while one client abuses the gateway from its own "
        "address; one `apuri run` stack, sample directory in SQLite, loopback only. The "
        f"attacker shares the {os.cpu_count()} cores with the stack (and with other work on "
        "the machine: the load column). RSS after: 3 s after the row; open files: the most "
        "the gateway held during the row. Goal: p95 under 1 s in every row.",
        "",
        "| abuse | msgs | p50 | p95 | max | normal user's errors | how the abuse was answered "
        "| gateway RSS MB before → peak → after | gateway open files | CPU s gateway / Rasa "
        "| load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in report["rows"]:
        errors = ", ".join(f"{n}×{e}" for e, n in Counter(r["errors"]).items()) or "0"
        mark = "" if r["p95_ms"] < 1000 and not r["errors"] else " ✗"
        rss, cpu = r["gateway_rss_mb"], r["cpu_s"]
        rows.append(
            f"| {r['label']}{mark} | {r['messages']} | {r['p50_ms']:.0f} ms | "
            f"{r['p95_ms']:.0f} ms | {r['max_ms']:.0f} ms | {errors} | {answered(r['abuse'])} | "
            f"{rss['before']:.0f} → {rss['peak']:.0f} → {rss['after']:.0f} | "
            f"{r['gateway_open_files_peak']} | "
            f"{cpu.get('gateway', 0)} / {cpu.get('rasa', 0)} | {r['load_1min']} |"
        )
    missed = [r["label"] for r in report["rows"] if r["p95_ms"] >= 1000 or r["errors"]]
    rows += [
        "",
        "Every row met the goal."
        if not missed
        else f"Missed the goal (p95 ≥ 1 s or errors): {', '.join(missed)}.",
    ]
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=25)
    parser.add_argument(
        "--only",
        type=lambda s: s.split(","),
        default=list(ATTACKS),
        help=f"rows, comma-separated: {','.join(ATTACKS)}",
    )
    args = parser.parse_args()
    unknown = set(args.only) - set(ATTACKS)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    from tests.conftest import running_apuri, speech_state

    report: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "seconds": args.seconds,
        "cores": os.cpu_count(),
        "rows": [],
    }
    with tempfile.TemporaryDirectory(prefix="apuri-abuse-") as tmp:
        db_url, var_dir = f"sqlite:///{tmp}/apuri.db", f"{tmp}/var"
        add_staff(db_url, var_dir)
        print("== starting apuri run (loading the model takes a while)", flush=True)
        with running_apuri(
            db_url, APURI_VAR_DIR=var_dir, APURI_GATEWAY_HOST="127.0.0.1", TELEGRAM_BOT_TOKEN=""
        ) as apuri:
            speech_state(apuri.url)  # the speech model loads in the gateway: not during a row
            spawn = get_context("spawn")
            with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
                pids = stack_pids(apuri.proc.pid)
                print(f"== warming up ({pids})", flush=True)
                run_row(pool, "baseline", apuri.url, NORMAL, 10, pids, 0)
                for i, kind in enumerate(args.only):
                    time.sleep(2)  # refused and queued work drains between rows
                    pids = stack_pids(apuri.proc.pid)  # a restarted service has a new pid
                    row = run_row(
                        pool, kind, apuri.url, f"127.0.{10 + i}.1", args.seconds, pids, i + 1
                    )
                    report["rows"].append(row)
                    print(
                        f"   {kind}: p50 {row['p50_ms']} p95 {row['p95_ms']} max "
                        f"{row['max_ms']} ms, errors {len(row['errors'])}; "
                        f"{answered(row['abuse'])}",
                        flush=True,
                    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = f"abuse-{dt.datetime.now().strftime('%Y-%m-%d-%H%M')}"
    (out / f"{name}.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / f"{name}.md").write_text(render(report), encoding="utf-8")
    print(render(report))
    print(f"report: bench/results/{name}.md")


if __name__ == "__main__":
    main()
