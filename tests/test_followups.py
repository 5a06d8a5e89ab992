"""Issue 18 follow-ups and search precision, without a model or a server: derivations are not
compound parts ("toiminta" is one word), colloquial asking words and verbs are no content, a
person named by first and last name is the one meant, a record named by a word beside what was
told last and an organization's next own event, and the search listing only the records that
match the most of what is asked (and another sort beside records listed without the words only
by its name). On a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk import Tracker

import finnish
from actions.records import find_record, named_beside, named_person, next_event_of
from actions.search import Query, search
from core import clock
from finnish.asking import asked_fields, asks_for_a_person
from finnish.morphology import compound_boundaries, compound_parts, lemmas
from store.directory import Directory
from store.directory.store import index_terms
from tests.conftest import fixture_document
from tests.helpers import at_turn


@pytest.fixture
def directory(each_database: str) -> Directory:
    store = Directory(each_database)
    store.import_document(fixture_document())
    return store


def at(days: int, hour: int = 18) -> str:
    day = clock.today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.HELSINKI).isoformat()


def own_document() -> dict:
    """Vieremä: a sports club with exercise for pensioners, a pensioners' club and home care
    that only serve them. Nurmes: a memory association with no time of its own and its café
    twice (the next one in 9 days), a past one and someone else's concert sooner."""

    def org(rid: str, name: str, kind: str, description: str, place: str) -> dict:
        return {
            "id": rid,
            "name": name,
            "kind": kind,
            "description": description,
            "municipalities": [place],
        }

    def event(rid: str, title: str, days: int, organization: str | None = None) -> dict:
        found = {"id": rid, "title": title, "start": at(days), "municipality": "Nurmes"}
        return {**found, "organization_id": organization} if organization else found

    return {
        "format": "apuri-directory/1",
        "organizations": [
            org(
                "o-sport",
                "Vieremän Voima",
                "association",
                "Jumppaa ja kuntosalia eläkeläisille.",
                "Vieremä",
            ),
            org(
                "o-pens",
                "Vieremän Eläkeläiset ry",
                "association",
                "Kahvia ja kerhoiltoja eläkeläisille.",
                "Vieremä",
            ),
            org(
                "o-care",
                "Vieremän kotihoito",
                "public_service",
                "Kotihoitoa eläkeläisille ja muille ikääntyneille.",
                "Vieremä",
            ),
            org(
                "o-memory",
                "Nurmeksen Muistiyhdistys",
                "association",
                "Vertaistukea muistisairaille ja heidän läheisilleen.",
                "Nurmes",
            ),
        ],
        "events": [
            event("e-later", "Muistikahvila", 30, "o-memory"),
            event("e-next", "Muistikahvila", 9, "o-memory"),
            event("e-past", "Muistikahvila", -2, "o-memory"),
            event("e-other", "Kevätkonsertti", 2),
        ],
    }


@pytest.fixture
def own(each_database: str) -> Directory:
    store = Directory(each_database)
    store.import_document(own_document())
    return store


def ask(
    directory: Directory, text: str, municipality: str, prefer: str | None, any_record: bool = False
) -> list[str]:
    topic = next((e.value for e in finnish.extract_entities(text) if e.entity == "topic"), None)
    query = Query(
        words=finnish.content_words(text), topic=topic, municipality=municipality, prefer=prefer
    )
    found, _ = search(directory, query, any_record=any_record)
    return [r.get("name") or r.get("title") for r in found]


def told(text: str, *results: tuple[str, str]) -> Tracker:
    """A conversation whose last search listed `results` and whose latest message is `text`."""
    slots = {"last_search": {"results": [list(r) for r in results]}}
    return at_turn(slots, {"text": text})


def shown(found: tuple[str, dict] | None) -> tuple[str, str] | None:
    return None if found is None else (found[0], found[1]["id"])


# 1. derivations are not compound parts


def test_a_derivation_is_one_word() -> None:
    assert compound_parts("toimintaa") == set() and compound_parts("toiminta") == set()
    assert compound_boundaries("toiminta") == [0]
    assert compound_parts("kuorotoiminta") == {"kuoro", "toiminta"}
    assert compound_boundaries("kuorotoiminta") == [0, 5]


def test_real_compounds_still_split() -> None:
    assert compound_parts("liikuntaryhmä") == {"liikunta", "ryhmä"}
    assert compound_parts("asuinkunta") == {"asuin", "kunta"}


def test_a_derivation_indexes_no_pieces() -> None:
    terms = index_terms("kylätoimintaa")
    assert {"kylä", "kylätoiminta"} <= terms
    assert "nta" not in terms and "toimi" not in terms


# 2. what is no content


@pytest.mark.parametrize(
    "text,expected",
    [
        ("pankkitunnukset ei toimi", ["pankkitunnukset"]),
        ("voisko joku soittaa mulle, asun Kuopiossa", []),
    ],
)
def test_content_words(text: str, expected: list[str]) -> None:
    assert finnish.content_words(text) == expected


# 3. a person named by first and last name


@pytest.mark.parametrize(
    "text,surname,person",
    [
        ("saisinko Pekka Räsäseen yhteyden", "Räsäseen", "p-karjala"),
        ("mulla ois asiaa liisa virtaselle", "virtaselle", "p-ii"),
        ("mulla ois asiaa timo laineelle kuorolaulusta", "laineelle", "p-kitee-sport"),
        ("voisinko jutella marjatta kivelän kanssa", "kivelän", "p-lappi"),
    ],
)
def test_a_person_named_by_whole_name_is_meant(
    directory, text: str, surname: str, person: str
) -> None:
    base = directory.get("contact_persons", person)["name"].split()[-1].lower()
    assert base in lemmas(surname)  # the surname is inflected as Finnish inflects it
    assert shown(find_record(text, directory, "association")) == ("contact_persons", person)
    assert (named_person(text, directory) or {}).get("id") == person


@pytest.mark.parametrize("text", ["saisinko Pekalle yhteyden", "mulla ois asiaa liisalle"])
def test_a_first_name_alone_names_nobody(directory, text: str) -> None:
    assert find_record(text, directory, "association") is None
    assert named_person(text, directory) is None


# 4. a record named beside what was told; an organization's next own event


def test_an_own_event_named_beside_the_organization(directory) -> None:
    text = "milloin se järjestöfoorumi on"
    assert shown(named_beside(text, directory, told(text, ("organizations", "org-1")))) == (
        "events",
        "ev-1",
    )
    assert named_beside(text, directory, told(text, ("organizations", "org-kitee-sport"))) is None


