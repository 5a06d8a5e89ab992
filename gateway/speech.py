"""The gateway's voice: one speech-to-text engine loaded in the background, transcription off
the event loop behind a bounded queue, and espeak-ng for the answers.

Holds no conversation state: any gateway replica can take any voice request.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from core import settings
from finnish.reading import speakable
from finnish.spoken import tidy_transcript
from gateway.pools import SPEECH_OUT
from voice.audio import AudioProblem, checked_pcm, seconds, wav_to_ogg_opus
from voice.stt import SpeechToText, Transcript, try_load_stt
from voice.tts import EspeakTTS, SpeechTooLong, SpeechUnavailable

logger = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.2  # below this the user is asked to say it again (tuned in bench/voice_bench)
QUEUE = 4  # voice requests waiting beyond the one being transcribed; more get "busy"


class SpeechOff(Exception):
    """Speech input is not available; `reason` says why (for /health and the log)."""


class Speech:
    def __init__(self, engine: str | None = None, min_confidence: float | None = None) -> None:
        self.engine_name = (engine or settings.stt_engine()).strip().lower()
        self.min_confidence = (
            min_confidence
            if min_confidence is not None
            else settings.stt_min_confidence(MIN_CONFIDENCE)
        )
        self.stt: SpeechToText | None = None
        self.reason = "loading"
        self.tts = EspeakTTS(normalize=speakable)
        self._stt_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt")
        self._waiting = 0
        self._loading: asyncio.Task | None = None

    # -- life cycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the engine in the background: the gateway serves text chat meanwhile."""
        self._loading = asyncio.create_task(self._load())

    async def _load(self) -> None:
        self.stt, reason = await asyncio.get_running_loop().run_in_executor(
            self._stt_thread, try_load_stt, self.engine_name
        )
        self.reason = reason
        if self.stt is not None:
            logger.info("speech input ready (%s)", self.engine_name)

    async def stop(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
        self._stt_thread.shutdown(wait=False, cancel_futures=True)

    def available(self) -> bool:
        """Speech input works, or may once the model has loaded."""
        return self.stt is not None or self.reason == "loading"

    def health(self) -> dict[str, Any]:
        stt_ok = self.stt is not None
        tts_ok = self.tts.available()
        state: dict[str, Any] = {
            "ok": stt_ok and tts_ok,
            "engine": self.engine_name,
            "input": stt_ok,
            "output": tts_ok,
        }
        if not stt_ok:
            state["reason"] = self.reason
        if not tts_ok:
            state["output_reason"] = "espeak-ng is not installed"
        return state

    # -- work -----------------------------------------------------------------------------------

    async def transcribe(self, audio: bytes, phrases: list[str] | None = None) -> Transcript:
        """Checked, converted and transcribed audio, compounds said in two written as one;
        AudioProblem or SpeechOff otherwise."""
        if self.stt is None:
            if self._loading is not None and not self._loading.done() and self.reason == "loading":
                await asyncio.wait({self._loading}, timeout=30)
            if self.stt is None:
                raise SpeechOff(self.reason)
        if self._waiting > QUEUE:
            raise AudioProblem("busy")
        self._waiting += 1
        try:
            pcm = await asyncio.to_thread(checked_pcm, audio)
            stt = self.stt
            # Vosk listens for the expected answers in a second pass; for Whisper, hot words
            # did not help in bench/voice_bench.py, so it hears freely
            expected = phrases if stt.name == "vosk" else None
            heard = await asyncio.get_running_loop().run_in_executor(
                self._stt_thread, lambda: stt.transcribe(pcm, expected)
            )
        finally:
            self._waiting -= 1
        logger.info(
            "transcribed %.1f s of audio (confidence %.2f)", seconds(pcm), heard.confidence
        )  # never the words: they are personal
        heard = Transcript(tidy_transcript(heard.text), heard.confidence)
        if heard.confidence < self.min_confidence:
            raise Unclear(heard)
        return heard

    async def synthesize(self, text: str, slow: bool = False) -> bytes:
        """A WAV of the text, in the speech-out pool; SpeechUnavailable when espeak-ng fails,
        SpeechTooLong for too much to read, pools.Busy when too many wait."""
        return await SPEECH_OUT.run(self.tts.synthesize, text, slow)

    async def voice_message(self, text: str, slow: bool = False) -> bytes:
        """The text as OGG/Opus, Telegram's voice message."""
        wav = await self.synthesize(text, slow)
        return await SPEECH_OUT.run(wav_to_ogg_opus, wav)


class Unclear(AudioProblem):
    """Heard something, but not surely enough to act on it."""

    def __init__(self, heard: Transcript) -> None:
        super().__init__("unclear", f"confidence {heard.confidence}")
        self.heard = heard


__all__ = ["Speech", "SpeechOff", "SpeechTooLong", "SpeechUnavailable", "Unclear", "AudioProblem"]
