"""Retrieval: does one search over everything find what people ask for?

    .venv/bin/python bench/retrieval.py [SET.yml ...]

Each set (bench/data/retrieval/*.yml: a directory and questions, each with the records that
answer it and those that are acceptable) is asked through the trained model's NLU (intent,
place, topic) and the same code the actions use: a record the question names
(actions.records.named_record), else the search (actions.directory.search). Reported per set
and per kind of question: recall@3 (of the relevant records, the share among the first three,
out of at most three), hit@3 (at least one relevant among the first three) and the share of
answers that list something unrelated (neither relevant nor acceptable). Aims (issue 18):
recall@3 ≥ 0.95, unrelated ≤ 2 %. Writes bench/results/retrieval-<date>-<time>.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from actions.directory import Directory, load_file  # noqa: E402
from actions.directory.search import PREFER, Query, search  # noqa: E402
from actions.records import find_record  # noqa: E402
from bench import save_results, stamp  # noqa: E402
from bot import clock, finnish  # noqa: E402
from bot.cli import upcoming  # noqa: E402
from bot.finnish.asking import asked_fields  # noqa: E402

SETS = ROOT / "bench" / "data" / "retrieval"
DIRECTORIES = {"sample": ROOT / "data" / "sample_directory.json",
               "second": ROOT / "tests" / "conversations" / "directory_second.json"}  # fmt: skip
MODEL = ROOT / "models" / "apuri.tar.gz"


def directory_for(name: str, folder: Path) -> Directory:
    """The named directory in a SQLite file of its own, its past dates moved forward."""
    store = Directory(f"sqlite:///{folder / (name + '.db')}")
    store.import_document(upcoming(load_file(DIRECTORIES[name]), clock.today()))
    return store


def answer(text: str, parsed: dict[str, Any], store: Directory) -> list[str]:
    """The ids of the first three records Apuri would answer with."""
    entities = {e["entity"]: e["value"] for e in parsed.get("entities", [])}
    intent = (parsed.get("intent") or {}).get("name") or ""
    named = find_record(text, store, PREFER.get(intent, PREFER["find_association"]))
    if named is not None:  # the record's card, with its contact or booking person when asked
        record, fields = named[1], asked_fields(text)
        people = [record.get(f"{role}_person_id") for role, asked in
                  (("contact", "contact"), ("booking_contact", "booking")) if asked in fields]
        return [*(p for p in people if p), record["id"]][:3]
    query = Query(words=finnish.content_words(text), topic=entities.get("topic"),
                  municipality=entities.get("municipality"), region=entities.get("region"),
                  prefer=PREFER.get(intent, PREFER["find_association"]))  # fmt: skip
    found, _ = search(store, query, any_record=intent in ("digital_help", "ask_events",
                                                          "ask_spaces", "ask_grants"),
                      far_by_topic=intent in ("ask_events", "ask_grants"),
                      far_by_words=intent != "digital_help")  # fmt: skip
    return [record["id"] for record in found[:3]]


def score(relevant: set[str], acceptable: set[str], top: list[str]) -> dict[str, float]:
    hits = len(relevant & set(top))
    return {"recall": hits / min(3, len(relevant)), "hit": float(hits > 0),
            "unrelated": float(any(i not in relevant | acceptable for i in top))}  # fmt: skip


async def run(paths: list[Path]) -> dict[str, Any]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    report: dict[str, Any] = {"sets": {}}
    with tempfile.TemporaryDirectory() as tmp:
        stores: dict[str, Directory] = {}
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            name = data.get("directory", "sample")
            if name not in stores:
                stores[name] = directory_for(name, Path(tmp))
            rows = []
            for item in data["questions"]:
                parsed = await agent.parse_message(item["q"])
                top = answer(item["q"], parsed, stores[name])
                relevant, acceptable = set(item["relevant"]), set(item.get("acceptable") or [])
                rows.append({"q": item["q"], "kind": item.get("kind", "search"), "top": top,
                             "intent": parsed["intent"]["name"],
                             **score(relevant, acceptable, top)})  # fmt: skip
            report["sets"][path.stem] = rows
    return report


def summary(rows: list[dict[str, Any]]) -> dict[str, float]:
    n = len(rows) or 1
    return {"n": len(rows), **{k: sum(r[k] for r in rows) / n
                               for k in ("recall", "hit", "unrelated")}}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.sets or sorted(SETS.glob("*.yml"))
    report = asyncio.run(run(paths))
    lines = ["| set | kind | questions | recall@3 | hit@3 | unrelated |",
             "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for name, rows in report["sets"].items():
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[row["kind"]].append(row)
        for kind, group in [("all", rows), *sorted(groups.items())]:
            s = summary(group)
            lines.append(f"| {name} | {kind} | {s['n']} | {s['recall']:.3f} | {s['hit']:.3f} | "
                         f"{100 * s['unrelated']:.1f} % |")  # fmt: skip
    misses = [f"- {name}: {r['q']!r} ({r['intent']}) → {r['top']}"
              for name, rows in report["sets"].items() for r in rows
              if r["recall"] < 1 or r["unrelated"]][:60]  # fmt: skip
    now = stamp()
    text = (f"# Retrieval — {now}\n\nAims: recall@3 ≥ 0.95, unrelated ≤ 2 %.\n\n"
            + "\n".join(lines) + "\n\nMissed or unrelated (first 60):\n\n" + "\n".join(misses))
    print(text)
    save_results("retrieval", now, text, report)


if __name__ == "__main__":
    main()