@pytest.mark.parametrize("text", ["milloin se muistikahvila on", "milloin se kevätkokous on"])
def test_a_word_naming_nothing_upcoming_names_nothing(directory, text: str) -> None:
    """No such record; "Mennyt kevätkokous" of the same choir is past."""
    assert named_beside(text, directory, told(text, ("organizations", "org-1"))) is None


def test_the_next_of_two_alike_own_events(own) -> None:
    text = "milloin se muistikahvila on"
    found = named_beside(text, own, told(text, ("organizations", "o-memory")))
    assert shown(found) == ("events", "e-next") and found[1]["start"] == at(9)


def test_next_event_of_an_organization_without_times(own, directory) -> None:
    assert shown(next_event_of(own, own.get("organizations", "o-memory"))) == ("events", "e-next")
    # the choir's card says when it meets: no event answers for it
    assert next_event_of(directory, directory.get("organizations", "org-1")) is None
    assert next_event_of(own, own.get("organizations", "o-sport")) is None  # no events


# 5. search precision


@pytest.mark.parametrize("prefer", ["association", "public_service"])
def test_records_matching_the_most_of_the_question(own, prefer: str) -> None:
    """The club with exercise for pensioners; not the pensioners' club or the home care that
    only serve them (who it is for counts only alone)."""
    assert ask(own, "jumppaa eläkeläisille", "Vieremä", prefer) == ["Vieremän Voima"]
    alone = ask(own, "eläkeläisille", "Vieremä", "association")
    assert {"Vieremän Eläkeläiset ry", "Vieremän Voima"} <= set(alone)


def test_another_sort_beside_records_without_the_words_only_by_its_name(directory) -> None:
    """Every support point answers a digital question; the sports club whose description says
    "kuntosalia" is not listed beside it, the one named by the word is."""
    found = ask(directory, "kuntosalia", "Rovaniemi", "digital_support", any_record=True)
    assert found == ["Rovaniemen digitukipiste"]
    found = ask(directory, "liikuntaseura", "Rovaniemi", "digital_support", any_record=True)
    assert found == ["Rovaniemen digitukipiste", "Rovaniemen Liikuntaseura"]


def test_help_one_must_go_to_is_not_listed_from_across_the_country(directory) -> None:
    """ "apua tabletin kanssa" in a place with no support point near: the national list is no
    answer for digital help (the action names the place's person), but words still widen for
    other sorts."""
    query = Query(
        words=finnish.content_words("apua tabletin kanssa"),
        municipality="Kuopio",
        prefer="digital_support",
    )
    found, scope = search(directory, query, any_record=True, far_by_topic=False)
    assert scope == "national" and "Rovaniemen digitukipiste" in [r["name"] for r in found]
    assert search(directory, query, any_record=True, far_by_topic=False, far_by_words=False) == (
        [],
        "none",
    )


@pytest.mark.parametrize(
    "text,fields",
    [
        ("mihin numeroon soitan", ["phone"]),
        ("mihin voin soittaa", ["phone"]),
        ("mihin aikaan se on auki", ["when"]),
        ("mihin se on muuttanut", ["where"]),
        ("sunnuntai?", ["when"]),
        ("entä lauantaina", ["when"]),  # a day alone: open then?
        ("onko sunnuntaina tapahtumia", []),
        ("entä", []),  # a search, and nothing asked
    ],
)
def test_which_number_asks_the_phone_not_the_place(text: str, fields: list[str]) -> None:
    assert asked_fields(text) == fields


def test_a_role_asks_for_the_person() -> None:
    assert asks_for_a_person("kuka on muuramen digituen neuvoja")
    assert asks_for_a_person("kuka on kunnan järjestöyhdyshenkilö")
    assert not asks_for_a_person("kuka auttaa koneen kanssa")


def test_where_reads_a_place_word_standing_alone() -> None:
    """ "missä" of a card whose description says "Ilmajoen kirjastolla": that sentence."""
    from actions import texts

    card = {
        "id": "o",
        "name": "Kuuloyhdistys",
        "description": "Neuvontaa kuukauden toisena tiistaina klo 10–12 Ilmajoen kirjastolla.",
    }
    assert "Ilmajoen kirjastolla" in texts.record_answer(card, ["where"], {}, None)


def test_a_record_with_only_its_pages_points_to_them() -> None:
    from actions import texts

    answer = texts.record_answer(
        {"id": "k", "name": "Kela", "website": "https://www.kela.fi"}, ["contact"], {}, None
    )
    assert answer.endswith("Tätä tietoa ei ole hakemistossa; katso: https://www.kela.fi.")


