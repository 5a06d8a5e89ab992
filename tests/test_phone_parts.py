"""The phone line's parts without a call: caller ids, transfer targets, yes and no, what is
read aloud, the SIP settings, and the directory's `sip` field."""

from __future__ import annotations

import pytest

from core.settings import PhoneLine
from finnish.forms import allative
from finnish.spoken import heard_municipality
from phone import texts
from phone.dialogue import caller_number, target
from store.directory.validate import validate


@pytest.mark.parametrize(
    ("remote", "number"),
    [
        ("<sip:+358401234567@127.0.0.1>", "+358401234567"),
        ('"Maija" <sip:0401234567@trunk.example.fi;user=phone>', "+358401234567"),
        ("<sip:anonymous@anonymous.invalid>", None),
        ("<sip:1234@pbx>", None),  # an extension is no number to call back
        ("", None),
        ("<sip:+358401234567' OR 1=1@x>", None),
    ],
)
def test_the_caller_id_is_a_number_only_when_it_is_one(remote: str, number: str | None) -> None:
    assert caller_number(remote) == number


def test_a_transfer_goes_to_the_sip_field_else_the_phone_at_the_trunk() -> None:
    assert target({"sip": "sip:1234@pbx.example.fi"}, "trunk") == "sip:1234@pbx.example.fi"
    assert target({"sip": "1234@pbx.example.fi"}, "trunk") == "sip:1234@pbx.example.fi"
    assert target({"phone": "040 555 0100"}, "pbx.example.fi") == "sip:+358405550100@pbx.example.fi"
    assert target({"phone": "040 555 0100"}, "") is None
    assert target({"phone": "ei numeroa"}, "pbx") is None


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("kyllä", True),
        ("joo on oikein", True),
        ("Kylä on.", True),  # Whisper's spelling of a synthetic "kyllä on"
        ("Kulla se on oikein.", True),
        ("ei", False),
        ("väärin", False),
        ("Kuopio", None),
        ("Glulle.", None),
        ("Jooo!", True),  # letters said long, as Whisper writes them
        ("Kylllä.", True),
        ("Jo.", True),  # "joo" heard short, alone
        ("se on jo väärin", False),
        ("Ei...", False),
        ("", None),
    ],
)
def test_yes_and_no_in_words(said: str, answer: bool | None) -> None:
    assert texts.says_yes(said) is answer


@pytest.mark.parametrize(
    ("heard", "place"),
    [
        ("Soitan Kuopiosta.", "Kuopio"),
        ("Rova ne minkään.", "Rovaniemi"),  # how Whisper heard "Rovaniemi" on the phone
        ("Asun rovani e meille.", "Rovaniemi"),
        ("Provani emmi.", "Rovaniemi"),
        ("Suoltaan tan perreelta.", "Tampere"),
        ("Jyvä skylä", "Jyväskylä"),
        ("Haluan puhua ihmiselle", None),  # "haluan" is a word, not Halsua
        ("tarvitsen apua tabletin kanssa", None),
        ("Glulle.", None),
        ("", None),
    ],
)
def test_a_place_is_heard_also_when_speech_recognition_bends_it(heard: str, place) -> None:
    assert heard_municipality(heard) == place


def test_toista_repeats_but_a_sentence_with_mita_does_not() -> None:
    assert texts.asks_repeat("toista") and texts.asks_repeat("mitä sanoit")
    assert not texts.asks_repeat("mitä harrastuksia Kuopiossa on tarjolla")


def test_at_most_two_records_are_read_with_their_numbers_as_words() -> None:
    records = [
        {"name": "Kuopion Kamarikuoro", "municipalities": ["Kuopio"], "phone": "040 555 0102"},
        {"name": "Savon Laulajat", "municipalities": ["Kuopio"]},
        {"name": "Kolmas", "municipalities": ["Kuopio"]},
    ]
    read = texts.found(records)
    assert read.startswith(texts.FOUND) and "Kolmas" not in read
    assert "Yksi. Kuopion Kamarikuoro, puhelin 040 555 0102." in read
    assert "Kaksi. Savon Laulajat, Kuopio." in read
    assert texts.found(records[:1]) == "Löysin tämän: Kuopion Kamarikuoro, puhelin 040 555 0102."


def test_the_offer_names_the_person_to_whom() -> None:
    person = {"name": "Oskari Rautio"}
    assert texts.offer(person, True).startswith("Yhdistänkö sinut nyt Oskari Rautiolle?")
    assert texts.offer(person, False).startswith("Oskari ei vastaa juuri nyt.")
    assert [allative(n) for n in ("Kaisa Korhonen", "Liisa Berg")] == [
        "Kaisa Korhoselle",
        "Liisa Bergille",
    ]


def test_the_trunk_is_the_registrars_domain() -> None:
    line = PhoneLine("sip:apuri@pbx.example.fi", "", "sip:pbx.example.fi:5060", "127.0.0.1", 0)
    assert line.on and line.trunk() == "pbx.example.fi:5060"
    assert PhoneLine("", "", "", "127.0.0.1", 5070).trunk() == ""
    off = PhoneLine("", "", "", "127.0.0.1", 0)
    assert not off.on and "APURI_SIP_PORT" in off.why_off()


@pytest.mark.parametrize(
    ("sip", "error"),
    [("sip:1234@pbx.example.fi", False), ("liisa@127.0.0.1:5080", False), ("<script>", True)],
)
def test_the_directory_takes_a_sip_address_for_a_person(sip: str, error: bool) -> None:
    document = {
        "format": "apuri-directory/1",
        "contact_persons": [{"id": "p-1", "name": "Liisa", "sip": sip}],
    }
    errors = validate(document)
    assert bool(errors) is error
    if error:
        assert "contact_persons[0].sip" in errors[0]


def test_health_says_the_phone_line_is_off_and_why(stack) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{stack.url}/health", timeout=10) as resp:
        phone = json.load(resp)["phone"]
    assert phone == {
        "ok": False,
        "state": "off",
        "reason": "APURI_SIP_URI and APURI_SIP_PORT are unset",
    }
