"""Speaking to the web chat and hearing it: Puhu (MediaRecorder → /api/voice), "Lue ääneen"
and "Hidas puhe" (/api/speech), in Debian's Chromium with a fake microphone that plays an
espeak-ng question, against `apuri run` with the real Whisper engine. Found by role and name
(contract §6), as in tests/test_web.py, with the same browser helpers (tests/helpers.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import conversation, second_gateway, speech_state
from tests.helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ask_in_page,
    axe_violations,
    chat,
    is_focused,
    no_sideways_scroll,
    shot,
    within_width,
)

QUESTION = "onko Kuopiossa kuoroja?"  # Whisper base hears "Onko kuopi osa kuoroja?" or so
SPOKEN_SECONDS = 3.0  # the question (about 2 s) and the silence after it, once round
LISTENING = "Kuuntelen… paina Puhu uudelleen, kun olet valmis."
VOICE_OFF = "Puheen tunnistus ei ole nyt käytössä."

# Counts the beeps (oscillators) and the answers played (buffer sources) in the page.
COUNT_SOUNDS = """
window.__sounds = {beeps: 0, played: 0};
const makeTone = BaseAudioContext.prototype.createOscillator;
BaseAudioContext.prototype.createOscillator = function () {
    window.__sounds.beeps += 1;
    return makeTone.apply(this, arguments);
};
const play = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function () {
    window.__sounds.played += 1;
    return play.apply(this, arguments);
};
"""


def sounds(page) -> dict[str, int]:
    return page.evaluate("window.__sounds")


@pytest.fixture(scope="module")
def microphone(tmp_path_factory) -> Path:
    """The fake microphone's sound: the question in espeak-ng's Finnish, 16-bit 48 kHz mono,
    with a second of silence after it (Chromium plays the file round and round)."""
    if not shutil.which("espeak-ng") or not shutil.which("ffmpeg"):
        if os.environ.get("CI"):
            pytest.fail("espeak-ng or ffmpeg is missing: make setup installs them")
        pytest.skip("espeak-ng and ffmpeg are needed (make setup installs them)")
    folder = tmp_path_factory.mktemp("mikrofoni")
    raw, wav = folder / "espeak.wav", folder / "kysymys.wav"
    subprocess.run(["espeak-ng", "-v", "fi", "-s", "130", "-w", str(raw), QUESTION], check=True)
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(raw),
            "-af",
            "apad=pad_dur=1",
            "-ar",
            "48000",
            "-ac",
            "1",
            "-sample_fmt",
            "s16",
            str(wav),
        ],
        check=True,
    )
    return wav


@pytest.fixture(scope="module")
def browser(microphone: Path) -> Iterator[object]:
    """Chromium whose microphone is the question file, allowed without asking."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: make setup installs it (Debian package chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    args = CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
    ]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


def speech_answered(response) -> bool:
    return response.url.endswith("/api/speech") and response.request.method == "POST"


def status(page, text: str):
    return page.get_by_role("status").filter(has_text=text)


# --- speaking --------------------------------------------------------------------------------


