"""The phone line over real SIP on the loopback: `apuri run` with APURI_SIP_PORT, a second
user agent (phone.caller, PJSIP) calling it with keys and speech, and a third agent playing the
person a transfer reaches. What Apuri says is checked by transcribing it back (Whisper)."""

from __future__ import annotations

import asyncio
import difflib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.services import free_port, wait_http
from phone.caller import Answerer, Heard, free_udp_port, place_call
from phone.sip import MAX_CALLS
from store.directory import Directory
from store.handoff import Handoffs
from tests.conftest import ROOT, fixture_document, running_apuri
from tests.helpers import all_pids, say

CALLER = "sip:+358401234567@127.0.0.1"
NEVER = "Mo-Su off"


class Person(Answerer):
    """The third agent: answers whatever is transferred to it, and says so."""

    def __init__(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="apuri-person-"))
        super().__init__(folder / "calls.jsonl")

    @property
    def uri(self) -> str:
        return f"sip:liisa@{self.host}"


@pytest.fixture(scope="module")
def person() -> Iterator[Person]:
    agent = Person()
    yield agent
    agent.stop()


@pytest.fixture(scope="module")
def phone_db(tmp_path_factory, person: Person) -> str:
    """The small fixture directory: Ii's liaison takes calls always and has a SIP address (the
    third agent); Rovaniemi's digital support takes none (a callback)."""
    document = fixture_document()
    for p in document["contact_persons"]:
        if p["id"] == "p-ii":
            p["sip"] = person.uri
        if p["id"] == "p-rovaniemi-digi":
            p["opening_hours"] = NEVER
    url = f"sqlite:///{tmp_path_factory.mktemp('phone') / 'apuri.db'}"
    Directory(url).import_document(document)
    return url


@pytest.fixture(scope="module")
def line(model_path, phone_db: str) -> Iterator[tuple[object, str]]:
    sip_port = free_udp_port()
    with running_apuri(
        phone_db,
        APURI_SIP_PORT=str(sip_port),
        APURI_PHONE_PORT=str(free_port()),
        APURI_FALLBACK_PHONE="040 555 0100",
    ) as apuri:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not health(apuri)["phone"].get("speech"):
            time.sleep(0.5)
        yield apuri, f"sip:apuri@127.0.0.1:{sip_port}"


def health(apuri) -> dict:
    with urllib.request.urlopen(f"{apuri.url}/health", timeout=10) as resp:
        return json.load(resp)


def call(target: str, steps: list[dict], caller_id: str = CALLER) -> Heard:
    return asyncio.run(place_call(target, steps, caller_id))


def listen_then(*keys: str) -> list[dict]:
    steps: list[dict] = [{"listen": True}]
    for k in keys:
        steps += [{"keys": k}, {"listen": True}]
    return steps


@pytest.fixture(scope="module")
def stt():
    from voice.stt import load_stt

    return load_stt("whisper")


def said(stt, heard: Heard) -> list[str]:
    """Apuri's utterances transcribed back, lower case."""
    out = []
    for pcm in heard.utterances:
        try:
            out.append(stt.transcribe(pcm).text.lower())
        except Exception:  # noqa: BLE001 - nothing to read in a click
            out.append("")
    return out


def sounds_like(text: str, word: str, at_least: float = 0.7) -> bool:
    """A word of the transcript close to `word`: Whisper mishears espeak-ng over G.711."""
    return any(
        difflib.SequenceMatcher(None, w.strip(".,?!"), word).ratio() >= at_least
        for w in text.split()
    )


def voice(text: str) -> bytes:
    """A caller's words as 16 kHz PCM: Festival's Finnish voice (suopuhe lj), which Whisper
    hears a little better than espeak-ng's."""
    from voice.audio import to_pcm16k
    from voice.tts import festival

    return to_pcm16k(festival(text))


def test_health_shows_the_line_listening(line) -> None:
    apuri, _ = line
    phone = health(apuri)["phone"]
    assert phone["ok"] is True and phone["state"] == "listening"
    assert "Phone line (SIP, G.711): sip:apuri@127.0.0.1:" in apuri.output  # the banner


