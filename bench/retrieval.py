"""Retrieval: does one search over everything find what people ask for?

    .venv/bin/python bench/retrieval.py [SET.yml ...]

Each set (bench/data/retrieval/*.yml: a directory and questions, each with the records that
answer it and those that are acceptable) is asked as the first message of a conversation: the
trained model's NLU parses it, the rule for its intent (bot/dialogue/rules.yml) picks the
action, and the action itself runs through rasa_sdk's executor, as the action server runs it.
What the person is shown counts: the records the answer lists (its `last_search`), then the
people it names. When the action asks for the place first ("Missä kunnassa asut?"), the
question is scored on the search over the whole country with the intent's preferred sort, as
it was before the place is known (column "asks place"). Reported per set
and per kind of question: recall@3 (of the relevant records, the share among the first three,
out of at most three), hit@3 (at least one relevant among the first three) and the share of
answers that list something unrelated (neither relevant nor acceptable). A second recall@3
counts Apuri's answer when the place asked has none of the labelled records in it nor in its
region: the person for the place named, with nothing unrelated listed, answers it (the labels
predate that decision; the persona suite counts a club across the country as unrelated).
Aims (issue 18): recall@3 ≥ 0.95, unrelated ≤ 2 %. Writes
bench/results/retrieval-<date>-<time>.md and .json.
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

import finnish  # noqa: E402
from actions import slots  # noqa: E402
from actions.search import PREFER, Query, search  # noqa: E402
from bench import save_results, stamp  # noqa: E402
from cli.main import upcoming  # noqa: E402
from core import clock  # noqa: E402
from store.directory import Directory, load_file  # noqa: E402
from store.directory.store import municipalities_of  # noqa: E402

SETS = ROOT / "bench" / "data" / "retrieval"
DIRECTORIES = {
    "sample": ROOT / "data" / "sample_directory.json",
    "second": ROOT / "tests" / "conversations" / "directory_second.json",
}
MODEL = ROOT / "models" / "apuri.tar.gz"
RULES = ROOT / "bot" / "dialogue" / "rules.yml"


def directory_for(name: str, folder: Path) -> Directory:
    """The named directory in a SQLite file of its own, its past dates moved forward."""
    store = Directory(f"sqlite:///{folder / (name + '.db')}")
    store.import_document(upcoming(load_file(DIRECTORIES[name]), clock.today()))
    return store


def first_actions() -> dict[str, str]:
    """The action each intent's rule runs first in a conversation (rules without conditions)."""
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]
    found: dict[str, str] = {}
    for rule in rules:
        steps = rule.get("steps") or []
        if rule.get("condition") or len(steps) < 2 or "intent" not in steps[0]:
            continue
        found.setdefault(steps[0]["intent"], steps[1].get("action", ""))
    return found


def people_named(messages: list[dict[str, Any]], people: dict[str, str]) -> list[str]:
    """The ids of the people whose names the answer says, in the order said."""
    said = " ".join(v for m in messages for v in m.values() if isinstance(v, str))
    at = {pid: said.find(name) for pid, name in people.items() if name in said}
    return sorted(at, key=at.get)


async def answer(
    text: str,
    parsed: dict[str, Any],
    executor: Any,
    actions: dict[str, str],
    people: dict[str, str],
    store: Directory,
) -> tuple[list[str], list[str], bool]:
    """The ids of the records the answer lists and of the people it names, and whether the
    action asked for the place instead (then: the country-wide search, see the module's text)."""
    intent = (parsed.get("intent") or {}).get("name") or ""
    action = actions.get(intent, "")
    if not action.startswith("action_"):
        return [], [], False  # 112, the crisis line, a greeting or a form: no records
    slots: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for _ in range(3):  # an action may hand over to another ("Kannuksessa tanssi": a search)
        tracker = {
            "sender_id": "bench",
            "slots": dict(slots),
            "latest_message": parsed,
            "events": [],
            "latest_action_name": "action_listen",
        }
        reply = await executor.run(
            {"next_action": action, "sender_id": "bench", "tracker": tracker, "domain": {}}
        )
        events += reply["events"]
        messages += reply["responses"]
        slots.update({e["name"]: e["value"] for e in reply["events"] if e.get("event") == "slot"})
        action = next((e["name"] for e in reply["events"] if e.get("event") == "followup"), "")
        if not action:
            break
    if any(m.get("response") == "utter_ask_municipality" for m in messages):
        return country_wide(text, intent, store), [], True
    last = (
        next(
            (
                e["value"]
                for e in reversed(events)
                if e.get("event") == "slot" and e.get("name") == "last_search"
            ),
            None,
        )
        or {}
    )
    listed = [i for kind, i in last.get("results") or [] if kind != "contact_persons"]
    return listed, people_named(messages, people), False


def country_wide(text: str, intent: str, store: Directory) -> list[str]:
    """The search over the whole country with the intent's preferred sort."""
    prefer = PREFER.get(intent, PREFER["find_association"])
    query = Query(words=finnish.content_words(text), prefer=prefer)
    found, _ = search(
        store,
        query,
        any_record=intent in ("ask_events", "ask_grants"),
        far_by_topic=intent in ("ask_events", "ask_grants"),
    )
    return [record["id"] for record in found[:3]]


