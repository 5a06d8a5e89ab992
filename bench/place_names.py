"""Benchmark: municipality names that are also ordinary Finnish words or first names.

    .venv/bin/python bench/place_names.py [--out DIR] [--show N]

For every name in bench/place_names/names.yml (Salo, Kolari, Nokia, Kotka, Simo, …) it
generates, with a fixed seed:
- at least 500 place sentences per case form, in the forms the place really takes (Kotkassa,
  Lahdessa, Virroilla, Koskella, Iihin…), in questions a citizen asks a directory bot
  (bench/place_names/templates.yml), many with words of the ordinary meaning elsewhere
  in the sentence ("onko Kotkassa lintuyhdistystä"), each written with a capital and in lower case;
- at least 100 ordinary sentences where the word is not the municipality ("olin kolarissa eilen",
  "Kaarina Virtanen soitti"), each written with a capital at the start and in lower case.

Then it runs `finnish.extract_entities` on all of them. A place sentence is a true positive
when the right municipality is among the entities. A false positive is that municipality found in
an ordinary sentence, or in a place sentence about another of these names ("Simo tässä hei, asun
Kaarinassa" must not give Simo). The report (bench/results/place-names-<date>.md and .json) has
precision and recall overall, per name, per case form, per writing style and with or without
distractors, the worst examples and the run time; the table is also printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA_DIR = Path(__file__).resolve().parent / "place_names"
RESULTS_DIR = ROOT / "bench" / "results"
SEED = 20261129
CASES = ("nom", "gen", "loc", "from", "to")
CASE_LABELS = {
    "nom": "nominatiivi",
    "gen": "genetiivi",
    "loc": "missä (-ssa/-lla)",
    "from": "mistä (-sta/-lta)",
    "to": "mihin (-Vn/-hin/-lle)",
}
STYLES = ("capital", "lower")
PLACE_PER_CASE = 250  # base sentences per case form; two styles → 500 each, 2 500 per name
ORDINARY_BASE = 60  # base sentences from ordinary frames; two styles → at least 120 per name
_KINDS = {
    "kunta": {"K": "kunta", "Kg": "kunnan", "Ka": "kunnalla", "Kp": "kotikuntani"},
    "kaupunki": {"K": "kaupunki", "Kg": "kaupungin", "Ka": "kaupungilla", "Kp": "kotikaupunkini"},
}
_THING = {"T": 0, "Tp": 1, "Tg": 2}  # which form of a [nominative, partitive, genitive] thing
_POOL = {"T": "T", "Tp": "T", "Tg": "T", "N": "N", "C": "C", "W": "W"}
_SLOT_RE = re.compile(r"\{(\w+)\}")
_QUESTION_RE = re.compile(
    r"\b(onko|onks|löytyykö|löytyisikö|mitä|missä|mistä|mikä|kuka|keneltä|miten|tuleeko|"
    r"saako|kannattaako|tarvitaanko|osaako)\b"
)


@dataclass(frozen=True)
class Case:
    """One benchmark sentence and what it should (or must not) yield."""

    text: str
    name: str  # the municipality value (official name, e.g. "Koski Tl")
    kind: str  # "place": must yield name; "ordinary": must not
    form: str  # a key of CASES for place sentences; "ordinary" or "other_place" otherwise
    style: str  # "capital" or "lower"
    template: str  # the template or frame it came from
    distractor: bool  # place sentence with a word of the ordinary meaning elsewhere in it


@dataclass(frozen=True)
class Outcome:
    """A case and the municipalities extract_entities found in it."""

    case: Case
    found: tuple[str, ...]

    @property
    def hit(self) -> bool:
        return self.case.name in self.found


# ---------------------------------------------------------------------------------------------
# Data


@functools.lru_cache(maxsize=1)
def _data() -> tuple[dict[str, Any], dict[str, Any]]:
    """(names.yml, templates.yml) as loaded."""
    names = yaml.safe_load((DATA_DIR / "names.yml").read_text(encoding="utf-8"))
    templates = yaml.safe_load((DATA_DIR / "templates.yml").read_text(encoding="utf-8"))
    for key, info in names.items():
        if len(info["forms"]) != len(CASES):
            raise ValueError(f"{key}: forms must be {', '.join(CASES)}")
    return names, templates


def _entries() -> dict[str, dict[str, Any]]:
    """names.yml keyed by municipality value ("Koski Tl")."""
    return dict(_data()[0].items())


NAMES: tuple[str, ...] = tuple(_entries())


def forms(name: str) -> dict[str, str]:
    """The case forms of a name: {"nom": "Kotka", "gen": "Kotkan", "loc": "Kotkassa", …}."""
    return dict(zip(CASES, _entries()[name]["forms"], strict=True))


def _slots(template: str) -> list[str]:
    return _SLOT_RE.findall(template)


def _render(text: str, style: str, rng: random.Random, *, always_capital: bool) -> str:
    """Write a sentence with capitals and maybe punctuation, or all in lower case (speech)."""
    if style == "lower":
        return text.lower()
    if always_capital or rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    if always_capital or rng.random() < 0.5:
        text += "?" if _QUESTION_RE.search(text.lower()) else "."
    return text


def _field_in(text: str, field: Sequence[str]) -> bool:
    padded = f" {text.lower()} "
    return any(stem in padded for stem in field)


# ---------------------------------------------------------------------------------------------
# Generation


def _fill(template: str, values: dict[str, str]) -> str:
    return _SLOT_RE.sub(lambda m: values[m.group(1)], template)


def _place_base(
    name: str,
    case: str,
    surface: str,
    rng: random.Random,
    *,
    with_distractors: bool = True,
    count: int = PLACE_PER_CASE,
) -> list[tuple[str, str, bool]]:
    """(sentence, template, distractor) for one case form, half with distractors if possible."""
    info = _entries()[name]
    shared = _data()[1]["fillers"]
    kind = _KINDS[info["kind"]]
    distract: dict[str, list[Any]] = info.get("distractors", {}) if with_distractors else {}
    templates = [t for t in _data()[1]["place"][case] if t not in info.get("skip", [])]
    calm = set() if info.get("adjacent_distractors", True) else set(_data()[1]["adjacent"])
    tricky = [
        t for t in templates if t not in calm and any(_POOL.get(s) in distract for s in _slots(t))
    ]
    out: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    misses = 0
    for _ in range(50 * count):
        if len(out) >= count:
            break
        want = bool(tricky) and len(out) % 2 == 0 and misses < 300
        template = rng.choice(tricky if want else templates)
        slots = _slots(template)
        special = rng.choice([s for s in slots if _POOL.get(s) in distract]) if want else None
        values: dict[str, str] = {"X": surface, **kind}
        thing = rng.choice(distract["T"] if special in _THING else shared["T"])
        for slot in slots:
            if slot in _THING:
                values[slot] = thing[_THING[slot]]
            elif slot in _POOL:
                pool = distract[_POOL[slot]] if slot == special else shared[_POOL[slot]]
                values[slot] = rng.choice(pool)
        text = _fill(template, values)
        key = text.lower()
        if key in seen:
            misses += want
            continue
        seen.add(key)
        rest = _fill(template, {**values, "X": " "})
        out.append((text, template, special is not None or _field_in(rest, info["field"])))
    return out


def build_place_cases(name: str) -> list[Case]:
    """Generate the place sentences of one name (deterministic; not cached)."""
    out: list[Case] = []
    for case, surface in forms(name).items():
        rng = random.Random(f"{SEED}/{name}/place/{case}")
        for text, template, distractor in _place_base(name, case, surface, rng):
            for style in STYLES:
                out.append(
                    Case(
                        _render(text, style, rng, always_capital=False),
                        name,
                        "place",
                        case,
                        style,
                        template,
                        distractor,
                    )
                )
    return out


def build_ordinary_cases(name: str) -> list[Case]:
    """Generate the ordinary-meaning sentences of one name (deterministic; not cached)."""
    info = _entries()[name]["ordinary"]
    slots = {**_data()[1]["ordinary_slots"], **info.get("slots", {})}
    rng = random.Random(f"{SEED}/{name}/ordinary")
    queues: list[tuple[str, list[str]]] = []
    for frame in info["frames"]:
        keys = _slots(frame)
        combos = [
            _fill(frame, dict(zip(keys, vals, strict=True)))
            for vals in itertools.product(*(slots[k] for k in keys))
        ]
        rng.shuffle(combos)
        queues.append((frame, combos))
    base: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    while len(base) < ORDINARY_BASE and any(q for _, q in queues):
        for frame, queue in queues:
            while queue and len(base) < ORDINARY_BASE:
                text = queue.pop()
                if text.lower() not in seen:
                    seen.add(text.lower())
                    base.append((text, "ordinary", frame))
                    break
    others = info.get("other_places", [])
    for i, other in enumerate(others):
        quota = info.get("other_count", 0) // len(others) + (
            i < info.get("other_count", 0) % len(others)
        )
        per_case = -(-quota // len(CASES))
        for case, surface in zip(CASES, other, strict=True):
            orng = random.Random(f"{SEED}/{name}/other/{other[0]}/{case}")
            made = _place_base(name, case, surface, orng, with_distractors=False, count=per_case)
            base += [(text, "other_place", template) for text, template, _ in made]
    out: list[Case] = []
    for text, form, template in base:
        for style in STYLES:
            out.append(
                Case(
                    _render(text, style, rng, always_capital=True),
                    name,
                    "ordinary",
                    form,
                    style,
                    template,
                    False,
                )
            )
    return out


@functools.cache
def place_cases(name: str) -> tuple[Case, ...]:
    """The place sentences of one name, with what they are (cached)."""
    return tuple(build_place_cases(name))


@functools.cache
def ordinary_cases(name: str) -> tuple[Case, ...]:
    """The ordinary-meaning sentences of one name, with what they are (cached)."""
    return tuple(build_ordinary_cases(name))


def place_sentences(name: str) -> list[tuple[str, str]]:
    """(sentence, municipality it must yield) for one name."""
    return [(c.text, c.name) for c in place_cases(name)]


def ordinary_sentences(name: str) -> list[str]:
    """Sentences that must not yield the municipality `name`."""
    return [c.text for c in ordinary_cases(name)]


def all_cases(names: Iterable[str] | None = None) -> list[Case]:
    """Every place and ordinary sentence of the given names (default: all)."""
    out: list[Case] = []
    for name in names or NAMES:
        out += place_cases(name)
        out += ordinary_cases(name)
    return out


# ---------------------------------------------------------------------------------------------
# Evaluation


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _recall_by(outcomes: Sequence[Outcome], key: Any) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[str(key(o.case))].append(o)
    return {
        k: {
            "n": len(v),
            "tp": sum(o.hit for o in v),
            "recall": _ratio(sum(o.hit for o in v), len(v)),
        }
        for k, v in sorted(groups.items())
    }


def _diverse(outcomes: Sequence[Outcome], n: int) -> list[Outcome]:
    """Up to n examples, one per template and form first, most frequent error patterns first."""
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.case.form, o.case.template)].append(o)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0].case.text))
    picked: list[Outcome] = []
    for layer in itertools.zip_longest(*ordered):
        picked += [o for o in layer if o is not None][: n - len(picked)]
        if len(picked) >= n:
            break
    return picked


def _example(o: Outcome) -> dict[str, Any]:
    return {
        "text": o.case.text,
        "name": o.case.name,
        "kind": o.case.kind,
        "form": o.case.form,
        "style": o.case.style,
        "distractor": o.case.distractor,
        "template": o.case.template,
        "found": list(o.found),
    }


def evaluate(names: Iterable[str] | None = None, show: int = 5) -> dict[str, Any]:
    """Run extract_entities on every sentence; precision, recall, breakdowns, worst examples."""
    names = tuple(names or NAMES)
    t0 = time.perf_counter()
    cases = all_cases(names)
    t_generate = time.perf_counter() - t0

    t0 = time.perf_counter()
    import finnish

    finnish.extract_entities("asun Kuopiossa")  # the first call loads the gazetteer
    t_load = time.perf_counter() - t0

    t0 = time.perf_counter()
    outcomes = []
    for case in cases:
        found = {e.value for e in finnish.extract_entities(case.text) if e.entity == "municipality"}
        outcomes.append(Outcome(case, tuple(sorted(found))))
    t_extract = time.perf_counter() - t0

    place = [o for o in outcomes if o.case.kind == "place"]
    ordinary = [o for o in outcomes if o.case.kind == "ordinary"]
    per_name: dict[str, dict[str, Any]] = {}
    examples: dict[str, dict[str, list[dict[str, Any]]]] = {}
    total_tp = total_fp = 0
    for name in names:
        mine = [o for o in place if o.case.name == name]
        fn = [o for o in mine if not o.hit]
        fp_ordinary = [o for o in ordinary if o.case.name == name and o.hit]
        fp_cross = [o for o in place if o.case.name != name and name in o.found]
        tp = len(mine) - len(fn)
        fp = len(fp_ordinary) + len(fp_cross)
        n_ordinary = sum(o.case.name == name for o in ordinary)
        total_tp += tp
        total_fp += fp
        per_name[name] = {
            "place": len(mine),
            "tp": tp,
            "fn": len(fn),
            "ordinary": n_ordinary,
            "fp": fp,
            "fp_ordinary": len(fp_ordinary),
            "fp_cross": len(fp_cross),
            "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, len(mine)),
            "ordinary_fp_rate": _ratio(len(fp_ordinary), n_ordinary),
            "by_form": _recall_by(mine, lambda c: c.form),
            "by_style": _recall_by(mine, lambda c: c.style),
            "by_distractor": _recall_by(mine, lambda c: "with" if c.distractor else "without"),
            "fn_other_municipality": sum(bool(o.found) for o in fn),
        }
        examples[name] = {
            "false_negatives": [_example(o) for o in _diverse(fn, show)],
            "false_positives": [_example(o) for o in _diverse(fp_ordinary + fp_cross, show)],
        }
    fp_all = [o for o in ordinary if o.hit]
    overall = {
        "place": len(place),
        "ordinary": len(ordinary),
        "tp": total_tp,
        "fn": len(place) - total_tp,
        "fp": total_fp,
        "fp_ordinary": len(fp_all),
        "precision": _ratio(total_tp, total_tp + total_fp),
        "recall": _ratio(total_tp, len(place)),
        "ordinary_fp_rate": _ratio(len(fp_all), len(ordinary)),
    }
    ordinary_by_form = {
        form: {
            "n": len(group),
            "fp": sum(o.hit for o in group),
            "fp_rate": _ratio(sum(o.hit for o in group), len(group)),
        }
        for form in ("ordinary", "other_place")
        if (group := [o for o in ordinary if o.case.form == form])
    }
    return {
        "date": dt.date.today().isoformat(),
        "commit": _git_state(),
        "seed": SEED,
        "voikko": finnish.morphology.VOIKKO is not None,
        "names": list(names),
        "overall": overall,
        "by_form": _recall_by(place, lambda c: c.form),
        "by_style": _recall_by(place, lambda c: c.style),
        "by_distractor": _recall_by(place, lambda c: "with" if c.distractor else "without"),
        "ordinary_by_form": ordinary_by_form,
        "per_name": per_name,
        "examples": examples,
        "timing": {
            "generate_s": round(t_generate, 3),
            "load_s": round(t_load, 3),
            "extract_s": round(t_extract, 3),
            "sentences": len(cases),
            "ms_per_sentence": round(1000 * t_extract / max(len(cases), 1), 3),
        },
    }


def _git_state() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "bot"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (bot/ has uncommitted changes)" if dirty else head


def worst_examples(result: dict[str, Any], name: str | None = None, n: int = 5) -> str:
    """A few false negatives and false positives as text, for failure messages."""
    lines = []
    for key in [name] if name else result["names"]:
        ex = result["examples"][key]
        for label, items in (("missed", ex["false_negatives"]), ("wrong", ex["false_positives"])):
            for e in items[:n]:
                found = ", ".join(e["found"]) or "—"
                lines.append(f"  {key} {label} [{e['form']}]: {e['text']!r} → {found}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Report


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _name_table(result: dict[str, Any]) -> list[str]:
    head = (
        "| name | place | recall | ordinary | FP (ord. + cross) | precision | "
        + " | ".join(CASES)
        + " | capital | lower | distractor | none |"
    )
    lines = [head, "|" + " --- |" * (11 + len(CASES) - 1)]
    for name, m in result["per_name"].items():
        forms_cells = [_pct(m["by_form"].get(c, {}).get("recall")) for c in CASES]
        style = [_pct(m["by_style"].get(s, {}).get("recall")) for s in STYLES]
        dis = [_pct(m["by_distractor"].get(d, {}).get("recall")) for d in ("with", "without")]
        cells = [
            name,
            str(m["place"]),
            _pct(m["recall"]),
            str(m["ordinary"]),
            f"{m['fp']} ({m['fp_ordinary']} + {m['fp_cross']})",
            _pct(m["precision"]),
            *forms_cells,
            *style,
            *dis,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    o = result["overall"]
    lines.append(
        f"| **all** | {o['place']} | **{_pct(o['recall'])}** | {o['ordinary']} | "
        f"{o['fp']} | **{_pct(o['precision'])}** | "
        + " | ".join(_pct(result["by_form"].get(c, {}).get("recall")) for c in CASES)
        + " | "
        + " | ".join(_pct(result["by_style"][s]["recall"]) for s in STYLES)
        + " | "
        + " | ".join(
            _pct(result["by_distractor"].get(d, {}).get("recall")) for d in ("with", "without")
        )
        + " |"
    )
    return lines


def markdown_report(result: dict[str, Any], show: int = 3) -> str:
    """The report as Markdown."""
    o, t = result["overall"], result["timing"]
    lines = [
        f"# Place names that are ordinary words — {result['date']}",
        "",
        f"`bench/place_names.py`, commit {result['commit']}, seed {result['seed']}, "
        f"Voikko {'on' if result['voikko'] else 'OFF'}.",
        "",
        f"{o['place']} place sentences and {o['ordinary']} ordinary-meaning sentences for "
        f"{len(result['names'])} names. A place sentence is a true positive when the right "
        "municipality is found; a false positive is the municipality found in an ordinary "
        "sentence (ord.) or in a place sentence about another of these names (cross).",
        "",
        f"**Precision {_pct(o['precision'])}, recall {_pct(o['recall'])}** "
        f"(TP {o['tp']}, FN {o['fn']}, FP {o['fp']}); ordinary sentences wrongly read as the "
        f"place: {o['fp_ordinary']} of {o['ordinary']} ({_pct(o['ordinary_fp_rate'])}).",
        "",
        f"Time: generation {t['generate_s']} s, gazetteer load {t['load_s']} s, extraction "
        f"{t['extract_s']} s for {t['sentences']} sentences ({t['ms_per_sentence']} ms each).",
        "",
        "Recall per case form (nom Kotka, gen Kotkan, loc Kotkassa, from Kotkasta, to Kotkaan), "
        "writing style (capital: name with a capital; lower: all lower case) and with or without "
        "a word of the ordinary meaning elsewhere in the sentence:",
        "",
        *_name_table(result),
        "",
        "Ordinary sentences by source: "
        + ", ".join(
            f"{k}: {v['fp']} of {v['n']} wrongly read as the place"
            for k, v in result["ordinary_by_form"].items()
        )
        + ".",
        "",
        "## Worst examples",
        "",
        "Most frequent error patterns first (one per template and case form).",
        "",
    ]
    for name in result["names"]:
        ex = result["examples"][name]
        if not ex["false_negatives"] and not ex["false_positives"]:
            continue
        lines.append(f"### {name}")
        lines.append("")
        for e in ex["false_negatives"][:show]:
            found = ", ".join(e["found"]) or "nothing"
            lines.append(f"- missed ({e['form']}, {e['style']}): `{e['text']}` → {found}")
        for e in ex["false_positives"][:show]:
            source = "ordinary" if e["kind"] == "ordinary" else f"place sentence of {e['name']}"
            lines.append(f"- wrong ({source}): `{e['text']}` → {', '.join(e['found'])}")
        lines.append("")
    return "\n".join(lines)


def console_table(result: dict[str, Any]) -> str:
    """A compact plain-text table for the terminal."""
    rows = [
        f"{'name':<10} {'place':>5} {'recall':>8} {'ord.':>5} {'FP':>4} {'precision':>9}  "
        + " ".join(f"{c:>6}" for c in CASES)
    ]
    for name, m in result["per_name"].items():
        rows.append(
            f"{name:<10} {m['place']:>5} {_pct(m['recall']):>8} {m['ordinary']:>5} "
            f"{m['fp']:>4} {_pct(m['precision']):>9}  "
            + " ".join(f"{_pct(m['by_form'][c]['recall']):>6}".replace(" %", "") for c in CASES)
        )
    o, t = result["overall"], result["timing"]
    rows.append(
        f"{'all':<10} {o['place']:>5} {_pct(o['recall']):>8} {o['ordinary']:>5} "
        f"{o['fp']:>4} {_pct(o['precision']):>9}"
    )
    rows.append(
        f"time: generate {t['generate_s']} s, load {t['load_s']} s, extract "
        f"{t['extract_s']} s ({t['sentences']} sentences, {t['ms_per_sentence']} ms each)"
    )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="report directory")
    parser.add_argument("--show", type=int, default=3, help="examples per name in the report")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    result = evaluate(show=max(args.show, 5))
    result["timing"]["total_s"] = round(time.perf_counter() - t0, 3)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"place-names-{result['date']}"
    stem.with_suffix(".md").write_text(markdown_report(result, args.show) + "\n", encoding="utf-8")
    stem.with_suffix(".json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(console_table(result))
    print(f"total {result['timing']['total_s']} s; report: {stem.with_suffix('.md')}")
    return 0


__all__ = [
    "CASES",
    "NAMES",
    "Case",
    "Outcome",
    "all_cases",
    "build_ordinary_cases",
    "build_place_cases",
    "evaluate",
    "forms",
    "markdown_report",
    "ordinary_cases",
    "ordinary_sentences",
    "place_cases",
    "place_sentences",
    "worst_examples",
]

if __name__ == "__main__":
    sys.exit(main())
