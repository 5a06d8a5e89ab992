"""Measures NLU quality the same way in tests (quality gate) and in `make bench`.

Entities are compared by (type, normalized value) per message, because the contract fixes
values and leaves spans free.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from finnish import SAFETY_INTENTS

_ANNOTATION = re.compile(r"\[([^\]]+)\]\{([^}]*)\}")


@dataclass
class Example:
    text: str
    intent: str
    entities: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Prediction:
    intent: str
    confidence: float
    entities: list[tuple[str, str]]
    classifier_intent: str = ""  # the classifier's own top intent, before the fallback


def _parse_line(line: str, intent: str) -> Example:
    import json

    entities = []

    def repl(match: re.Match) -> str:
        span, meta = match.group(1), json.loads("{" + match.group(2) + "}")
        entities.append((meta["entity"], str(meta.get("value", span))))
        return span

    return Example(_ANNOTATION.sub(repl, line), intent, entities)


def load_examples(paths: Iterable[Path | str]) -> list[Example]:
    """Examples with their annotated entities from Rasa NLU YAML files."""
    out = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            if "intent" not in block:
                continue
            for raw in block.get("examples", "").splitlines():
                raw = raw.strip()
                if raw.startswith("- "):
                    out.append(_parse_line(raw[2:].strip(), block["intent"]))
    return out


def per_intent_f1(gold: list[str], pred: list[str]) -> dict[str, float]:
    """F1 of every intent that occurs in the gold labels."""
    scores = {}
    for label in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return scores


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = per_intent_f1(gold, pred)
    return sum(scores.values()) / len(scores) if scores else 0.0


def entity_scores(gold: list[list[tuple[str, str]]], pred: list[list[tuple[str, str]]]) -> dict:
    """Micro precision, recall and F1 over (type, value) pairs, overall and per type."""
    per_type: dict[str, Counter] = {}
    total = Counter()
    for g, p in zip(gold, pred, strict=False):
        g_c, p_c = Counter(g), Counter(p)
        for key in set(g_c) | set(p_c):
            tp = min(g_c[key], p_c[key])
            counts = per_type.setdefault(key[0], Counter())
            for c in (counts, total):
                c["tp"] += tp
                c["fp"] += p_c[key] - tp
                c["fn"] += g_c[key] - tp

    def f(c: Counter) -> dict:
        prec = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        rec = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return {"precision": prec, "recall": rec, "f1": f1, "support": c["tp"] + c["fn"]}

    return {"all": f(total), **{k: f(v) for k, v in sorted(per_type.items())}}


def evaluate(examples: list[Example], parse: Callable[[str], Prediction]) -> dict:
    """Intent accuracy, macro F1, entity F1 and safety recall of a parser on examples."""
    preds = [parse(e.text) for e in examples]
    gold_i = [e.intent for e in examples]
    pred_i = [p.intent for p in preds]
    safety = [(e, p) for e, p in zip(examples, preds, strict=False) if e.intent in SAFETY_INTENTS]
    errors = [
        (e.text, e.intent, p.intent, round(p.confidence, 2))
        for e, p in zip(examples, preds, strict=False)
        if e.intent != p.intent
    ]
    top_i = [p.classifier_intent or p.intent for p in preds]
    return {
        "n": len(examples),
        "intent_accuracy": sum(g == p for g, p in zip(gold_i, pred_i, strict=False))
        / max(len(examples), 1),
        "classifier_accuracy": sum(g == p for g, p in zip(gold_i, top_i, strict=False))
        / max(len(examples), 1),
        "intent_macro_f1": macro_f1(gold_i, pred_i),
        "intent_f1": per_intent_f1(gold_i, pred_i),
        "entities": entity_scores([e.entities for e in examples], [p.entities for p in preds]),
        "safety_recall": (
            sum(1 for e, p in safety if p.intent == e.intent) / len(safety) if safety else 1.0
        ),
        "safety_missed": [e.text for e, p in safety if p.intent != e.intent],
        "errors": errors,
    }


def prediction_from_rasa(result: dict) -> Prediction:
    """A Prediction from the dict Rasa's parse returns."""
    intent = result.get("intent") or {}
    entities = [(e["entity"], str(e.get("value"))) for e in result.get("entities", [])]
    ranking = [r for r in result.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    top = ranking[0]["name"] if ranking else ""
    return Prediction(
        intent.get("name") or "", float(intent.get("confidence") or 0.0), entities, top
    )
