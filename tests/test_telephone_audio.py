"""Speech through a telephone line (voice.audio.to_g711 / from_g711): 8 kHz G.711 and back,
with a real ffmpeg. The phone line and the telephone-band benchmark use these."""

from __future__ import annotations

import numpy as np
import pytest

from voice.audio import PHONE_RATE, RATE, from_g711, to_g711


def tone(hz: float, seconds: float = 1.0) -> bytes:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * hz * t) * 12000).astype("<i2").tobytes()


def loudness(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples[RATE // 10 : -RATE // 10] ** 2)))


@pytest.mark.parametrize("law", ["pcmu", "pcma"])
def test_speech_band_passes_and_keeps_its_length(law: str) -> None:
    line = to_g711(tone(1000), law)
    assert abs(len(line) - PHONE_RATE) < PHONE_RATE * 0.02  # one byte a sample, 8000 a second
    back = from_g711(line, law)
    assert abs(len(back) - RATE * 2) < RATE * 2 * 0.02
    assert loudness(back) > 0.8 * loudness(tone(1000))


def test_what_a_telephone_does_not_carry_is_gone() -> None:
    """Above 3.4 kHz (the letters' hiss) nearly nothing is left; the voice band stays."""
    high = loudness(from_g711(to_g711(tone(6000))))
    assert high < 0.05 * loudness(tone(6000))


def test_silence_stays_silence() -> None:
    assert loudness(from_g711(to_g711(bytes(RATE * 2)))) < 50
