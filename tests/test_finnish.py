"""finnish: municipality and region forms, ambiguous names, topics, phone numbers.

Voikko serves as an independent oracle for inflected place names: it knows the correct case
forms of Finnish place names, so every form it confirms must be in our table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import finnish
from finnish.municipalities import AMBIGUOUS

GAZ = finnish.gazetteer()
MUNICIPALITIES = sorted(GAZ.municipalities)

# Hand-written: the tricky ones (consonant gradation, e-stems, -nen, -s, plural names).
KNOWN_FORMS = {
    "Kuopiossa": "Kuopio",
    "kuopiosta": "Kuopio",
    "Kuopion": "Kuopio",
    "Kuopioon": "Kuopio",
    "Rovaniemellä": "Rovaniemi",
    "Rovaniemeltä": "Rovaniemi",
    "rovaniemelle": "Rovaniemi",
    "Iissä": "Ii",
    "Iin": "Ii",
    "Iihin": "Ii",
    "Salossa": "Salo",
    "Salosta": "Salo",
    "Lahdessa": "Lahti",
    "Lahteen": "Lahti",
    "Lahden": "Lahti",
    "Helsingissä": "Helsinki",
    "Helsinkiin": "Helsinki",
    "Turussa": "Turku",
    "Turkuun": "Turku",
    "Turun": "Turku",
    "Seinäjoella": "Seinäjoki",
    "Seinäjoelle": "Seinäjoki",
    "Varkaudessa": "Varkaus",
    "Varkauteen": "Varkaus",
    "Iisalmessa": "Iisalmi",
    "Kiuruvedellä": "Kiuruvesi",
    "Pielavedellä": "Pielavesi",
    "Leppävirralla": "Leppävirta",
    "Joroisissa": "Joroinen",
    "Kaavilla": "Kaavi",
    "Rautalammilla": "Rautalampi",
    "Vesannolla": "Vesanto",
    "Keiteleellä": "Keitele",
    "Jyväskylässä": "Jyväskylä",
    "Jyväskylään": "Jyväskylä",
    "Muuramessa": "Muurame",
    "Luhangassa": "Luhanka",
    "Pihtiputaalla": "Pihtipudas",
    "Uuraisilla": "Uurainen",
    "Nurmeksessa": "Nurmes",
    "Outokummussa": "Outokumpu",
    "Juuassa": "Juuka",
    "Kiteellä": "Kitee",
    "Raahessa": "Raahe",
    "Tampereella": "Tampere",
    "Tampereelle": "Tampere",
    "Uudessakaupungissa": "Uusikaupunki",
    "Isossakyrössä": "Isokyrö",
    "Virroilla": "Virrat",
    "Punkalaitumella": "Punkalaidun",
    "Kannuksessa": "Kannus",
    "Alavudella": "Alavus",
    "Muhoksella": "Muhos",
    "Finströmissä": "Finström",
    "Mänttä-Vilppulassa": "Mänttä-Vilppula",
    "Imatralla": "Imatra",
    "Sodankylässä": "Sodankylä",
    "Utsjoella": "Utsjoki",
    "Kemijärvellä": "Kemijärvi",
    "Lappeenrannassa": "Lappeenranta",
    "Joensuuhun": "Joensuu",
    "Joensuussa": "Joensuu",
    "Hyvinkäälle": "Hyvinkää",
    "Vantaalla": "Vantaa",
    "Espoossa": "Espoo",
    "Porvooseen": "Porvoo",
    "Ouluun": "Oulu",
    "Oulussa": "Oulu",
    "Kuusamossa": "Kuusamo",
    "Kolarissa": "Kolari",
    "Nokialla": "Nokia",
    "Pellossa": "Pello",
    "Auralla": "Aura",
    "Luodossa": "Luoto",
    "Hämeenlinnaan": "Hämeenlinna",
    "Kristiinankaupungissa": "Kristiinankaupunki",
    "Pedersöressä": "Pedersören kunta",
    "Koski Tl": "Koski Tl",
    "Ylitorniolla": "Ylitornio",
    "Maarianhaminassa": "Maarianhamina",
    "Savonlinnassa": "Savonlinna",
    "Mikkelissä": "Mikkeli",
    "Kajaanissa": "Kajaani",
    "Kotkassa": "Kotka",
    "Porissa": "Pori",
    "Vaasassa": "Vaasa",
    "Kokkolassa": "Kokkola",
    "Riihimäellä": "Riihimäki",
    "Pieksämäellä": "Pieksämäki",
    "Äänekoskella": "Äänekoski",
    "Heinävedellä": "Heinävesi",
    "Siilinjärvellä": "Siilinjärvi",
    "Kontiolahdella": "Kontiolahti",
    "Lieksassa": "Lieksa",
    "Ilomantsissa": "Ilomantsi",
    "Inarissa": "Inari",
    "Enontekiöllä": "Enontekiö",
    "Kittilässä": "Kittilä",
    "Muoniossa": "Muonio",
    # colloquial, nicknames, Swedish, inhabitants
    "Hesassa": "Helsinki",
    "Stadissa": "Helsinki",
    "Mansessa": "Tampere",
    "Jyväs": "Jyväskylä",
    "Rollossa": "Rovaniemi",
    "turus": "Turku",
    "kuopios": "Kuopio",
    "lahen": "Lahti",
    "Åbo": "Turku",
    "Helsingfors": "Helsinki",
    "Vasa": "Vaasa",
    "Borgå": "Porvoo",
    "kuopiolainen": "Kuopio",
    "rovaniemeläiset": "Rovaniemi",
    "jyväsillä": "Jyväskylä",
}

KNOWN_REGIONS = {
    "Lapissa": "Lappi",
    "lappiin": "Lappi",
    "Lapin": "Lappi",
    "pohjois-savossa": "Pohjois-Savo",
    "Pohjois-Savon": "Pohjois-Savo",
    "pohjois savossa": "Pohjois-Savo",
    "Keski-Suomessa": "Keski-Suomi",
    "keskisuomessa": "Keski-Suomi",
    "Pohjois-Karjalassa": "Pohjois-Karjala",
    "Uudellamaalla": "Uusimaa",
    "Kanta-Hämeessä": "Kanta-Häme",
    "Satakunnassa": "Satakunta",
    "Kainuussa": "Kainuu",
    "Pirkanmaalla": "Pirkanmaa",
    "Varsinais-Suomessa": "Varsinais-Suomi",
    "Ahvenanmaalla": "Ahvenanmaa",
    "Etelä-Pohjanmaalla": "Etelä-Pohjanmaa",
    "Kymenlaaksossa": "Kymenlaakso",
    "Päijät-Hämeessä": "Päijät-Häme",
}


def test_file_has_all_309_municipalities_and_19_regions() -> None:
    assert len(GAZ.municipalities) == 309
    assert len(GAZ.regions) == 19


@pytest.mark.parametrize("form,name", sorted(KNOWN_FORMS.items()))
def test_known_municipality_forms(form: str, name: str) -> None:
    assert GAZ.municipality(form) == name


@pytest.mark.parametrize("form,name", sorted(KNOWN_REGIONS.items()))
def test_known_region_forms(form: str, name: str) -> None:
    assert GAZ.region(form) == name


def test_voikko_is_loaded_and_lemmatises() -> None:
    """Setup installs Voikko; without it the NLU and the search degrade quietly, so its
    absence fails here instead of skipping."""
    assert finnish.morphology.VOIKKO is not None
    assert finnish.lemma("kuoroissa") == "kuoro"


@pytest.mark.parametrize("name", MUNICIPALITIES)
def test_every_municipality_has_voikko_confirmed_local_and_genitive_forms(name: str) -> None:
    """For each municipality our table holds the form Voikko accepts for "in X" and "X's"."""
    if name in ("Koski Tl", "Pedersören kunta") or not finnish.place_lemma(name):
        pytest.skip("Voikko does not know this name")
    ours = {f for f, (ent, val) in GAZ._forms.items() if ent == "municipality" and val == name}
    confirmed = {
        f for f in ours if name in (finnish.place_lemma(f), finnish.place_lemma(f.title()))
    }
    locative = {f for f in confirmed if f.endswith(("ssa", "ssä", "lla", "llä"))}
    genitive = {f for f in confirmed if f.endswith("n") and not f.endswith(("seen", "iin"))}
    assert locative, f"no Voikko-confirmed 'in {name}' form among {sorted(ours)[:10]}…"
    assert genitive, f"no Voikko-confirmed genitive of {name}"
    # and every confirmed form leads back to the name, in a sentence too; a name that is also an
    # ordinary word only in its own local cases (Kotkassa, not kotkalla)
    family = AMBIGUOUS.get(name, {}).get("locative", "both")
    if family != "both":
        own = ("ssa", "ssä") if family == "inner" else ("lla", "llä")
        locative = {f for f in locative if f.endswith(own)}
    for form in sorted(locative)[:2]:
        sentence = f"onko {form} yhdistyksiä"
        found = finnish.entity_values(sentence, "municipality")
        assert found == [name], (sentence, found)


@pytest.mark.parametrize(
    "text",
    [
        "lopeta",
        "kotona",
        "jalka on poikki",
        "olin kolarissa",
        "ajoin kolarin moottoritiellä",
        "Nokian puhelin ei toimi",
        "aura on rikki ja lumi tulee",
        "kemia on vaikeaa",
        "Kaarina Virtanen soitti",
        "Kaarina Virtanen",
        "pellolla kasvaa vehnää",
    ],
)
def test_ordinary_words_are_not_municipalities(text: str) -> None:
    assert finnish.entity_values(text, "municipality") == []


@pytest.mark.parametrize(
    "text,name",
    [
        ("asun Salossa", "Salo"),
        ("onks salossa kuoroja", "Salo"),
        ("Iissä", "Ii"),
        ("mä asun kolarissa onks siellä eläkeläisyhdistystä", "Kolari"),
        ("kolarissa", "Kolari"),
        ("Nokialla on hyvä kirjasto", "Nokia"),
        ("pellossa on terveysasema", "Pello"),
        ("onko luodossa kerhoja", "Luoto"),
        ("asun Kaarinassa", "Kaarina"),
        ("lahdessa on palvelu", "Lahti"),
    ],
)
def test_ordinary_word_names_count_in_place_context(text: str, name: str) -> None:
    assert finnish.entity_values(text, "municipality") == [name]


@pytest.mark.parametrize(
    "word,topic",
    [
        ("liikuntaseura", "liikunta"),
        ("liikuntaseuroja", "liikunta"),
        ("eläkeläisyhdistys", "ikaantyneet"),
        ("kyläyhdistys", "kylatoiminta"),
        ("omaishoitajayhdistys", "omaishoito"),
        ("kuoroja", "kulttuuri"),
        ("mieskuoro", "kulttuuri"),
        ("jumppa", "liikunta"),
        ("tuolijumppaa", "liikunta"),
        ("eläkeläiset", "ikaantyneet"),
        ("senioreille", "ikaantyneet"),
        ("lapsiperheille", "lapset_ja_perheet"),
        ("nuorisoseura", "nuoret"),
        ("mielenterveysyhdistys", "mielenterveys"),
        ("AA", "paihteet"),
        ("päihdetyö", "paihteet"),
        ("näkövammaisten", "vammaiset"),
        ("kuulovammaisille", "vammaiset"),
        ("diabetesyhdistys", "terveys"),
        ("muistisairaiden", "terveys"),
        ("syöpäyhdistys", "terveys"),
        ("kylätoimikunta", "kylatoiminta"),
        ("omaishoitajat", "omaishoito"),
        ("ystävätoiminta", "ystavatoiminta"),
        ("yksinäisyyteen", "ystavatoiminta"),
        ("maahanmuuttajille", "maahanmuuttajat"),
        ("luonnonsuojeluyhdistys", "ymparisto"),
        ("vapaaehtoistyö", "vapaaehtoistyo"),
        ("digitukea", "digituki"),
        ("tabletin", "digituki"),
        ("tietokoneen", "digituki"),
        ("pankkitunnuksilla", "digituki"),
        ("sateenkaarinuorten", "nuoret"),
        ("kierrätys", "ymparisto"),
    ],
)
def test_topics_also_inside_compounds(word: str, topic: str) -> None:
    assert finnish.topic_of_word(word) == topic


@pytest.mark.parametrize(
    "word",
    [
        "terveysasema",
        "äiti",
        "lapsi",
        "vanhusneuvosto",
        "sydämelliset",
        "soittakaa",
        "yhdistys",
        "kerho",
        "järjestö",
        "puhelin",
    ],
)
def test_words_that_are_not_topics(word: str) -> None:
    assert finnish.topic_of_word(word) is None


@pytest.mark.parametrize(
    "text,e164",
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("040-123 4567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("+358401234567", "+358401234567"),
        ("00358 40 123 4567", "+358401234567"),
        ("(040) 123 4567", "+358401234567"),
        ("050 555 6789", "+358505556789"),
        ("09 2525 0111", "+358925250111"),
        ("044-555 1212", "+358445551212"),
        ("nolla neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän", "+358401234567"),
        ("nolla neljä nolla yks kaks kolme neljä viis kuus seittemän", "+358401234567"),
        (
            "nolla neljäkymmentä viisisataaviisikymmentäviisi kaksitoista kolmekymmentäneljä",
            "+358405551234",
        ),
        ("nolla neljäkyt viissataaviiskytviis kakstoist kolmekytneljä", "+358405551234"),
        (
            "plus kolme viisi kahdeksan neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän",
            "+358401234567",
        ),
    ],
)
def test_phone_numbers_to_e164(text: str, e164: str) -> None:
    assert finnish.normalize_phone(text) == e164
    assert finnish.entity_values(f"soittakaa minulle numeroon {text} kiitos", "phone_number") == [
        e164
    ]


@pytest.mark.parametrize(
    "text", ["10.2.2027", "klo 18.00-20.00", "2027-03-31", "vuonna 2026", "123", "", "abc"]
)
def test_dates_and_short_numbers_are_not_phone_numbers(text: str) -> None:
    assert finnish.normalize_phone(text) is None
    assert finnish.entity_values(f"tapahtuma {text} Kuopiossa", "phone_number") == []


@pytest.mark.parametrize(
    "word,value",
    [
        ("kaksitoista", 12),
        ("kolmekymmentäneljä", 34),
        ("neljäkymmentä", 40),
        ("sata", 100),
        ("viisisataaviisikymmentäviisi", 555),
        ("kakstoist", 12),
        ("kymmenen", 10),
        ("satakunta", None),
        ("talo", None),
        ("kuusikymmentäx", None),
    ],
)
def test_number_words(word: str, value: int | None) -> None:
    assert finnish.number_word(word) == value


@pytest.mark.parametrize("text", ["kolme kuusi", "viisi kertaa", "asun kuusi kilometriä päässä"])
def test_a_few_number_words_are_not_a_phone_number(text: str) -> None:
    assert finnish.entity_values(text, "phone_number") == []


def test_phone_number_reads_aloud_in_national_format() -> None:
    assert finnish.format_phone_for_speech("+358401234567") == "040 123 4567"
    assert finnish.format_phone_for_speech("+358925250111") == "09 2525 0111"
    spoken = finnish.format_phone_for_speech("+358400123456")
    assert spoken.replace(" ", "") == "0400123456"
    assert all(len(group) <= 4 for group in spoken.split())


def test_entities_in_a_sentence_have_spans_and_values() -> None:
    text = "Onks Kuopiossa liikuntaseuroja? Soita 040 555 1234"
    ents = finnish.extract_entities(text)
    assert [(e.entity, e.value) for e in ents] == [
        ("municipality", "Kuopio"),
        ("topic", "liikunta"),
        ("phone_number", "+358405551234"),
    ]
    for e in ents:
        assert text[e.start : e.end] == e.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "x" * 100_000,
        "\x00\x01\x02",
        "'; DROP TABLE municipalities; --",
        "🙂🙂",
        "Kuopio" * 2000,
        "ääääääääääääääääääää",
    ],
)
def test_bad_input_finds_nothing(text: str) -> None:
    """Empty, huge, control characters, injection, emoji, a name run together: no place, no
    phone, no danger and no topic is found in it, and nothing raises."""
    assert finnish.extract_entities(text) == []
    assert finnish.normalize_phone(text) is None
    assert finnish.safety_intent(text) is None
    assert finnish.topic(text) is None


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("onko kuu piossa kuoroja", "Kuopio"),  # speech recognition splits a name
        ("haluan kuopijossa apua", "Kuopio"),  # and writes it as it is said
        ("rova niemellä on kerho", "Rovaniemi"),
        ("iso kyrössä on kerho", "Isokyrö"),
        ("mä asun kiteelä", "Kitee"),  # a hurried typist
        ("kuinka pääsen tampereella", "Tampere"),
        ("espoosa on uimahalli", "Espoo"),
    ],
)
def test_a_misheard_or_mistyped_place_is_still_found(text: str, place: str) -> None:
    assert finnish.entity_values(text, "municipality") == [place]


@pytest.mark.parametrize(
    "text",
    [
        "öö onks täällä mitään eläkeläisille sellasta tuolijumppaa",  # not Salla
        "rinta kipee ja henki ei kulje",  # not Kitee
        "mihin soitan ku tarviin kotihoidon käyntejä lisää",  # not Kustavi
        "onks sivisillä kursseja etäkokouksista",  # not Sievi
        "tollasta mä en tiiä",
    ],
)
def test_colloquial_words_are_not_taken_for_places(text: str) -> None:
    assert finnish.entity_values(text, "municipality") == []


@pytest.mark.parametrize(
    ("heard", "tidy"),
    [
        ("Yhdistyksen yhteys henkilö vaihtui.", "Yhdistyksen yhteyshenkilö vaihtui."),
        ("koti palvelu ja omais hoitaja", "kotipalvelu ja omaishoitaja"),
        ("tietokone kurssi eläkeläisille", "tietokonekurssi eläkeläisille"),
        ("mietin itse murha", "mietin itsemurha"),
        # ordinary phrases stay apart
        ("vanha kaupunki on kaunis", "vanha kaupunki on kaunis"),
        ("kunnan palvelut", "kunnan palvelut"),
        ("mitä avustuksia yhdistys voi hakea", "mitä avustuksia yhdistys voi hakea"),
        ("talo palaa", "talo palaa"),
        ("Simo Laaksonen", "Simo Laaksonen"),
        ("", ""),
    ],
)
def test_compounds_said_in_two_are_written_as_one(heard: str, tidy: str) -> None:
    from finnish.spoken import tidy_transcript

    assert tidy_transcript(heard) == tidy


def test_no_training_sentence_has_a_place_its_annotation_does_not_name() -> None:
    """The guard on forgiving matching (misheard names, split names): across all 3 000+
    training sentences it finds no municipality that is not really there."""
    from nlu.evaluate import load_examples

    examples = load_examples(sorted((Path(__file__).parents[1] / "nlu_data").glob("*.yml")))
    extra = [
        (e.text, found)
        for e in examples
        if (found := set(finnish.entity_values(e.text, "municipality")))
        - {v for t, v in e.entities if t == "municipality"}
    ]
    assert len(examples) > 3000 and extra == []
