"""Voice messages in Telegram end to end: a real gateway (`python -m gateway`) with the real
Whisper base model and espeak-ng, the stack's Rasa and action server, and the fake Bot API
serving the user's recording (getFile and the file URL) and taking the spoken answer
(sendVoice). The spoken question is made with espeak-ng, so nothing is recorded in advance."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Bot

from gateway import texts
from tests.conftest import speech_state
from tests.fake_telegram import TOKEN as BOT_TOKEN
from tests.fake_telegram import FakeTelegram, Json
from tests.helpers import (
    Gateway,
    ask_on_telegram,
    bot_api,
    finnish,
    new_chat,
    problems_in,
    said,
)
from tests.speech_audio import generated, spoken
from voice.audio import loudest, to_pcm16k

# Whisper base hears espeak-ng's robotic Finnish roughly; this sentence at this speed it hears
# as "Mitä harrastuksia kuopiossa on?" (at 130 words a minute: "hallastuksia").
QUESTION = "Mitä harrastuksia Kuopiossa on?"
SPEED = 120
TOOLS = ("espeak-ng", "ffmpeg", "ffprobe")


@pytest.fixture(scope="module", autouse=True)
def _tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} not installed; make setup installs them")
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install espeak-ng ffmpeg)")


def run(command: list[str], data: bytes | None = None) -> bytes:
    """A tool's standard output (ffmpeg and espeak-ng never read the terminal)."""
    return subprocess.run(command, input=data, capture_output=True, check=True, timeout=60).stdout


def ffmpeg(*args: str, data: bytes | None = None) -> bytes:
    return run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", *args], data)


def probe(data: bytes) -> Json:
    """ffprobe's view of an audio file: the container, the codec, the duration (from a file:
    an OGG's duration is read from its last page)."""
    with tempfile.NamedTemporaryFile(suffix=".ogg") as file:
        file.write(data)
        file.flush()
        found = json.loads(
            run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-print_format",
                    "json",
                    "-show_format",
                    "-show_streams",
                    file.name,
                ]
            )
        )
    (stream,) = found["streams"]
    return {
        "format": found["format"]["format_name"],
        "codec": stream["codec_name"],
        "seconds": float(found["format"].get("duration") or stream["duration"]),
    }


def start_gateway(
    log: Path, fake: FakeTelegram, stack, directory_url: str, **env: str | None
) -> Gateway:
    """A gateway with the Telegram channel; `env` sets (or, with None, unsets) variables."""
    with pytest.MonkeyPatch.context() as patch:  # Gateway takes its environment from ours
        for name, value in env.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        return Gateway(log, fake.api_url, stack.rasa, stack.actions, directory_url)


def voice_answer(fake: FakeTelegram, chat: int, timeout: float = 60) -> list[Json]:
    """The bot's messages in answer to the voice message just queued: a problem sentence, or
    "Kuulin", the text answer and (waited for) the voice."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = fake.sent(chat)
        if sent and not sent[0]["text"].startswith("Kuulin:"):
            return sent
        if fake.voices(chat) and time.monotonic() - fake.voices(chat)[-1]["at"] > 0.3:
            return sent
        time.sleep(0.05)
    raise AssertionError(
        f"chat {chat}: no answer to the voice message in {timeout:.0f} s; "
        f"sent {fake.texts(chat)}; rejected {fake.rejected}"
    )


# -- the fake Bot API's files and voice messages ----------------------------------------------


def test_fake_bot_api_serves_files_and_takes_voice_uploads() -> None:
    """The fake behaves as the real API does for python-telegram-bot's own calls."""

    async def as_the_bot(fake: FakeTelegram, file_id: str) -> tuple[bytes, Json]:
        async with Bot(
            BOT_TOKEN, base_url=f"{fake.api_url}/bot", base_file_url=f"{fake.api_url}/file/bot"
        ) as bot:
            found = await bot.get_file(file_id)
            data = bytes(await found.download_as_bytearray())
            sent = await bot.send_voice(5, voice=b"OggS answer", caption="Vastaus")
            return data, sent.to_dict()

    with FakeTelegram() as fake:
        update = fake.push_voice(5, b"OggS question", duration=2)
        voice = update["message"]["voice"]
        assert voice["duration"] == 2 and voice["mime_type"] == "audio/ogg"
        assert voice["file_size"] == len(b"OggS question") and voice["file_unique_id"]
        data, sent = asyncio.run(as_the_bot(fake, voice["file_id"]))
        assert data == b"OggS question"
        assert fake.calls_of("getFile") == [{"file_id": voice["file_id"]}]
        assert fake.downloads == ["voice/file_1.oga"]
        assert sent["voice"]["file_id"] and sent["caption"] == "Vastaus"
        (record,) = fake.voices(5)
        assert record["voice"] == b"OggS answer" and record["caption"] == "Vastaus"

        status, body = bot_api(fake, "sendVoice", {"chat_id": 5, "caption": "ei ääntä"})
        assert (status, body["description"]) == (
            400,
            "Bad Request: there is no voice in the " "request",
        )
        assert bot_api(fake, "sendVoice", {"chat_id": 5, "voice": "no-such-file"})[0] == 400
        assert bot_api(fake, "getFile", {"file_id": "no-such-file"})[0] == 400
        big = fake.push_audio(5, b"ID3", duration=600, file_size=25 * 1024 * 1024)
        assert big["message"]["audio"]["file_name"] == "aanite.mp3"
        status, body = bot_api(fake, "getFile", {"file_id": fake.file_id_of(big)})
        assert (status, body["description"]) == (400, "Bad Request: file is too big")
        assert len(fake.voices(5)) == 1, "a rejected voice was recorded"


