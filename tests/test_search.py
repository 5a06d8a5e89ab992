"""One search over everything (issue 18 §2, §3, §6) on a real SQLite file and a real PostgreSQL
database with the small fixture directory: the database's own full-text ranking, words before
topics at every scope, the intent nudging without hiding, records named as people say them,
answers about one record from its fields, and time words for events."""

from __future__ import annotations

import datetime as dt

import pytest

import finnish
from actions import texts
from actions.records import ALONE, WITH_FIELDS, named_record
from actions.search import Query, search
from finnish.asking import (
    asked_fields,
    asks_about_calling,
    asks_more,
    name_coverage,
    reference,
)
from finnish.periods import event_span
from store.directory import Directory
from tests.conftest import fixture_document


@pytest.fixture
def directory(each_database: str) -> Directory:
    store = Directory(each_database)
    store.import_document(fixture_document())
    return store


def names(found: list[dict]) -> list[str]:
    return [r.get("name") or r.get("title") for r in found]


def ask(
    directory: Directory,
    text: str,
    municipality: str | None = None,
    prefer: str | None = "association",
    any_record: bool = False,
) -> tuple[list[str], str]:
    topic = next((e.value for e in finnish.extract_entities(text) if e.entity == "topic"), None)
    query = Query(
        words=finnish.content_words(text), topic=topic, municipality=municipality, prefer=prefer
    )
    found, scope = search(directory, query, any_record=any_record)
    return names(found), scope


def test_words_find_records_of_any_kind_ranked_by_the_database(directory) -> None:
    found, scope = ask(directory, "onko kuopiossa kuoroja", "Kuopio")
    assert scope == "municipality"
    assert set(found[:3]) <= {
        "Lauluveikot — mieskuoro",
        "Kuopion Kamarikuoro",
        "Savon Laulajat",
        "Kuopion Naiskuoro",
    }
    assert "Kerhohuone" not in found


def test_words_beat_topics_when_the_search_widens(directory) -> None:
    """Kitee has a choir: found by its word. Ii has none: the words go to the country
    (choirs), not to Ii's culture-tagged or any other record nearby."""
    assert ask(directory, "kuoroja kiteellä", "Kitee")[0][0] == "Kiteen Kirkkokuoro"
    found, scope = ask(directory, "onko iissä kuoroja", "Ii")
    assert scope == "national" and found
    assert all("kuoro" in n.lower() or "laulaja" in n.lower() for n in found), found


def test_the_intent_nudges_but_hides_nothing(directory) -> None:
    """Asked as a need for a service, a digital support point is still found; asked as
    digital help with no word the directory uses, the place's support point answers."""
    found, _ = ask(directory, "tarvitsen apua tabletin kanssa", "Rovaniemi", "public_service")
    assert found[:1] == ["Rovaniemen digitukipiste"]
    found, _ = ask(directory, "omakanta ei aukea", "Rovaniemi", "digital_support", any_record=True)
    assert found[:1] == ["Rovaniemen digitukipiste"]


def test_a_long_question_is_one_query(directory) -> None:
    text = " ".join(f"sana{i}" for i in range(120)) + " kuoroja"
    assert ask(directory, text, "Kuopio")[0]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("milloin lauluveikot harjoittelee", "Lauluveikot — mieskuoro"),
        ("mikä on lauluveikkojen puhelinnumero", "Lauluveikot — mieskuoro"),
        ("missä rovaniemen digitukipiste on", "Rovaniemen digitukipiste"),
        ("kuka on kiteen urheilijoiden yhteyshenkilö", "Kiteen Urheilijat"),
        ("paljonko kuopion kamarikuorolla maksaa", "Kuopion Kamarikuoro"),
    ],
)
def test_a_record_named_as_people_say_it(directory, text: str, expected: str) -> None:
    found = named_record(text, directory, WITH_FIELDS if asked_fields(text) else ALONE)
    assert found is not None and (found[1].get("name") or found[1].get("title")) == expected


@pytest.mark.parametrize(
    "text", ["onko kuopiossa kuoroja", "kuopiossa", "mitä kuuluu", "milloin on tapahtumia"]
)
def test_a_search_names_no_record(directory, text: str) -> None:
    assert named_record(text, directory, WITH_FIELDS if asked_fields(text) else ALONE) is None


