"""`make bench`: each script measures one thing and keeps its report in bench/results/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def stamp() -> str:
    """Now, as a report's name has it: "2026-12-03-1442"."""
    return dt.datetime.now().strftime("%Y-%m-%d-%H%M")


def save_results(name: str, stamp: str, markdown: str, data: Any) -> None:
    """Writes bench/results/<name>-<stamp>.md and <name>-<stamp>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}-{stamp}.md").write_text(markdown + "\n", encoding="utf-8")
    (RESULTS / f"{name}-{stamp}.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
    )
