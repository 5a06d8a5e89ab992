"""Conversations with the trained model and a real action server."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
import yaml

from actions import texts
from core import clock
from tests.conftest import BIN, ROOT, fixture_record

DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


def joined(replies: list[str]) -> str:
    return " ".join(replies)


def test_emergency_answers_112_first(chat) -> None:
    replies = chat.say("mummo kaatui eikä pääse ylös")
    assert replies and "112" in replies[0]


def test_crisis_answers_crisis_line_first(chat) -> None:
    replies = chat.say("en jaksa enää elää")
    assert replies and "09 2525 0111" in replies[0]
    assert "112" in joined(replies)


def test_safety_wins_mid_conversation(chat) -> None:
    chat.say("hei")
    chat.say("onko Kuopiossa kuoroja")
    assert "112" in chat.say("talo palaa")[0]
    chat.say("mitä sanoit")
    assert "09 2525 0111" in chat.say("haluan kuolla")[0]


def test_safety_wins_when_the_classifier_is_unsure(chat) -> None:
    # misspelt, speech-style and mixed with other words: the safety guard still catches them
    assert "112" in chat.say("öö tota soittakaa ambulanssi nyt heti kiitos")[0]
    assert "09 2525 0111" in chat.say("ajattelen itsemurhaa enkä tiedä mitä teen")[0]


def test_help_is_three_short_lines(chat) -> None:
    reply = chat.say("mitä sä osaat")
    assert len(reply) == 1
    lines = reply[0].splitlines()
    assert len(lines) == 3
    assert all(len(line) <= 100 for line in lines)


def test_repeat_repeats_the_last_bot_message(chat) -> None:
    first = chat.say("mitä sä osaat")
    assert chat.say("mitä sanoit") == first
    assert chat.say("toista") == first


def test_repeat_at_the_start_says_nothing_to_repeat(chat) -> None:
    assert chat.say("toista") and "En ole vielä sanonut" in chat.say("toista")[0]


def test_restart_starts_over_and_forgets_slots(chat) -> None:
    chat.say("onko Kuopiossa kuoroja")
    assert chat.slots().get("municipality") == "Kuopio"
    replies = chat.say("aloitetaan alusta")
    assert replies and "alusta" in replies[0].lower()
    assert chat.slots().get("municipality") is None


def test_municipality_and_topic_persist_across_turns(chat) -> None:
    chat.say("onks Rovaniemellä liikuntaseuroja")
    chat.say("kiitos")
    chat.say("entä tapahtumia")
    slots = chat.slots()
    assert slots.get("municipality") == "Rovaniemi"
    assert slots.get("topic") == "liikunta"


def test_inform_municipality_is_acknowledged_and_remembered(chat) -> None:
    reply = chat.say("Iissä")
    assert reply and "Ii" in reply[0]
    assert chat.slots().get("municipality") == "Ii"
    assert chat.slots().get("region") == "Pohjois-Pohjanmaa"


def test_named_contact_person_comes_from_the_directory(chat) -> None:
    reply = joined(chat.say("kuka on Kuopion järjestöyhdyshenkilö"))
    assert "Maija Esimerkki" in reply
    assert "040 555 0102" in reply


def test_associations_come_from_the_directory(chat) -> None:
    reply = joined(chat.say("onko Kuopiossa kuoroja"))
    assert "Lauluveikot" in reply
    assert "040 555 0101" in reply
    assert "Haluatko lisää" in reply


def test_missing_municipality_is_asked_and_the_question_answered(chat) -> None:
    assert "Missä kunnassa" in joined(chat.say("mä etsin jotain jumppaa eläkeläisille"))
    reply = joined(chat.say("Iissä"))
    assert "Iin Eläkeläiset" in reply


def test_nothing_in_the_municipality_falls_back_to_the_region(chat) -> None:
    reply = joined(chat.say("onko Pielavedellä yhdistyksiä"))
    assert "Pielavesi: en löytänyt. Lähimpänä, maakunnassa Pohjois-Savo:" in reply
    assert "Lauluveikot" in reply


def test_events_are_upcoming_with_finnish_dates(chat) -> None:
    event = fixture_record("events", "ev-1")  # 73 days from today, 18:00 in Helsinki
    when = texts.short_date(dt.datetime.fromisoformat(event["start"]))
    reply = joined(chat.say("mitä tapahtumia on tulossa Kuopiossa"))
    assert f"{when}: Järjestöfoorumi" in reply
    assert "Mennyt kevätkokous" not in reply  # yesterday's event is not upcoming


def test_grants_show_days_left(chat) -> None:
    grant = fixture_record("grants", "gr-1")
    days = (dt.date.fromisoformat(grant["deadline"]) - clock.today()).days
    reply = joined(chat.say("mistä yhdistys voi hakea avustusta Kuopiossa"))
    assert "Toiminta-avustus (Kuopion kaupunki), haku päättyy" in reply
    assert f"{days} päivää aikaa" in reply
    assert "Päättynyt kohdeavustus" not in reply  # its deadline has passed


def test_out_of_scope_offers_a_human(chat) -> None:
    reply = joined(chat.say("millainen sää on huomenna"))
    assert "ihmiselle" in reply


def test_two_misunderstandings_in_a_row_offer_a_human_directly(chat) -> None:
    first = joined(chat.say("qwpoeiru zxmcnv"))
    assert "en ymmärtänyt" in first.lower()
    second = joined(chat.say("asdlkfj qweoiu"))
    assert "Ihminen auttaa paremmin" in second and "Missä kunnassa" in second
    assert "Maija Esimerkki" in joined(chat.say("Kuopiossa"))  # the person, not a question


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "🙂🙂🙂",
        "x" * 20_000,
        "'; DROP TABLE events; --",
        "\x00\x01",
        "<script>alert(1)</script>",
        "ÃƒÂ¤ÃƒÂ¶",
        "a" * 3 + "\u202e" + "b" * 3,
    ],
)
def test_bad_input_gets_a_finnish_answer_and_the_bot_keeps_running(chat, text: str) -> None:
    reply = joined(chat.say(text))
    fixed = [r["text"] for rs in DOMAIN["responses"].values() for r in rs if "{" not in r["text"]]
    assert any(sentence in reply for sentence in fixed), reply  # one of the bot's own answers
    assert "<script>" not in reply and "DROP TABLE" not in reply
    assert "112" in chat.say("talo palaa")[0]


def test_rasa_test_stories_pass(model_path, tmp_path) -> None:
    """`rasa test core` on the end-to-end stories in tests/stories (safety, fallback, repeat…)."""
    out = tmp_path / "results"
    proc = subprocess.run(
        [
            str(BIN / "rasa"),
            "test",
            "core",
            "--model",
            str(model_path),
            "--stories",
            "tests/stories",
            "--out",
            str(out),
            "--fail-on-prediction-errors",
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == 0, detail


def test_join_cooperation_explains_and_names_the_liaison(chat) -> None:
    reply = joined(chat.say("miten meidän yhdistys pääsee mukaan järjestöneuvostoon Kuopiossa"))
    assert "järjestöneuvosto" in reply.lower()
    assert "Maija Esimerkki" in reply


def test_volunteer_asks_the_place_first(chat) -> None:
    reply = joined(chat.say("haluaisin ryhtyä vapaaehtoiseksi"))
    assert "Missä kunnassa" in reply
    after = joined(chat.say("Kuopiossa"))
    assert "Maija Esimerkki, järjestöyhdyshenkilö, puh. 040 555 0102" in after


def test_words_of_the_question_find_names_and_descriptions(chat) -> None:
    assert "Iin Eläkeläiset" in joined(chat.say("onko Iissä tuolijumppaa"))
    assert "Lauluveikot" in joined(chat.say("löytyykö Kuopiosta mieskuoroa"))


def test_yes_after_more_shows_the_next_results(chat) -> None:
    first = joined(chat.say("onko Kuopiossa kuoroja"))
    assert "Haluatko lisää" in first
    more = joined(chat.say("kyllä"))
    shown_first = {
        n for n in ("Lauluveikot", "Kamarikuoro", "Savon Laulajat", "Naiskuoro") if n in first
    }
    shown_more = {
        n for n in ("Lauluveikot", "Kamarikuoro", "Savon Laulajat", "Naiskuoro") if n in more
    }
    assert len(shown_first) == 3 and len(shown_more) == 1 and not shown_first & shown_more
    assert "Siinä olivat kaikki" in more
    # the open question is now "shall I direct you to a human?": yes names the person
    assert "Maija Esimerkki" in joined(chat.say("joo"))


def test_no_after_more_closes_the_question(chat) -> None:
    assert "Haluatko lisää" in joined(chat.say("onko Kuopiossa kuoroja"))
    assert "Selvä" in joined(chat.say("ei kiitos"))
    # nothing is open any more: "yes, help me further", so the person for the place
    reply = joined(chat.say("kyllä"))
    assert "Maija Esimerkki" in reply and "Naiskuoro" not in reply


def test_nothing_near_says_so_and_names_the_person_for_the_place(chat) -> None:
    """A pensioners' club in Ii is no answer in Utsjoki: the person who knows the place is
    (only what serves all of Finland is listed from across the country)."""
    reply = joined(chat.say("onko Utsjoella eläkeläisten kerhoja"))
    assert "Utsjoki: en löytänyt tätä läheltä. Täältä saat apua:" in reply
    assert "Marjatta Kivelä, järjestöyhdyshenkilö" in reply
    assert "Iin Eläkeläiset" not in reply


def test_yes_to_a_human_names_the_person_for_the_place(chat) -> None:
    chat.say("onko Kuopiossa kuoroja")
    offer = joined(chat.say("millainen sää on huomenna"))
    assert "Haluatko, että ohjaan sinut ihmiselle?" in offer
    reply = joined(chat.say("kyllä"))
    assert "Maija Esimerkki, järjestöyhdyshenkilö, puh. 040 555 0102" in reply
    assert "Kerro, mitä etsit" not in reply


def test_yes_to_a_human_asks_the_place_first_and_then_names_the_person(chat) -> None:
    assert "ihmiselle" in joined(chat.say("kerro vitsi"))
    assert "Missä kunnassa" in joined(chat.say("joo"))
    assert "Maija Esimerkki" in joined(chat.say("Kuopiossa"))


def test_no_to_a_human(chat) -> None:
    chat.say("kerro vitsi")
    reply = joined(chat.say("ei"))
    assert "Selvä" in reply and "puh." not in reply


def test_yes_to_starting_over_forgets_the_place(chat) -> None:
    chat.say("onko Kuopiossa kuoroja")
    assert "Haluatko aloittaa alusta?" in joined(chat.say("hei"))
    assert "alusta" in joined(chat.say("kyllä")).lower()
    assert chat.slots().get("municipality") is None


def test_no_to_starting_over_keeps_the_place(chat) -> None:
    chat.say("onko Kuopiossa kuoroja")
    assert "Haluatko aloittaa alusta?" in joined(chat.say("moi"))
    assert "jatketaan" in joined(chat.say("ei")).lower()
    assert chat.slots().get("municipality") == "Kuopio"


def test_a_callback_request_asks_for_the_number_and_can_be_cancelled(chat) -> None:
    """The whole request, delivery included, is tested through the gateway in
    test_callback.py; here the dialogue: it asks, and "peru" ends it with a person named."""
    chat.say("asun Kuopiossa")
    reply = joined(chat.say("voisko joku soittaa mulle"))
    assert "Mihin numeroon hän soittaa?" in reply
    cancelled = joined(chat.say("peru"))
    assert "en tallentanut mitään" in cancelled
    assert "Maija Esimerkki, järjestöyhdyshenkilö, puh. 040 555 0102" in cancelled


def test_feedback_promises_nothing(chat) -> None:
    chat.say("asun Kuopiossa")
    reply = joined(chat.say("haluaisin antaa palautetta tästä palvelusta"))
    assert "välitän sen eteenpäin" not in reply
    assert "Maija Esimerkki" in reply


def test_the_person_named_follows_what_was_asked(chat) -> None:
    chat.say("tarvitsen apua tietokoneen kanssa Rovaniemellä")
    reply = joined(chat.say("haluan puhua ihmisen kanssa"))
    assert "Sari Niemi, digituutori" in reply  # digital help: the digital support person
    assert "Marjatta Kivelä" not in reply


def test_several_associations_listed_the_liaison_helps(chat) -> None:
    listed = joined(chat.say("mitä yhdistyksiä Kiteellä on"))
    assert "Kiteen Urheilijat" in listed and "Kiteen Kirkkokuoro" in listed
    reply = joined(chat.say("haluan puhua ihmisen kanssa"))
    assert "Pekka Räsänen" in reply and "Timo Laine" not in reply


def test_an_association_named_brings_its_own_contact(chat) -> None:
    chat.say("mitä yhdistyksiä Kiteellä on")
    reply = joined(chat.say("haluan puhua Kiteen Urheilijoiden yhteyshenkilön kanssa"))
    assert "Timo Laine, seuran yhteyshenkilö, puh. 040 123 4567" in reply
    assert "Pekka Räsänen" not in reply


def test_the_only_association_listed_brings_its_own_contact(chat) -> None:
    chat.say("onko Kiteellä urheiluseuroja")
    assert "Timo Laine" in joined(chat.say("voinko puhua jonkun ihmisen kanssa"))


def test_the_region_follows_the_municipality(chat) -> None:
    first = joined(chat.say("onko Rovaniemellä liikuntaseuroja"))
    assert "Rovaniemen Liikuntaseura" in first
    assert chat.slots().get("region") == "Lappi"
    reply = joined(chat.say("entä Tervossa kuoroja"))
    assert chat.slots().get("municipality") == "Tervo"
    assert chat.slots().get("region") == "Pohjois-Savo"
    assert "maakunnassa Pohjois-Savo" in reply and "Lauluveikot" in reply
    assert "Kemin Mieslaulajat" not in reply  # a choir in Lappi, the old region


def test_a_new_region_drops_a_municipality_outside_it(chat) -> None:
    chat.say("asun Kuopiossa")
    chat.say("entä Lapissa")
    assert chat.slots().get("region") == "Lappi"
    assert chat.slots().get("municipality") is None


@pytest.mark.parametrize(
    "question,unrelated",
    [
        (
            "onko Kiteellä shakkikerhoa",
            ["Kiteen Urheilijat", "Kiteen Kirkkokuoro", "Kyläyhdistysten Liitto"],
        ),
        ("onko Kiteellä mitään bridgekerhoa", ["Kiteen Urheilijat", "Kiteen Kirkkokuoro"]),
    ],
)
def test_a_topic_nobody_offers_lists_nothing_unrelated(chat, question, unrelated) -> None:
    reply = joined(chat.say(question))
    assert "Kitee: en löytänyt" in reply
    assert "Pekka Räsänen" in reply  # the region's liaison is named
    for name in unrelated:
        assert name not in reply


def test_a_hobby_search_lists_only_that_hobby(chat) -> None:
    reply = joined(chat.say("mites rovaniemellä jumppaa"))
    assert "Rovaniemen Liikuntaseura" in reply
    assert "digitukipiste" not in reply


def test_a_bare_place_after_a_search_asks_the_same_there(chat) -> None:
    assert "Kiteen Kirkkokuoro" in joined(chat.say("onko Kiteellä kuoroja"))
    reply = joined(chat.say("entä Kuopiossa?"))
    assert "Lauluveikot" in reply or "Kamarikuoro" in reply or "Naiskuoro" in reply, reply
    assert "Iin Eläkeläiset" not in reply
    nothing = joined(chat.say("onko Kiteellä shakkikerhoa"))
    assert "Kitee: en löytänyt" in nothing
    again = joined(chat.say("entäs Ii"))  # still chess: nothing, and nothing unrelated listed
    assert "Iin Eläkeläiset" not in again and "en löytänyt" in again


def test_unmet_needs_are_counted_without_words(chat, directory_url: str) -> None:
    from store.handoff import Handoffs

    def count(kind: str, municipality: str) -> int:
        return sum(
            n["count"]
            for n in Handoffs(directory_url).needs()
            if n["kind"] == kind and n["municipality"] == municipality
        )

    before = {k: count(k, "Kitee") for k in ("not_found", "fallback", "feedback")}
    chat.say("onko Kiteellä shakkikerhoa")
    chat.say("qwpoeiru zxmcnv")
    chat.say("haluaisin antaa palautetta tästä palvelusta")
    assert count("not_found", "Kitee") == before["not_found"] + 1
    assert count("fallback", "Kitee") == before["fallback"] + 1
    assert count("feedback", "Kitee") == before["feedback"] + 1
    assert all(
        set(n) == {"week", "municipality", "topic", "kind", "count"}
        for n in Handoffs(directory_url).needs()
    )


def test_a_topic_after_one_record_searches_the_place_it_named(chat) -> None:
    """ "milloin Kiteen Urheilijat harjoittelee" answers about one record; "entä kuoroja?" searches
    Kitee, not "Missä kunnassa asut?"."""
    first = joined(chat.say("milloin kiteen urheilijat harjoittelee"))
    assert "Kiteen Urheilijat" in first, first
    reply = joined(chat.say("entä kuoroja?"))
    assert "Kiteen Kirkkokuoro" in reply and "Missä kunnassa" not in reply, reply