@pytest.mark.parametrize(
    "in_telegram,offer", [(True, "utter_offer_live"), (False, "utter_offer_call")]
)
def test_a_role_question_offers_the_person_as_a_human_request_does(
    actions_on, monkeypatch, in_telegram: bool, offer: str
) -> None:
    """ "kuka on Rovaniemen digituen neuvoja": the person in that role, and a chat with them here
    when they are in Telegram now (as "saisinko ihmisen"), else a call back."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    document = fixture_document()
    for person in document["contact_persons"]:
        if person["id"] == "p-rovaniemi-digi":
            person.update(telegram_chat_id="4242" if in_telegram else None, opening_hours="24/7")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-used")
    actions_on(document)
    dispatcher = CollectingDispatcher()
    tracker = at_turn(
        {"municipality": "Rovaniemi"},
        {"text": "kuka on rovaniemen digituen neuvoja", "entities": []},
    )
    events = directory_actions.ActionDigitalHelp().run(dispatcher, tracker, {})
    said = [m.get("response") for m in dispatcher.messages]
    person = next(m["person"] for m in dispatcher.messages if m.get("person"))
    assert person.startswith("Sari Niemi") and said[-1] == offer
    live = [e["value"] for e in events if e.get("name") == "live_person"]
    assert live == (["p-rovaniemi-digi"] if in_telegram else [])


def detail_document() -> dict:
    """A hall with a piano, a forum one may join remotely and the one kantele group."""
    return {
        "format": "apuri-directory/1",
        "organizations": [
            {
                "id": "o-kantele",
                "name": "Rääkkylän Kanteleensoittajat ry",
                "kind": "association",
                "municipalities": ["Rääkkylä"],
                "description": "Ryhmä soittaa torstaisin klo 17–19. "
                "Lainakanteleita on, joten omaa soitinta ei tarvita.",
            },
            {
                "id": "o-nature",
                "name": "Inarin Luonto ja Erä ry",
                "kind": "association",
                "municipalities": ["Inari"],
                "description": "Järjestämme luontoretkiä ja talkoita.",
            },
        ],
        "spaces": [
            {
                "id": "s-hall",
                "name": "Kemin harjoitussali",
                "municipality": "Kemi",
                "price": "15 €/h",
                "description": "Sali kuoroille. Salissa on piano.",
                "accessibility": "Esteetön sisäänkäynti.",
            },
        ],
        "events": [
            {
                "id": "e-trip",
                "title": "Syksyinen luontoretki",
                "start": at(20, 10),
                "municipality": "Inari",
                "organization_id": "o-nature",
                "description": "Opastettu retki lähimaastoon. Retkellä tarjotaan keitto.",
            },
            {
                "id": "e-forum",
                "title": "Savon järjestöfoorumi",
                "start": at(40, 12),
                "municipality": "Sonkajärvi",
                "description": "Järjestöt keskustelevat yhteistyöstä. "
                "Foorumiin voi osallistua myös etänä.",
            },
        ],
    }


@pytest.mark.parametrize(
    "results,text,says",
    [
        ([("spaces", "s-hall")], "onko siellä piano", "Salissa on piano."),
        ([("spaces", "s-hall")], "pääseekö sinne pyörätuolilla esteettömästi", "Esteetön"),
        ([("events", "e-forum")], "voiko sinne osallistua etänä", "myös etänä"),
        ([("organizations", "o-kantele")], "tarviiko olla oma kantele", "omaa soitinta ei tarvita"),
        # the association's own event, named by the last part of its name
        ([("organizations", "o-nature")], "onko niillä retkiä tulossa", "Syksyinen luontoretki:"),
        ([("spaces", "s-hall")], "paljonko tunti maksaa", "Hinta: 15 €/h."),  # a unit, not a thing
        # a word alike of what the text says
        ([("events", "e-trip")], "saako siellä syötävää", "Retkellä tarjotaan keitto."),
    ],
)
def test_a_yes_or_no_question_is_answered_from_the_records_own_words(
    each_database: str, results, text: str, says: str
) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.records import answer_about_record

    store = Directory(each_database)
    store.import_document(detail_document())
    dispatcher = CollectingDispatcher()
    events = answer_about_record(dispatcher, told(text, *results), lambda: store)
    assert events is not None and says in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "results,text",
    [
        ([("spaces", "s-hall")], "onko siellä sauna"),  # the hall does not say: a search
        ([("spaces", "s-hall")], "onko kemissä pianoa"),  # a place: a new search
        ([("spaces", "s-hall"), ("events", "e-forum")], "onko piano"),  # two told, no pointing
        ([("spaces", "s-hall")], "onko siellä tietokone"),  # one part alike: "kuoroille" ≠ "kone"
    ],
)
def test_a_question_the_told_record_does_not_answer_is_searched(
    each_database: str, results, text: str
) -> None:
    from actions.records import told_detail

    store = Directory(each_database)
    store.import_document(detail_document())
    assert told_detail(text, store, told(text, *results)) is None


def test_a_shortened_compound_names_the_record(directory) -> None:
    """ "digituki" is the leading parts of "digitukipiste": "maksaako rovaniemen digituki"."""
    found = find_record("maksaako rovaniemen digituki jotain", directory)
    assert found is not None and found[1]["id"] == "org-rovaniemi-digi"


def test_a_field_word_inside_the_records_name_asks_nothing() -> None:
    from actions.records import fields_asked_of

    record = {"title": "Pankkitunnukset puhelimeen – opastusilta"}
    assert fields_asked_of("mitä pitää ottaa mukaan puhelimeen-iltaan", record) == []
    assert fields_asked_of("mikä on sen puhelinnumero", record) == ["phone"]


def test_a_need_worded_far_from_the_record_finds_it(own) -> None:
    """ "isäni ei enää pärjää kotona": "pärjätä" is a need (home care), not a way of asking."""
    assert "pärjää" in finnish.content_words("isäni ei enää oikein pärjää kotona")
    found = ask(own, "isäni ei enää oikein pärjää kotona", "Vieremä", "public_service")
    assert found[0] == "Vieremän kotihoito"


@pytest.mark.parametrize(
    "text,results,says",
    [
        # right after a record, "kuka siellä vastaa" asks for its contact
        ("kuka siellä vastaa", [("organizations", "o-kantele")], "Yhteyshenkilö: Merja Hirvonen"),
        ("kuka siellä vastaa", [], "utter_bot_challenge"),  # nothing told: Apuri is a program
        ("ootko sä oikee ihminen", [("organizations", "o-kantele")], "utter_bot_challenge"),
    ],
)
def test_who_answers_there_after_a_record_is_its_contact(
    actions_on, text: str, results, says: str
) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.actions import ActionBotChallenge

    document = detail_document()
    merja = {
        "id": "p-merja",
        "name": "Merja Hirvonen",
        "roles": [],
        "phone": "040 555 3051",
        "municipalities": ["Rääkkylä"],
    }
    document["contact_persons"] = [merja]
    document["organizations"][0]["contact_person_id"] = "p-merja"
    actions_on(document)
    dispatcher = CollectingDispatcher()
    ActionBotChallenge().run(dispatcher, told(text, *results), {})
    said = dispatcher.messages[0]
    assert says in (said.get("text") or said.get("response") or "")


def test_a_phrase_of_asking_is_no_name(directory) -> None:
    """ "mika paiva" (no umlauts) asks when of what was told; its words name nothing."""
    tracker = told("mika paiva", ("organizations", "org-rovaniemi-digi"))
    found = find_record("mika paiva", directory, None, tracker)
    assert found is not None and found[1]["id"] == "org-rovaniemi-digi"


def test_they_of_several_told_is_the_one_that_says_what_is_asked(each_database: str) -> None:
    """ "milloin ne talkoot on" after the kantele group and the nature association: the one
    whose own words tell of talkoot, though it was listed second."""
    store = Directory(each_database)
    store.import_document(detail_document())
    tracker = told(
        "milloin ne talkoot on", ("organizations", "o-kantele"), ("organizations", "o-nature")
    )
    assert shown(find_record("milloin ne talkoot on", store, None, tracker)) == (
        "organizations",
        "o-nature",
    )


def test_the_more_of_its_name_said_the_surer(each_database: str) -> None:
    """ "milloin kamarikuorolla on harjoitukset" after the choir: the choir (half its name),
    not its own spring concert (a third of its name)."""
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-choir",
                    "name": "Kemin Kamarikuoro ry",
                    "kind": "association",
                    "municipalities": ["Kemi"],
                    "opening_hours": "Th 18:00-20:30",
                },
            ],
            "events": [
                {
                    "id": "e-concert",
                    "title": "Kemin Kamarikuoron kevätkonsertti",
                    "start": at(60),
                    "municipality": "Kemi",
                    "organization_id": "o-choir",
                },
            ],
        }
    )
    text = "milloin kamarikuorolla on harjoitukset"
    found = find_record(text, store, None, told(text, ("organizations", "o-choir")))
    assert shown(found) == ("organizations", "o-choir")


def training_document() -> dict:
    """A study centre for the whole country, a course in Äänekoski, an online training and a
    council's meeting (no course)."""
    return {
        "format": "apuri-directory/1",
        "organizations": [
            {
                "id": "o-sivis",
                "name": "Opintokeskus Sivis",
                "kind": "network",
                "municipalities": [],
                "website": "https://www.sivis.fi",
                "description": "Sivis järjestää koulutusta "
                "yhdistyksille. Aiheita ovat hallitustyö, verkkosivut ja etäkokoukset.",
            },
        ],
        "events": [
            {
                "id": "e-course",
                "title": "Vapaaehtoisen ystävän peruskurssi",
                "start": at(30),
                "municipality": "Äänekoski",
                "description": "Kurssilla opit ystävätoiminnan.",
            },
            {
                "id": "e-online",
                "title": "Verkkokoulutus: yhdistyksen etäkokous",
                "start": at(40),
                "municipality": "Jyväskylä",
                "description": "Koulutus etäkokouksen pitämiseen.",
            },
            {
                "id": "e-council",
                "title": "Kuopion vanhusneuvoston kokous",
                "start": at(20),
                "municipality": "Kuopio",
                "description": "Kokous on avoin kaikille.",
            },
        ],
    }