# -- one gateway with Whisper for the module ---------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def listening(stack, directory_url: str, fake: FakeTelegram, tmp_path_factory) -> Iterator[Gateway]:
    """A polling gateway whose speech input (Whisper base) has loaded."""
    log = tmp_path_factory.mktemp("telegram-voice") / "whisper.log"
    gateway = start_gateway(log, fake, stack, directory_url, APURI_STT="whisper")
    try:
        gateway.wait_telegram("running")
        speech = speech_state(gateway.url)
        assert speech["input"] and speech["output"], f"speech is off: {speech}"
        fake.wait_until_polling()
        yield gateway
    finally:
        gateway.stop()


@pytest.fixture(scope="module")
def question() -> bytes:
    return spoken(QUESTION, fmt="ogg", speed=SPEED)


def test_a_spoken_question_is_heard_answered_and_spoken_back(
    listening: Gateway, fake: FakeTelegram, question: bytes
) -> None:
    mark = listening.log_size()
    chat = new_chat()
    update = fake.push_voice(chat, question, duration=round(probe(question)["seconds"]))
    sent = voice_answer(fake, chat)
    heard, answer = sent[0]["text"], said(sent[1:])
    assert heard.startswith("Kuulin: "), heard
    assert "kuopio" in heard.lower() and "harrast" in heard.lower(), heard
    assert "Kuopio" in answer and "puh. 040" in answer and finnish(answer), answer
    assert fake.calls_of("getFile")[-1]["file_id"] == fake.file_id_of(update)

    (voice,) = fake.voices(chat)
    assert voice["at"] >= sent[-1]["at"], "the voice came before the text answer"
    audio = voice["voice"]
    assert audio[:4] == b"OggS", audio[:16]
    found = probe(audio)
    assert (found["format"], found["codec"]) == ("ogg", "opus"), found
    assert found["seconds"] > 10, f"too short for names and phone numbers read aloud: {found}"
    assert loudest(to_pcm16k(audio)) > 1000, "the spoken answer is silent"
    assert problems_in(listening.log(mark)) == []
    assert QUESTION.split()[1] not in listening.log(mark), "the transcript was logged"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"Hei, olen tekstitiedosto enka aanite.\n" * 20, "unknown_format"),
        (b"OggS" + bytes(range(256)) * 8, "not_audio"),
    ],
    ids=["text-file", "broken-ogg"],
)
def test_a_file_that_is_not_audio_gets_a_finnish_answer(
    listening: Gateway, fake: FakeTelegram, data: bytes, kind: str
) -> None:
    mark = listening.log_size()
    chat = new_chat()
    fake.push_voice(chat, data, duration=4)
    sent = voice_answer(fake, chat)
    assert [m["text"] for m in sent] == [texts.VOICE_PROBLEMS[kind][1]]
    assert fake.voices(chat) == []
    assert "112" in said(ask_on_telegram(fake, chat, "talo palaa")), "the chat stopped working"
    assert problems_in(listening.log(mark)) == []


@pytest.mark.parametrize(
    ("kind", "declared"),
    [
        ("too_big", {"file_size": 10 * 1024 * 1024 + 1, "duration": 30}),
        ("too_long", {"duration": 61}),
    ],
    ids=["over-10-MB", "over-60-s"],
)
@pytest.mark.parametrize("push", ["push_voice", "push_audio"])
def test_too_big_or_too_long_is_refused_without_downloading(
    listening: Gateway, fake: FakeTelegram, question: bytes, kind: str, declared: Json, push: str
) -> None:
    chat = new_chat()
    update = getattr(fake, push)(chat, question, **declared)
    sent = voice_answer(fake, chat)
    assert [m["text"] for m in sent] == [texts.VOICE_PROBLEMS[kind][1]]
    file_id = fake.file_id_of(update)
    assert [c for c in fake.calls_of("getFile") if c.get("file_id") == file_id] == []
    assert fake.voices(chat) == []


def test_silence_is_told_apart(listening: Gateway, fake: FakeTelegram) -> None:
    chat = new_chat()
    fake.push_voice(chat, generated("anullsrc", 3.0, "ogg"), duration=3)
    sent = voice_answer(fake, chat)
    assert [m["text"] for m in sent] == [texts.VOICE_PROBLEMS["silence"][1]]
    assert fake.voices(chat) == []


# -- speech input off --------------------------------------------------------------------------


def test_speech_input_off_says_so_and_text_still_works(
    stack, directory_url: str, question: bytes, tmp_path
) -> None:
    """APURI_STT=vosk without VOSK_MODEL_PATH: no engine. Only the gateway is started again
    (Rasa and the action server are the stack's)."""
    with FakeTelegram() as fake:
        gateway = start_gateway(
            tmp_path / "off.log", fake, stack, directory_url, APURI_STT="vosk", VOSK_MODEL_PATH=None
        )
        try:
            gateway.wait_telegram("running")
            speech = speech_state(gateway.url)
            assert speech["input"] is False and "VOSK_MODEL_PATH" in speech["reason"], speech
            chat = new_chat()
            fake.push_voice(chat, question, duration=2)
            sent = voice_answer(fake, chat)
            assert [m["text"] for m in sent] == [texts.VOICE_OFF]
            assert "112" in said(ask_on_telegram(fake, chat, "talo palaa"))
            assert fake.voices(chat) == []
            assert problems_in(gateway.log()) == []
        finally:
            gateway.stop()
