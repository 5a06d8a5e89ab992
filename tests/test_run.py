"""`apuri run` end to end: both services start on 127.0.0.1, the REST channel answers, the HTTP
API needs the token, a service that dies comes back, bad requests do not bring it down, Ctrl-C
stops everything and exits 0, what a run generates stays private in its own var dir (the
token never on a command line), and the console shows Apuri's own lines while each service
writes to its log file there."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.services import Service, Supervisor, free_port, wait_http
from tests.conftest import BIN, ROOT, TOKEN, Apuri, running_apuri
from tests.helpers import all_pids, pid_listening


@pytest.fixture(scope="module")
def running(model_path, tmp_path_factory) -> Iterator[Apuri]:
    db = tmp_path_factory.mktemp("run") / "apuri.db"  # empty: apuri run seeds the sample data
    with running_apuri(f"sqlite:///{db}") as apuri:
        yield apuri


def request(
    url: str, body: bytes | None = None, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), dict(err.headers)


def post(port: int, body: bytes, content_type: str = "application/json") -> tuple[int, str]:
    status, text, _ = request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        body,
        "POST",
        {"Content-Type": content_type},
    )
    return status, text


def say(port: int, sender: str, text: str) -> list[str]:
    status, body = post(port, json.dumps({"sender": sender, "message": text}).encode())
    assert status == 200, body
    return [m.get("text", "") for m in json.loads(body)]


def listening_addresses(port: int) -> set[str]:
    """The local IPv4/IPv6 addresses that listen on a TCP port, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def other_addresses() -> list[str]:
    """This machine's addresses other than loopback (the ones a neighbour would reach)."""
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return [a for a in out if not a.startswith("127.") and a != "::1"]


def test_rest_channel_answers_from_the_seeded_sample_directory(running) -> None:
    assert "the directory was empty; loaded" in running.output
    replies = " ".join(say(running.rasa, "rest-1", "kuka on Kuopion järjestöyhdyshenkilö"))
    assert "Järjestöyhdyshenkilö" in replies or "järjestöyhdyshenkilö" in replies, replies
    assert "puh. 0" in replies, replies  # a named person with a phone number


def test_custom_actions_run_through_the_action_server(running) -> None:
    first = say(running.rasa, "rest-2", "mitä osaat")
    assert say(running.rasa, "rest-2", "toista") == first


def test_emergency_over_rest(running) -> None:
    assert "112" in say(running.rasa, "rest-3", "mummo kaatui eikä pääse ylös")[0]


@pytest.mark.parametrize("port_name", ["rasa", "actions"])
def test_services_listen_on_loopback_only(running, port_name: str) -> None:
    port = getattr(running, port_name)
    addresses = listening_addresses(port)
    assert addresses, f"nothing listens on {port}"
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    assert addresses <= loopback, addresses
    for address in other_addresses():
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family) as s, pytest.raises(OSError):
            s.settimeout(3)
            s.connect((address, port))


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/status"),
        ("GET", "/conversations/rest-1/tracker"),
        ("PUT", "/model"),
        ("POST", "/conversations/rest-1/tracker/events"),
        ("GET", "/domain"),
    ],
)
def test_rasa_http_api_needs_the_token(running, method: str, path: str) -> None:
    url = f"http://127.0.0.1:{running.rasa}{path}"
    status, body, _ = request(
        url, b"{}" if method != "GET" else None, method, {"Content-Type": "application/json"}
    )
    assert status == 401, (status, body[:200])
    status, _, _ = request(f"{url}?token=wrong", b"{}" if method != "GET" else None, method)
    assert status == 401


def test_the_token_opens_the_api_and_a_tracker_keeps_no_secret_of_it(running) -> None:
    say(running.rasa, "rest-4", "hei")
    status, body, _ = request(
        f"http://127.0.0.1:{running.rasa}/conversations/rest-4/tracker?token={TOKEN}"
    )
    assert status == 200 and json.loads(body)["sender_id"] == "rest-4"


def test_no_cross_origin_access(running) -> None:
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    for port, path in ((running.rasa, "/webhooks/rest/webhook"), (running.actions, "/webhook")):
        _, _, got = request(f"http://127.0.0.1:{port}{path}", None, "OPTIONS", headers)
        allowed = {k.lower(): v for k, v in got.items()}.get("access-control-allow-origin")
        assert allowed in (None, ""), (port, allowed)


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"", "application/json"),
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00invalid utf-8", "application/json"),
        (json.dumps({"sender": "x"}).encode(), "application/json"),
        (json.dumps({"sender": "x", "message": "a" * 200_000}).encode(), "application/json"),
        (
            json.dumps({"sender": "x", "message": "'; DROP TABLE events; --"}).encode(),
            "application/json",
        ),
        (b"message=hei", "application/x-www-form-urlencoded"),
    ],
)
def test_bad_requests_do_not_bring_the_service_down(running, body: bytes, content_type) -> None:
    post(running.rasa, body, content_type)
    assert running.proc.poll() is None
    assert "112" in say(running.rasa, "rest-after-bad", "talo palaa")[0]


def test_a_service_that_dies_is_restarted(running) -> None:
    os.kill(pid_listening(running.actions), signal.SIGKILL)
    deadline = time.monotonic() + 120
    while "restarting" not in running.output and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "the action server stopped" in running.output, running.output[-2000:]
    assert f"its log: {Path(running.var_dir) / 'actions.log'}" in running.output
    wait_http(f"http://127.0.0.1:{running.actions}/health", [running.proc], 120)
    deadline = time.monotonic() + 30
    while "the action server is running again" not in running.output:
        assert time.monotonic() < deadline, running.output[-2000:]
        time.sleep(0.2)
    first = say(running.rasa, "rest-5", "mitä osaat")  # custom actions work again
    assert say(running.rasa, "rest-5", "toista") == first
    assert running.proc.poll() is None


