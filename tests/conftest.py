"""Shared fixtures: the trained model, a real action server, a Rasa agent."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import http.client
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.services import free_port, wait_http
from core import clock

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "apuri.tar.gz"
BIN = Path(sys.executable).parent

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Whatever a test starts without a var dir of its own (a gateway, a secret) writes here, never
# into the checkout's var/ (stacks get their own: `Apuri`).
os.environ.setdefault("APURI_VAR_DIR", tempfile.mkdtemp(prefix="apuri-test-var-"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server (Debian's package) for this run; skipped only outside CI."""
    from bench.pgtemp import pg_bin, temporary_postgres

    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; make setup installs it (postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with temporary_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the test server."""
    from bench.pgtemp import create_database

    return create_database(postgres_server, f"apuri_{time.monotonic_ns()}")


@pytest.fixture(params=["sqlite", "postgresql"])
def each_database(request, tmp_path: Path) -> str:
    """An empty database of the test's own, once on a SQLite file and once on the real
    PostgreSQL server: the same test on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'apuri.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL.exists():
        pytest.fail("models/apuri.tar.gz is missing: run 'make train' (make test does it)")
    return MODEL


FIXTURE_DIRECTORY = ROOT / "tests" / "fixtures" / "directory_small.json"
_RELATIVE = re.compile(r"^([+-]\d+) days(?: (\d{1,2}):(\d{2}))?$")


def relative_date(value: str, today: dt.date | None = None) -> str:
    """ "+73 days 18:00" → that day at 18:00 in Helsinki (ISO 8601); "-3 days" → a date."""
    match = _RELATIVE.match(value)
    if not match:
        return value
    day = (today or clock.today()) + dt.timedelta(days=int(match.group(1)))
    if match.group(2) is None:
        return day.isoformat()
    at = dt.time(int(match.group(2)), int(match.group(3)))
    return dt.datetime.combine(day, at, tzinfo=clock.HELSINKI).isoformat()


def fixture_document(path: Path = FIXTURE_DIRECTORY) -> dict:
    """A fixture directory file with its dates ("+73 days 18:00") made relative to today."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    for kind in ("events", "grants"):
        for record in doc.get(kind, []):
            for key in ("start", "end", "deadline"):
                if isinstance(record.get(key), str):
                    record[key] = relative_date(record[key])
    return doc


def fixture_record(kind: str, record_id: str) -> dict:
    return next(r for r in fixture_document()[kind] if r["id"] == record_id)


TOKEN = "test-token-not-secret"

_CONVERSATIONS: dict[tuple[str, str], str] = {}
_CLIENTS = itertools.count()


def new_conversation(base: str, source: str | None = None) -> str:
    """A conversation id made by the gateway at `base` (POST /api/conversations). Each call
    comes from its own loopback address (127.0.0.2, .3 …) unless `source` is given: the
    gateway limits new conversations per client, and a test run makes hundreds."""
    if source is None:
        n = next(_CLIENTS) % 60_000
        source = f"127.{n // 250 + 1}.{n % 250 + 2}.1"
    host, port = urllib.parse.urlsplit(base).netloc.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", "/api/conversations")
        response = conn.getresponse()
        body = json.loads(response.read())
    finally:
        conn.close()
    assert response.status == 201, body
    return body["conversation"]


def conversation(base: str, label: str) -> str:
    """The same server-made id for the same label at the same gateway, made on first use: a
    test keeps calling its conversation "cb-1" and the gateway sees a real id."""
    key = (base, label)
    if key not in _CONVERSATIONS:
        _CONVERSATIONS[key] = new_conversation(base)
    return _CONVERSATIONS[key]


def sender_of(base: str, label: str) -> str:
    """Rasa's sender id (and the handoff records' conversation) for a labelled conversation."""
    from gateway.conversations import sender

    return sender(conversation(base, label))


class Apuri:
    """`apuri run` in its own process group (so Ctrl-C can be sent as a terminal would)."""

    def __init__(self, db_url: str, token: str | None = TOKEN, **extra_env: str) -> None:
        self.rasa, self.actions, self.gateway = free_port(), free_port(), free_port()
        # each stack its own var dir (endpoints, token, secret): stacks never share files
        self.var_dir = extra_env.pop("APURI_VAR_DIR", "") or tempfile.mkdtemp(prefix="apuri-var-")
        env = {
            **os.environ,
            "APURI_RASA_PORT": str(self.rasa),
            "APURI_ACTIONS_PORT": str(self.actions),
            "APURI_GATEWAY_PORT": str(self.gateway),
            "APURI_DB_URL": db_url,
            "APURI_VAR_DIR": self.var_dir,
            **extra_env,
        }
        env.pop("APURI_RASA_TOKEN", None)
        if token:
            env["APURI_RASA_TOKEN"] = token
        self.proc = subprocess.Popen(
            [str(BIN / "apuri"), "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        """What `apuri run` printed on the console."""
        return "".join(self.lines)

    def logs(self) -> str:
        """The console and every service's log file in the var dir, as one text."""
        files = sorted(Path(self.var_dir).glob("*.log*"))
        return self.output + "".join(f.read_text("utf-8", errors="replace") for f in files)

    @property
    def url(self) -> str:
        """The gateway: the web chat page and its API."""
        return f"http://127.0.0.1:{self.gateway}"

    def ready(self, timeout: float = 300) -> None:
        wait_http(f"http://127.0.0.1:{self.rasa}/status?token={TOKEN}", [self.proc], timeout)
        wait_http(f"{self.url}/health", [self.proc], 60)
        deadline = time.monotonic() + 30
        while "Apuri is running" not in self.output and time.monotonic() < deadline:
            time.sleep(0.2)

    def ctrl_c(self, timeout: float = 90) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def directory_url(tmp_path_factory) -> str:
    """A real SQLite directory loaded with the small fixture file."""
    from store.directory import Directory

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'apuri.db'}"
    Directory(url).import_document(fixture_document())
    return url


