"""NLU benchmark: compares pipelines on quality and speed and writes a report.

    .venv/bin/python bench/nlu_bench.py [--pipelines svm,lr,diet] [--skip-massive] [--quick]

For every pipeline (bench/configs/*.yml; `svm` is the project's config.yml):
- 5-fold stratified cross-validation on nlu_data/ (intent accuracy, macro F1, entity F1);
- the held-out set tests/data/nlu_holdout.yml, trained on all of nlu_data/;
- MASSIVE fi-FI: trained on train, reported on test (dev used for choosing C, see README);
- train time, model load time, parse latency p50/p95 and peak memory (each job runs in its own
  process, so peak RSS is that job's).
The report goes to bench/results/nlu-<date>.md and .json, and the table is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from nlu.evaluate import Example, load_examples  # noqa: E402

CONFIGS = {
    "svm": ROOT / "config.yml",
    "lr": ROOT / "bench" / "configs" / "lr.yml",
    "diet": ROOT / "bench" / "configs" / "diet.yml",
}
MASSIVE = ROOT / "bench" / "data" / "massive-fi" / "fi-FI.jsonl"  # CC BY 4.0, see SOURCE.md
NLU_FILES = sorted((ROOT / "nlu_data").glob("*.yml"))
HOLDOUT = ROOT / "tests" / "data" / "nlu_holdout.yml"


def write_nlu(examples: list[Example], path: Path) -> None:
    """Rasa NLU YAML for plain examples (entities are found by our extractor, not learned)."""
    by_intent: dict[str, list[str]] = {}
    for e in examples:
        by_intent.setdefault(e.intent, []).append(e.text)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {json.dumps(t, ensure_ascii=False)[1:-1]}" for t in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def folds(examples: list[Example], k: int, seed: int = 13) -> list[list[int]]:
    """Stratified fold indices."""
    rng = random.Random(seed)
    by_intent: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_intent.setdefault(e.intent, []).append(i)
    out: list[list[int]] = [[] for _ in range(k)]
    for idx in by_intent.values():
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[j % k].append(i)
    return out


# ---------------------------------------------------------------------------------------------
# worker: one training + evaluation in this process


def worker(job: dict) -> dict:
    import asyncio

    import numpy as np
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    from nlu.evaluate import evaluate, prediction_from_rasa

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        train_file = tmp_path / "train.yml"
        write_nlu([Example(**e) for e in job["train"]], train_file)
        t0 = time.perf_counter()
        model = train_nlu(job["config"], str(train_file), str(tmp_path / "models"))
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        agent = Agent.load(model)
        load_s = time.perf_counter() - t0
        loop = asyncio.new_event_loop()
        latencies: list[float] = []

        def parse(text: str):
            start = time.perf_counter()
            result = loop.run_until_complete(agent.parse_message(text))
            latencies.append(time.perf_counter() - start)
            return prediction_from_rasa(result)

        test = [
            Example(e["text"], e["intent"], [tuple(x) for x in e["entities"]]) for e in job["test"]
        ]
        metrics = evaluate(test, parse)
    lat = np.array(latencies) * 1000
    return {
        "intent_accuracy": metrics["intent_accuracy"],
        "classifier_accuracy": metrics["classifier_accuracy"],
        "intent_macro_f1": metrics["intent_macro_f1"],
        "intent_f1": metrics["intent_f1"],
        "entity_f1": metrics["entities"]["all"]["f1"],
        "safety_recall": metrics["safety_recall"],
        "errors": metrics["errors"],
        "n_test": metrics["n"],
        "train_s": train_s,
        "load_s": load_s,
        "parse_p50_ms": float(np.percentile(lat, 50)) if len(lat) else None,
        "parse_p95_ms": float(np.percentile(lat, 95)) if len(lat) else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_job(config: Path, train: list[Example], test: list[Example]) -> dict:
    job = {
        "config": str(config),
        "train": [e.__dict__ for e in train],
        "test": [e.__dict__ for e in test],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(job, fh)
        job_file = fh.name
    out_file = job_file + ".out"
    try:
        subprocess.run(
            [sys.executable, __file__, "--worker", job_file, out_file],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        return json.loads(Path(out_file).read_text())
    finally:
        for f in (job_file, out_file):
            Path(f).unlink(missing_ok=True)


def massive_examples(partition: str) -> list[Example]:
    rows = [json.loads(line) for line in MASSIVE.read_text(encoding="utf-8").splitlines()]
    return [Example(r["utt"], r["intent"]) for r in rows if r["partition"] == partition]


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", default="svm,lr,diet")
    parser.add_argument("--skip-massive", action="store_true")
    parser.add_argument("--only-massive", action="store_true", help="skip CV and holdout")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--light",
        default="diet",
        help="pipelines measured on the held-out set only (no CV, no MASSIVE): DIET takes "
        "over 15 minutes per training on 2 cores, so its full protocol does not fit a run",
    )
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        job = json.loads(Path(args.worker[0]).read_text())
        Path(args.worker[1]).write_text(json.dumps(worker(job)))
        return

    data = load_examples(NLU_FILES)
    holdout = load_examples([HOLDOUT])
    report: dict[str, dict] = {}
    light = set(args.light.split(",")) if args.light else set()
    for name in args.pipelines.split(","):
        config = CONFIGS[name]
        print(f"== {name}: {config.relative_to(ROOT)}", flush=True)
        res: dict = {}
        cv = []
        skip_cv = args.only_massive or name in light
        for k, fold in enumerate([] if skip_cv else folds(data, args.folds)):
            test_idx = set(fold)
            train = [e for i, e in enumerate(data) if i not in test_idx]
            test = [e for i, e in enumerate(data) if i in test_idx]
            cv.append(run_job(config, train, test))
            print(f"   fold {k + 1}: intent acc {cv[-1]['intent_accuracy']:.3f}", flush=True)
        if cv:
            res["cv"] = {
                m: sum(r[m] for r in cv) / len(cv)
                for m in ("intent_accuracy", "intent_macro_f1", "entity_f1", "safety_recall")
            }
            res["cv"]["errors"] = [err for r in cv for err in r["errors"]]
        if not args.only_massive:
            res["holdout"] = run_job(config, data, holdout)
            print(f"   holdout: intent acc {res['holdout']['intent_accuracy']:.3f}", flush=True)
        if not args.skip_massive and name not in light and MASSIVE.exists():
            res["massive"] = run_job(config, massive_examples("train"), massive_examples("test"))
            res["massive"].pop("errors")
            print(
                f"   MASSIVE test: intent acc {res['massive']['intent_accuracy']:.3f}", flush=True
            )
        report[name] = res
        save(report, partial=True)  # a long run keeps what it has measured so far

    save(report)


def save(report: dict, partial: bool = False) -> None:
    table = render(report)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "nlu-partial" if partial else f"nlu-{dt.datetime.now().strftime('%Y-%m-%d-%H%M')}"
    (out_dir / f"{name}.md").write_text(table + "\n", encoding="utf-8")
    (out_dir / f"{name}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if not partial:
        (out_dir / "nlu-partial.md").unlink(missing_ok=True)
        (out_dir / "nlu-partial.json").unlink(missing_ok=True)
        print(table)
        print(f"report: bench/results/{name}.md")


def render(report: dict) -> str:
    def pct(x: float | None) -> str:
        return "—" if x is None else f"{100 * x:.1f} %"

    def f3(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    def num(x: float | None, unit: str) -> str:
        return "—" if x is None else f"{x:.0f} {unit}" if x >= 10 else f"{x:.1f} {unit}"

    rows = [
        "| pipeline | CV intent acc | CV macro F1 | CV entity F1 | holdout intent acc | "
        "holdout entity F1 | safety recall | MASSIVE test acc (classifier / with fallback) | "
        "train (own data) | load | parse p50 / p95 | peak RSS | train (MASSIVE) |",
        "|" + " --- |" * 13,
    ]
    for name, r in report.items():
        h = r.get("holdout") or {}
        cv = r.get("cv") or {}
        m = r.get("massive") or {}
        safety = [x["safety_recall"] for x in (h, cv) if x.get("safety_recall") is not None]

        rows.append(
            f"| {name} | {pct(cv.get('intent_accuracy'))} | {pct(cv.get('intent_macro_f1'))} | "
            f"{f3(cv.get('entity_f1'))} | {pct(h.get('intent_accuracy'))} | "
            f"{f3(h.get('entity_f1'))} | {pct(min(safety) if safety else None)} | "
            f"{pct(m.get('classifier_accuracy'))} / {pct(m.get('intent_accuracy'))} | "
            f"{num(h.get('train_s'), 's')} | {num(h.get('load_s'), 's')} | "
            f"{num(h.get('parse_p50_ms'), 'ms')} / {num(h.get('parse_p95_ms'), 'ms')} | "
            f"{num(h.get('peak_rss_mb'), 'MB')} | {num(m.get('train_s'), 's')} |"
        )
    names = [n for n, r in report.items() if (r.get("holdout") or {}).get("intent_f1")]
    if names:
        rows += [
            "",
            "Per-intent F1 on the held-out set (tests/data/nlu_holdout.yml):",
            "",
            "| intent | " + " | ".join(names) + " |",
            "|" + " --- |" * (len(names) + 1),
        ]
        intents = sorted({i for n in names for i in report[n]["holdout"]["intent_f1"]})
        for intent in intents:
            cells = [f3(report[n]["holdout"]["intent_f1"].get(intent)) for n in names]
            rows.append(f"| {intent} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
