"""Any uploaded audio to 16 kHz mono 16-bit PCM (ffmpeg), and the checks that come first.

Speech engines only ever see PCM that passed these checks; every way an upload can be unusable
is an `AudioProblem` with a `kind` the edge turns into a Finnish sentence.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

RATE = 16_000
BYTES_PER_SECOND = RATE * 2
MAX_SECONDS = 60.0
MAX_BYTES = 10 * 1024 * 1024
FFMPEG_TIMEOUT = 30.0  # seconds; decoding a minute of audio takes well under one
SILENCE_RMS = 120.0  # of 32768 (about -49 dBFS): quieter than this everywhere is silence
FRAME = RATE // 50  # 20 ms
FFMPEG = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error"]


class AudioProblem(Exception):
    """Unusable audio; `kind` is one of the names in `KINDS`."""

    KINDS = (
        "empty",
        "too_big",
        "too_long",
        "unknown_format",
        "not_audio",
        "silence",
        "no_speech",
        "unclear",
        "busy",
    )

    def __init__(self, kind: str, detail: str = "") -> None:
        assert kind in self.KINDS, kind
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


def sniff(data: bytes) -> str | None:
    """The container by its first bytes: the formats browsers, Telegram and phones send."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    if data[4:8] == b"ftyp":
        return "mp4"  # Safari's MediaRecorder records AAC in MP4
    if data[:4] == b"fLaC":
        return "flac"
    return None


def to_pcm16k(data: bytes) -> bytes:
    """The upload as 16 kHz mono s16le PCM, or an AudioProblem saying why not."""
    if not data:
        raise AudioProblem("empty")
    if len(data) > MAX_BYTES:
        raise AudioProblem("too_big")
    kind = sniff(data)
    if kind is None:
        raise AudioProblem("unknown_format")
    with tempfile.TemporaryDirectory(prefix="apuri-audio-") as tmp:
        source = Path(tmp) / f"upload.{kind}"  # a file, not a pipe: MP4 keeps its index last
        source.write_bytes(data)
        command = [
            *FFMPEG,
            "-i",
            str(source),
            "-t",
            f"{MAX_SECONDS + 0.5}",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-f",
            "s16le",
            "pipe:1",
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT)
        except subprocess.TimeoutExpired as err:
            raise AudioProblem("not_audio", "ffmpeg timed out") from err
    pcm = done.stdout[: len(done.stdout) // 2 * 2]
    if done.returncode != 0 and not pcm:
        raise AudioProblem("not_audio", done.stderr.decode(errors="replace")[-200:])
    if not pcm:
        raise AudioProblem("empty", "no samples")
    if len(pcm) > (MAX_SECONDS + 0.25) * BYTES_PER_SECOND:
        raise AudioProblem("too_long")
    return pcm


def seconds(pcm: bytes) -> float:
    return len(pcm) / BYTES_PER_SECOND


def loudest(pcm: bytes) -> float:
    """The RMS (of 32768) of the loudest 20 ms frame; 0.0 for less than one frame."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    if samples.size < FRAME:
        return 0.0
    frames = samples[: samples.size // FRAME * FRAME].reshape(-1, FRAME)
    return float(np.sqrt(np.mean(frames**2, axis=1)).max())


def is_silent(pcm: bytes) -> bool:
    """True when no 20 ms frame is louder than a quiet room."""
    return loudest(pcm) < SILENCE_RMS


def checked_pcm(data: bytes) -> bytes:
    """to_pcm16k plus the silence check: what every engine is given."""
    pcm = to_pcm16k(data)
    if seconds(pcm) < 0.1:
        raise AudioProblem("empty", "shorter than 0.1 s")
    if is_silent(pcm):
        raise AudioProblem("silence")
    return pcm


def pcm_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def _convert(data: bytes, inputs: list[str], outputs: list[str]) -> bytes:
    """Audio through ffmpeg, pipes in and out (`inputs`: what the data is; `outputs`: what to
    make of it); CalledProcessError when it refuses."""
    command = [*FFMPEG, *inputs, "-i", "pipe:0", *outputs, "pipe:1"]
    done = subprocess.run(
        command, input=data, capture_output=True, timeout=FFMPEG_TIMEOUT, check=True
    )
    return done.stdout


def wav_to_ogg_opus(wav: bytes) -> bytes:
    """A WAV as OGG/Opus, the format Telegram plays as a voice message."""
    return _convert(
        wav,
        ["-f", "wav"],
        [
            "-ac",
            "1",
            "-ar",
            "48000",
            "-c:a",
            "libopus",
            "-b:a",
            "32k",
            "-application",
            "voip",
            "-f",
            "ogg",
        ],
    )


# -- the telephone: G.711 at 8 kHz ----------------------------------------------------------

PHONE_RATE = 8_000
G711 = {"pcmu": "mulaw", "pcma": "alaw"}  # SIP's payload names → ffmpeg's raw formats


def to_g711(pcm: bytes, law: str = "pcmu") -> bytes:
    """16 kHz PCM as a telephone line carries it: the voice band (300–3400 Hz), 8 kHz,
    companded to G.711 μ-law ("pcmu") or A-law ("pcma")."""
    return _convert(
        pcm,
        ["-f", "s16le", "-ar", str(RATE), "-ac", "1"],
        ["-af", "highpass=f=300,lowpass=f=3400", "-ar", str(PHONE_RATE), "-f", G711[law]],
    )


def from_g711(data: bytes, law: str = "pcmu") -> bytes:
    """G.711 at 8 kHz (what a call's RTP carries) as the 16 kHz PCM speech engines take."""
    pcm = _convert(
        data,
        ["-f", G711[law], "-ar", str(PHONE_RATE), "-ac", "1"],
        ["-ar", str(RATE), "-ac", "1", "-f", "s16le"],
    )
    return pcm[: len(pcm) // 2 * 2]
