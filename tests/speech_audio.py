"""Test audio made on this machine: espeak-ng speech, silence and noise, in every upload format.

espeak-ng's robotic voice is a poor stand-in for a person (Whisper base mis-hears it somewhat);
it tests the mechanics. Recorded Finnish speech is measured in `make bench`.
"""

from __future__ import annotations

import functools
import io
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

KOREAN = "안녕하세요 오늘 날씨가 좋습니다"  # for the Korean Vosk model, the one that installs
FORMATS = {  # upload format → ffmpeg output options
    "wav": ["-c:a", "pcm_s16le", "-f", "wav"],
    "ogg": ["-c:a", "libopus", "-b:a", "24k", "-f", "ogg"],
    "webm": ["-c:a", "libopus", "-b:a", "24k", "-f", "webm"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3"],
    "mp4": ["-c:a", "aac", "-b:a", "48k", "-f", "mp4"],
}


def _ffmpeg(args: list[str], data: bytes | None = None) -> bytes:
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", *args]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


@functools.cache
def spoken(text: str, voice: str = "fi", fmt: str = "wav", speed: int = 130) -> bytes:
    """`text` read by espeak-ng, as an upload in `fmt`."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    return convert(wav, fmt)


def convert(wav: bytes, fmt: str) -> bytes:
    """A WAV in another upload format (MP4 needs a seekable output: a temporary file)."""
    if fmt == "mp4":
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "a.m4a"
            _ffmpeg(["-f", "wav", "-i", "pipe:0", *FORMATS[fmt], str(out)], wav)
            return out.read_bytes()
    return _ffmpeg(["-f", "wav", "-i", "pipe:0", "-ac", "1", *FORMATS[fmt], "pipe:1"], wav)


def generated(source: str, seconds: float, fmt: str = "wav") -> bytes:
    """lavfi audio: "anullsrc" (digital silence), "anoisesrc=a=0.3" (loud white noise)…"""
    lavfi = f"{source}:r=16000" if "=" in source else f"{source}=r=16000"
    return _ffmpeg(
        ["-f", "lavfi", "-i", lavfi, "-t", str(seconds), "-ac", "1", *FORMATS[fmt], "pipe:1"]
    )


def joined(*wavs: bytes, pause: float = 0.0) -> bytes:
    """WAVs one after another with `pause` seconds of silence between them, as a 16 kHz WAV."""
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, wav in enumerate(wavs):
            path = Path(tmp) / f"{i}.wav"
            path.write_bytes(
                _ffmpeg(["-i", "pipe:0", "-ac", "1", "-ar", "16000", "-f", "wav", "pipe:1"], wav)
            )
            parts.append(path)
        gap = Path(tmp) / "gap.wav"
        gap.write_bytes(generated("anullsrc=cl=mono", max(pause, 0.01)))
        listing = Path(tmp) / "list.txt"
        order = [p for part in parts for p in (part, gap)][:-1]
        listing.write_text("".join(f"file '{p}'\n" for p in order))
        return _ffmpeg(
            [
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-c:a",
                "pcm_s16le",
                "-f",
                "wav",
                "pipe:1",
            ]
        )


def wav_samples(data: bytes) -> tuple[int, np.ndarray]:
    """Sample rate and samples of a mono 16-bit WAV (what /api/speech must send)."""
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


@functools.cache
def festival(text: str, voice: str = "voice_suo_fi_lj_diphone") -> bytes:
    """`text` read by one of Festival's Finnish diphone voices (Debian festvox-suopuhe-lj):
    clearer to Whisper base than espeak-ng ("Soittakaa ambulanssi!", "Ajattelen itsemurhaa."
    are heard right), as a WAV."""
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "text.txt", Path(tmp) / "speech.wav"
        source.write_bytes(text.encode("latin-1"))  # text2wave reads Latin-1
        subprocess.run(
            ["text2wave", "-eval", f"({voice})", str(source), "-o", str(out)],
            check=True,
            capture_output=True,
        )
        return out.read_bytes()