def test_ctrl_c_stops_everything_and_exits_0(model_path, tmp_path) -> None:
    apuri = Apuri(f"sqlite:///{tmp_path / 'apuri.db'}")
    apuri.ready()
    assert apuri.ctrl_c() == 0, apuri.output[-2000:]
    assert "did not start" not in apuri.output and "stopped (exit" not in apuri.output
    assert "apuri: stopped." in apuri.output
    for port in (apuri.rasa, apuri.actions):
        assert not listening_addresses(port)


def command_line(pid: int | str) -> str:
    """A process's command line as `ps` shows it to every user ("" once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", "replace")


def test_ctrl_c_while_starting_exits_0(model_path, tmp_path) -> None:
    started = time.time()
    apuri = Apuri(f"sqlite:///{tmp_path / 'apuri.db'}", token=None)
    wait_http(f"http://127.0.0.1:{apuri.actions}/health", [apuri.proc], 120)
    var = Path(apuri.var_dir)
    token = (var / "rasa-token").read_text(encoding="utf-8").strip()
    secret = (var / "secret").read_text(encoding="utf-8").strip()
    assert len(token) >= 32 and len(secret) >= 16
    services = {pid: command_line(pid) for pid in all_pids(apuri.proc.pid)}
    for part in ("bot.rasa_server", "gateway", "run actions"):  # all three are running
        assert any(part in line for line in services.values()), (part, services)
    everyone = {p.name: command_line(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}
    showing = [f"{pid}: {line[:200]}" for pid, line in everyone.items() if token in line]
    assert not showing, "the generated Rasa token is on a command line (ps shows it to all)"
    assert apuri.ctrl_c() == 0, apuri.output[-2000:]
    for port in (apuri.rasa, apuri.actions):
        assert not listening_addresses(port)

    assert var.stat().st_mode & 0o777 == 0o700, oct(var.stat().st_mode)
    for name in ("rasa-token", "endpoints.yml", "secret"):  # the run's files, in its own var dir
        mode = (var / name).stat().st_mode & 0o777
        assert mode == 0o600, (name, oct(mode))  # readable by us only
    endpoints = (var / "endpoints.yml").read_text(encoding="utf-8")
    assert f"127.0.0.1:{apuri.actions}/webhook" in endpoints
    mine = (token, secret, f"127.0.0.1:{apuri.actions}/webhook")
    for path in (ROOT / "var").iterdir() if (ROOT / "var").is_dir() else ():
        if path.is_file() and path.stat().st_mtime >= started - 1:  # others may write there
            content = path.read_bytes().decode("utf-8", "replace")
            assert not any(value in content for value in mine), f"this run wrote {path}"


def test_bad_port_gives_a_clear_message(model_path) -> None:
    env = {**os.environ, "APURI_RASA_PORT": "abc"}
    proc = subprocess.run(
        [str(BIN / "apuri"), "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    assert "APURI_RASA_PORT" in proc.stderr + proc.stdout


LIBRARY_NOISE = ("Warning", "WARNING", " INFO ", "DEBUG", "site-packages", "Traceback")
LOG_FILES = {  # each service's log in the var dir, and a line only that service writes
    "gateway.log": "speech input ready",
    "rasa.log": "Rasa server is up and running",
    "actions.log": "Action endpoint is up and running",
}


def test_the_console_is_quiet_and_each_service_has_its_log(model_path, tmp_path) -> None:
    apuri = Apuri(f"sqlite:///{tmp_path / 'apuri.db'}")
    apuri.ready()
    assert apuri.ctrl_c() == 0, apuri.output[-2000:]
    lines = apuri.output.splitlines()
    assert "Apuri is running. Chat with it in a browser:" in lines, apuri.output[-2000:]
    assert f"  {apuri.url}/" in lines
    assert len(lines) <= 35, apuri.output
    noise = [line for line in lines if any(word in line for word in LIBRARY_NOISE)]
    assert not noise, noise
    before = lines[: lines.index("Apuri is running. Chat with it in a browser:")]
    assert all(line.startswith("apuri: ") for line in before if line), before
    assert lines[-2:] == ["apuri: stopping…", "apuri: stopped."], lines[-5:]
    var = Path(apuri.var_dir)
    for name, written in LOG_FILES.items():
        log = var / name
        assert f" {log}\n" in apuri.output, f"the banner does not name {log}"
        assert log.stat().st_mode & 0o777 == 0o600, (name, oct(log.stat().st_mode))
        text = log.read_text(encoding="utf-8")
        assert written in text, (name, text[-2000:])
    assert "Warning" in (var / "rasa.log").read_text(encoding="utf-8")  # the noise went there


def test_a_service_that_fails_is_named_with_its_log_and_last_lines(tmp_path) -> None:
    log = tmp_path / "broken.log"
    log.write_text("an earlier run\n")
    broken = Service(
        "the broken service",
        [sys.executable, "-c", "import sys; print('loading'); sys.exit('broken: no config')"],
        f"http://127.0.0.1:{free_port()}/health",
        log=log,
    )
    said: list[str] = []
    broken.new_log()
    broken.start()
    assert broken.proc is not None and broken.proc.wait(timeout=60) == 1
    Supervisor([broken], say=said.append).check()
    assert said[0].startswith("apuri: the broken service stopped (exit code 1); restarting it")
    assert said[0].endswith(f"; its log: {log}"), said
    assert said[-2:] == ["  | loading", "  | broken: no config"], said
    assert (tmp_path / "broken.log.1").read_text() == "an earlier run\n"
    assert log.stat().st_mode & 0o777 == 0o600