@pytest.mark.parametrize(
    "municipality,text,listed",
    [
        (
            None,
            "järjestääkö kukaan koulutusta hallitustyöstä yhdistyksille",
            ["Opintokeskus Sivis"],
        ),
        # the courses that say it; the council's meeting is no course, though "kokous" is alike
        (
            None,
            "entä etäkokouksista",
            ["Verkkokoulutus: yhdistyksen etäkokous", "Opintokeskus Sivis"],
        ),
        ("Äänekoski", "pitääkö käydä joku kurssi", ["Vapaaehtoisen ystävän peruskurssi"]),
    ],
)
def test_courses_are_listed_by_what_they_teach(
    actions_on, municipality, text: str, listed: list[str]
) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    actions_on(training_document())
    dispatcher = CollectingDispatcher()
    tracker = at_turn({"municipality": municipality}, {"text": text, "entities": []})
    directory_actions.ActionAskTraining().run(dispatcher, tracker, {})
    lines = next(m["text"] for m in dispatcher.messages if m.get("text")).splitlines()
    assert [next(n for n in listed if n in line) for line in lines] == listed
    said = [m.get("response") for m in dispatcher.messages]
    assert said[-1] == (
        "utter_ask_municipality" if municipality is None else "utter_contact_person"
    )


def test_a_round_named_for_a_year_gone_by_is_not_listed(each_database: str) -> None:
    """A grant named "… 2025" in a later year is an old round, whatever its deadline says."""
    last_year, this_year = clock.today().year - 1, clock.today().year
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "grants": [
                {
                    "id": f"g-{year}",
                    "name": f"Kuopion toiminta-avustus {year}",
                    "funder": "Kuopio",
                    "deadline": (clock.today() + dt.timedelta(days=60)).isoformat(),
                    "municipalities": ["Kuopio"],
                }
                for year in (last_year, this_year)
            ],
        }
    )
    found = ask(store, "mitä avustuksia voi hakea kuopiossa", "Kuopio", "grants", True)
    assert found == [f"Kuopion toiminta-avustus {this_year}"]


@pytest.mark.parametrize(
    "text,place",
    [
        ("nurmeslaiselle muistiyhdistykselle avustusta mistä", "Nurmes"),
        ("iisalmelaiselle yhdistykselle avustuksia?", "Iisalmi"),
        ("olen rovaniemeläisessä kuorossa", "Rovaniemi"),
    ],
)
def test_an_inhabitant_word_in_any_case_names_the_place(text: str, place: str) -> None:
    said = [e.value for e in finnish.extract_entities(text) if e.entity == "municipality"]
    assert said == [place]


def test_a_name_is_found_with_its_ending() -> None:
    """ "miten haetaan stean avustusta": "STEA:n avustukset" by "stea"."""
    assert "stea" in index_terms("STEA:n avustukset")
    assert "stea" in Query(words=["stean"]).terms()


def test_a_grant_question_is_answered_by_grants_not_by_the_asker(actions_on) -> None:
    """ "nurmeslaiselle muistiyhdistykselle avustusta": the region's grants, not the memory
    association whose name the question says, nor another town's or region's own grant;
    "stean avustusta": STEA's alone."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    def grant(gid: str, name: str, places: list[str], region: str | None = None) -> dict:
        found = {
            "id": gid,
            "name": name,
            "funder": name.split()[0],
            "municipalities": places,
            "deadline": (clock.today() + dt.timedelta(days=60)).isoformat(),
        }
        return {**found, "region": region} if region else found

    actions_on(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-memory",
                    "name": "Nurmeksen Muistiyhdistys ry",
                    "kind": "association",
                    "municipalities": ["Nurmes"],
                    "description": "Vertaistukea muistisairaille.",
                },
                {
                    "id": "o-kela",
                    "name": "Kela",
                    "kind": "public_service",
                    "municipalities": [],
                    "website": "https://www.kela.fi",
                    "description": "Asumistuki ja toimeentulotuki.",
                },
            ],
            "grants": [
                grant("g-joensuu", "Joensuun toiminta-avustus", ["Joensuu"], "Pohjois-Karjala"),
                grant("g-karjala", "Maakuntarahaston apuraha", [], "Pohjois-Karjala"),
                grant("g-savo", "Kylätoiminnan pienavustus", [], "Pohjois-Savo"),
                grant("g-stea", "STEA:n avustukset järjestöille", []),
                grant("g-kemi", "Kemin toiminta-avustus", ["Kemi"], "Lappi"),
            ],
        }
    )

    def answer(text: str, municipality: str | None) -> str:
        dispatcher = CollectingDispatcher()
        tracker = at_turn({"municipality": municipality}, {"text": text, "entities": []})
        directory_actions.ActionAskGrants().run(dispatcher, tracker, {})
        return next(m["text"] for m in dispatcher.messages if m.get("text"))

    memory = answer("nurmeslaiselle muistiyhdistykselle avustusta mistä", "Nurmes")
    stea = answer("miten haetaan stean avustusta", None)
    kela = answer("apua asunto raha kela tuki", None)  # Kela named in full: not a grant
    assert "Maakuntarahaston apuraha" in memory and "Muistiyhdistys" not in memory
    assert "Joensuun" not in memory and "Kylätoiminnan" not in memory
    assert stea.splitlines() == [line for line in stea.splitlines() if "STEA" in line] != []
    assert kela.startswith("Kela")


def test_a_word_of_one_name_only_names_it_when_a_field_is_asked(each_database: str) -> None:
    """ "kotoilo puhelin numero": a third of "Janakkalan Monikulttuurinen Yhdistys Kotoilo ry",
    but no other record's name says "kotoilo"; "puhelin" names nothing, it asks the phone."""
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-koto",
                    "name": "Janakkalan Monikulttuurinen Yhdistys Kotoilo ry",
                    "kind": "association",
                    "municipalities": ["Janakkala"],
                    "phone": "040 555 3063",
                },
                {
                    "id": "o-tele",
                    "name": "Puhelinapu Janakkala",
                    "kind": "digital_support",
                    "municipalities": ["Janakkala"],
                },
            ],
        }
    )
    assert shown(find_record("kotoilo puhelin numero", store)) == ("organizations", "o-koto")
    assert find_record("kotoilo", store) is None  # nothing asked: the whole name, or a search
    # a compound's tail is no name word: "ryhmää" does not name "Omaishoitajien vertaisryhmä"
    store.import_document(
        {
            "format": "apuri-directory/1",
            "events": [
                {
                    "id": "e-group",
                    "title": "Omaishoitajien vertaisryhmä",
                    "start": at(20),
                    "municipality": "Jämsä",
                },
                {
                    "id": "e-council",
                    "title": "Ilmajoen vanhusneuvoston kokous",
                    "start": at(30),
                    "municipality": "Ilmajoki",
                },
            ],
        }
    )
    assert find_record("alkaa muisti pätkiä onko jotain ryhmää", store) is None
    assert find_record("milloin on seuraava kokous", store) is None  # a word, not a name