def test_what_a_question_asks() -> None:
    assert asked_fields("milloin kemin kamarikuoro harjoittelee") == ["when"]
    assert asked_fields("mihin aikaan se on auki") == ["when"]
    assert asked_fields("mikä sen osoite ja puhelinnumero on") == ["where", "phone"]
    assert asked_fields("keneltä tilan voi varata") == ["contact", "booking"]
    assert asked_fields("onko kuopiossa kuoroja") == []
    assert reference("mikä sen numero on") == 0 and reference("entä toinen") == 1
    assert reference("viimeinen") == -1 and reference("onko kuopiossa kuoroja") is None
    assert name_coverage("lauluveikkojen numero", "Lauluveikot — mieskuoro")[0] == 1.0


def test_one_record_answers_from_its_fields(directory) -> None:
    space = directory.get("spaces", "sp-1")
    people = {space["booking_contact_person_id"]: directory.get("contact_persons", "p-1")}
    answer = texts.record_answer(space, ["booking"], people)
    assert answer.startswith("Kerhohuone:") and "Maija Esimerkki" in answer
    org = {
        "name": "Testikuoro",
        "kind": "association",
        "opening_hours": "Tu,Th 18:00-20:30",
        "description": "Harjoitukset seurakuntatalolla. Jäsenmaksu 20 € vuodessa.",
        "phone": "040 555 0199",
    }
    when = texts.record_answer(org, ["when"], {})
    assert "tiistaisin ja torstaisin klo 18–20.30" in when
    price = texts.record_answer(org, ["price"], {})
    assert "Jäsenmaksu 20 € vuodessa." in price and "Harjoitukset" not in price
    where = texts.record_answer(org, ["where"], {})
    assert "Harjoitukset seurakuntatalolla." in where and "Tätä tietoa" not in where
    missing = texts.record_answer(org, ["access"], {})
    assert "Tätä tietoa ei ole hakemistossa" in missing and "040 555 0199" in missing


def test_what_a_record_lacks_comes_from_the_organization_behind_it() -> None:
    event = {
        "title": "Joulumyyjäiset",
        "start": "2026-12-12T10:00:00+02:00",
        "organization_id": "org-9",
    }
    organization = {
        "id": "org-9",
        "name": "Joutsan Martat",
        "phone": "040 555 0190",
        "contact_person_id": "p-9",
    }
    person = {
        "id": "p-9",
        "name": "Raili Esimerkki",
        "title": "puheenjohtaja",
        "phone": "040 555 0191",
    }
    phone = texts.record_answer(
        event, asked_fields("kenelle soitan"), {"p-9": person}, organization
    )
    assert "Raili Esimerkki" in phone and "040 555 0191" in phone and "Tätä tietoa" not in phone
    number = texts.record_answer(event, ["phone"], {}, organization)
    assert "Joutsan Martat, puh. 040 555 0190" in number
    space = {"name": "Kylätalo", "capacity": 80, "accessibility": "Esteetön sisäänkäynti."}
    assert "Tilaan mahtuu 80 henkeä." in texts.record_answer(space, ["capacity"], {})
    assert "Esteetön sisäänkäynti." in texts.record_answer(space, ["access"], {})
    grant = {"name": "Kyläavustus", "deadline": "2027-03-31"}
    deadline = texts.record_answer(grant, asked_fields("milloin haku päättyy"), {})
    assert "31.3.2027" in deadline and "Tätä tietoa" not in deadline


@pytest.mark.parametrize(
    "text,fields",
    [
        ("mikä niiden osote on", ["where"]),
        ("mistä se lähtee", ["where"]),
        ("mihin mennessä", ["deadline"]),
        ("onks se ilmanen", ["price"]),
        ("paljonko liput maksaa", ["price"]),
        ("pääseekö sinne pyörätuolilla", ["access"]),
        ("onko siellä hissi", ["access"]),
        ("kuinka iso se on", ["capacity"]),
        ("montako ihmistä sinne mahtuu", ["capacity"]),
    ],
)
def test_what_a_follow_up_asks(text: str, fields: list[str]) -> None:
    assert asked_fields(text) == fields


def test_asking_for_more_of_one_listed_thing() -> None:
    assert asks_more("kerro siitä ensimmäisestä lisää") and asks_more("entä toinen")
    assert not asks_more("onko kuopiossa kuoroja") and not asks_more("kerro kuoroista kuopiossa")


