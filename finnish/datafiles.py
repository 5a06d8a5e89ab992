"""The Finnish package's word lists, kept as data files beside the code (finnish/data)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def load(name: str) -> Any:
    """A YAML data file by name ("places.yml"); parsed once."""
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def words(name: str) -> frozenset[str]:
    """A plain word list: whitespace-separated words, lines starting with # are comments."""
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())
