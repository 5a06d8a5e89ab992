"""The callback form starts from what the request said (issue 18 §5), without a model or a
server: a need or a topic in the request is its subject, and "soittakaa minulle (siitä)" is about
what was just searched for; a request that only asks for a call, with nothing searched, asks the
subject later."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_actions import ValidateCallbackForm
from tests.helpers import at_turn


def subject(text: str, requested: str | None = None, last: dict[str, Any] | None = None) -> Any:
    tracker = at_turn({"requested_slot": requested, "last_search": last}, {"text": text})
    dispatcher = CollectingDispatcher()
    out = ValidateCallbackForm().validate_callback_subject(text, dispatcher, tracker, {})
    return out["callback_subject"]


@pytest.mark.parametrize(
    "text",
    [
        "voisiko joku soittaa minulle, tarvitsen apua tabletin kanssa Jämsässä",
        "voisko joku soittaa mulle, haluun vapaaehtoiseksi kuopiossa",  # a topic is a need
    ],
)
def test_a_need_in_the_request_is_its_subject(text: str) -> None:
    assert subject(text) == text


@pytest.mark.parametrize("text", ["voiko joku soittaa mulle siitä", "soittakaa mulle"])
def test_a_call_after_a_search_has_what_was_searched_as_its_subject(text: str) -> None:
    # the read-back shows the subject, so a wrong guess is put right before it is sent
    last = {"action": "action_digital_help", "words": ["älypuhelimen"], "topic": "digituki"}
    assert subject(text, last=last) == "älypuhelimen"


@pytest.mark.parametrize(
    "text,last",
    [
        ("voiko joku soittaa mulle siitä", None),  # nothing searched yet
        ("soittakaa mulle", {"action": "action_request_human"}),  # a person named, no words
    ],
)
def test_a_request_that_only_asks_for_a_call_asks_the_subject(text: str, last) -> None:
    assert subject(text, last=last) is None


def test_the_subject_asked_for_is_taken_as_said() -> None:
    assert subject("apua tabletin kanssa", requested="callback_subject") == "apua tabletin kanssa"


def test_a_callback_about_family_care_goes_to_whoever_near_has_it(actions_on) -> None:
    """The subject says family care: the place's service advisor whose own topics include it,
    not the liaison; a subject of no topic goes to the liaison as before."""
    from actions.handoff_actions import who_calls

    def person(pid: str, name: str, role: str, topics: list[str]) -> dict:
        return {
            "id": pid,
            "name": name,
            "roles": [role],
            "municipalities": ["Pälkäne"],
            "region": "Pirkanmaa",
            "topics": topics,
            "phone": "040 555 0000",
        }

    actions_on(
        {
            "format": "apuri-directory/1",
            "contact_persons": [
                person("p-liaison", "Jukka Nurmi", "liaison", []),
                person("p-advisor", "Anneli Virtanen", "service_advisor", ["omaishoito"]),
            ],
        }
    )

    def called(subject: str) -> str:
        tracker = at_turn(
            {"municipality": "Pälkäne", "callback_subject": subject}, {"text": "kyllä"}
        )
        return who_calls(tracker)["name"]

    care = called("äiti hoitaa isää kotona ja tarvitsee tietoa omaishoidon tuesta")
    other = called("yhdistyksen asiat")
    assert (care, other) == ("Anneli Virtanen", "Jukka Nurmi")