@pytest.mark.parametrize(
    "spoken,written",
    [
        ("jumppoo", "jumppa"),
        ("kuoroo", "kuoro"),
        ("eläkeläesille", "eläkeläinen"),
    ],
)
def test_a_spoken_spelling_is_read_as_the_written_word(spoken: str, written: str) -> None:
    """ "onko vieremällä mittään jumppoo eläkeläesille": issue 18 §7's own words."""
    assert written in lemmas(spoken)


def test_spoken_words_find_what_the_written_ones_do(own) -> None:
    assert ask(own, "onko vieremällä mittään jumppoo eläkeläesille", "Vieremä", "association") == [
        "Vieremän Voima"
    ]


def test_anyone_asks_whether_it_is_open_to_all() -> None:
    """ "voiko sinne mennä kuka vaan": the sentence that says who may come, not a contact."""
    from actions import texts

    assert asked_fields("voiko sinne vanhusneuvoston kokoukseen mennä kuka vaan") == ["open"]
    said = "Neuvosto käsittelee palveluja. Kokous on avoin yleisölle."
    event = {"id": "e", "title": "Vanhusneuvoston kokous", "description": said}
    assert "Kokous on avoin yleisölle." in texts.record_answer(event, ["open"], {}, None)


def test_what_to_bring_is_asked_of_the_one_thing_told(each_database: str) -> None:
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "events": [
                {
                    "id": "e-talkoot",
                    "title": "Juojärven rantatalkoot",
                    "start": at(50, 10),
                    "municipality": "Tuusniemi",
                    "description": "Siivotaan ranta. Ota mukaan työhanskat.",
                },
            ],
        }
    )
    tracker = told("mitä pitää ottaa mukaan", ("events", "e-talkoot"))
    found = find_record("mitä pitää ottaa mukaan", store, None, tracker)
    from actions.records import detail_sentences, told_detail

    assert found is None  # no field asked: what its own sentences say
    kind, record = told_detail("mitä pitää ottaa mukaan", store, tracker)
    assert detail_sentences("mitä pitää ottaa mukaan", record) == ["Ota mukaan työhanskat."]


def test_who_takes_new_ones_asks_the_contact_of_what_was_told(directory) -> None:
    tracker = told("kuka ottaa uudet vastaan", ("organizations", "org-rovaniemi-digi"))
    found = find_record("kuka ottaa uudet vastaan", directory, None, tracker)
    assert shown(found) == ("organizations", "org-rovaniemi-digi")


@pytest.mark.parametrize(
    "text",
    [
        "mun äiti hoitaa isää kotona jämsässä ja tarvis vähän tukea",
        "mun isoäiti hoitaa pappaa pälkäneellä",
        "hoidan mummoa kotona",
    ],
)
def test_caring_for_ones_own_at_home_is_family_care(text: str) -> None:
    """Family care said without its word: someone caring for a husband, a father, a grandpa."""
    topics = [e.value for e in finnish.extract_entities(text) if e.entity == "topic"]
    assert topics == ["omaishoito"]