@pytest.mark.parametrize(
    "text,when_to_call",
    [
        ("milloin niille voi soittaa", True),
        ("mihin aikaan heille kannattaa soittaa", True),
        ("milloin sinne voi soittaa", True),
        ("voiko heille soittaa, mikä numero", True),
        ("miten voin ottaa heihin yhteyttä", True),
        ("voisiko joku soittaa", False),
        ("voisiko joku soittaa minulle huomenna", False),
        ("soittakaa mulle iltapäivällä", False),
        ("milloin voitte soittaa", False),
        ("haluan soittopyynnön huomiseksi", False),
    ],
)
def test_a_question_about_calling_is_no_callback(text: str, when_to_call: bool) -> None:
    assert asks_about_calling(text) is when_to_call


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("tapahtumia ensi kuussa", "2027-01-01", "2027-01-31"),
        ("mitä on tällä viikolla", "2026-12-03", "2026-12-06"),
        ("ensi viikolla", "2026-12-07", "2026-12-13"),
        ("tänä viikonloppuna", "2026-12-05", "2026-12-06"),
        ("jouluna", "2026-12-20", "2027-01-06"),
        ("tammikuussa", "2027-01-01", "2027-01-31"),
        ("lokakuussa", "2027-10-01", "2027-10-31"),
        ("huomenna", "2026-12-04", "2026-12-04"),
    ],
)
def test_time_words_for_events(text: str, start: str, end: str) -> None:
    today = dt.date(2026, 12, 3)  # a Thursday
    span = event_span(text, today)
    assert span == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert event_span("onko kuopiossa tapahtumia", today) is None


def test_a_grant_is_no_answer_to_a_search_for_a_group_unless_named(tmp_path) -> None:
    """A grant whose description mentions choirs is not listed when someone looks for a choir
    (and the search does not fail when nothing else matches); named, it is."""
    store = Directory(f"sqlite:///{tmp_path / 'grants.db'}")
    store.import_document(
        {
            "format": "apuri-directory/1",
            "grants": [
                {
                    "id": "gr-1",
                    "name": "Kulttuuriavustus",
                    "description": "Kuorot ja bändit voivat " "hakea tukea esiintymisiin.",
                    "municipalities": ["Kuopio"],
                }
            ],
        }
    )
    assert ask(store, "onko kuopiossa kuoroja", "Kuopio") == ([], "none")
    assert ask(store, "kulttuuriavustus kuopiossa", "Kuopio")[0] == ["Kulttuuriavustus"]
    assert ask(store, "avustuksia kuoroille", "Kuopio", prefer="grants")[0] == ["Kulttuuriavustus"]


def test_another_sort_answers_by_the_question_s_own_words_not_a_synonym(tmp_path) -> None:
    """Pensioners' clubs asked in Varkaus: the welfare area's services there match only by a
    synonym ("ikäihminen"), so the search widens to the region's club; the support point that
    says "tabletti" answers a tablet question put as a service."""
    store = Directory(f"sqlite:///{tmp_path / 'sorts.db'}")
    store.import_document(
        {
            "format": "apuri-directory/1",
            "organizations": [
                {
                    "id": "o-1",
                    "name": "Hyvinvointialue",
                    "kind": "public_service",
                    "description": "Palvelut ikäihmisille.",
                    "municipalities": ["Varkaus"],
                },
                {
                    "id": "o-2",
                    "name": "Kuopion Eläkeläiset",
                    "kind": "association",
                    "description": "Kerho eläkeläisille.",
                    "municipalities": ["Kuopio"],
                },
                {
                    "id": "o-3",
                    "name": "Digipiste",
                    "kind": "digital_support",
                    "description": "Apua tabletin ja puhelimen kanssa.",
                    "municipalities": ["Varkaus"],
                },
            ],
        }
    )
    found, scope = ask(store, "onko eläkeläiskerhoja", "Varkaus")
    assert (found, scope) == (["Kuopion Eläkeläiset"], "region")
    found, scope = ask(store, "tarvitsen apua tabletin kanssa", "Varkaus", "public_service")
    assert (found[:1], scope) == (["Digipiste"], "municipality")


def _org(
    id_: str,
    name: str,
    kind: str,
    places: list[str],
    region: str | None,
    topics: list[str],
    description: str,
) -> dict:
    return {
        "id": id_,
        "name": name,
        "kind": kind,
        "description": description,
        "topics": topics,
        "municipalities": places,
        "region": region,
    }


