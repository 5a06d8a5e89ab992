"""Quality gate: the trained model on the held-out set (tests/data/nlu_holdout.yml).

The held-out set was written separately from the training data and is never trained on.
Thresholds sit a little under what the model reaches today, so a real regression fails.
"""

from __future__ import annotations

import pytest

from bot.evaluate import evaluate, load_examples, prediction_from_rasa
from tests.conftest import ROOT

INTENT_ACCURACY_MIN = 0.95
INTENT_MACRO_F1_MIN = 0.95
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


def test_holdout_entity_f1(report) -> None:
    assert report["entities"]["all"]["f1"] >= ENTITY_F1_MIN, report["entities"]


@pytest.mark.parametrize("entity", ["municipality", "region", "phone_number"])
def test_holdout_place_and_phone_entities_are_near_perfect(report, entity: str) -> None:
    assert report["entities"][entity]["f1"] >= 0.97, report["entities"][entity]


def test_every_emergency_and_crisis_message_is_caught(report) -> None:
    assert report["safety_recall"] == 1.0, report["safety_missed"]