def test_a_caller_with_keys_only_is_put_through_to_the_named_person(line, person, stt) -> None:
    """Ii by its postal code, read back and confirmed with 1 (sent as SIP INFO); associations
    from the menu; the liaison who takes calls now is offered, and 1 transfers the call: the
    third agent rings."""
    _, target = line
    before = len(person.calls())
    steps = listen_then("91100", "1", "1", "1")
    steps[3]["info"] = True  # the confirmation as SIP INFO, the rest as RFC 4733 events
    heard = call(target, steps)
    assert heard.refer == person.uri
    deadline = time.monotonic() + 15
    while len(person.calls()) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(person.calls()) == before + 1
    heard_words = said(stt, heard)
    assert sounds_like(heard_words[0], "nollaa")  # "… painamalla nollaa": the greeting
    assert sounds_like(heard_words[1], "oikein")  # "Ii. Jos oikein, paina ykköstä …"
    offer = " ".join(heard_words[3:])  # "Tässä asiassa auttaa Liisa Virtanen …"
    assert any(sounds_like(offer, w, 0.6) for w in ("auttaa", "liisa", "virtanen", "ykköstä"))


def test_a_callback_on_the_phone_is_stored_with_the_confirmed_caller_id(line, phone_db) -> None:
    """Rovaniemi's digital support takes no calls now: the caller id is read back, 1 confirms
    it, 1 takes any time, and the request is stored for the person like a web one."""
    apuri, target = line
    # keyed over the greeting: it stops, and the postal code is taken (barge-in)
    heard = call(target, [{"wait": 1.0}, *listen_then("96100", "1", "2", "1", "1", "1")[1:]])
    assert heard.refer is None
    requests = [
        r
        for r in Handoffs(phone_db).list()
        if r["conversation"] and r["conversation"].startswith("phone-")
    ]
    assert len(requests) == 1
    request = requests[0]
    assert request["kind"] == "callback" and request["person_id"] == "p-rovaniemi-digi"
    assert request["phone"] == "+358401234567" and request["municipality"] == "Rovaniemi"
    logs = apuri.logs()
    assert "401234567" not in logs and "040 123 4567" not in logs
    needs = Handoffs(phone_db).needs()
    assert any(n["kind"] == "puhelu" and n["municipality"] == "Rovaniemi" for n in needs)


def test_zero_at_the_greeting_reaches_the_general_contact(line) -> None:
    _, target = line
    heard = call(target, [{"wait": 2.0}, {"keys": "0"}, {"wait": 10.0}])
    assert heard.refer is not None and heard.refer.startswith("sip:+358405550100@")


def test_a_spoken_place_leads_to_a_callback_there(line, phone_db) -> None:
    """The caller says the place (Festival's Finnish voice over G.711, heard by Whisper); it is
    read back and 1 confirms it; digital help from the menu; Rovaniemi's digital support person
    calls back: the request is stored for Rovaniemi."""
    _, target = line
    before = len(Handoffs(phone_db).list())
    steps = [
        {"listen": True},
        {"say": voice("Asun Rovaniemellä.")},
        *listen_then("1", "2", "1", "1", "1"),
    ]
    heard = call(target, steps)
    requests = Handoffs(phone_db).list()
    assert len(requests) == before + 1, heard.events
    assert requests[0]["municipality"] == "Rovaniemi"
    assert requests[0]["person_id"] == "p-rovaniemi-digi"


def test_a_misheard_place_is_put_right_with_keys(line, person) -> None:
    """The place read back is not the caller's (Rovaniemi heard, Ii meant): 2 says so, the
    postal code follows, and the call goes on to Ii's liaison. A key that is neither yes nor
    no at the offer is not taken for a no: the offer is made again, and 1 transfers."""
    _, target = line
    steps = [
        {"listen": True},
        {"say": voice("Asun Rovaniemellä.")},
        {"listen": True},
        {"keys": "2"},
        {"listen": True},
        *listen_then("91100", "1", "1", "9", "1")[1:],
    ]
    heard = call(target, steps)
    assert heard.refer == person.uri