def test_volunteering_is_at_associations_and_at_events_then(actions_on) -> None:
    """A council of associations is no place to volunteer; with a time and no event then, the
    place's volunteering is listed, and where there is none, the next events with a word that
    there are none then."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    def org(rid: str, name: str, kind: str, place: str) -> dict:
        return {
            "id": rid,
            "name": name,
            "kind": kind,
            "municipalities": [place],
            "topics": ["vapaaehtoistyo"],
            "description": "Vapaaehtoistyötä.",
        }

    actions_on(
        {
            "format": "apuri-directory/1",
            "organizations": [
                org("o-keskus", "Joensuun Vapaaehtoiskeskus", "association", "Joensuu"),
                org("o-jane", "Järjestöjen neuvottelukunta", "network", "Joensuu"),
                org("o-kyt", "Yhteisöjen Tuki", "network", "Jyväskylä"),
            ],
            "events": [
                {
                    "id": "e-later",
                    "title": "Järjestöfoorumi",
                    "start": at(75),
                    "municipality": "Jyväskylä",
                },
            ],
        }
    )

    def answer(text: str, municipality: str) -> list[dict]:
        dispatcher = CollectingDispatcher()
        tracker = at_turn({"municipality": municipality}, {"text": text, "entities": []})
        directory_actions.ActionVolunteer().run(dispatcher, tracker, {})
        return dispatcher.messages

    plain = answer("vapaaehtoistyötä joensuussa", "Joensuu")
    weekend = answer("onko joensuussa tänä viikonloppuna jotain missä voisin auttaa", "Joensuu")
    january = answer("mitä vapaaehtoisille on ensi kuussa jyväskylässä", "Jyväskylä")
    for said in (plain, weekend):
        listed = next(m["text"] for m in said if m.get("text"))
        assert "Vapaaehtoiskeskus" in listed and "neuvottelukunta" not in listed
    assert "utter_no_events_then" in [m.get("response") for m in january]
    listed = next(m["text"] for m in january if m.get("text"))
    assert "Järjestöfoorumi" in listed and "Yhteisöjen Tuki" not in listed


def test_who_holds_an_event_names_its_organizer() -> None:
    from actions import texts

    event = {"id": "e", "title": "Virkistyspäivä", "start": at(9), "organization_id": "o"}
    answer = texts.record_answer(
        event,
        asked_fields("kuka sen järjestää"),
        {},
        {"id": "o", "name": "Pälkäneen Omaishoitajat ry"},
    )
    assert "Järjestäjä: Pälkäneen Omaishoitajat ry." in answer


def test_a_space_for_that_many_the_smallest_first() -> None:
    from actions import directory_actions

    found = [
        {"_list": "spaces", "name": "Juhlasali", "capacity": 80},
        {"_list": "spaces", "name": "Kerhohuone", "capacity": 12},
        {"_list": "spaces", "name": "Kokoushuone", "capacity": 20},
    ]
    tracker = at_turn({}, {"text": "tarvittais kokoustila noin 15 hengelle"})
    narrowed, _ = directory_actions.ActionAskSpaces().narrow(found, tracker)
    assert [r["name"] for r in narrowed] == ["Kokoushuone", "Juhlasali"]
    tracker = at_turn({}, {"text": "tila 500 hengelle"})
    assert directory_actions.ActionAskSpaces().narrow(found, tracker)[0] == found  # none fits


def test_a_name_saying_more_of_the_question_beats_the_asked_sort(each_database: str) -> None:
    """ "tornio perhe juhla": the family café's spring party, not only the café; events asked
    by their words are those, not every event of the place."""
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-cafe",
                    "name": "Tornion Perhekahvila",
                    "kind": "association",
                    "municipalities": ["Tornio"],
                    "description": "Kohtaamispaikka lapsiperheille.",
                },
            ],
            "events": [
                {
                    "id": "e-party",
                    "title": "Perhekahvilan kevätjuhla",
                    "start": at(20),
                    "municipality": "Tornio",
                    "organization_id": "o-cafe",
                },
                {
                    "id": "e-digi",
                    "title": "Digiklinikka",
                    "start": at(10),
                    "municipality": "Tornio",
                },
            ],
        }
    )
    assert ask(store, "perhe juhla", "Tornio", "association")[0] == "Perhekahvilan kevätjuhla"
    query = Query(words=["digiklinikoita"], municipality="Tornio", prefer="events")
    found, _ = search(store, query, any_record=True, only_when_unsaid=True)
    assert [r["title"] for r in found] == ["Digiklinikka"]


def test_mista_alone_asks_where() -> None:
    assert asked_fields("mistä?") == ["where"]
    assert asked_fields("entä mistä") == ["where"]
    assert asked_fields("mistä saa apua") == []


def test_a_told_record_named_by_a_word_of_its_name(each_database: str) -> None:
    """ "silta puhelin" after "Parkanon Ystävyyden Silta ry": that one's phone, not an evening
    whose title says "puhelimeen"."""
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-silta",
                    "name": "Parkanon Ystävyyden Silta ry",
                    "kind": "association",
                    "municipalities": ["Parkano"],
                    "phone": "040 555 3069",
                },
                {
                    "id": "o-kavely",
                    "name": "Parkanon Kuntokävelijät ry",
                    "kind": "association",
                    "municipalities": ["Parkano"],
                },
            ],
            "events": [
                {
                    "id": "e-ilta",
                    "title": "Pankkitunnukset puhelimeen – opastusilta",
                    "start": at(20),
                    "municipality": "Muhos",
                },
            ],
        }
    )
    tracker = told("silta puhelin", ("organizations", "o-silta"), ("organizations", "o-kavely"))
    assert shown(find_record("silta puhelin", store, None, tracker)) == ("organizations", "o-silta")


def test_a_follow_up_keeps_or_changes_what_was_asked() -> None:
    """ "no mä oon nainen. entä joutsassa": the same again in Joutsa (what follows "entä" is
    what changes); "entä omaishoitajille?" after digital help is a search of its own."""
    from actions import actions, directory_actions

    last = {"action": "action_find_association", "words": ["kuoroja"], "topic": "kulttuuri"}
    tracker = at_turn(
        {"last_search": last}, {"text": "no mä oon nainen. entä joutsassa", "entities": []}
    )
    query = directory_actions.ActionFindAssociation().query(tracker, "Joutsa", None)
    assert query.words == ["kuoroja"]
    digital = {"action": "action_digital_help", "words": ["tabletti"], "topic": "digituki"}
    tracker = at_turn(
        {"last_search": digital, "municipality": "Muhos"},
        {
            "text": "entä omaishoitajille jotain?",
            "entities": [{"entity": "topic", "value": "omaishoito", "start": 5, "end": 20}],
        },
    )
    from rasa_sdk.executor import CollectingDispatcher

    out = actions.ActionAcknowledgeInform().run(CollectingDispatcher(), tracker, {})
    assert {"event": "followup", "name": "action_find_association"} in [
        {k: e.get(k) for k in ("event", "name")} for e in out
    ]


def test_asking_the_place_keeps_the_question(actions_on) -> None:
    """ "missä voi harjoitella suomen kieltä" → "Missä kunnassa?" → "joensuu": the question's
    words are kept for the answer."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    actions_on({"format": "apuri-directory/1"})
    tracker = at_turn({}, {"text": "missä voi harjoitella suomen kieltä", "entities": []})
    out = directory_actions.ActionFindAssociation().run(CollectingDispatcher(), tracker, {})
    last = next(e["value"] for e in out if e.get("name") == "last_search")
    assert last["action"] == "action_find_association" and "kieltä" in last["words"]


