"""Text to speech: espeak-ng's Finnish voice (the one that installs here), as 16-bit PCM WAV.

The caller passes a `normalize` function that turns numbers, times and phone numbers into
Finnish words (the bot's `finnish.reading.speakable`); this module knows no Finnish.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from pathlib import Path

NORMAL_WPM = 150  # a little slower than espeak-ng's 175: the listeners are often elderly
SLOW_WPM = 110
TIMEOUT = 30.0
# What is read at once, after numbers became words, and how long it may sound: a short text of
# many digits or many tiny sentences cannot turn into minutes of audio and megabytes of WAV.
MAX_SPOKEN_CHARS = 2400
MAX_SECONDS = 180
MAX_WAV_BYTES = 44 + MAX_SECONDS * 22050 * 2  # espeak-ng speaks 16-bit mono at 22 050 Hz


class SpeechUnavailable(Exception):
    """espeak-ng is not installed or failed."""


class SpeechTooLong(ValueError):
    """The text, read aloud, would be longer than one answer should ever be."""


def _pcm_of(wav_bytes: bytes) -> tuple[int, bytes]:
    """Sample rate and PCM of espeak-ng's streamed WAV (its size fields are placeholders)."""
    if wav_bytes[:4] != b"RIFF" or wav_bytes[8:12] != b"WAVE":
        raise SpeechUnavailable("espeak-ng did not write a WAV")
    pos, rate = 12, 22050
    while pos + 8 <= len(wav_bytes):
        chunk, size = wav_bytes[pos : pos + 4], struct.unpack("<I", wav_bytes[pos + 4 : pos + 8])[0]
        if chunk == b"fmt ":
            rate = struct.unpack("<I", wav_bytes[pos + 12 : pos + 16])[0]
        if chunk == b"data":
            pcm = wav_bytes[pos + 8 :]
            return rate, pcm[: len(pcm) // 2 * 2]
        pos += 8 + size + (size & 1)
    raise SpeechUnavailable("espeak-ng's WAV has no data")


def wav_bytes(pcm: bytes, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


class EspeakTTS:
    name = "espeak-ng"

    def __init__(self, normalize: Callable[[str], str] = str, voice: str = "fi") -> None:
        self.normalize = normalize
        self.voice = voice

    @staticmethod
    def available() -> bool:
        return shutil.which("espeak-ng") is not None

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        """The text spoken, as a mono 16-bit WAV."""
        spoken = self.normalize(text).strip() or "."
        if len(spoken) > MAX_SPOKEN_CHARS:
            raise SpeechTooLong(f"{len(spoken)} characters to read")
        command = [
            "espeak-ng",
            "-v",
            self.voice,
            "-b",
            "1",
            "--stdout",
            "-s",
            str(SLOW_WPM if slow else NORMAL_WPM),
            "-g",
            "6" if slow else "2",
        ]
        rate, pcm = _pcm_of(_run_capped(command, spoken.encode("utf-8"), MAX_WAV_BYTES))
        return wav_bytes(pcm, rate)


def _run_capped(command: list[str], stdin: bytes, limit: int) -> bytes:
    """espeak-ng's WAV, read as it comes and stopped at `limit` bytes (SpeechTooLong): many
    short sentences read slowly can be minutes of audio, and none of it is kept past the cap.
    The text goes in on stdin: never a command-line argument, never SSML."""
    try:
        proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as err:
        raise SpeechUnavailable(str(err)) from err
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(stdin)  # a few kilobytes: fits the pipe before espeak-ng reads it
        proc.stdin.close()
        out = bytearray()
        while chunk := proc.stdout.read(1 << 16):
            out += chunk
            if len(out) > limit:
                proc.kill()
                raise SpeechTooLong(f"more than {limit} bytes of audio")
        error = proc.stderr.read()
        code = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if code != 0:
        raise SpeechUnavailable(error.decode(errors="replace")[-200:] or f"exit code {code}")
    return bytes(out)


# Festival's two Finnish diphone voices (Debian festvox-suopuhe-lj, -mv): the only synthetic
# speakers besides espeak-ng here. They stand in for callers in the tests and benchmarks.
FESTIVAL_VOICES = {"suopuhe lj": "voice_suo_fi_lj_diphone", "suopuhe mv": "voice_hy_fi_mv_diphone"}


def festival_available() -> bool:
    return shutil.which("text2wave") is not None


def festival(text: str, voice: str = "suopuhe lj") -> bytes:
    """The text as a WAV in one of Festival's Finnish voices; SpeechUnavailable without it."""
    if not festival_available():
        raise SpeechUnavailable("Festival (text2wave) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "text.txt", Path(tmp) / "speech.wav"
        source.write_bytes(text.encode("latin-1", errors="ignore"))  # text2wave reads Latin-1
        try:
            subprocess.run(
                ["text2wave", "-eval", f"({FESTIVAL_VOICES[voice]})", str(source), "-o", str(out)],
                check=True,
                capture_output=True,
                timeout=TIMEOUT * 4,
            )
        except (subprocess.SubprocessError, OSError) as err:
            raise SpeechUnavailable(f"Festival failed: {err}") from err
        return out.read_bytes()