NEEDS = {
    "format": "apuri-directory/1",
    "contact_persons": [],
    "events": [],
    "grants": [],
    "spaces": [],
    "organizations": [
        _org(
            "o-siun",
            "Siun sote",
            "public_service",
            ["Joensuu"],
            "Pohjois-Karjala",
            ["terveys", "ikaantyneet", "omaishoito"],
            "Järjestää sosiaali- ja terveyspalvelut.",
        ),
        _org(
            "o-jamsa",
            "Jämsän Omaishoitajat",
            "association",
            ["Jämsä"],
            "Keski-Suomi",
            ["omaishoito"],
            "Tuemme omaishoitajia. Järjestämme vertaisryhmiä.",
        ),
        _org(
            "o-ystavat",
            "Joensuun Ystäväpiiri",
            "association",
            ["Joensuu"],
            "Pohjois-Karjala",
            ["ystavatoiminta"],
            "Vapaaehtoiset vierailevat kotona ja lähtevät kävelylle.",
        ),
        _org(
            "o-yksin",
            "Lapin Kotikäynnit",
            "association",
            ["Rovaniemi"],
            "Lappi",
            ["terveys"],
            "Kukaan ei jää yksin.",
        ),
        _org(
            "o-kela",
            "Kela",
            "public_service",
            [],
            None,
            ["terveys"],
            "Kela maksaa eläkkeet ja asumistuen.",
        ),
        _org(
            "o-kirjasto",
            "Joensuun kirjasto",
            "public_service",
            ["Joensuu"],
            "Pohjois-Karjala",
            ["kulttuuri"],
            "Kirjasto lainaa kirjoja.",
        ),
        _org(
            "o-kuoro",
            "Kemin Kuoro",
            "association",
            ["Kemi"],
            "Lappi",
            ["kulttuuri"],
            "Kuoro, joka laulaa.",
        ),
        _org(
            "o-nako",
            "Joensuun Näkövammaiset",
            "association",
            ["Joensuu"],
            "Pohjois-Karjala",
            ["vammaiset"],
            "Yhdistys tukee näkövammaisia.",
        ),
    ],
}


@pytest.fixture
def needs(tmp_path) -> Directory:
    store = Directory(f"sqlite:///{tmp_path / 'needs.db'}")
    store.import_document(NEEDS)
    return store


def ask_near(
    directory: Directory, text: str, prefer: str = "association", nationwide: bool = True
) -> tuple[list[str], str]:
    topic = next((e.value for e in finnish.extract_entities(text) if e.entity == "topic"), None)
    query = Query(
        words=finnish.content_words(text), topic=topic, municipality="Joensuu", prefer=prefer
    )
    found, scope = search(directory, query, far_only_nationwide=nationwide)
    return names(found), scope


def test_a_topic_the_question_names_finds_a_service_tagged_with_it(needs) -> None:
    """ "tukea omaishoitajille": the place's welfare area, tagged with family care, before an
    association of family carers in another region."""
    assert ask_near(needs, "tukea omaishoitajille", nationwide=False) == (
        ["Siun sote"],
        "municipality",
    )


def test_a_narrow_topic_near_comes_before_words_far_away(needs) -> None:
    """ "isä asuu yksin ja kaipais seuraa": friendship work in the place, not a far record
    whose text says "yksin"."""
    assert ask_near(needs, "isä asuu yksin ja kaipais seuraa", nationwide=False) == (
        ["Joensuun Ystäväpiiri"],
        "municipality",
    )


def test_from_across_the_country_only_what_serves_all_of_it(needs) -> None:
    """A choir in Kemi is no answer in Joensuu, nor is the library tagged with culture; Kela,
    which serves everyone, is."""
    assert ask_near(needs, "onko kuoroja") == ([], "none")
    assert ask_near(needs, "onko kuoroja", nationwide=False) == (["Kemin Kuoro"], "national")
    assert ask_near(needs, "asumistuki", prefer="public_service") == (["Kela"], "national")


def test_a_synonym_of_another_sort_answers_when_nothing_else_does(needs) -> None:
    """ "isä on sokeutumassa", put as a service: the association of the visually impaired
    (found by a synonym only), not "nothing found"."""
    assert ask_near(needs, "isä on sokeutumassa ja tarvitsis tukea", prefer="public_service") == (
        ["Joensuun Näkövammaiset"],
        "municipality",
    )


def test_parents_are_not_old() -> None:
    assert finnish.lemma("vanhemmille") == "vanhempi"
    assert finnish.lemma("vanhoille") == "vanha"


@pytest.mark.parametrize(
    "text,more",
    [
        ("mitä siellä on", True),
        ("millainen se on", True),
        ("mitä siellä tehdään", True),
        ("onko siellä piano", False),
        ("mitä se maksaa", False),
    ],
)
def test_what_is_there_asks_for_all_of_it(text: str, more: bool) -> None:
    assert asks_more(text) is more