def test_puhu_by_keyboard_hears_the_question_answers_and_reads_it_aloud(stack, new_page) -> None:
    page = new_page()
    page.add_init_script(COUNT_SOUNDS)
    page.goto(stack.url + "/")
    parts = chat(page)
    for _ in range(8):
        if is_focused(parts.speak):
            break
        page.keyboard.press("Tab")
    assert is_focused(parts.speak), "Tab does not reach Puhu"
    expect(parts.speak).to_have_attribute("aria-pressed", "false")

    page.keyboard.press("Space")
    expect(parts.speak).to_have_attribute("aria-pressed", "true")
    expect(status(page, LISTENING)).to_be_visible()
    expect(parts.speak).to_have_css("background-color", "rgb(179, 38, 30)")  # red: listening
    assert sounds(page)["beeps"] == 1, "no beep when listening starts"
    assert is_focused(parts.speak)
    shot(page, "voice-01-kuuntelen")

    page.wait_for_timeout(SPOKEN_SECONDS * 1000)
    with page.expect_response(speech_answered, timeout=60_000) as spoken:
        with page.expect_response(
            re.compile(r"/api/voice\?conversation="), timeout=60_000
        ) as heard:
            page.keyboard.press("Space")
            expect(parts.speak).to_have_attribute("aria-pressed", "false")
            assert sounds(page)["beeps"] == 2, "no beep when listening stops"
    answer = heard.value.json()
    assert heard.value.status == 200, answer
    assert answer["transcript"].strip() and 0 <= answer["confidence"] <= 1, answer
    assert answer["messages"], answer
    assert len(answer["transcript"].split()) >= 2, answer  # words heard, whatever they are

    user = parts.log.locator(".apuri-msg--user").last
    expect(user).to_contain_text("Sinä: " + answer["transcript"])
    first = answer["messages"][0]["text"].split("\n")[0]
    expect(parts.log.locator(".apuri-msg--bot").first).to_contain_text(first)
    assert spoken.value.status == 200
    assert spoken.value.header_value("content-type") == "audio/wav"
    assert spoken.value.body()[:4] == b"RIFF"
    said = json.loads(spoken.value.request.post_data or "{}")
    assert said["slow"] is False and first[:20] in said["text"], said
    page.wait_for_function("() => window.__sounds.played > 0")

    stop = page.get_by_role("button", name="Lopeta lukeminen", exact=True)
    expect(stop).to_be_visible()  # while it reads
    assert is_focused(parts.speak), "after answering the focus stays on Puhu"
    shot(page, "voice-02-vastaus-luetaan")
    page.keyboard.press("Escape")
    expect(stop).to_be_hidden()
    assert page.watch.errors == []


def test_lue_aaneen_reads_a_message_and_hidas_puhe_slows_it(stack, new_page) -> None:
    page = new_page()
    page.add_init_script(COUNT_SOUNDS)
    page.goto(stack.url + "/")
    parts = chat(page)
    ask_in_page(page, "kuka on Kuopion järjestöyhdyshenkilö")
    expect(parts.log).to_contain_text("Maija Esimerkki")
    answer = parts.log.locator(".apuri-msg--bot").first
    read = answer.get_by_role("button", name="Lue ääneen", exact=True)
    expect(read).to_have_attribute("aria-pressed", "false")
    described = read.evaluate(
        "e => e.getRootNode().getElementById(" "e.getAttribute('aria-describedby')).textContent"
    )
    assert "Maija Esimerkki" in described, "Lue ääneen does not say which message it reads"

    with page.expect_response(speech_answered) as spoken:
        read.press("Enter")
    said = json.loads(spoken.value.request.post_data or "{}")
    assert said == {"text": said["text"], "slow": False} and "Maija Esimerkki" in said["text"]
    assert spoken.value.status == 200
    assert spoken.value.header_value("content-type") == "audio/wav"
    page.wait_for_function("() => window.__sounds.played > 0")
    expect(read).to_have_attribute("aria-pressed", "true")
    read.press("Enter")  # again: stop
    expect(read).to_have_attribute("aria-pressed", "false")

    slow = page.get_by_role("checkbox", name="Hidas puhe", exact=True)
    expect(slow).not_to_be_checked()
    slow.focus()
    page.keyboard.press("Space")
    expect(slow).to_be_checked()
    page.reload()
    expect(slow).to_be_checked()  # remembered
    read = parts.log.locator(".apuri-msg--bot").first.get_by_role("button", name="Lue ääneen")
    with page.expect_response(speech_answered) as spoken:
        read.click()
    assert json.loads(spoken.value.request.post_data or "{}")["slow"] is True
    assert spoken.value.status == 200
    shot(page, "voice-03-lue-aaneen-hitaasti")
    page.get_by_role("button", name="Lopeta lukeminen").click()
    expect(read).to_have_attribute("aria-pressed", "false")
    expect(parts.box).to_be_focused()  # the stop button went away: the focus did not get lost
    assert page.watch.errors == []


# --- when speech cannot be used --------------------------------------------------------------


@pytest.fixture(scope="module")
def deaf_gateway(stack, directory_url: str) -> Iterator[str]:
    """A second gateway in front of the same Rasa, with Vosk chosen but no Vosk model."""
    with second_gateway(stack, directory_url, APURI_STT="vosk", VOSK_MODEL_PATH="") as url:
        yield url