def score(
    relevant: set[str], acceptable: set[str], top: list[str], people: list[str]
) -> dict[str, float]:
    """recall@3 and hit@3 over the first three shown, people named included; "unrelated"
    only of the records listed (the person named to help further is never unrelated)."""
    shown = [*top, *people][:3]
    hits = len(relevant & set(shown))
    return {
        "recall": hits / min(3, len(relevant)),
        "hit": float(hits > 0),
        "unrelated": float(any(i not in relevant | acceptable for i in top[:3])),
    }


async def run(paths: list[Path]) -> dict[str, Any]:
    from rasa.core.agent import Agent
    from rasa_sdk.executor import ActionExecutor

    agent = Agent.load(str(MODEL))
    executor = ActionExecutor()
    executor.register_package("actions")
    actions = first_actions()
    report: dict[str, Any] = {"sets": {}}
    with tempfile.TemporaryDirectory() as tmp:
        stores: dict[str, Directory] = {}
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            name = data.get("directory", "sample")
            if name not in stores:
                stores[name] = directory_for(name, Path(tmp))
            store = stores[name]
            os.environ["APURI_DB_URL"] = store.url  # the actions' own directory
            slots.directory.cache_clear()
            document = load_file(DIRECTORIES[name])
            people = {p["id"]: p["name"] for p in document.get("contact_persons") or []}
            records = {
                r["id"]: r
                for kind in ("organizations", "events", "spaces", "grants")
                for r in document.get(kind) or []
            }
            rows = []
            for item in data["questions"]:
                parsed = await agent.parse_message(item["q"])
                top, named, asks = await answer(item["q"], parsed, executor, actions, people, store)
                relevant, acceptable = set(item["relevant"]), set(item.get("acceptable") or [])
                scored = score(relevant, acceptable, top, named)
                # nothing near the place: the person for it, with nothing unrelated, answers
                far = nothing_near(relevant, parsed, records)
                scored["near"] = (
                    float(bool(named) and not scored["unrelated"])
                    if (far and not scored["recall"])
                    else scored["recall"]
                )
                rows.append(
                    {
                        "q": item["q"],
                        "kind": item.get("kind", "search"),
                        "top": top,
                        "people": named,
                        "intent": parsed["intent"]["name"],
                        "asks_place": asks,
                        **scored,
                    }
                )
            report["sets"][path.stem] = rows
    return report


def nothing_near(
    relevant: set[str], parsed: dict[str, Any], records: dict[str, dict[str, Any]]
) -> bool:
    """Whether the question names a place and every record labelled relevant is outside it and
    its region (and none serves the whole country): then Apuri names the person for the place
    instead of a club across the country (the persona suite counts those as unrelated)."""
    said = {e["entity"]: e.get("value") for e in parsed.get("entities") or []}
    municipality = said.get("municipality")
    gazetteer = finnish.gazetteer()
    region = said.get("region") or (gazetteer.region_of(municipality) if municipality else None)
    if not region or not relevant:
        return False
    for rid in relevant:
        record = records.get(rid)
        if record is None:
            return False  # a person is labelled: scored as it is
        places = municipalities_of(record)
        regions = {record.get("region"), *(gazetteer.region_of(p) for p in places)}
        if not places and not record.get("region"):
            return False  # serves the whole country
        if municipality in places or region in regions:
            return False
    return True


def summary(rows: list[dict[str, Any]]) -> dict[str, float]:
    n = len(rows) or 1
    return {
        "n": len(rows),
        "asks": sum(r["asks_place"] for r in rows),
        **{k: sum(r[k] for r in rows) / n for k in ("recall", "near", "hit", "unrelated")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.sets or sorted(SETS.glob("*.yml"))
    report = asyncio.run(run(paths))
    lines = [
        "| set | kind | questions | asks place | recall@3 | recall@3, nothing near → "
        "the person | hit@3 | unrelated |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, rows in report["sets"].items():
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[row["kind"]].append(row)
        for kind, group in [("all", rows), *sorted(groups.items())]:
            s = summary(group)
            lines.append(
                f"| {name} | {kind} | {s['n']} | {s['asks']} | {s['recall']:.3f} | "
                f"{s['near']:.3f} | {s['hit']:.3f} | {100 * s['unrelated']:.1f} % |"
            )
    misses = [
        f"- {name}: {r['q']!r} ({r['intent']}) → {r['top']} {r['people']}"
        for name, rows in report["sets"].items()
        for r in rows
        if r["near"] < 1 or r["unrelated"]
    ][:80]
    now = stamp()
    text = (
        f"# Retrieval — {now}\n\nAims: recall@3 ≥ 0.95, unrelated ≤ 2 %.\n\n"
        + "\n".join(lines)
        + "\n\nMissed or unrelated (first 80):\n\n"
        + "\n".join(misses)
    )
    print(text)
    save_results("retrieval", now, text, report)


if __name__ == "__main__":
    main()
