"""Municipality names that are also ordinary words or first names (bench/place_names.py).

The generated set has at least 500 place sentences per name and case form and 100
ordinary-meaning sentences per name;
finnish.extract_entities must find the municipality in the first and not in the second.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import finnish
from bench import place_names as pn

# The names of the brief, as extract_entities returns them.
EXPECTED_NAMES = (
    "Salo",
    "Ii",
    "Kolari",
    "Nokia",
    "Pello",
    "Aura",
    "Luoto",
    "Hanko",
    "Rusko",
    "Somero",
    "Lahti",
    "Kotka",
    "Virrat",
    "Kurikka",
    "Kannus",
    "Perho",
    "Varkaus",
    "Multia",
    "Kaavi",
    "Liperi",
    "Vihti",
    "Masku",
    "Tervo",
    "Koski Tl",
    "Simo",
    "Kaarina",
    "Inari",
    "Lieto",
    "Hamina",
)
OVERALL_MIN = 0.98
PER_NAME_MIN = 0.95

# A place name beside a word of its ordinary meaning: the place.
PLACE_EXAMPLES = [
    ("onko Kotkassa lintuyhdistystä", "Kotka"),
    ("tuleeko Kolariin tapahtumia ensi kuussa", "Kolari"),
    ("asun Kolarissa, kävin eilen kirjastossa", "Kolari"),
    ("Lahdessa venäjänkielisiä palveluja", "Lahti"),
    ("tarviin apua tietokoneen kanssa Somerolla", "Somero"),
    ("mitä tapahtumia Hangossa on heinäkuussa", "Hanko"),
    ("tarviin apua puhelimen kanssa Nokialla", "Nokia"),
]
# The ordinary meaning: no municipality at all.
ORDINARY_EXAMPLES = [
    "olin kolarissa eilen",
    "jouduin kolariin moottoritiellä",
    "kotka lensi pesäänsä",
    "näin kotkan taivaalla",
    "pellolla on traktori",
    "hanko on ladon seinällä",
    "lahdella oli paljon veneitä",
    "soitin vanhalla nokialla",
    "virrat vievät veneen",
    "perholla sain lohen",
    "varkaudesta tehtiin rikosilmoitus",
    "Kaarina Virtanen soitti",
    "Inarilla on kaksi lasta",
]


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return pn.evaluate()


def municipalities(text: str) -> list[str]:
    return [e.value for e in finnish.extract_entities(text) if e.entity == "municipality"]


# --- the generator -----------------------------------------------------------------------------


def test_every_name_is_covered() -> None:
    assert sorted(pn.NAMES) == sorted(EXPECTED_NAMES)


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_generator_sizes_and_forms(name: str) -> None:
    place = pn.place_cases(name)
    ordinary = pn.ordinary_cases(name)
    per_form = {form: sum(c.form == form for c in place) for form in pn.CASES}
    assert min(per_form.values()) >= 500, f"{name}: {per_form} place sentences per case form"
    assert len(ordinary) >= 100, f"{name}: {len(ordinary)} ordinary sentences"
    assert {c.form for c in place} == set(pn.CASES)
    assert {c.style for c in place} == {c.style for c in ordinary} == {"capital", "lower"}
    assert all(c.name == name for c in place + ordinary)
    assert sum(c.distractor for c in place) >= 250, "too few sentences with distractor words"
    assert pn.place_sentences(name) == [(c.text, name) for c in place]
    assert pn.ordinary_sentences(name) == [c.text for c in ordinary]
    for case in place:
        surface = pn.forms(name)[case.form]
        assert surface.lower() in case.text.lower(), case
        if case.style == "capital":
            assert surface in case.text, case
        else:
            assert case.text == case.text.lower(), case


def test_sentences_are_unique() -> None:
    counts = Counter(c.text for c in pn.all_cases())
    duplicates = [text for text, n in counts.items() if n > 1]
    assert not duplicates, duplicates[:10]


def test_generator_is_deterministic() -> None:
    assert pn.build_place_cases("Kotka") == pn.build_place_cases("Kotka")
    assert pn.build_ordinary_cases("Simo") == pn.build_ordinary_cases("Simo")


# --- extract_entities on the generated set ----------------------------------------------------


def test_overall_precision_and_recall(result: dict[str, Any]) -> None:
    o = result["overall"]
    assert (o["precision"] or 0.0) >= OVERALL_MIN and (o["recall"] or 0.0) >= OVERALL_MIN, (
        f"precision {o['precision']}, recall {o['recall']} (TP {o['tp']}, FN {o['fn']}, "
        f"FP {o['fp']}); worst examples:\n{pn.worst_examples(result, n=2)}"
    )


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_precision_and_recall_per_name(result: dict[str, Any], name: str) -> None:
    m = result["per_name"][name]
    assert (m["precision"] or 0.0) >= PER_NAME_MIN and (m["recall"] or 0.0) >= PER_NAME_MIN, (
        f"{name}: precision {m['precision']}, recall {m['recall']} (FN {m['fn']} of "
        f"{m['place']}, FP {m['fp_ordinary']} ordinary + {m['fp_cross']} in other names' "
        f"place sentences); worst examples:\n{pn.worst_examples(result, name)}"
    )


# --- hand-picked sentences ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), PLACE_EXAMPLES)
def test_place_beside_ordinary_words(text: str, value: str) -> None:
    assert value in municipalities(text)


@pytest.mark.parametrize("text", ORDINARY_EXAMPLES)
def test_ordinary_meaning_is_no_place(text: str) -> None:
    assert municipalities(text) == []
