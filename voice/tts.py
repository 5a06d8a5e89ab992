"""Text to speech: espeak-ng's Finnish voice (the one that installs here), as 16-bit PCM WAV.

The caller passes a `normalize` function that turns numbers, times and phone numbers into
Finnish words (the bot's `bot.finnish.reading.speakable`); this module knows no Finnish.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import wave
from collections.abc import Callable

NORMAL_WPM = 150  # a little slower than espeak-ng's 175: the listeners are often elderly
SLOW_WPM = 110
TIMEOUT = 30.0


class SpeechUnavailable(Exception):
    """espeak-ng is not installed or failed."""


def _pcm_of(wav_bytes: bytes) -> tuple[int, bytes]:
    """Sample rate and PCM of espeak-ng's streamed WAV (its size fields are placeholders)."""
    if wav_bytes[:4] != b"RIFF" or wav_bytes[8:12] != b"WAVE":
        raise SpeechUnavailable("espeak-ng did not write a WAV")
    pos, rate = 12, 22050
    while pos + 8 <= len(wav_bytes):
        chunk, size = wav_bytes[pos:pos + 4], struct.unpack("<I", wav_bytes[pos + 4:pos + 8])[0]
        if chunk == b"fmt ":
            rate = struct.unpack("<I", wav_bytes[pos + 12:pos + 16])[0]
        if chunk == b"data":
            pcm = wav_bytes[pos + 8:]
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
        command = ["espeak-ng", "-v", self.voice, "-b", "1", "--stdout",
                   "-s", str(SLOW_WPM if slow else NORMAL_WPM), "-g", "6" if slow else "2"]
        try:  # the text goes in on stdin: never a command-line argument, never SSML
            done = subprocess.run(command, input=spoken.encode("utf-8"), capture_output=True,
                                  timeout=TIMEOUT)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as err:
            raise SpeechUnavailable(str(err)) from err
        if done.returncode != 0:
            raise SpeechUnavailable(done.stderr.decode(errors="replace")[-200:])
        rate, pcm = _pcm_of(done.stdout)
        return wav_bytes(pcm, rate)
