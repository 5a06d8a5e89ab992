"""The phone line's voice: prompts synthesised once and kept, answers synthesised as needed,
and the caller's speech transcribed, each engine off the event loop in its own thread.

One recognition runs at a time (two cores); prompts never wait for it, so one caller's long
sentence does not hold up another caller's greeting.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from core import settings
from finnish.reading import speakable
from finnish.spoken import tidy_transcript
from voice.audio import AudioProblem, to_pcm16k
from voice.stt import SpeechToText, Transcript, try_load_stt
from voice.tts import EspeakTTS

logger = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.2  # as on the web (gateway.speech): below it the caller is asked again
CACHE = 256  # synthesised answers kept besides the fixed prompts


class PhoneVoice:
    def __init__(self, engine: str | None = None) -> None:
        self.engine_name = (engine or settings.stt_engine()).strip().lower()
        self.min_confidence = settings.stt_min_confidence(MIN_CONFIDENCE)
        self.tts = EspeakTTS(normalize=speakable)
        self.stt: SpeechToText | None = None
        self.reason = "loading"
        self._prompts: dict[tuple[str, bool], bytes] = {}
        self._cache: OrderedDict[tuple[str, bool], bytes] = OrderedDict()
        self._stt_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phone-stt")
        self._tts_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phone-tts")

    async def start(self, prompts: tuple[str, ...], slow: tuple[str, ...] = ()) -> None:
        """Synthesise the fixed prompts now; load the recogniser in the background."""
        for text in prompts:
            key = (text, text in slow)
            self._prompts[key] = await self._synthesize(*key)
        asyncio.get_running_loop().create_task(self._load())

    async def _load(self) -> None:
        self.stt, reason = await asyncio.get_running_loop().run_in_executor(
            self._stt_thread, try_load_stt, self.engine_name, True
        )
        self.reason = reason  # keys still work without speech
        if self.stt is not None:
            logger.info("phone speech input ready (%s)", self.engine_name)

    def stop(self) -> None:
        self._stt_thread.shutdown(wait=False, cancel_futures=True)
        self._tts_thread.shutdown(wait=False, cancel_futures=True)

    async def _synthesize(self, text: str, slow: bool) -> bytes:
        def work() -> bytes:
            return to_pcm16k(self.tts.synthesize(text, slow))

        return await asyncio.get_running_loop().run_in_executor(self._tts_thread, work)

    async def speech(self, text: str, slow: bool = False) -> bytes:
        """The text as 16 kHz PCM: a fixed prompt from memory, else synthesised (and kept)."""
        key = (text, slow)
        if key in self._prompts:
            return self._prompts[key]
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        pcm = await self._synthesize(text, slow)
        self._cache[key] = pcm
        while len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return pcm

    async def transcribe(self, pcm: bytes, expect: Sequence[str] = ()) -> Transcript | None:
        """What the caller said, or None when nothing usable was heard (or speech is off).
        `expect`: the words a short answer holds ("kyllä", "ei"); the recogniser leans
        towards them (measured on synthetic voices over G.711: 13 of 18 short answers
        understood with them, 10 without)."""
        stt = self.stt
        if stt is None:
            return None
        try:
            heard = await asyncio.get_running_loop().run_in_executor(
                self._stt_thread, lambda: stt.transcribe(pcm, list(expect) or None)
            )
        except AudioProblem:
            return None
        logger.info("transcribed %.1f s (confidence %.2f)", len(pcm) / 32000, heard.confidence)
        if heard.confidence < self.min_confidence:
            return None
        return Transcript(tidy_transcript(heard.text), heard.confidence)