@contextlib.contextmanager
def running_apuri(db_url: str, **env: str) -> Iterator[Apuri]:
    """`apuri run` on free ports, ready; Ctrl-C when done."""
    apuri = Apuri(db_url, **env)
    try:
        apuri.ready()
        yield apuri
    finally:
        if apuri.proc.poll() is None:
            apuri.ctrl_c()


@contextlib.contextmanager
def serving(command: list[str], health_url: str, env: dict[str, str]) -> Iterator[None]:
    """One service process, until its health URL answers; stopped when done."""
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(health_url, [proc], 120)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def start_gateway(
    db_url: str,
    port: int | None = None,
    log: Path | None = None,
    timeout: float = 120,
    **env: str,
) -> tuple[subprocess.Popen, str]:
    """`python -m gateway` alone on 127.0.0.1 (no Telegram, nothing behind it unless `env`
    names Rasa's and the action server's ports, or the bot's token), until its /health
    answers; its process and base URL. The environment is ours without any TELEGRAM_ variable,
    then `env`. Its output goes to `log` (stdout and stderr) or nowhere. If it does not start,
    it is stopped and the error raised (with the log's last lines when there is a log). Every
    gateway process a test starts of its own starts here; the caller stops it."""
    port = port or free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    environment |= {
        "APURI_GATEWAY_PORT": str(port),
        "APURI_GATEWAY_HOST": "127.0.0.1",
        "APURI_RASA_PORT": str(free_port()),
        "APURI_ACTIONS_PORT": str(free_port()),
        "APURI_DB_URL": db_url,
        "TELEGRAM_BOT_TOKEN": "",
        **env,
    }
    url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as files:
        out = files.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        )
    try:
        wait_http(url + "/health", [proc], timeout)
    except BaseException as err:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not None and isinstance(err, RuntimeError | TimeoutError):
            tail = log.read_bytes().decode("utf-8", "replace")[-3000:]
            raise AssertionError(f"the gateway did not start:\n{tail}") from None
        raise
    return proc, url