def test_without_speech_input_puhu_explains_and_typing_still_works(deaf_gateway, new_page) -> None:
    page = new_page()
    page.goto(deaf_gateway + "/")
    expect(chat(page).box).to_be_visible()
    speech = speech_state(deaf_gateway, 30)
    assert speech["input"] is False and "VOSK_MODEL_PATH" in speech["reason"], speech
    assert speech["output"] is True, speech

    refused = page.request.post(
        deaf_gateway + f"/api/voice?conversation={conversation(deaf_gateway, 'kuuro')}",
        data=b"RIFF0000WAVE",
        headers={"Content-Type": "audio/wav"},
    )
    assert refused.status == 503 and refused.json()["error"].startswith(VOICE_OFF)

    parts = chat(page)
    parts.speak.focus()
    page.keyboard.press("Enter")
    expect(status(page, VOICE_OFF)).to_be_visible()
    expect(status(page, "Kirjoita kysymyksesi viestikenttään")).to_be_visible()
    expect(parts.speak).to_have_attribute("aria-pressed", "false")
    expect(parts.box).to_be_focused()
    shot(page, "voice-04-ei-puheentunnistusta")
    page.keyboard.type("onko Kuopiossa kuoroja")
    page.keyboard.press("Enter")
    expect(parts.log).to_contain_text("Kuopion Kamarikuoro")
    assert axe_violations(page) == []


REFUSALS = {
    "no-recorder": ("delete window.MediaRecorder;", "Tämä selain ei osaa äänittää."),
    "mic-denied": (
        "navigator.mediaDevices.getUserMedia = () => Promise.reject("
        "new DOMException('denied', 'NotAllowedError'));",
        "Mikrofonin käyttö on estetty. Salli mikrofoni selaimen asetuksista",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_puhu_explains_a_browser_that_cannot_record(stack, new_page, case: str) -> None:
    script, explanation = REFUSALS[case]
    page = new_page()
    page.add_init_script(script)
    page.goto(stack.url + "/")
    parts = chat(page)
    parts.speak.press("Space")
    expect(status(page, explanation)).to_be_visible()
    expect(parts.speak).to_have_attribute("aria-pressed", "false")
    expect(parts.box).to_be_focused()
    page.keyboard.type("kerro vitsi")
    page.keyboard.press("Enter")
    expect(parts.log).to_contain_text("En osaa auttaa")
    assert page.watch.errors == []


# --- accessibility ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,width,height,scale", [("320px", 320, 640, 1), ("zoom200", 640, 400, 2)]
)
def test_axe_and_small_screens_with_the_voice_controls(
    stack, new_page, name: str, width: int, height: int, scale: float
) -> None:
    page = new_page(width, height, scale)
    page.goto(stack.url + "/")
    parts = chat(page)
    ask_in_page(page, "onko Kuopiossa kuoroja")
    expect(page.get_by_role("button", name="Kyllä, lisää")).to_be_visible()
    expect(page.get_by_role("button", name="Lue ääneen")).not_to_have_count(0)
    slow = page.get_by_role("checkbox", name="Hidas puhe", exact=True)
    assert axe_violations(page) == []

    parts.speak.press("Space")
    expect(parts.speak).to_have_attribute("aria-pressed", "true")
    expect(status(page, LISTENING)).to_be_visible()
    no_sideways_scroll(page)
    for control in (parts.box, parts.send, parts.speak, slow, parts.call):
        within_width(page, control)
    outline = parts.speak.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "Puhu shows no focus while listening"
    assert axe_violations(page) == []  # listening: red Puhu, the note
    shot(page, f"voice-05-kuuntelee-{name}")

    page.keyboard.press("Escape")  # cancels: nothing is sent
    expect(parts.speak).to_have_attribute("aria-pressed", "false")
    expect(status(page, "Äänitys peruttiin.")).to_be_visible()
    read = page.get_by_role("button", name="Lue ääneen").last
    read.click()
    expect(page.get_by_role("button", name="Lopeta lukeminen")).to_be_visible()
    within_width(page, read)
    no_sideways_scroll(page)
    assert axe_violations(page) == []  # reading aloud: pressed Lue ääneen, Lopeta lukeminen
    assert page.watch.errors == []
