"""The NLU's guards after the classifier (nlu.components), on the classifier's ranking as it comes,
without a trained model: a question about calling someone is no callback, a question that
starts with "hei" is a question, a need with a place that the classifier only leans towards an
emergency is searched (with 112 said first), and danger words always win."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.components import SafetyGuard, WordingGuard


def classified(
    text: str, ranking: list[tuple[str, float]], entities: list[tuple[str, str]] = ()
) -> Message:
    message = Message(data={"text": text})
    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", intents[0])
    message.set("intent_ranking", intents)
    message.set("entities", [{"entity": e, "value": v} for e, v in entities])
    return message


def intent_after(guard, message: Message) -> str:
    return guard.process([message])[0].get("intent")["name"]


@pytest.mark.parametrize(
    "text,intent",
    [
        ("milloin niille voi soittaa", "request_human"),
        ("voiko heille soittaa, mikä numero", "request_human"),
        ("voisiko joku soittaa minulle huomenna", "request_callback"),
        ("soittakaa numeroon 040 222 3344", "request_callback"),
    ],
)
def test_a_question_about_calling_is_no_callback(text: str, intent: str) -> None:
    message = classified(text, [("request_callback", 0.7), ("request_human", 0.2)])
    assert intent_after(WordingGuard({}), message) == intent


@pytest.mark.parametrize(
    "text,intent",
    [
        (
            "naapurin rouva tarvii apua pankkitunnusten kanssa, hän asuu kuopiossa, voisko joku "
            "soittaa hänelle",
            "request_callback",
        ),
        (
            "voisitteko soittaa äidilleni lieksaan, hän haluaa tietää kulttuuritapahtumista",
            "request_callback",
        ),
        ("voisko joku soittaa mun isälle, se asuu muhoksella", "request_callback"),
        ("voiko hänelle soittaa nyt", "request_human"),  # asks about calling the person named
        ("kenelle voin soittaa", "request_human"),
    ],
)
def test_a_call_asked_for_another_is_a_callback(text: str, intent: str) -> None:
    message = classified(text, [("request_human", 0.8), ("request_callback", 0.1)])
    assert intent_after(WordingGuard({}), message) == intent


@pytest.mark.parametrize(
    "text,searched,intent",
    [
        (
            "soittakaa numeroon 040 222 3344, en saa videopuhelua toimimaan, asun joensuussa",
            "digital_help",
            "request_callback",
        ),
        (
            "voisko joku soittaa mulle, haluun vapaaehtoiseksi kuopiossa",
            "volunteer",
            "request_callback",
        ),
        ("mihin numeroon voin soittaa digitukeen", "digital_help", "digital_help"),
        ("voiko heille soittaa, onko kuoro auki", "find_association", "find_association"),
    ],
)
def test_a_call_asked_with_a_need_is_a_callback_not_a_search(
    text: str, searched: str, intent: str
) -> None:
    message = classified(text, [(searched, 0.6), ("request_callback", 0.3)])
    assert intent_after(WordingGuard({}), message) == intent


def test_a_question_that_starts_with_a_greeting_is_a_question() -> None:
    asked = classified(
        "hei onko tyrnävällä laulupiiriä",
        [("greet", 0.5), ("find_association", 0.4)],
        [("municipality", "Tyrnävä")],
    )
    assert intent_after(WordingGuard({}), asked) == "find_association"
    for text in ("hei", "hyvää huomenta", "moi moi"):
        greeting = classified(text, [("greet", 0.6), ("find_association", 0.3)])
        assert intent_after(WordingGuard({}), greeting) == "greet"


def test_an_unsure_emergency_with_a_place_and_a_need_is_searched() -> None:
    need = classified(
        "lapsi on kipeä. rääkkylä lääkäri",
        [("emergency", 0.45), ("find_service", 0.35)],
        [("municipality", "Rääkkylä")],
    )
    after = SafetyGuard({}).process([need])[0]
    assert after.get("intent")["name"] == "find_service"
    assert any(r["name"] == "emergency" for r in after.get("intent_ranking"))
    second = classified(
        "apua tietokoneeseen lappi",
        [("digital_help", 0.56), ("emergency", 0.41)],
        [("region", "Lappi")],
    )
    assert intent_after(SafetyGuard({}), second) == "digital_help"


@pytest.mark.parametrize(
    "text,ranking,entities",
    [
        # sure enough of the danger
        (
            "mummo ei herää kuopiossa",
            [("emergency", 0.7), ("find_service", 0.2)],
            [("municipality", "Kuopio")],
        ),
        # no place: nothing to search
        ("lapsi on kipeä lääkäri", [("emergency", 0.45), ("find_service", 0.35)], []),
        # danger words win whatever the classifier says
        (
            "talo palaa kuopiossa",
            [("find_service", 0.6), ("emergency", 0.2)],
            [("municipality", "Kuopio")],
        ),
    ],
)
def test_emergencies_still_win(text: str, ranking, entities) -> None:
    message = classified(text, ranking, entities)
    assert intent_after(SafetyGuard({}), message) == "emergency"


def test_crisis_is_never_searched() -> None:
    message = classified(
        "en jaksa enää elää, kuopio",
        [("emergency", 0.4), ("find_service", 0.3), ("crisis", 0.25)],
        [("municipality", "Kuopio")],
    )
    assert intent_after(SafetyGuard({}), message) in ("crisis", "emergency")


def test_a_bare_number_is_no_danger_but_112_is() -> None:
    number = classified("123", [("emergency", 0.6), ("inform", 0.3)])
    assert intent_after(SafetyGuard({}), number) == "inform"
    assert intent_after(SafetyGuard({}), classified("112", [("inform", 0.6)])) == "emergency"
