"""The callback form starts from what the request said (issue 18 §5), without a model or a
server: a need or a topic in the request is its subject, and "soittakaa minulle siitä" is about
what was just searched for; a request that only asks for a call asks the subject later."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_actions import ValidateCallbackForm


def subject(text: str, requested: str | None = None, last: dict[str, Any] | None = None) -> Any:
    tracker = Tracker("t", {"requested_slot": requested, "last_search": last},
                      {"text": text}, [], False, None, {}, "action_listen")  # fmt: skip
    dispatcher = CollectingDispatcher()
    out = ValidateCallbackForm().validate_callback_subject(text, dispatcher, tracker, {})
    return out["callback_subject"]


@pytest.mark.parametrize("text", [
    "voisiko joku soittaa minulle, tarvitsen apua tabletin kanssa Jämsässä",
    "voisko joku soittaa mulle, haluun vapaaehtoiseksi kuopiossa",  # a topic is a need
])  # fmt: skip
def test_a_need_in_the_request_is_its_subject(text: str) -> None:
    assert subject(text) == text


def test_a_call_about_what_was_just_searched_has_that_as_its_subject() -> None:
    last = {"action": "action_digital_help", "words": ["älypuhelimen"], "topic": "digituki"}
    assert subject("voiko joku soittaa mulle siitä", last=last) == "älypuhelimen"


@pytest.mark.parametrize("text,last", [
    ("voisko joku soittaa mulle", {"words": ["älypuhelimen"]}),  # points at nothing
    ("voiko joku soittaa mulle siitä", None),  # nothing searched yet
])  # fmt: skip
def test_a_request_that_only_asks_for_a_call_asks_the_subject(text: str, last) -> None:
    assert subject(text, last=last) is None


def test_the_subject_asked_for_is_taken_as_said() -> None:
    assert subject("apua tabletin kanssa", requested="callback_subject") == "apua tabletin kanssa"