@contextlib.contextmanager
def gateway_process(db_url: str, port: int | None = None, **env: str) -> Iterator[str]:
    """A gateway of the test's own (`start_gateway`) while the block runs; yields its base
    URL."""
    proc, url = start_gateway(db_url, port, **env)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def second_gateway(stack: Apuri, db_url: str, **env: str) -> Iterator[str]:
    """Another gateway in front of the stack's Rasa and action server (its secret too), with
    its own settings; yields its base URL."""
    with gateway_process(
        db_url,
        APURI_RASA_PORT=str(stack.rasa),
        APURI_ACTIONS_PORT=str(stack.actions),
        APURI_RASA_TOKEN=TOKEN,
        APURI_VAR_DIR=stack.var_dir,
        **env,
    ) as url:
        yield url


def speech_state(url: str, timeout: float = 90) -> dict:
    """/health's speech part once the engine has loaded, or failed to."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(url + "/health", timeout=10) as response:
            speech = json.load(response)["speech"]
        if speech.get("reason") != "loading" or time.monotonic() > deadline:
            return speech
        time.sleep(0.2)


@pytest.fixture(scope="session")
def stack(model_path, directory_url: str) -> Iterator[Apuri]:
    """`apuri run` on free ports with the small fixture directory: Rasa, the action server
    and the gateway, for tests that go through the gateway (web chat, Telegram)."""
    with running_apuri(directory_url) as apuri:
        yield apuri


@pytest.fixture(scope="session")
def action_server(directory_url: str) -> Iterator[str]:
    port = free_port()
    command = [str(BIN / "rasa"), "run", "actions", "--port", str(port), "--actions", "actions"]
    with serving(command, f"http://127.0.0.1:{port}/health", {"APURI_DB_URL": directory_url}):
        yield f"http://127.0.0.1:{port}/webhook"


@pytest.fixture(scope="session")
def event_loop_session() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(model_path: Path, action_server: str, event_loop_session: asyncio.AbstractEventLoop):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(model_path), action_endpoint=EndpointConfig(url=action_server))


class Chat:
    """One conversation with the agent; say() returns the bot's texts."""

    def __init__(self, agent, loop: asyncio.AbstractEventLoop, sender: str) -> None:
        self.agent, self.loop, self.sender = agent, loop, sender

    def say(self, text: str) -> list[str]:
        replies = self.loop.run_until_complete(self.agent.handle_text(text, sender_id=self.sender))
        return [r.get("text", "") for r in replies or []]

    def slots(self) -> dict:
        tracker = self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender))
        return tracker.current_slot_values() if tracker else {}


@pytest.fixture
def chat(agent, event_loop_session, request) -> Chat:
    return Chat(agent, event_loop_session, f"test-{request.node.name}-{time.monotonic_ns()}")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, one per module (a module may have its own)."""
    from playwright.sync_api import sync_playwright

    from tests.helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: make setup installs it (Debian package chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """A fresh browser profile (empty storage) per call; closed after the test."""
    from tests.helpers import Watch

    contexts = []

    def make(width: int = 1024, height: int = 768, scale: float = 1):
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=scale, locale="fi-FI"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.watch = Watch(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def actions_on(tmp_path, monkeypatch):
    """Puts a directory document where the actions look (a SQLite file of the test's own) and
    forgets it afterwards."""
    from actions import slots
    from store.directory import Directory

    def use(document: dict) -> None:
        database = f"sqlite:///{tmp_path / 'directory.db'}"
        Directory(database).import_document(document)
        monkeypatch.setenv("APURI_DB_URL", database)
        slots.directory.cache_clear()

    yield use
    slots.directory.cache_clear()
