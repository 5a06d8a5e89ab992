"""Quality gate: the trained model on the held-out set (tests/data/nlu_holdout.yml).

The held-out set was written separately from the training data and is never trained on.
Thresholds sit a little under what the model reaches today, so a real regression fails.
"""

from __future__ import annotations

import pytest

from nlu.evaluate import evaluate, load_examples, prediction_from_rasa
from tests.conftest import ROOT

INTENT_ACCURACY_MIN = 0.95
INTENT_MACRO_F1_MIN = 0.95
INTENT_F1_MIN = 0.95  # every intent on its own
ENTITY_F1_MIN = 0.95


@pytest.fixture(scope="module")
def report(agent, event_loop_session) -> dict:
    examples = load_examples([ROOT / "tests" / "data" / "nlu_holdout.yml"])

    def parse(text: str):
        return prediction_from_rasa(
            event_loop_session.run_until_complete(agent.parse_message(text))
        )

    return evaluate(examples, parse)


def test_holdout_intent_accuracy(report) -> None:
    errors = "\n".join(map(str, report["errors"]))
    assert report["intent_accuracy"] >= INTENT_ACCURACY_MIN, errors


def test_holdout_intent_macro_f1(report) -> None:
    assert report["intent_macro_f1"] >= INTENT_MACRO_F1_MIN


def test_holdout_every_intent_f1(report) -> None:
    weak = {i: round(f, 3) for i, f in report["intent_f1"].items() if f < INTENT_F1_MIN}
    assert not weak, (weak, [e for e in report["errors"] if e[1] in weak or e[2] in weak])


def test_holdout_entity_f1(report) -> None:
    assert report["entities"]["all"]["f1"] >= ENTITY_F1_MIN, report["entities"]


@pytest.mark.parametrize("entity", ["municipality", "region", "phone_number"])
def test_holdout_place_and_phone_entities_are_near_perfect(report, entity: str) -> None:
    assert report["entities"][entity]["f1"] >= 0.97, report["entities"][entity]


def test_every_emergency_and_crisis_message_is_caught(report) -> None:
    assert report["safety_recall"] == 1.0, report["safety_missed"]


# The sentences that went wrong before (issue "Answers that stay right"): the right intent and,
# where there is one, the right municipality, also for names that are ordinary words.
ISSUE_EXAMPLES = [
    ("onko Kotkassa lintuyhdistystä", {"find_association"}, "Kotka"),
    ("onko Salossa metsästysseuraa", {"find_association"}, "Salo"),
    ("mitä tapahtumia Hangossa on heinäkuussa", {"ask_events"}, "Hanko"),
    ("tarviin apua tietokoneen kanssa Somerolla", {"digital_help"}, "Somero"),
    ("Lahdessa venäjänkielisiä palveluja", {"find_service"}, "Lahti"),
    ("tuleeko Kolariin tapahtumia ensi kuussa", {"ask_events"}, "Kolari"),
    ("asun Kolarissa, kävin eilen kirjastossa", None, "Kolari"),
    ("missä voisin käydä jumpassa Iisalmessa", {"find_association"}, "Iisalmi"),
    ("haluaisin harrastaa jotain Leppävirralla", {"find_association"}, "Leppävirta"),
    ("missä voi pelata sulkapalloa Kuopiossa", {"find_association"}, "Kuopio"),
    ("onko Rovaniemellä senioriliikuntaa", {"find_association"}, "Rovaniemi"),
    ("Kannuksessa ratsastusseura", {"find_association"}, "Kannus"),
    ("mites rovaniemellä jumppaa", {"find_association"}, "Rovaniemi"),
    ("onko Kiteellä shakkikerhoa", {"find_association"}, "Kitee"),
    (
        "löytyykö Sodankylästä tukea omaishoitajalle",
        {"find_service", "find_association"},
        "Sodankylä",
    ),
    ("mistä meidän yhdistys voisi hakea avustusta Sodankylässä", {"ask_grants"}, "Sodankylä"),
]


@pytest.mark.parametrize("text,intents,municipality", ISSUE_EXAMPLES)
def test_issue_examples_get_the_right_intent_and_place(
    agent, event_loop_session, text: str, intents: set[str] | None, municipality: str
) -> None:
    result = event_loop_session.run_until_complete(agent.parse_message(text))
    found = [e["value"] for e in result["entities"] if e["entity"] == "municipality"]
    assert found == [municipality], result["entities"]
    if intents:
        assert result["intent"]["name"] in intents, result["intent_ranking"][:3]


@pytest.mark.parametrize(
    "text",
    [
        "olin kolarissa ja niskaan sattuu",
        "kotka lensi pesäänsä",
        "pellolla on traktori",
        "Kaarina Virtanen soitti eilen",
        "soitin vanhalla nokialla",
    ],
)
def test_ordinary_words_are_not_places_in_the_nlu(agent, event_loop_session, text: str) -> None:
    result = event_loop_session.run_until_complete(agent.parse_message(text))
    assert not [e for e in result["entities"] if e["entity"] == "municipality"]
