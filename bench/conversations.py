"""The conversation suite (docs/conversations.md): whole conversations from personas that must
reach their goal, run through the gateway's POST /api/messages against a real stack.

    .venv/bin/python bench/conversations.py [--only sample|second]

Reports task success (every check of every turn passed), turns to the goal, the "not
understood" rate and the unrelated-result rate, per directory and persona, to
bench/results/conversations-<date>-<time>.md and .json, with the failed turns. The quality gate
in tests/test_conversations.py runs the same suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import itertools
import json
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import save_results, stamp  # noqa: E402

SUITE = ROOT / "tests" / "conversations"
DIRECTORIES = {
    "sample": ROOT / "data" / "sample_directory.json",
    "second": SUITE / "directory_second.json",
}
NOT_UNDERSTOOD = "Anteeksi, en ymmärtänyt"
# The suite was written on this day (a Thursday at noon): "ensi viikolla", "jouluna" and who is
# reachable now mean the same in every run. The stack and the directory's dates use it.
SUITE_NOW = "2026-12-03T12:00:00+02:00"
_PHONE = re.compile(r"^[\d\s+\-]+$")
_sources = itertools.count()


def load_suite(only: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Conversations by directory, each with its persona file's name."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(SUITE.glob("*/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = data.get("directory", path.parent.name)
        if only and name != only:
            continue
        for conversation in data["conversations"]:
            out[name].append({**conversation, "persona": path.stem})
    return dict(out)


def record_names(directory: str) -> list[str]:
    """Every record's name in a directory, for finding unrelated ones in an answer."""
    data = json.loads(DIRECTORIES[directory].read_text(encoding="utf-8"))
    return [
        r.get("name") or r.get("title")
        for kind in ("organizations", "events", "grants", "spaces")
        for r in data.get(kind, [])
    ]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def contains(answer: str, wanted: str) -> bool:
    """Case and spacing aside; a phone number by its digits."""
    if _PHONE.match(wanted) and sum(c.isdigit() for c in wanted) >= 6:
        digits = re.sub(r"\D", "", wanted)
        return digits in re.sub(r"\D", "", answer)
    return _norm(wanted) in _norm(answer)


@dataclass
class Turn:
    say: str
    answer: str
    failures: list[str] = field(default_factory=list)
    not_understood: bool = False
    listed: bool = False  # the turn asked for a list (`records` given)
    unrelated: list[str] = field(default_factory=list)


def check(turn: dict[str, Any], answer: str, names: list[str]) -> Turn:
    """One turn's checks against the answer the user saw."""
    result = Turn(turn["say"], answer)
    for wanted in turn.get("expect") or []:
        if not contains(answer, wanted):
            result.failures.append(f"missing {wanted!r}")
    anyof = turn.get("expect_any") or []
    if anyof and not any(contains(answer, w) for w in anyof):
        result.failures.append(f"none of {anyof!r}")
    for unwanted in turn.get("not") or []:
        if contains(answer, unwanted):
            result.failures.append(f"said {unwanted!r}")
    result.not_understood = NOT_UNDERSTOOD.lower() in answer.lower()
    if result.not_understood and not turn.get("fallback_ok"):
        result.failures.append("not understood")
    if "records" in turn:
        result.listed = True
        allowed = [*(turn.get("expect") or []), *anyof, *(turn.get("records") or [])]
        for name in listed(answer, names):
            if not any(contains(name, a) or contains(a, name) for a in allowed):
                result.unrelated.append(name)
        if result.unrelated:
            result.failures.append(f"unrelated {result.unrelated!r}")
    return result


_WHEN = re.compile(r"^\w{2} \d{1,2}\.\d{1,2}\. klo [\d.]+: ")  # "ti 19.1. klo 10: " of an event


def listed(answer: str, names: list[str]) -> list[str]:
    """The records an answer lists: a line starting with a record's name (after an event's
    date), not a name mentioned inside a line (an event's place that is also a library)."""
    out = []
    for line in answer.splitlines():
        line = _norm(_WHEN.sub("", line.strip()))
        out += [n for n in names if n and line.startswith(_norm(n)) and n not in out]
    return out


