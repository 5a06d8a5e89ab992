"""`apuri run` end to end: both services start, the REST channel answers, bad requests do not
bring it down, Ctrl-C stops everything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.conftest import BIN, ROOT, free_port, wait_http


def start_apuri(db_url: str) -> tuple[dict[str, int], subprocess.Popen]:
    """`apuri run` on free ports, in its own process group (so Ctrl-C can be sent to all)."""
    ports = {"APURI_RASA_PORT": free_port(), "APURI_ACTIONS_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "APURI_DB_URL": db_url}
    proc = subprocess.Popen(
        [str(BIN / "apuri"), "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    return ports, proc


@pytest.fixture(scope="module")
def running(model_path, tmp_path_factory) -> Iterator[dict]:
    db = tmp_path_factory.mktemp("run") / "apuri.db"  # empty: apuri run seeds the sample data
    ports, proc = start_apuri(f"sqlite:///{db}")
    try:
        wait_http(f"http://127.0.0.1:{ports['APURI_RASA_PORT']}/status", proc, 300)
        yield {"proc": proc, "rasa": ports["APURI_RASA_PORT"]}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def post(port: int, body: bytes, content_type: str = "application/json") -> tuple[int, str]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": content_type},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def say(port: int, sender: str, text: str) -> list[str]:
    status, body = post(port, json.dumps({"sender": sender, "message": text}).encode())
    assert status == 200, body
    return [m.get("text", "") for m in json.loads(body)]


def test_rest_channel_answers_from_the_seeded_sample_directory(running) -> None:
    replies = " ".join(say(running["rasa"], "rest-1", "kuka on Kuopion järjestöyhdyshenkilö"))
    assert "puh." in replies  # a named person with a phone number from data/sample_directory.json


def test_custom_actions_run_through_the_action_server(running) -> None:
    first = say(running["rasa"], "rest-2", "mitä osaat")
    assert say(running["rasa"], "rest-2", "toista") == first


def test_emergency_over_rest(running) -> None:
    assert "112" in say(running["rasa"], "rest-3", "mummo kaatui eikä pääse ylös")[0]


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"", "application/json"),
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00invalid utf-8", "application/json"),
        (json.dumps({"sender": "x"}).encode(), "application/json"),
        (json.dumps({"sender": "x", "message": "a" * 200_000}).encode(), "application/json"),
        (json.dumps({"sender": "x", "message": "'; DROP TABLE events; --"}).encode(),
         "application/json"),
        (b"message=hei", "application/x-www-form-urlencoded"),
    ],
)  # fmt: skip
def test_bad_requests_do_not_bring_the_service_down(running, body: bytes, content_type) -> None:
    post(running["rasa"], body, content_type)
    assert running["proc"].poll() is None
    assert "112" in say(running["rasa"], "rest-after-bad", "talo palaa")[0]


def test_ctrl_c_stops_everything(model_path, tmp_path) -> None:
    ports, proc = start_apuri(f"sqlite:///{tmp_path / 'apuri.db'}")
    wait_http(f"http://127.0.0.1:{ports['APURI_ACTIONS_PORT']}/health", proc, 120)
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out[-2000:]
    for port in ports.values():
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


def test_bad_port_gives_a_clear_message(model_path) -> None:
    env = {**os.environ, "APURI_RASA_PORT": "abc"}
    proc = subprocess.run([str(BIN / "apuri"), "run"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert proc.returncode != 0
    assert "APURI_RASA_PORT" in proc.stderr + proc.stdout