def test_hanging_up_in_a_prompt_or_a_callback_leaves_the_line_serving(line, phone_db) -> None:
    """A hang-up in the greeting, and one after the callback was offered but before the number
    was confirmed: nothing is stored for it, and the next caller is served."""
    apuri, target = line
    stored = len(Handoffs(phone_db).list())
    call(target, [{"wait": 1.5}, {"hangup": True}])
    steps = [{"wait": 1.0}, *listen_then("96100", "1", "2", "1")[1:-1]]
    call(target, [*steps, {"wait": 1.0}, {"hangup": True}])
    assert len(Handoffs(phone_db).list()) == stored
    deadline = time.monotonic() + 10
    while health(apuri)["phone"]["calls"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert health(apuri)["phone"]["calls"] == 0
    heard = call(target, [{"wait": 2.0}, {"keys": "0"}, {"wait": 10.0}])
    assert heard.refer is not None


def test_garbage_rtp_and_malformed_sip_do_not_stop_the_line(line) -> None:
    """Datagrams that are not RTP into a call's audio, and broken SIP at the line's port: the
    call goes on (0 still transfers it) and the next caller is answered."""
    apuri, target = line
    port = int(target.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for junk in (
            b"\x00\xff" * 700,
            b"INVITE sip:apuri@127.0.0.1 SIP/2.0\r\nVia: nonsense\r\n\r\n",
            b"INVITE sip:apuri@127.0.0.1 SIP/2.0\r\nContent-Length: 99999\r\n\r\nv=0",
            "SIP/2.0 200 ÄÖ\r\n\r\n".encode(),
            os.urandom(1200),
        ):
            sock.sendto(junk, ("127.0.0.1", port))
    heard = call(
        target, [{"wait": 1.0}, {"garbage": 300}, {"wait": 1.0}, {"keys": "0"}, {"wait": 10.0}]
    )
    assert heard.refer is not None and heard.refer.startswith("sip:+358405550100@")
    assert health(apuri)["phone"]["ok"] is True


def test_five_calls_at_once_four_are_served_and_the_fifth_hears_busy(line) -> None:
    """Five callers in their own processes at the same time: four hear the greeting and are put
    through on 0; the fifth hears busy (486: PJSIP's wheel takes four calls at once) and the
    line keeps serving."""
    apuri, target = line
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "phone.caller", target, "--keys", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(5)
    ]
    results = [json.loads(p.communicate(timeout=180)[0]) for p in procs]
    served = [r for r in results if r["utterances"]]
    assert len(served) == MAX_CALLS == 4, results
    assert all((r["refer"] or "").startswith("sip:+358405550100@") for r in served)
    assert [r["ended"] for r in results if not r["utterances"]] == [486]
    assert health(apuri)["phone"]["ok"] is True


def test_a_silent_caller_reaches_a_human_after_two_tries(line) -> None:
    _, target = line
    heard = call(target, [{"listen": True}, {"wait": 40.0}])
    assert heard.refer is not None and heard.refer.startswith("sip:+358405550100@")


def test_crisis_words_are_answered_with_the_crisis_line_first(line, stt) -> None:
    """Crisis words instead of a place: the crisis line is read out twice and 1 puts the call
    through to it."""
    _, target = line
    steps = [
        {"listen": True},
        {"say": voice("Minulla on itsemurha-ajatuksia.")},
        {"listen": True},
        {"keys": "1"},
        {"wait": 10.0},
    ]
    heard = call(target, steps)
    assert heard.refer is not None and heard.refer.startswith("sip:+358925250111@")
    words = " ".join(said(stt, heard)[1:])
    assert any(sounds_like(words, w, 0.6) for w in ("kriisipuhelin", "yksin", "vuorokauden"))


def test_a_call_while_rasa_is_down_names_the_general_contact_and_puts_through_on_0(
    phone_db,
) -> None:
    """The line alone, its Rasa and action server not there: the general contact is read out
    and 0 transfers the call to them."""
    sip_port, health_port = free_udp_port(), free_port()
    env = {
        **os.environ,
        "APURI_DB_URL": phone_db,
        "APURI_SIP_PORT": str(sip_port),
        "APURI_PHONE_PORT": str(health_port),
        "APURI_RASA_PORT": str(free_port()),
        "APURI_ACTIONS_PORT": str(free_port()),
        "APURI_FALLBACK_PHONE": "040 555 0100",
        "APURI_STT": "vosk",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "phone"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
    )
    try:
        wait_http(f"http://127.0.0.1:{health_port}/health", [proc], 60)
        heard = call(
            f"sip:apuri@127.0.0.1:{sip_port}", [{"listen": True}, {"keys": "0"}, {"wait": 10.0}]
        )
        assert heard.refer is not None and heard.refer.startswith("sip:+358405550100@")
        assert heard.utterances
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_crashed_line_ends_only_its_calls_and_comes_back(line) -> None:
    """SIGKILL to the phone line's process in the middle of a call: the call ends, the web chat
    answers meanwhile, the supervisor starts the line again and it answers the next call."""
    apuri, target = line
    phone = next(
        pid
        for pid in all_pids(apuri.proc.pid)
        if b"-m\x00phone\x00" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    killer = threading.Timer(4.0, os.kill, (phone, signal.SIGKILL))
    killer.start()
    heard = call(target, [{"listen": True}, {"wait": 10.0}])
    killer.join()
    assert heard.refer is None
    assert say(apuri.url, "phone-crash", "onko Kuopiossa kuoroja")  # the chat goes on
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not health(apuri)["phone"].get("ok"):
        time.sleep(0.5)
    assert "the phone line stopped" in apuri.output
    heard = call(target, [{"wait": 2.0}, {"keys": "0"}, {"wait": 10.0}])
    assert heard.refer is not None