def test_a_room_is_looked_for_among_rooms_first(actions_on) -> None:
    """ "pieni kokoushuone Pälkäneellä": the region's room, not an association in Pälkäne whose
    text says it meets in one."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    actions_on(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-omaiset",
                    "name": "Pälkäneen Omaishoitajat",
                    "kind": "association",
                    "municipalities": ["Pälkäne"],
                    "description": "Kokoonnumme kokoushuoneessa.",
                },
            ],
            "spaces": [
                {
                    "id": "s-parkano",
                    "name": "Parkanon kirjaston kokoushuone",
                    "municipality": "Parkano",
                    "capacity": 12,
                },
            ],
        }
    )
    dispatcher = CollectingDispatcher()
    tracker = at_turn(
        {"municipality": "Pälkäne"},
        {"text": "tarvitaan pieni kokoushuone pälkäneellä", "entities": []},
    )
    directory_actions.ActionAskSpaces().run(dispatcher, tracker, {})
    listed = next(m["text"] for m in dispatcher.messages if m.get("text"))
    assert "Parkanon kirjaston kokoushuone" in listed and "Omaishoitajat" not in listed


def test_a_record_of_another_town_is_not_named_by_its_words(each_database: str) -> None:
    """ "pankkitunnukset ei toimi uudessa puhelimessa. muurame": Muhos's evening "Pankkitunnukset
    puhelimeen" is not meant (a search in Muurame is); said in Muhos, it is."""
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "events": [
                {
                    "id": "e-ilta",
                    "title": "Pankkitunnukset puhelimeen – opastusilta",
                    "start": at(20),
                    "municipality": "Muhos",
                },
            ],
        }
    )
    assert find_record("pankkitunnukset puhelimeen muurame", store) is None
    assert shown(find_record("pankkitunnukset puhelimeen muhos", store)) == ("events", "e-ilta")


# 2. what people write beside the question: an age, the language, a name in parts


@pytest.mark.parametrize(
    "text,word",
    [
        ("onko lapsille harrastus joensuu, poika 14 vuotta", "nuori"),
        ("tyttö 7v, mitä harrastuksia", "lapsi"),
        ("äiti on 85-vuotias ja yksinäinen", "ikääntynyt"),
        ("mä en puhu hyvin suomi", "kieli"),
        ("missä voi harjoitella suomen kieltä", "kieli"),
    ],
)
def test_an_age_or_the_language_is_searched_as_who_or_what(text: str, word: str) -> None:
    assert word in finnish.content_words(text)


@pytest.mark.parametrize(
    "text",
    ["suomi.fi viestit", "Suomen Kulttuurirahaston apuraha", "mikä on 40 vuotta vanha yhdistys"],
)
def test_a_name_with_suomi_or_an_age_no_one_has_is_left_as_said(text: str) -> None:
    words = finnish.content_words(text)
    assert "kieli" not in words and "nuori" not in words and "lapsi" not in words


def language_document() -> dict:
    """A meeting place where one practises Finnish, an association of the region named for
    it and a support point whose text says "Suomi.fi"."""

    def org(rid: str, name: str, kind: str, description: str, place: str) -> dict:
        return {
            "id": rid,
            "name": name,
            "kind": kind,
            "description": description,
            "municipalities": [place],
            "region": "Keski-Suomi",
        }

    return {
        "format": "apuri-directory/1",
        "organizations": [
            org(
                "o-meet",
                "Laukaan Kohtaamo",
                "association",
                "Harjoittelemme suomea ja tutustumme toisiimme.",
                "Laukaa",
            ),
            org(
                "o-region",
                "Keski-Suomen Yhteisöjen Tuki",
                "association",
                "Neuvoo yhdistyksiä.",
                "Jyväskylä",
            ),
            org(
                "o-digi",
                "Digitukipiste Jyväskylä",
                "digital_support",
                "Apua Suomi.fi-palveluihin.",
                "Jyväskylä",
            ),
        ],
    }


def test_the_language_is_not_the_region_named_for_finland(each_database: str) -> None:
    """ "en puhu hyvin suomea": the place where one practises it, not "Keski-Suomen …" nor a
    support point for "Suomi.fi"."""
    store = Directory(each_database)
    store.import_document(language_document())
    assert ask(
        store, "en puhu hyvin suomea, missä voisin harjoitella", "Jyväskylä", "association"
    ) == ["Laukaan Kohtaamo"]


def test_a_name_in_parts_names_the_record(each_database: str) -> None:
    """ "kulttuuri ilta lieksa hinta": "Kulttuuri-ilta Lieksassa", its price asked."""
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "events": [
                {
                    "id": "e-evening",
                    "title": "Kulttuuri-ilta Lieksassa",
                    "start": at(30),
                    "municipality": "Lieksa",
                    "price": "10 €",
                },
            ],
            "organizations": [
                {
                    "id": "o-culture",
                    "name": "Lieksan Kulttuuriyhdistys ry",
                    "kind": "association",
                    "municipalities": ["Lieksa"],
                },
            ],
        }
    )
    text = "kulttuuri ilta lieksa hinta"
    assert shown(find_record(text, store, None, told(text))) == ("events", "e-evening")


# 3. a question about one of the records told, by what its text says


def test_a_question_about_what_one_told_record_says_is_about_it(each_database: str) -> None:
    """ "milloin perhe liikunta" after the gymnasts whose text tells of "perheliikunta": when
    that is, from their text; "mistä saa lisätietoa" asks for their number."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.records import answer_about_record

    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-gym",
                    "name": "Muhoksen Voimistelijat ry",
                    "kind": "association",
                    "municipalities": ["Muhos"],
                    "phone": "040 555 3057",
                    "description": "Senioritanssi keskiviikkoisin klo 11–12 ja perheliikunta "
                    "sunnuntaisin klo 10–11.",
                },
                {
                    "id": "o-choir",
                    "name": "Muhoksen Kuoro",
                    "kind": "association",
                    "municipalities": ["Muhos"],
                    "description": "Laulamme torstaisin.",
                },
            ],
        }
    )
    results = (("organizations", "o-choir"), ("organizations", "o-gym"))
    for text, says in (
        ("milloin perhe liikunta", "sunnuntaisin klo 10–11"),
        ("mistä saa lisätietoa", "040 555 3057"),
    ):
        dispatcher = CollectingDispatcher()
        tracker = told(text, *(results if "perhe" in text else results[::-1]))
        assert answer_about_record(dispatcher, tracker, lambda: store) is not None
        assert says in dispatcher.messages[0]["text"]
    assert asked_fields("mistä saa apua") == []  # a search, not the number of what was told


# 4. searches: the asked sort's own list, the place's narrow topic, volunteering


def test_the_events_then_are_found_across_the_country_among_many_organizations(
    actions_on,
) -> None:
    """ "tänä viikonloppuna jotain tapahtumaa" with no place: this weekend's event, though
    forty organizations come first in the directory."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions
    from finnish.periods import event_span

    weekend = event_span("tänä viikonloppuna", clock.today())
    assert weekend is not None
    start = dt.datetime.combine(weekend[1], dt.time(13), tzinfo=clock.HELSINKI).isoformat()
    actions_on(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": f"o-{n}",
                    "name": f"Yhdistys {n}",
                    "kind": "association",
                    "municipalities": ["Kuopio"],
                }
                for n in range(45)
            ],
            "events": [
                {
                    "id": "e-party",
                    "title": "Itsenäisyyspäivän kahvijuhla",
                    "start": start,
                    "municipality": "Tuusniemi",
                },
            ],
        }
    )
    dispatcher = CollectingDispatcher()
    text = "onko tänä viikonloppuna jotain tapahtumaa missä vois olla auttamassa"
    tracker = at_turn({}, {"text": text, "entities": []})
    directory_actions.ActionAskEvents().run(dispatcher, tracker, {})
    assert "Itsenäisyyspäivän kahvijuhla" in next(
        m["text"] for m in dispatcher.messages if m.get("text")
    )


