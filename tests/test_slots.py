"""The place slots and the intent ranking without a model or a server: rasa_sdk Tracker
objects straight into the functions the actions use. The one rule "the region follows the
municipality" is held in one place (actions.directory_actions.place_after) and used by the
search and the callback form alike; the intents ranked next shape the answer."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import place_after, place_slots
from tests.helpers import at_turn


def tracker(slots: dict[str, Any], entities: list[dict[str, Any]]) -> Tracker:
    return at_turn(slots, {"text": "", "entities": entities})


def said(**values: str) -> list[dict[str, Any]]:
    return [{"entity": k, "value": v} for k, v in values.items()]


@pytest.mark.parametrize(
    "slots,entities,place",
    [
        ({}, said(municipality="Kuopio"), ("Kuopio", "Pohjois-Savo")),
        # a new municipality brings its own region
        (
            {"municipality": "Kuopio", "region": "Pohjois-Savo"},
            said(municipality="Kemi"),
            ("Kemi", "Lappi"),
        ),
        # a region drops a municipality outside it, keeps one inside it
        (
            {"municipality": "Kuopio", "region": "Pohjois-Savo"},
            said(region="Lappi"),
            (None, "Lappi"),
        ),
        (
            {"municipality": "Kuopio", "region": "Pohjois-Savo"},
            said(region="Pohjois-Savo"),
            ("Kuopio", "Pohjois-Savo"),
        ),
        # what is no real place never reaches the directory
        ({}, said(municipality="Atlantis"), (None, None)),
        ({"municipality": "Kuopio", "region": "Pohjois-Savo"}, [], ("Kuopio", "Pohjois-Savo")),
    ],
)
def test_the_region_follows_the_municipality(slots, entities, place) -> None:
    municipality, region, events = place_slots(tracker(slots, entities))
    assert (municipality, region) == place
    changed = {e["name"]: e["value"] for e in events}
    assert changed == {
        k: v for k, v in zip(("municipality", "region"), place, strict=True) if slots.get(k) != v
    }


def test_the_callback_form_takes_the_place_by_the_same_rule() -> None:
    from actions.handoff_actions import ValidateCallbackForm

    form = ValidateCallbackForm()
    dispatcher = CollectingDispatcher()
    taken = form.validate_municipality("Jämsä", dispatcher, tracker({}, []), {})
    assert taken == {"municipality": "Jämsä", "region": "Keski-Suomi"}
    assert (taken["municipality"], taken["region"]) == place_after(
        None, None, {"municipality": "Jämsä"}
    )
    assert form.validate_municipality("Atlantis", dispatcher, tracker({}, []), {}) == {
        "municipality": None
    }
    assert dispatcher.messages[-1]["response"] == "utter_ask_municipality"


def ranked(text: str, *ranking: tuple[str, float]) -> Tracker:
    message = {
        "text": text,
        "entities": [],
        "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
    }
    return at_turn({"municipality": "Kuopio"}, message)


def test_an_emergency_ranked_next_puts_112_first(actions_on) -> None:
    """The ranking of the other intents shapes the answer: an emergency this likely beside a
    search starts the answer with 112; a faint one does not."""
    from actions.directory_actions import ActionFindService

    actions_on({"format": "apuri-directory/1"})
    for emergency, first in ((0.3, "utter_if_urgent"), (0.05, None)):
        dispatcher = CollectingDispatcher()
        text = "lapsi on kipeä, lääkäri kuopio"
        tracker = ranked(text, ("find_service", 0.6), ("emergency", emergency))
        ActionFindService().run(dispatcher, tracker, {})
        said = [m.get("response") for m in dispatcher.messages]
        assert (said[0] == "utter_if_urgent") is (first is not None), said
