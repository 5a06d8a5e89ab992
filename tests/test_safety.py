"""finnish.safety: danger now → emergency (112), a person in crisis → crisis (09 2525 0111).

The words here must win even when the classifier is unsure, so they are tested on their own;
the conversations (112 first, also mid-conversation) are in test_dialogue.py.
"""

from __future__ import annotations

import pytest

import finnish


@pytest.mark.parametrize(
    "text,intent",
    [
        ("mummo kaatui eikä pääse ylös", "emergency"),
        ("talo palaa", "emergency"),
        ("soittakaa ambulanssi", "emergency"),
        ("apua!", "emergency"),
        ("isä ei hengitä", "emergency"),
        ("olin kolarissa", "emergency"),
        ("en jaksa enää elää", "crisis"),
        ("haluan kuolla", "crisis"),
        ("ajattelen itsemurhaa", "crisis"),
        ("viiltelen itseäni", "crisis"),
        ("tarvitsen apua verkkopankin kanssa", None),
        ("kiitos tästä oli apua", None),
        ("ensiapukurssi yhdistykselle", None),
        ("soita numeroon 0440 112 233", None),
        # as speech recognition writes compounds: apart
        ("mietin itse murha", "crisis"),
        ("isällä on sydän kohtaus", "emergency"),
        ("mummolla on kova rinta kipu", "emergency"),
        ("mikä on hätä numero", "emergency"),
        ("meille tuli palovaroitin", None),
        # danger now, said as a follow-up (the conversation suite's volunteer asked this)
        ("entä jos hän on vaarassa just nyt", "emergency"),
        ("isä on hengenvaarassa", "emergency"),
        ("yhdistyksen talous on vaarassa", None),
        # what the NLU benchmark's cross-validation missed: words, not the classifier
        ("en pysty hengittämään", "emergency"),
        ("epilepsiakohtaus ei lopu ollenkaan", "emergency"),
        ("mua uhataan puukolla", "emergency"),
        ("tänään on se päivä kun lopetan kaiken", "crisis"),
        ("mä haluun vaan kadota", "crisis"),
        ("en näe ulospääsyä", "crisis"),
        ("tarviin jonkun jolle puhua mulla on tosi paha olla", "crisis"),
        ("kaveri laittoi viestin että hyvästi eikä vastaa enää puhelimeen", "crisis"),
        ("kriisipuhelimen numero", "crisis"),
        ("miten voin auttaa ystävää joka haluaa kuolla", "crisis"),
    ],
)
def test_safety_words(text: str, intent: str | None) -> None:
    assert finnish.safety_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "x" * 100_000,
        "\x00\x01\x02",
        "'; DROP TABLE municipalities; --",
        "🙂🙂",
        "<script>alert(1)</script>",
        "ääääääääääääääääääää",
    ],
)
def test_bad_input_is_not_a_safety_message(text: str) -> None:
    assert finnish.safety_intent(text) is None


def test_emergency_wins_over_crisis_in_one_message() -> None:
    assert finnish.safety_intent("joku uhkaa tappaa minut ja haluan kuolla") == "emergency"


def test_safety_intents_are_the_two_contract_intents() -> None:
    assert set(finnish.SAFETY_INTENTS) == {"emergency", "crisis"}
