"""Helpers that more than one test module uses: plain functions, classes and constants (the
fixtures are in conftest.py). A test module imports them from here, never from another test
module."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from cli.services import free_port
from tests.conftest import BIN, ROOT, TOKEN, conversation, start_gateway
from tests.fake_telegram import TOKEN as BOT_TOKEN
from tests.fake_telegram import FakeTelegram, Json

# -- processes -------------------------------------------------------------------------------


def pid_listening(port: int) -> int:
    """The process that listens on a TCP port (by the socket's inode in /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes:
                    return int(proc.name)
        except OSError:
            continue
    raise LookupError(port)


def all_pids(root: int) -> list[int]:
    """A process and all its descendants (every service of `apuri run`)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(proc.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


# -- the gateway's API -------------------------------------------------------------------------


def call(
    base: str,
    path: str,
    body: bytes | None = None,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict, dict]:
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


def message(base: str, label: str, text: str) -> bytes:
    """A message in the conversation this test calls `label` (a real id from the gateway)."""
    return json.dumps({"conversation": conversation(base, label), "text": text}).encode()


def say(base: str, label: str, text: str) -> list[dict]:
    return say_in(base, conversation(base, label), text)


def say_in(base: str, conversation_id: str, text: str) -> list[dict]:
    body = json.dumps({"conversation": conversation_id, "text": text}).encode()
    status, data, _ = call(base, "/api/messages", body)
    assert status == 200, data
    return data["messages"]


# -- e-mail ----------------------------------------------------------------------------------


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


# -- the directory's command line ------------------------------------------------------------


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "APURI_DB_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [str(BIN / "apuri"), "directory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- Telegram --------------------------------------------------------------------------------

_chats = itertools.count(424_200)


def new_chat() -> int:
    """A chat id no other test uses (Rasa keeps one conversation per chat)."""
    return next(_chats)


def http(url: str, body: Any = None, method: str = "GET") -> tuple[int, str]:
    """Status and body of one request; a JSON body when `body` is given."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


class Gateway:
    """`python -m gateway` with the Telegram channel on, its log in a file."""

    def __init__(
        self,
        log: Path,
        api_url: str,
        rasa_port: int,
        actions_port: int,
        db_url: str,
        webhook_secret: str | None = None,
    ) -> None:
        self.port = free_port()
        self.log_path = log
        webhook = {}
        if webhook_secret is not None:
            webhook = {
                "TELEGRAM_WEBHOOK_URL": self.webhook_url,
                "TELEGRAM_WEBHOOK_SECRET": webhook_secret,
            }
        self.proc, _ = start_gateway(
            db_url,
            self.port,
            log=log,
            timeout=60,
            APURI_RASA_PORT=str(rasa_port),
            APURI_ACTIONS_PORT=str(actions_port),
            APURI_RASA_TOKEN=TOKEN,
            TELEGRAM_BOT_TOKEN=BOT_TOKEN,
            TELEGRAM_API_URL=api_url,
            **webhook,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/telegram/webhook"

    def log(self, since: int = 0) -> str:
        return self.log_path.read_bytes()[since:].decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def telegram(self) -> Json:
        """The `telegram` part of GET /health."""
        status, body = http(f"{self.url}/health")
        assert status == 200, body
        return json.loads(body)["telegram"]

    def wait_telegram(self, state: str, timeout: float = 30) -> Json:
        """/health → telegram once it is in `state`."""
        deadline = time.monotonic() + timeout
        seen = self.telegram()
        while seen.get("state") != state and time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log()[-3000:]
            time.sleep(0.1)
            seen = self.telegram()
        assert seen.get("state") == state, f"{seen}\n{self.log()[-3000:]}"
        return seen

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)  # a clean stop takes well under a second
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def problems_in(log: str) -> list[str]:
    """Lines of a gateway log that show an error (a trace, a failed update)."""
    marks = ("Traceback", "Telegram update failed", "went wrong", "ERROR", "CRITICAL")
    return [line for line in log.splitlines() if any(m in line for m in marks)]


def ask_on_telegram(fake: FakeTelegram, chat: int, text: str, timeout: float = 20) -> list[Json]:
    """Send a text as the user; the bot's whole answer (the new messages).

    An answer is complete with the message that sets the keyboard (the buttons, or removing
    old ones), or when nothing more has come for a second."""
    before = len(fake.sent(chat))
    fake.push_text(chat, text)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = fake.sent(chat)[before:]
        if any(m["reply_markup"] is not None for m in new):
            return new
        if new and time.monotonic() - new[-1]["at"] > 1.0:
            return new
        time.sleep(0.05)
    raise AssertionError(
        f"chat {chat}: no answer to {text[:60]!r} in {timeout:.0f} s; " f"rejected: {fake.rejected}"
    )


def said(messages: list[Json]) -> str:
    return "\n".join(m["text"] for m in messages)


def finnish(text: str) -> bool:
    """A rough check that a sentence is Finnish: its letters or its common words."""
    return bool(re.search(r"[äöÄÖ]|\b(Kirjoita|Viesti|Hei|Kerro|Soita|Anteeksi|apua)\b", text))


def bot_api(
    fake: FakeTelegram,
    method: str,
    params: Json | None = None,
    form: bool = False,
    token: str = BOT_TOKEN,
) -> tuple[int, Json]:
    """Call the fake as a client would: JSON, or form data with JSON-encoded values."""
    url = f"{fake.api_url}/bot{token}/{method}"
    if form:
        encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (params or {}).items()}
        data, kind = urllib.parse.urlencode(encoded).encode(), "application/x-www-form-urlencoded"
    else:
        data, kind = json.dumps(params or {}).encode(), "application/json"
    request = urllib.request.Request(url, data=data, headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


# -- the web chat in a browser ----------------------------------------------------------------

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class Watch:
    """What must never happen on a page: a dialog (an injected script ran) or a script error."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda err: self.errors.append(str(err)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def chat(page):
    """The chat's parts, by role and accessible name."""

    class Parts:
        log = page.get_by_role("log")
        box = page.get_by_role("textbox", name="Viesti", exact=True)
        send = page.get_by_role("button", name="Lähetä", exact=True)
        speak = page.get_by_role("button", name="Puhu", exact=True)
        call = page.get_by_role("link", name="Soita ihmiselle", exact=True)
        restart = page.get_by_role("button", name="Aloita alusta", exact=True)

    return Parts


def is_focused(locator) -> bool:
    return locator.evaluate("e => e.getRootNode().activeElement === e")


def ask_in_page(page, text: str) -> None:
    parts = chat(page)
    parts.box.fill(text)
    parts.box.press("Enter")


def no_sideways_scroll(page) -> None:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"the page scrolls sideways: scrollWidth {width[0]} > {width[1]}"


def within_width(page, locator) -> None:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None, "not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"cut off: {box}"


def axe_violations(page, context: object = None) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


def at_turn(
    slots: dict[str, Any], message: dict[str, Any], after: str = "action_listen"
) -> Tracker:
    """A conversation with `slots` whose latest message is `message`, as the action server
    hands it to an action; `after`: the action that ran last in this turn."""
    return Tracker("t", slots, message, [], False, None, {}, after)