def test_the_places_own_narrow_topic_comes_before_words_in_another_town(
    each_database: str,
) -> None:
    """ "apua suomi.fi viestien kanssa Tuusniemellä": Tuusniemi's village helpers who help
    with digital things, not a support point of the region whose text says "Suomi.fi"."""
    store = Directory(each_database)
    store.import_document(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-village",
                    "name": "Tuusniemen Kyläavustajat",
                    "kind": "association",
                    "municipalities": ["Tuusniemi"],
                    "topics": ["digituki", "kylatoiminta"],
                    "description": "Autamme kauppa-asioissa ja tabletin käytössä.",
                },
                {
                    "id": "o-point",
                    "name": "Ylä-Savon Digiapu",
                    "kind": "digital_support",
                    "municipalities": ["Sonkajärvi"],
                    "region": "Pohjois-Savo",
                    "description": "Neuvomme Suomi.fi-viestien käytössä.",
                },
            ],
        }
    )
    query = Query(
        words=finnish.content_words("tarviin apua suomi.fi viestien kanssa"),
        topic="digituki",
        municipality="Tuusniemi",
        prefer="digital_support",
    )
    found, scope = search(store, query, any_record=True)
    assert ([r["name"] for r in found], scope) == (["Tuusniemen Kyläavustajat"], "municipality")


def test_a_volunteer_finds_the_place_that_needs_what_they_can_do(actions_on) -> None:
    """ "oon hyvä tietokoneiden kanssa ja voisin auttaa vanhuksia Kemissä": Kemi's digital
    café run by volunteers, not a support point in another town whose text says
    "tietokone"."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    actions_on(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-cafe",
                    "name": "Digikahvila Kemi",
                    "kind": "digital_support",
                    "municipalities": ["Kemi"],
                    "region": "Lappi",
                    "topics": ["digituki", "vapaaehtoistyo"],
                    "description": "Vapaaehtoiset neuvovat älylaitteiden käytössä.",
                },
                {
                    "id": "o-point",
                    "name": "Digitukipiste Rovaniemi",
                    "kind": "digital_support",
                    "municipalities": ["Rovaniemi"],
                    "region": "Lappi",
                    "description": "Apua tietokoneen ja puhelimen kanssa vanhuksille.",
                },
            ],
        }
    )
    dispatcher = CollectingDispatcher()
    text = "oon hyvä tietokoneiden kanssa ja voisin auttaa vanhuksia kemissä"
    tracker = at_turn({"municipality": "Kemi"}, {"text": text, "entities": []})
    directory_actions.ActionVolunteer().run(dispatcher, tracker, {})
    listed = next(m["text"] for m in dispatcher.messages if m.get("text"))
    assert "Digikahvila Kemi" in listed and "Rovaniemi" not in listed


# 5. a request that asks two sorts of thing


def spaces_and_grants() -> dict:
    return {
        "format": "apuri-directory/1",
        "spaces": [
            {
                "id": "s-room",
                "name": "Rovaniemen kokoushuone",
                "municipality": "Rovaniemi",
                "capacity": 25,
                "price": "maksuton",
            },
        ],
        "grants": [
            {
                "id": "g-town",
                "name": "Rovaniemen toiminta-avustus",
                "funder": "Rovaniemi",
                "municipalities": ["Rovaniemi"],
                "deadline": (clock.today() + dt.timedelta(days=60)).isoformat(),
            },
        ],
    }


def asked_twice(text: str, after: str = "action_listen", slots: dict | None = None) -> Tracker:
    message = {
        "text": text,
        "entities": [],
        "intent": {"name": "ask_spaces"},
        "intent_ranking": [
            {"name": "ask_spaces", "confidence": 0.66},
            {"name": "ask_grants", "confidence": 0.3},
        ],
    }
    return at_turn({"municipality": "Rovaniemi", **(slots or {})}, message, after)


def test_spaces_and_grants_in_one_message_are_both_answered(actions_on) -> None:
    """ "tarvitaan kokoustila ja tietoa avustuksista": the spaces, then the grants in the same
    turn; the question that ends the turn only once, after both; "keneltä tilan voi varata"
    then still finds the room."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    actions_on(spaces_and_grants())
    text = "tarvitaan kokoustila ja tietoa avustuksista rovaniemellä"
    first = CollectingDispatcher()
    events = directory_actions.ActionAskSpaces().run(first, asked_twice(text), {})
    assert {"event": "followup", "name": "action_ask_grants"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert "Rovaniemen kokoushuone" in first.messages[1]["text"]
    assert not {"utter_offer_human", "utter_more_or_human"} & {
        m.get("response") for m in first.messages
    }
    told_first = next(e["value"] for e in events if e.get("name") == "last_search")
    second = CollectingDispatcher()
    events = directory_actions.ActionAskGrants().run(
        second, asked_twice(text, "action_ask_spaces", {"last_search": told_first}), {}
    )
    assert "Rovaniemen toiminta-avustus" in second.messages[1]["text"]
    assert second.messages[-1]["response"] == "utter_offer_human"
    assert not [e for e in events if e.get("event") == "followup"]
    results = next(e["value"] for e in events if e.get("name") == "last_search")["results"]
    assert results == [["spaces", "s-room"], ["grants", "g-town"]]


def test_one_sort_asked_is_answered_once(actions_on) -> None:
    """The grants ranked next, but the message says nothing of them: the spaces alone."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions import directory_actions

    actions_on(spaces_and_grants())
    dispatcher = CollectingDispatcher()
    events = directory_actions.ActionAskSpaces().run(
        dispatcher, asked_twice("tarvitaan kokoustila rovaniemellä"), {}
    )
    assert not [e for e in events if e.get("event") == "followup"]
    assert dispatcher.messages[-1]["response"] == "utter_offer_human"