def _post(base: str, path: str, body: dict[str, Any] | None, source: str) -> tuple[int, Any]:
    """One request from a loopback address of the conversation's own (the gateway limits per
    client; the suite is many people, not one)."""
    host, port = base.split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=120, source_address=(source, 0))
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request("POST", path, body=payload, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def converse(base: str, conversation: dict[str, Any], names: list[str]) -> list[Turn]:
    """Every turn of one conversation, in a new conversation of the gateway."""
    n = next(_sources) % 60_000
    source = f"127.{n // 250 + 1}.{n % 250 + 2}.7"
    status, made = _post(base, "/api/conversations", None, source)
    if status != 201:
        raise RuntimeError(f"no conversation id: {status} {made}")
    turns = []
    for turn in conversation["turns"]:
        status, data = _post(
            base,
            "/api/messages",
            {"conversation": made["conversation"], "text": turn["say"]},
            source,
        )
        answer = (
            "\n".join(m["text"] for m in data["messages"])
            if status == 200
            else f"[{status}] {data}"
        )
        turns.append(check(turn, answer, names))
    return turns


@contextlib.contextmanager
def stack_with(directory: str) -> Iterator[str]:
    """`apuri run` on free ports with the directory loaded (past dates moved forward); its
    gateway's base URL."""
    from cli.main import upcoming
    from core import clock
    from store.directory import Directory, load_file
    from tests.conftest import running_apuri

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'apuri.db'}"
        today = dt.datetime.fromisoformat(SUITE_NOW).astimezone(clock.HELSINKI).date()
        Directory(url).import_document(upcoming(load_file(DIRECTORIES[directory]), today))
        with running_apuri(url, APURI_NOW=SUITE_NOW) as apuri:
            yield apuri.url


def run_suite(
    base: str, directory: str, conversations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    names = record_names(directory)
    out = []
    for conversation in conversations:
        turns = converse(base, conversation, names)
        out.append(
            {
                "id": f"{directory}/{conversation['id']}",
                "persona": conversation["persona"],
                "directory": directory,
                "reached": not any(t.failures for t in turns),
                "turns": [t.__dict__ for t in turns],
            }
        )
    return out


def metrics(results: list[dict[str, Any]]) -> dict[str, float]:
    turns = [t for r in results for t in r["turns"]]
    listed = [t for t in turns if t["listed"]]
    reached = [r for r in results if r["reached"]]
    return {
        "conversations": len(results),
        "task_success": len(reached) / max(len(results), 1),
        "turns_to_goal": sum(len(r["turns"]) for r in reached) / max(len(reached), 1),
        "not_understood": sum(t["not_understood"] for t in turns) / max(len(turns), 1),
        "unrelated": sum(bool(t["unrelated"]) for t in listed) / max(len(listed), 1),
    }


def report(results: list[dict[str, Any]]) -> str:
    rows = [
        "| directory | persona | conversations | task success | turns to goal | "
        "not understood | unrelated |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[(r["directory"], r["persona"])].append(r)
        groups[(r["directory"], "all")].append(r)
    groups[("all", "all")] = results
    for (directory, persona), group in sorted(groups.items()):
        m = metrics(group)
        rows.append(
            f"| {directory} | {persona} | {m['conversations']} | "
            f"{m['task_success']:.3f} | {m['turns_to_goal']:.1f} | "
            f"{100 * m['not_understood']:.1f} % | {100 * m['unrelated']:.1f} % |"
        )
    failed = []
    for r in results:
        for t in r["turns"]:
            if t["failures"]:
                answer = t["answer"].replace("\n", " / ")[:300]
                failed.append(
                    f"- {r['id']}: {t['say']!r}: {'; '.join(t['failures'])} " f"— {answer}"
                )
                break
    return (
        "\n".join(rows)
        + "\n\nFirst failed turn of each failed conversation:\n\n"
        + "\n".join(failed)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(DIRECTORIES))
    parser.add_argument(
        "--ids",
        help="run only these conversations (comma-separated ids) and "
        "print them turn by turn; nothing is written",
    )
    args = parser.parse_args()
    wanted = set(args.ids.split(",")) if args.ids else None
    results: list[dict[str, Any]] = []
    for directory, conversations in load_suite(args.only).items():
        if wanted is not None:
            conversations = [c for c in conversations if c["id"] in wanted]
            if not conversations:
                continue
        with stack_with(directory) as base:
            results += run_suite(base, directory, conversations)
    if wanted is not None:
        for result in results:
            print(f"\n## {result['id']} {'reached' if result['reached'] else 'FAILED'}")
            for turn in result["turns"]:
                print(f"> {turn['say']}\n{turn['answer']}")
                for failure in turn["failures"]:
                    print(f"  !! {failure}")
        return
    now = stamp()
    text = f"# Conversations — {now}\n\nAim: task success ≥ 0.95.\n\n{report(results)}"
    print(text)
    save_results("conversations", now, text, results)


if __name__ == "__main__":
    main()
