"""Speech to text: one interface, two engines (Whisper through faster-whisper; Vosk).

`transcribe(pcm16k)` takes 16 kHz mono s16le PCM that passed `voice.audio.checked_pcm` and
returns a `Transcript`, or raises `AudioProblem("no_speech")` when there is nothing to read.
`phrases` narrows recognition to a few expected answers (Vosk's runtime grammar; Whisper takes
them as hot words).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core import settings
from voice.audio import RATE, AudioProblem, pcm_to_float
from voice.models import ModelMissing, vosk_model_dir, whisper_model_dir

logger = logging.getLogger(__name__)

ENGINES = ("whisper", "vosk")


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float  # 0.0–1.0: how sure the engine is of the words


class SpeechToText(Protocol):
    name: str

    def transcribe(self, pcm: bytes, phrases: Sequence[str] | None = None) -> Transcript: ...


def _clean(text: str) -> str:
    return " ".join(text.split())


class WhisperEngine:
    """faster-whisper (CTranslate2, int8 on the CPU), Finnish forced, silence cut by its VAD."""

    name = "whisper"

    def __init__(
        self,
        model_dir: Path,
        prompt: str | None = None,
        threads: int = 2,
        beam_size: int = 5,
        retry: bool = True,
    ) -> None:
        from faster_whisper import WhisperModel

        try:
            self.model = WhisperModel(
                str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads
            )
        except (RuntimeError, ValueError, OSError) as err:
            raise ModelMissing(f"Whisper model in {model_dir} does not load: {err}") from err
        self.prompt = prompt
        self.beam_size = beam_size
        # Unsure of a pass, faster-whisper decodes again at higher temperatures: on a short,
        # unclear answer that is 1.5-2 s more for words no better (measured on the phone).
        self.temperature = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0) if retry else 0.0

    def transcribe(self, pcm: bytes, phrases: Sequence[str] | None = None) -> Transcript:
        segments, _info = self.model.transcribe(
            pcm_to_float(pcm),
            language="fi",
            task="transcribe",
            beam_size=self.beam_size,
            temperature=self.temperature,
            vad_filter=True,
            condition_on_previous_text=False,
            without_timestamps=True,
            initial_prompt=self.prompt,
            hotwords=" ".join(phrases) if phrases else None,
        )
        heard = [s for s in segments if s.text.strip() and s.no_speech_prob < 0.8]
        if not heard:
            raise AudioProblem("no_speech")
        tokens = sum(max(len(s.tokens), 1) for s in heard)
        logprob = sum(s.avg_logprob * max(len(s.tokens), 1) for s in heard) / tokens
        speech = 1.0 - max(s.no_speech_prob for s in heard) / 2
        confidence = max(0.0, min(1.0, math.exp(logprob) * speech))
        return Transcript(_clean(" ".join(s.text for s in heard)), round(confidence, 3))


class VoskStream:
    """Streaming recognition: feed PCM as it comes; each utterance ends at a pause."""

    CHUNK = RATE // 4 * 2  # 250 ms of PCM

    def __init__(self, recognizer: object) -> None:
        self._rec = recognizer

    @staticmethod
    def _transcript(result: str) -> Transcript | None:
        data = json.loads(result)
        words = [w for w in data.get("result", []) if w.get("word") and w["word"] != "[unk]"]
        text = _clean(" ".join(w["word"] for w in words)) if words else _clean(data.get("text", ""))
        if not text:
            return None
        confidence = sum(w.get("conf", 0.0) for w in words) / len(words) if words else 0.5
        return Transcript(text, round(confidence, 3))

    def feed(self, pcm: bytes) -> list[Transcript]:
        """The utterances that ended (at a pause) within this piece of audio."""
        done = []
        for start in range(0, len(pcm), self.CHUNK):
            if self._rec.AcceptWaveform(pcm[start : start + self.CHUNK]):
                heard = self._transcript(self._rec.Result())
                if heard:
                    done.append(heard)
        return done

    def finish(self) -> Transcript | None:
        """What was heard after the last pause."""
        return self._transcript(self._rec.FinalResult())


class VoskEngine:
    """Vosk (Kaldi): streaming, word confidences, a runtime grammar for short answers."""

    name = "vosk"

    def __init__(self, model_dir: Path) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        try:
            self.model = vosk.Model(str(model_dir))
        except Exception as err:  # vosk raises a bare Exception when the model is broken
            raise ModelMissing(f"Vosk model in {model_dir} does not load: {err}") from err
        self._vosk = vosk

    def stream(self, phrases: Sequence[str] | None = None) -> VoskStream:
        if phrases:
            grammar = json.dumps([p.lower() for p in phrases] + ["[unk]"], ensure_ascii=False)
            rec = self._vosk.KaldiRecognizer(self.model, RATE, grammar)
        else:
            rec = self._vosk.KaldiRecognizer(self.model, RATE)
        rec.SetWords(True)
        return VoskStream(rec)

    def transcribe(self, pcm: bytes, phrases: Sequence[str] | None = None) -> Transcript:
        """Free recognition; with `phrases` (the answers a question expects) also a pass with
        only their words, kept when it is surer: "kyllä" is heard, but so is anything else."""
        free = self._transcribe(pcm, None)
        if not phrases:
            return free
        words = sorted({w for p in phrases for w in p.lower().split() if w.isalpha()})
        try:
            narrowed = self._transcribe(pcm, words)
        except AudioProblem:
            return free
        return narrowed if narrowed.confidence > free.confidence else free

    def _transcribe(self, pcm: bytes, phrases: Sequence[str] | None) -> Transcript:
        stream = self.stream(phrases)
        parts = stream.feed(pcm)
        last = stream.finish()
        parts += [last] if last else []
        if not parts:
            raise AudioProblem("no_speech")
        words = sum(len(p.text.split()) for p in parts)
        confidence = sum(p.confidence * len(p.text.split()) for p in parts) / words
        return Transcript(_clean(" ".join(p.text for p in parts)), round(confidence, 3))


def try_load_stt(engine: str, quick: bool = False) -> tuple[SpeechToText | None, str]:
    """The engine loaded, or None and why not: a missing or broken model leaves the service
    that asked running (text, keys and speech output still work)."""
    try:
        return load_stt(engine, quick), ""
    except ModelMissing as err:
        logger.warning("speech input is off: %s", err)
        return None, str(err)
    except Exception as err:  # noqa: BLE001 - whatever a broken model raises
        logger.exception("speech input is off")
        return None, f"{type(err).__name__}: {err}"


def load_stt(engine: str, quick: bool = False) -> SpeechToText:
    """The named engine ("whisper", "vosk"; the gateway's settings choose), loaded;
    ModelMissing says why it cannot be. `quick`: one pass, for a caller waiting on the line."""
    name = engine.strip().lower()
    if name == "whisper":
        threads = settings.stt_threads()
        return WhisperEngine(whisper_model_dir(), threads=threads, retry=not quick)
    if name == "vosk":
        return VoskEngine(vosk_model_dir())
    raise ModelMissing(f"APURI_STT={name!r} is not an engine (choose one of {', '.join(ENGINES)})")
