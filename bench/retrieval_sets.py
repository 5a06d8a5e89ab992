"""Retrieval questions for any apuri-directory/1 file, so that search can be measured on a
directory nobody has written questions for.

    .venv/bin/python bench/retrieval_sets.py DIRECTORY OUT [--seed N] [--target N]

Questions come from templates filled with the directory's own words: its topics, the names of
its organisations, people, events, spaces and grants, the activity words of names and
descriptions, and municipality names in the case forms the project generates
(finnish.forms, checked by Voikko). Relevance is computed from the directory with the place
rules of bench/data/retrieval/sample.yml: the municipality's records, else its region's, else the
neighbouring regions', else any in Finland; records without a place answer everywhere but are
only "acceptable" while placed ones exist. Output has the format of the hand-written sets:

    directory: <name>
    questions:
      - q: "onko kuopiossa kuoroja"
        relevant: [org-…]
        acceptable: [ev-…]
        kind: search | need | record
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import finnish  # noqa: E402
from finnish import morphology  # noqa: E402
from finnish.forms import forms_of_part, inflected_forms  # noqa: E402
from finnish.municipalities import AMBIGUOUS  # noqa: E402

SEED = 20261204
TARGET = 300
RECORD_LISTS = ("organizations", "contact_persons", "events", "grants", "spaces")

# --- place names in their case forms ----------------------------------------------------------
# finnish.forms generates every plausible form of a name for recognition; Voikko tells which
# of them are real. Voikko accepts both Kuopiossa and Kuopiolla, so which local cases a place
# takes comes from places.yml where it says, else from these endings and names (Rovaniemellä,
# Äänekoskella, Kiteellä, but Lahdessa and Iisalmessa). A name we are unsure of gets no form and
# is used only where the nominative fits ("kuoro Koski Tl").
OUTER_ENDINGS = (
    "järvi",
    "niemi",
    "koski",
    "mäki",
    "joki",
    "vesi",
    "lahti",
    "vaara",
    "harju",
    "maa",
    "lampi",
    "virta",
    "taipale",
    "saari",
    "salmi",
    "nummi",
)
OUTER_NAMES = frozenset(
    {
        "Alavus",
        "Aura",
        "Enontekiö",
        "Halsua",
        "Hyvinkää",
        "Imatra",
        "Juva",
        "Kaavi",
        "Kaustinen",
        "Kauhava",
        "Keitele",
        "Keuruu",
        "Kitee",
        "Kuortane",
        "Laihia",
        "Lapua",
        "Lemi",
        "Lohja",
        "Loppi",
        "Merikarvia",
        "Karvia",
        "Muhos",
        "Multia",
        "Nokia",
        "Parainen",
        "Pihtipudas",
        "Posio",
        "Punkalaidun",
        "Puolanka",
        "Pyhtää",
        "Pyhäntä",
        "Pälkäne",
        "Pöytyä",
        "Ranua",
        "Rusko",
        "Siikalatva",
        "Somero",
        "Sulkava",
        "Tampere",
        "Teuva",
        "Tyrnävä",
        "Valtimo",
        "Vantaa",
        "Vesanto",
        "Vieremä",
        "Vöyri",
        "Ypäjä",
    }
)
SINGULAR_NEN = frozenset({"Kaustinen"})  # other -nen names are plural: Kauniaisissa, Paraisilla
INNER_NAMES = frozenset({"Lahti", "Iisalmi", "Pietarsaari", "Mustasaari", "Ii"})
UNSURE_NAMES = frozenset({"Kangasala", "Koski Tl", "Pedersören kunta", "Virrat", "Uusimaa"})
_CASES = {
    "loc": ("sisaolento", "ulkoolento"),
    "ela": ("sisaeronto", "ulkoeronto"),
    "gen": ("omanto", "omanto"),
}

# Regions that share a border: "the closest" when neither a municipality nor its region has a
# match (no coordinates in the directory).
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "Uusimaa": ("Varsinais-Suomi", "Kanta-Häme", "Päijät-Häme", "Kymenlaakso"),
    "Varsinais-Suomi": ("Uusimaa", "Kanta-Häme", "Pirkanmaa", "Satakunta", "Ahvenanmaa"),
    "Satakunta": ("Varsinais-Suomi", "Pirkanmaa", "Etelä-Pohjanmaa", "Pohjanmaa"),
    "Kanta-Häme": ("Uusimaa", "Varsinais-Suomi", "Pirkanmaa", "Päijät-Häme"),
    "Pirkanmaa": (
        "Satakunta",
        "Varsinais-Suomi",
        "Kanta-Häme",
        "Päijät-Häme",
        "Keski-Suomi",
        "Etelä-Pohjanmaa",
    ),
    "Päijät-Häme": (
        "Uusimaa",
        "Kanta-Häme",
        "Pirkanmaa",
        "Keski-Suomi",
        "Etelä-Savo",
        "Kymenlaakso",
    ),
    "Kymenlaakso": ("Uusimaa", "Päijät-Häme", "Etelä-Savo", "Etelä-Karjala"),
    "Etelä-Karjala": ("Kymenlaakso", "Etelä-Savo"),
    "Etelä-Savo": (
        "Päijät-Häme",
        "Kymenlaakso",
        "Etelä-Karjala",
        "Keski-Suomi",
        "Pohjois-Savo",
        "Pohjois-Karjala",
    ),
    "Pohjois-Savo": ("Etelä-Savo", "Keski-Suomi", "Pohjois-Pohjanmaa", "Kainuu", "Pohjois-Karjala"),
    "Pohjois-Karjala": ("Etelä-Savo", "Pohjois-Savo", "Kainuu"),
    "Keski-Suomi": (
        "Pirkanmaa",
        "Päijät-Häme",
        "Etelä-Savo",
        "Pohjois-Savo",
        "Pohjois-Pohjanmaa",
        "Keski-Pohjanmaa",
        "Etelä-Pohjanmaa",
    ),
    "Etelä-Pohjanmaa": ("Satakunta", "Pirkanmaa", "Keski-Suomi", "Keski-Pohjanmaa", "Pohjanmaa"),
    "Pohjanmaa": ("Satakunta", "Etelä-Pohjanmaa", "Keski-Pohjanmaa"),
    "Keski-Pohjanmaa": ("Pohjanmaa", "Etelä-Pohjanmaa", "Keski-Suomi", "Pohjois-Pohjanmaa"),
    "Pohjois-Pohjanmaa": ("Keski-Pohjanmaa", "Keski-Suomi", "Pohjois-Savo", "Kainuu", "Lappi"),
    "Kainuu": ("Pohjois-Pohjanmaa", "Pohjois-Savo", "Pohjois-Karjala"),
    "Lappi": ("Pohjois-Pohjanmaa",),
    "Ahvenanmaa": ("Varsinais-Suomi",),
}
# Towns people often ask about, for questions about places with no record of their own.
TOWNS = (
    "Helsinki",
    "Espoo",
    "Tampere",
    "Turku",
    "Oulu",
    "Lahti",
    "Pori",
    "Vaasa",
    "Seinäjoki",
    "Kajaani",
    "Mikkeli",
    "Lappeenranta",
    "Kotka",
    "Hämeenlinna",
    "Kokkola",
    "Savonlinna",
    "Porvoo",
    "Salo",
    "Rauma",
    "Kouvola",
    "Raahe",
    "Kuusamo",
    "Kemijärvi",
    "Pieksämäki",
    "Ylivieska",
    "Forssa",
    "Imatra",
    "Heinola",
)


def _capitalised_like(form: str, name: str) -> str:
    """A lower-case form written with the capitals of the name ("pohjois-savossa" → …Savossa)."""
    out, upper_next = [], True
    caps = [p[:1].isupper() for p in re.split(r"[- ]", name)]
    part = 0
    for ch in form:
        if upper_next:
            out.append(ch.upper() if part < len(caps) and caps[part] else ch)
            upper_next = False
        else:
            out.append(ch)
        if ch in "- ":
            part += 1
            upper_next = True
    return "".join(out)


def _outer(name: str, is_region: bool) -> bool:
    """Whether a place takes the outer local cases (Rovaniemellä) rather than the inner ones."""
    family = AMBIGUOUS.get(name, {}).get("locative")
    if family in ("inner", "outer"):
        return family == "outer"
    if is_region:
        return name.endswith("maa")
    if name in INNER_NAMES:
        return False
    return name in OUTER_NAMES or name.lower().endswith(OUTER_ENDINGS)


@functools.lru_cache(maxsize=2048)
def place_form(name: str, case: str) -> str | None:
    """One real case form of a place ("Kuopio", "loc" → "Kuopiossa"), for templates."""
    # Candidates: the project's recognition forms (finnish.forms); Voikko picks the real one.
    if name in UNSURE_NAMES:
        return None
    is_region = name in finnish.gazetteer().regions
    wanted = _CASES[case][1 if _outer(name, is_region) else 0]
    number = "plural" if name.endswith("nen") and name not in SINGULAR_NEN else "singular"
    sep = "-" if "-" in name else " " if " " in name else ""
    found = []
    for form in inflected_forms(name):
        if sep and sep not in form or not sep and ("-" in form or " " in form):
            continue
        written = _capitalised_like(form, name)
        for a in morphology.analyses(written):
            if (
                a.get("BASEFORM") == name
                and a.get("SIJAMUOTO") == wanted
                and a.get("NUMBER") == number
            ):
                found.append(written)
                break
    return min(found, key=lambda f: (len(f), f)) if found else None


# --- common nouns in their case forms --------------------------------------------------------
_NOUN_CLASSES = ("nimisana", "nimisana_laatusana", "sukunimi", "etunimi", "nimi", "paikannimi")


def noun_base(word: str) -> tuple[str, str] | None:
    """(base form, number) of a noun in the nominative ("Eläkeläiset" → eläkeläinen, plural)."""
    for a in morphology.analyses(word):
        if a.get("SIJAMUOTO") == "nimento" and a.get("CLASS") in _NOUN_CLASSES:
            return a["BASEFORM"], a.get("NUMBER", "singular")
    return None


@functools.lru_cache(maxsize=8192)
def word_form(word: str, case: str, number: str | None = None) -> str | None:
    """One case form of a noun as written ("Kamarikuoro", "omanto" → "Kamarikuoron")."""
    # Candidates from finnish.forms on the base form; Voikko picks the case and number.
    base_number = noun_base(word)
    if not base_number:
        return None
    base, own_number = base_number
    number = number or own_number
    found = []
    for form in forms_of_part(base.lower()):
        for a in morphology.analyses(form):
            if (
                a.get("BASEFORM", "").lower() == base.lower()
                and a.get("SIJAMUOTO") == case
                and a.get("NUMBER") == number
            ):
                found.append(form)
                break
    if not found:
        return None
    best = min(found, key=lambda f: (len(f), f))
    return best[:1].upper() + best[1:] if word[:1].isupper() else best


def last_word_form(phrase: str, case: str, number: str | None = None) -> str | None:
    """A phrase with its last word inflected ("Kemin Kamarikuoro" → "Kemin Kamarikuoron")."""
    head, _, last = phrase.rpartition(" ")
    form = word_form(last, case, number)
    if not form:
        return None
    return f"{head} {form}" if head else form


@functools.lru_cache(maxsize=8192)
def lemma_parts(word: str) -> frozenset[str]:
    """The base form of a word and its compound tails ("kamarikuoron" → kamarikuoro, kuoro)."""
    base = morphology.lemma(word)
    out = {base}
    for start in morphology.compound_boundaries(base):
        if start and len(base) - start >= 4:
            out.add(base[start:])
    return frozenset(out)


# --- the directory -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    """A municipality or region a question names, with the forms templates need."""

    name: str
    region: str
    is_region: bool

    @property
    def loc(self) -> str | None:
        return place_form(self.name, "loc")

    @property
    def ela(self) -> str | None:
        return place_form(self.name, "ela")

    @property
    def gen(self) -> str | None:
        return place_form(self.name, "gen")


@dataclass
class Rec:
    """One directory record with what relevance needs: its places, topics, kind and words."""

    id: str
    list: str  # organizations | contact_persons | events | grants | spaces
    data: dict[str, Any]
    municipalities: frozenset[str]
    regions: frozenset[str]
    topics: frozenset[str]
    name_words: frozenset[str] = field(default_factory=frozenset)
    text_words: frozenset[str] = field(default_factory=frozenset)
    head_words: frozenset[str] = field(default_factory=frozenset)  # of the name's last word

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.data.get("title") or self.id)

    @property
    def kind(self) -> str:
        return str(self.data.get("kind") or self.list)

    @property
    def main_topic(self) -> str | None:
        topics = self.data.get("topics") or []
        return topics[0] if topics else None

    @property
    def national(self) -> bool:
        return not self.municipalities and not self.regions

    def covers(self, place: Place) -> bool:
        """The record is of this place: its municipality, or a regional record of its region."""
        if place.is_region:
            return place.name in self.regions
        if self.municipalities:
            return place.name in self.municipalities
        return place.region in self.regions

    def in_regions(self, regions: Iterable[str]) -> bool:
        return not self.regions.isdisjoint(regions)


def _words(text: str) -> frozenset[str]:
    out: set[str] = set()
    for _, _, word in finnish.tokenize(text):
        if len(word) >= 4 and not word.isdigit():
            out |= lemma_parts(word)
    return frozenset(out)


def strip_example(name: str) -> str:
    """A name as people say it: without "(esimerkki)" and other notes in brackets."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def load_directory(path: Path) -> list[Rec]:
    """The records of a directory file, with their places read the way search reads them."""
    # A record's regions are its own "region" and the regions of its municipalities.
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != "apuri-directory/1":
        raise SystemExit(f"{path}: not an apuri-directory/1 file")
    gaz = finnish.gazetteer()
    out = []
    for list_name in RECORD_LISTS:
        for raw in data.get(list_name) or []:
            munis = raw.get("municipalities") or []
            if raw.get("municipality"):
                munis = [raw["municipality"], *munis]
            regions = {gaz.region_of(m) for m in munis} | {raw.get("region")}
            name = strip_example(str(raw.get("name") or raw.get("title") or ""))
            text = " ".join(str(raw.get(k) or "") for k in ("description",))
            out.append(
                Rec(
                    id=raw["id"],
                    list=list_name,
                    data=raw,
                    municipalities=frozenset(munis),
                    regions=frozenset(r for r in regions if r),
                    topics=frozenset(raw.get("topics") or ()),
                    name_words=_words(name),
                    text_words=_words(name + " " + text),
                    head_words=lemma_parts(name.split()[-1]) if name else frozenset(),
                )
            )
    return out


# --- relevance ----------------------------------------------------------------------------------
@dataclass
class Answer:
    relevant: list[str]
    acceptable: list[str]


def tiered(
    matches: Sequence[Rec], loose: Sequence[Rec], place: Place | None, reach: str = "anywhere"
) -> Answer:
    """What an info desk would list for a place: the nearest place that has any match."""
    # Municipality, else its region, else neighbouring regions, else anywhere; records without a
    # place only while no placed record matches. `reach` stops the widening for what serves only
    # its own area: "municipality" (grants one may apply for), "region" (public services).
    # `loose` matches (a side topic, another kind, a word only in the description) are
    # acceptable when as near as the relevant ones or nearer.
    placed = [r for r in matches if not r.national]
    national = [r for r in matches if r.national]
    tiers: list[Callable[[Rec], bool]] = [lambda r: True]
    if place is not None:
        region = place.region
        tiers = [lambda r: r.covers(place)]
        if reach != "municipality" and not place.is_region:
            tiers.append(lambda r: r.in_regions([region]))
        if reach == "anywhere":
            tiers += [lambda r: r.in_regions(NEIGHBOURS.get(region, ())), lambda r: True]
    for n, test in enumerate(tiers):
        hit = [r for r in placed if test(r)]
        if hit:
            near = [r for r in loose if not r.national and any(t(r) for t in tiers[: n + 1])]
            extra = near + national + [r for r in loose if r.national]
            return Answer(_ids(hit), [i for i in _ids(extra) if i not in _ids(hit)])
    if national:
        return Answer(_ids(national), [r.id for r in loose if r.national])
    return Answer([], [])


def topic_matches(
    orgs: Sequence[Rec],
    topic: str,
    kinds: Sequence[str],
) -> tuple[list[Rec], list[Rec]]:
    """(matches, loose): a side topic (seniors, for a memory association) is only acceptable."""
    # Associations match on their main (first) topic, services on any of theirs.
    fits = [r for r in orgs if topic in r.topics and r.kind in kinds]
    main = [r for r in fits if r.kind != "association" or r.main_topic == topic] or fits
    loose = [r for r in orgs if topic in r.topics and r not in main]
    return main, loose


def _ids(recs: Iterable[Rec]) -> list[str]:
    seen: dict[str, None] = {}
    for r in recs:
        seen.setdefault(r.id, None)
    return list(seen)


# --- topic words --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Phrase:
    """A way to name a topic: `ptv` fits "onko Kuopiossa …", `nom` fits "… Kuopio"."""

    topic: str
    ptv: str
    nom: str
    kinds: tuple[str, ...] = ("association",)


def _p(
    topic: str,
    pairs: Sequence[tuple[str, str]],
    kinds: tuple[str, ...] = ("association",),
) -> list[Phrase]:
    return [Phrase(topic, ptv, nom, kinds) for ptv, nom in pairs]


PUBLIC = ("public_service",)
PHRASES: list[Phrase] = [
    *_p(
        "liikunta",
        [
            ("liikuntaseuroja", "liikuntaseura"),
            ("liikuntaa", "liikunta"),
            ("liikuntaryhmiä", "liikuntaryhmä"),
            ("liikuntaharrastuksia", "liikunta"),
        ],
    ),
    *_p(
        "kulttuuri",
        [
            ("kulttuuriyhdistyksiä", "kulttuuriyhdistys"),
            ("kulttuuritoimintaa", "kulttuuritoiminta"),
            ("kulttuuriharrastuksia", "kulttuuriharrastus"),
        ],
    ),
    *_p(
        "ikaantyneet",
        [
            ("eläkeläisyhdistyksiä", "eläkeläisyhdistys"),
            ("toimintaa eläkeläisille", "eläkeläistoiminta"),
            ("senioritoimintaa", "senioritoiminta"),
        ],
    ),
    *_p(
        "ikaantyneet",
        [("vanhuspalveluja", "vanhuspalvelut"), ("ikäihmisten palveluja", "ikäihmisten palvelut")],
        PUBLIC,
    ),
    *_p(
        "lapset_ja_perheet",
        [
            ("perhekerhoja", "perhekerho"),
            ("toimintaa lapsiperheille", "lapsiperheet"),
            ("perheyhdistyksiä", "perheyhdistys"),
        ],
    ),
    *_p(
        "nuoret",
        [
            ("nuorisotoimintaa", "nuorisotoiminta"),
            ("tekemistä nuorille", "nuoret"),
            ("nuorisoyhdistyksiä", "nuorisoyhdistys"),
        ],
    ),
    *_p(
        "mielenterveys",
        [
            ("mielenterveysyhdistyksiä", "mielenterveysyhdistys"),
            ("mielenterveystukea", "mielenterveystuki"),
        ],
    ),
    *_p("paihteet", [("päihdetyötä", "päihdetyö"), ("tukea päihdeongelmiin", "päihdeongelmat")]),
    *_p(
        "vammaiset",
        [("vammaisyhdistyksiä", "vammaisyhdistys"), ("vammaisjärjestöjä", "vammaisjärjestö")],
    ),
    *_p(
        "terveys",
        [("potilasyhdistyksiä", "potilasyhdistys"), ("potilasjärjestöjä", "potilasjärjestö")],
    ),
    *_p(
        "terveys",
        [("terveyspalveluja", "terveyspalvelut"), ("terveysasemia", "terveysasema")],
        PUBLIC,
    ),
    *_p("kylatoiminta", [("kyläyhdistyksiä", "kyläyhdistys"), ("kylätoimintaa", "kylätoiminta")]),
    *_p(
        "omaishoito",
        [
            ("omaishoitajayhdistyksiä", "omaishoitajayhdistys"),
            ("omaishoitajien yhdistyksiä", "omaishoitajat"),
        ],
    ),
    *_p(
        "omaishoito",
        [("tukea omaishoitajille", "omaishoitajien tuki")],
        ("association", "public_service"),
    ),
    *_p("omaishoito", [("omaishoidon tukea", "omaishoidon tuki")], PUBLIC),
    *_p(
        "ystavatoiminta",
        [("ystävätoimintaa", "ystävätoiminta"), ("ystäväpalvelua", "ystäväpalvelu")],
    ),
    *_p(
        "maahanmuuttajat",
        [
            ("toimintaa maahanmuuttajille", "maahanmuuttajat"),
            ("maahanmuuttajayhdistyksiä", "maahanmuuttajayhdistys"),
        ],
    ),
    *_p(
        "ymparisto",
        [("luontoyhdistyksiä", "luontoyhdistys"), ("ympäristöyhdistyksiä", "ympäristöyhdistys")],
    ),
    *_p(
        "vapaaehtoistyo",
        [("vapaaehtoistyötä", "vapaaehtoistyö"), ("vapaaehtoistoimintaa", "vapaaehtoistoiminta")],
        ("association", "digital_support"),
    ),
    *_p(
        "digituki",
        [
            ("digitukea", "digituki"),
            ("digitukipisteitä", "digitukipiste"),
            ("apua tietokoneen käyttöön", "apua tietokoneeseen"),
        ],
        ("digital_support",),
    ),
]

# Needs worded without the topic word; {place} is "Kuopiossa" or "asun Kuopiossa".
NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "liikunta": (
        ("haluaisin liikkua muiden kanssa {place}", "mistä sais porukkaa lenkille {place}"),
        ("association",),
    ),
    "kulttuuri": (
        ("missä voi laulaa tai soittaa {place}", "haluaisin harrastaa jotain luovaa {place}"),
        ("association",),
    ),
    "ikaantyneet": (
        ("jäin eläkkeelle, mitä tekemistä {place}", "jotain tekemistä mummolle {place}"),
        ("association",),
    ),
    "lapset_ja_perheet": (
        (
            "haluaisin tutustua muihin vanhempiin {place}",
            "mitä tekemistä vauvan kanssa päivisin {place}",
        ),
        ("association",),
    ),
    "nuoret": (
        (
            "mistä 15-vuotias löytäis kavereita ja tekemistä {place}",
            "teini vaan pelaa kotona, onko jotain paikkaa mihin mennä {place}",
        ),
        ("association",),
    ),
    "mielenterveys": (
        (
            "masentaa ja haluaisin jutella muiden samassa tilanteessa olevien kanssa" " {place}",
            "ahdistaa usein, mistä sais vertaistukea {place}",
        ),
        ("association",),
    ),
    "paihteet": (
        (
            "läheinen juo liikaa, mistä apua {place}",
            "miten pääsen eroon alkoholista, onko ryhmiä {place}",
        ),
        ("association",),
    ),
    "vammaiset": (
        (
            "liikun pyörätuolilla ja kaipaan vertaisia {place}",
            "lapsellani on vamma, mistä tukea {place}",
        ),
        ("association",),
    ),
    "terveys": (
        (
            "sain diagnoosin ja haluaisin tavata muita sairastuneita {place}",
            "mistä löydän muita joilla on sama sairaus {place}",
        ),
        ("association",),
    ),
    "kylatoiminta": (
        (
            "haluaisin kehittää kotikylää {place}",
            "meidän kylällä ei tapahdu mitään, kuka auttaa {place}",
        ),
        ("association",),
    ),
    "omaishoito": (
        (
            "hoidan puolisoa kotona enkä jaksa {place}",
            "hoidan äitiä kotona, mistä saan tukea {place}",
        ),
        ("association", "public_service"),
    ),
    "ystavatoiminta": (
        (
            "olen yksinäinen ja kaipaan seuraa {place}",
            "isä asuu yksin ja kaipaisi juttuseuraa {place}",
        ),
        ("association",),
    ),
    "maahanmuuttajat": (
        (
            "muutin suomeen ja haluan oppia suomea {place}",
            "mistä uusi tulija löytää kavereita {place}",
        ),
        ("association",),
    ),
    "ymparisto": (
        (
            "haluaisin retkeillä luonnossa porukalla {place}",
            "missä pääsis metsään muiden kanssa {place}",
        ),
        ("association",),
    ),
    "vapaaehtoistyo": (
        ("haluaisin auttaa muita vapaa-ajallani {place}", "miten pääsen auttamaan muita {place}"),
        ("association", "digital_support"),
    ),
    "digituki": (
        (
            "en osaa käyttää verkkopankkia, kuka auttaa {place}",
            "tarvitsen apua puhelimen kanssa {place}",
            "miten pääsen omakantaan kun en osaa {place}",
        ),
        ("digital_support",),
    ),
}

GRANT_PURPOSE = {
    "liikunta": "liikuntatoimintaan",
    "kulttuuri": "kulttuuritoimintaan",
    "kylatoiminta": "kylätoimintaan",
    "ymparisto": "ympäristötoimintaan",
    "ikaantyneet": "eläkeläisten toimintaan",
    "nuoret": "nuorisotoimintaan",
    "mielenterveys": "mielenterveystyöhön",
    "paihteet": "päihdetyöhön",
    "vammaiset": "vammaisjärjestön toimintaan",
    "terveys": "potilasyhdistyksen toimintaan",
    "lapset_ja_perheet": "perhetoimintaan",
    "ystavatoiminta": "ystävätoimintaan",
    "maahanmuuttajat": "maahanmuuttajatyöhön",
    "vapaaehtoistyo": "vapaaehtoistoimintaan",
    "omaishoito": "omaishoitajien tukemiseen",
    "digituki": "digitukeen",
}
ROLE_WORDS = {
    "liaison": "järjestöyhdyshenkilö",
    "service_advisor": "palveluneuvoja",
    "digital_support": "digituen neuvoja",
}
MONTHS = (
    "tammikuussa",
    "helmikuussa",
    "maaliskuussa",
    "huhtikuussa",
    "toukokuussa",
    "kesäkuussa",
    "heinäkuussa",
    "elokuussa",
    "syyskuussa",
    "lokakuussa",
    "marraskuussa",
    "joulukuussa",
)
# Name words that say what kind of place or group a record is (kuoro, kahvila, kirjasto):
# people search by them ("onko Torniossa perhekahvilaa"), unlike "alue" or "verkosto".
KIND_HEADS = (
    "kirjasto",
    "kahvila",
    "kerho",
    "kuoro",
    "piste",
    "keskus",
    "talo",
    "seura",
    "yhdistys",
    "ryhmä",
    "piiri",
    "talkkari",
)
# Description words that name an activity or a gathering ("sauvakävely", "kielikahvila"), not a
# person ("seniori") or a detail ("kuoromaksu").
ACTIVITY_ENDINGS = (
    *KIND_HEADS,
    "nta",
    "ntä",
    "lu",
    "ly",
    "musiikki",
    "teatteri",
    "tanssi",
    "retki",
    "ilta",
    "kahvila",
)
HEADS_ALONE = ("kuoro", "kirjasto", "teatteri")  # "kamarikuoro" is asked as "kuoro"
PERSON_ENDINGS = ("ja", "jä", "nen", "ihminen", "sairas", "kko", "kkö", "nuori", "perhe", "lapsi")


# --- questions --------------------------------------------------------------------------------
@dataclass
class Question:
    q: str
    answer: Answer
    kind: str  # search | need | record
    family: str  # the template family, for the shares in QUOTAS
    about: str = ""  # the record a record question is about, for coverage


class Builder:
    """Makes the candidate questions of one directory, family by family."""

    def __init__(self, recs: list[Rec], rng: random.Random) -> None:
        self.recs = recs
        self.rng = rng
        self.gaz = finnish.gazetteer()
        self.orgs = [r for r in recs if r.list == "organizations"]

    # places ------------------------------------------------------------------------------
    def place(self, name: str) -> Place:
        if name in self.gaz.regions:
            return Place(name, name, True)
        return Place(name, self.gaz.region_of(name) or "", False)

    def places_for(self, matches: Sequence[Rec], n_far: int = 2) -> list[Place]:
        """Where matches are, a neighbour without one and towns elsewhere: all three place rules."""
        munis = sorted({m for r in matches for m in r.municipalities})
        regions = sorted({g for r in matches for g in r.regions})
        out = [self.place(m) for m in munis]
        for region in regions:
            others = sorted(
                m.name
                for m in finnish.iter_municipalities()
                if m.region == region and m.name not in munis
            )
            if others:
                out.append(self.place(self.rng.choice(others)))
            out.append(self.place(region))
        far = [t for t in TOWNS if self.gaz.region_of(t) not in regions]
        out += [self.place(t) for t in self.rng.sample(far, min(n_far, len(far)))]
        return [p for p in out if p.region]

    # families ----------------------------------------------------------------------------
    def topic_searches(self) -> list[Question]:
        out = []
        for phrase in PHRASES:
            matches, loose = topic_matches(self.orgs, phrase.topic, phrase.kinds)
            if not matches:
                continue
            reach = "region" if phrase.kinds == PUBLIC else "anywhere"
            for place in self.places_for(matches):
                ans = tiered(matches, loose, place, reach)
                if not ans.relevant:
                    continue
                for text in self._topic_texts(phrase, place):
                    out.append(Question(text, ans, "search", "topic"))
            ans = tiered(matches, loose, None)
            for text in (f"mistä löytyy {phrase.ptv}", phrase.nom):
                out.append(Question(text, ans, "search", "topic"))
        return out

    def _topic_texts(self, phrase: Phrase, place: Place) -> list[str]:
        texts = [f"{phrase.nom} {place.name}"]
        if place.loc:
            texts += [
                f"onko {place.loc} {phrase.ptv}",
                f"mistä löytyy {phrase.ptv} {place.loc}",
                f"{phrase.ptv} {place.loc}",
                f"löytyykö {place.loc} {phrase.ptv}",
                f"etsin {phrase.ptv} {place.loc}",
            ]
        if place.ela and not place.is_region:
            texts.append(f"löytyykö {place.ela} {phrase.ptv}")
        return texts

    def keyword_searches(self) -> list[Question]:
        """Questions by the activity words of names and descriptions ("onko Kemissä kuoroa")."""
        out = []
        for kw in self._keywords():
            matches = [
                r
                for r in self.recs
                if r.list == "organizations"
                and kw in r.text_words
                or r.list == "spaces"
                and kw in r.head_words
            ]  # "Laukaan kylätalo"
            loose = [r for r in self.recs if r not in matches and kw in r.text_words]
            if not matches:
                continue
            ptv = word_form(kw, "osanto", "singular")
            for place in self.places_for(matches, n_far=1):
                ans = tiered(matches, loose, place)
                if not ans.relevant:
                    continue
                texts = [f"{kw} {place.name}"]
                if place.loc:
                    texts.append(f"{kw} {place.loc}")
                if place.loc and ptv:
                    texts += [f"onko {place.loc} {ptv}", f"löytyykö {place.loc} {ptv}"]
                if place.loc and kw.endswith(KIND_HEADS):  # a place or group one can find
                    texts.append(f"mistä löytyy {kw} {place.loc}")
                for text in texts:
                    out.append(Question(text, ans, "search", "keyword"))
        return out

    def _keywords(self) -> list[str]:
        found: set[str] = set()
        for r in self.orgs:
            core = name_parts(r, self.gaz)[0]
            for _, _, word in finnish.tokenize(core):
                base = noun_base(word)
                if not base or base[1] == "plural":  # Seniorit, Pelimannit: people, not things
                    continue
                whole = morphology.lemma(word)
                kind_word = whole.endswith(KIND_HEADS) and whole not in KIND_HEADS
                if kind_word or finnish.topic_of_word(whole) and len(whole) >= 7:
                    found.add(whole)
                head = min(lemma_parts(word), key=len)  # the last part of a compound
                if head != whole and head in HEADS_ALONE:
                    found.add(head)
            for word in r.text_words - r.name_words:
                topic = finnish.topic_of_word(word)
                if (
                    topic
                    and topic != "digituki"
                    and word.endswith(ACTIVITY_ENDINGS)
                    and not word.endswith(PERSON_ENDINGS)
                    and noun_base(word)
                ):
                    found.add(word)
        return sorted(
            w for w in found if len(w) >= 5 and noun_base(w) and not w.endswith(PERSON_ENDINGS)
        )

    def needs(self) -> list[Question]:
        out = []
        for topic, (templates, kinds) in NEEDS.items():
            matches, loose = topic_matches(self.orgs, topic, kinds)
            if not matches:
                continue
            for place in self.places_for(matches, n_far=1):
                if not place.loc or place.is_region:
                    continue
                ans = tiered(matches, loose, place)
                for template in templates:
                    where = self.rng.choice([place.loc, f", asun {place.loc}", place.loc])
                    text = template.format(place=where).replace(" ,", ",")
                    out.append(Question(text, ans, "need", "need"))
        return out

    def org_records(self) -> list[Question]:
        out = []
        for r in self.orgs:
            core, place, short = name_parts(r, self.gaz)
            full = strip_example(r.name)
            gen = genitive_of_name(full, short)
            ans = Answer([r.id], [])
            texts = [full, f"{short} yhteystiedot" if not gen else f"{gen} yhteystiedot"]
            if gen and r.data.get("phone"):
                texts.append(f"mikä on {gen} puhelinnumero")
            if r.kind == "association":
                texts.append(f"milloin {short} kokoontuu")
                ill = last_word_form(short, "sisatulento")
                if ill:
                    texts.append(f"miten pääsen mukaan {ill}")
            if r.kind == "network" or r.kind == "public_service" and not place:
                texts.append(f"mikä on {short}")
            visited = r.kind != "association" or r.data.get("address")
            if r.data.get("opening_hours") and visited:
                texts.append(f"onko {short} auki tänään")
                if gen:
                    texts.append(f"{gen} aukioloajat")
            if r.data.get("address") and gen:
                texts.append(f"{gen} osoite")
            for text in texts:
                out.append(Question(text, ans, "record", "org", r.id))
            person = r.data.get("contact_person_id")
            if gen and person:
                out.append(
                    Question(
                        f"kuka on {gen} yhteyshenkilö",
                        Answer([person], [r.id]),
                        "record",
                        "org",
                        person,
                    )
                )
        return out

    def person_records(self) -> list[Question]:
        out = []
        people = [r for r in self.recs if r.list == "contact_persons"]
        for r in people:
            first, _, last = r.name.partition(" ")
            gen, ill = word_form(last, "omanto"), word_form(last, "sisatulento")
            ans = Answer([r.id], [])
            texts = [r.name, f"onko {r.name} tavoitettavissa"]
            if gen:
                texts += [f"{first} {gen} puhelinnumero", f"{first} {gen} yhteystiedot"]
            if ill:
                texts.append(f"saisinko yhteyden {first} {ill}")
            for text in texts:
                out.append(Question(text, ans, "record", "person", r.id))
        for role, word in ROLE_WORDS.items():
            holders = [r for r in people if role in (r.data.get("roles") or ())]
            if not holders:
                continue
            for place in self.places_for(holders, n_far=2):
                if place.is_region or not place.gen:
                    continue
                ans = self._person_answer(role, holders, people, place)
                if ans.relevant:
                    out.append(Question(f"kuka on {place.gen} {word}", ans, "search", "person"))
        return out

    def _person_answer(
        self,
        role: str,
        holders: list[Rec],
        people: list[Rec],
        place: Place,
    ) -> Answer:
        """The person for a place: the municipality's, else the region's, else a general one."""
        here = [r for r in holders if place.name in r.municipalities]
        if here:  # whose main job it is, then the most local

            def rank(r: Rec) -> tuple[bool, int]:
                return (r.data.get("roles") or [""])[0] != role, len(r.municipalities)

            top = min(rank(r) for r in here)
            best = [r for r in here if rank(r) == top]
            return Answer(_ids(best), [i for i in _ids(here) if i not in _ids(best)])
        here = [r for r in holders if r.in_regions([place.region])]
        if here:  # no one of its own: the one who serves most of the region
            most = max(len(r.municipalities) for r in here)
            best = [r for r in here if len(r.municipalities) == most]
            return Answer(_ids(best), [i for i in _ids(here) if i not in _ids(best)])
        general = [r for r in people if r.national]
        return Answer(_ids(general), [])

    def events(self) -> list[Question]:
        out = []
        events = [r for r in self.recs if r.list == "events"]
        titles: dict[str, list[Rec]] = {}
        for r in events:
            titles.setdefault(strip_example(r.name).lower(), []).append(r)
        for title, same in titles.items():
            for r in same:  # the same event another year is not wrong to list
                start = str(r.data.get("start") or "")
                when = f" {start[:4]}" if len(same) > 1 and start else ""
                text = f"milloin on {title.replace(':', '')}{when}"
                twins = [o.id for o in same if o is not r]
                out.append(Question(text, Answer([r.id], twins), "record", "event", r.id))
        # By month without the year: a bench may move past dates forward by whole years.
        by_month: dict[tuple[str, str], list[Rec]] = {}
        for r in events:
            start = str(r.data.get("start") or "")
            if r.data.get("municipality") and re.match(r"\d{4}-\d\d", start):
                by_month.setdefault((r.data["municipality"], start[5:7]), []).append(r)
        for (muni, month), hits in sorted(by_month.items()):
            place = self.place(muni)
            if place.loc:
                text = f"mitä tapahtumia {place.loc} {MONTHS[int(month) - 1]}"
                out.append(Question(text, Answer(_ids(hits), []), "search", "event"))
        return out

    def spaces(self) -> list[Question]:
        out = []
        spaces = [r for r in self.recs if r.list == "spaces"]
        if not spaces:
            return out
        for place in self.places_for(spaces, n_far=1):
            ans = tiered(spaces, [], place)
            if place.loc and ans.relevant:
                for text in (
                    f"kokoustila {place.loc}",
                    f"vuokrattava tila yhdistykselle {place.loc}",
                ):
                    out.append(Question(text, ans, "search", "space"))
            big = [r for r in spaces if int(r.data.get("capacity") or 0) >= 50]
            ans = tiered(big, [], place)
            if place.loc and ans.relevant:
                out.append(Question(f"tila 50 hengelle {place.loc}", ans, "search", "space"))
        for r in spaces:
            name = strip_example(r.name)
            out.append(Question(f"{name} varaus", Answer([r.id], []), "record", "space", r.id))
        return out

    def grants(self) -> list[Question]:
        """Grants an association of the place may apply for: no widening to other places."""
        out = []
        every = [r for r in self.recs if r.list == "grants"]
        grants = [r for r in every if not superseded(r, every)]
        old = [r for r in every if r not in grants]  # not wrong to list: a bench may move dates
        if not grants:
            return out
        for place in self.places_for(grants, n_far=1):
            if not place.loc:
                continue
            ans = tiered(grants, old, place, "municipality")
            if ans.relevant:
                out.append(
                    Question(f"avustuksia yhdistyksille {place.loc}", ans, "search", "grant")
                )
            for topic in sorted({t for r in grants for t in r.topics}):
                fits = [r for r in grants if topic in r.topics or not r.topics]
                olds = [r for r in old if topic in r.topics or not r.topics]
                ans = tiered(fits, olds, place, "municipality")
                for r in grants:  # a national grant for just this purpose is an answer too
                    if r.national and topic in r.topics and r.id not in ans.relevant:
                        ans = Answer(
                            [*ans.relevant, r.id], [i for i in ans.acceptable if i != r.id]
                        )
                if ans.relevant and topic in GRANT_PURPOSE:
                    text = f"avustusta {GRANT_PURPOSE[topic]} {place.loc}"
                    out.append(Question(text, ans, "search", "grant"))
        for r in every:
            out.append(
                Question(
                    f"{strip_example(r.name)} hakuaika", Answer([r.id], []), "record", "grant", r.id
                )
            )
        return out


def superseded(grant: Rec, grants: Sequence[Rec]) -> bool:
    """A round replaced by a later one (2025 once 2027 is out) no longer answers "what grants"."""
    deadline = str(grant.data.get("deadline") or "")
    return any(
        other.data.get("funder") == grant.data.get("funder")
        and (other.municipalities, other.regions) == (grant.municipalities, grant.regions)
        and str(other.data.get("deadline") or "") > deadline
        for other in grants
    )


def name_parts(r: Rec, gaz: finnish.Gazetteer) -> tuple[str, str | None, str]:
    """(core, place, short) of a name, as people shorten it: "Kemin Kamarikuoro ry" → short."""
    # "Kemin Kamarikuoro ry (esimerkki)" → ("Kamarikuoro", "Kemi", "Kemin Kamarikuoro");
    # "Digitukipiste Kuopio" → ("Digitukipiste", "Kuopio", "Kuopion digitukipiste");
    # "JANE – Pohjois-Karjalan …" → ("JANE", None, "JANE").
    name = strip_example(r.name)
    name = name.split(" – ")[0].strip()
    name = re.sub(r"\s+ry$", "", name)
    words = name.split()
    if not words:
        return r.id, None, r.id
    acronym = next((w for w in words[1:] if len(w) >= 2 and w.isupper() and w.isalpha()), None)
    if acronym:
        return acronym, None, acronym
    first = gaz.lookup(words[0].lower()) if len(words) > 1 and words[0].endswith("n") else None
    if first:
        core = " ".join(words[1:])
        return core, first[1], name
    last = gaz.lookup(words[-1].lower()) if len(words) > 1 else None
    if last and last[1] == words[-1]:
        core = " ".join(words[:-1])
        gen = place_form(last[1], "gen")
        common = any(a.get("CLASS") == "nimisana" for a in morphology.analyses(core.split()[0]))
        lowered = core[:1].lower() + core[1:] if common else core  # Kuopion digitukipiste
        return core, last[1], f"{gen} {lowered}" if gen else name
    return name, None, name


def genitive_of_name(full: str, short: str) -> str | None:
    """The name in the genitive as people write it: last word inflected, or "ry:n", ".fi:n"."""
    if re.search(r"[.\d]\w*$", short) or short.isupper():
        return f"{short}:n"
    form = last_word_form(short, "omanto")
    if form:
        return form
    if re.search(r"\bry$", full):
        return f"{full}:n"
    return None


# --- writing like people do -------------------------------------------------------------------
SPOKEN = {
    "onko": "onks",
    "löytyykö": "löytyyks",
    "mistä": "mist",
    "haluaisin": "haluisin",
    "tarvitsen": "tarviin",
    "olen": "oon",
    "milloin": "koska",
    "puhelinnumero": "numero",
    "saisinko": "saisinks",
    "kaipaisi": "kaipais",
}


def styled(text: str, rng: random.Random) -> str:
    """The question as people type it: lower case, capitals, spoken forms or a typo."""
    roll = rng.random()
    if roll < 0.5:
        return text.lower()
    if roll < 0.7:
        out = text[:1].upper() + text[1:]
        return out + "?" if text.split()[0] in _QUESTION_WORDS else out
    if roll < 0.9:
        return " ".join(SPOKEN.get(w, w) for w in text.lower().split())
    return typo(text.lower(), rng)


_QUESTION_WORDS = (
    "onko",
    "löytyykö",
    "mistä",
    "milloin",
    "mikä",
    "kuka",
    "miten",
    "missä",
    "saisinko",
    "mitä",
)


def typo(text: str, rng: random.Random) -> str:
    """One slip of the finger in one longer word: a letter dropped, doubled or swapped."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    slip = rng.choice(("drop", "double", "swap"))
    if slip == "drop":
        w = w[:j] + w[j + 1 :]
    elif slip == "double":
        w = w[:j] + w[j] + w[j:]
    else:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    words[i] = w
    return " ".join(words)


# --- choosing and writing --------------------------------------------------------------------
QUOTAS = {
    "topic": 0.26,
    "keyword": 0.12,
    "need": 0.14,
    "org": 0.22,
    "person": 0.07,
    "event": 0.09,
    "space": 0.05,
    "grant": 0.05,
}


def choose(pools: dict[str, list[Question]], target: int, rng: random.Random) -> list[Question]:
    """About `target` questions, each family its share, every record once before twice."""
    # What a family lacks the others fill.
    chosen: list[Question] = []
    seen: set[str] = set()
    rest: list[Question] = []
    for family, share in QUOTAS.items():
        pool = pools.get(family, [])
        rng.shuffle(pool)
        pool = by_round(pool)
        want = round(target * share)
        for q in pool:
            key = q.q.lower()
            if key in seen or not q.answer.relevant:
                continue
            if want > 0:
                chosen.append(q)
                seen.add(key)
                want -= 1
            else:
                rest.append(q)
    rng.shuffle(rest)
    for q in rest:
        if len(chosen) >= target:
            break
        if q.q.lower() not in seen:
            chosen.append(q)
            seen.add(q.q.lower())
    return covering(chosen, [q for pool in pools.values() for q in pool], target)


def covering(chosen: list[Question], every: list[Question], target: int) -> list[Question]:
    """The choice with every answerable record relevant at least once, still `target` long."""
    # A question is added for each missing record, then questions whose records all have another
    # are dropped from the end.
    count: dict[str, int] = {}
    for q in chosen:
        for i in q.answer.relevant:
            count[i] = count.get(i, 0) + 1
    seen = {q.q.lower() for q in chosen}
    added: list[Question] = []
    for rid in sorted({i for q in every for i in q.answer.relevant} - set(count)):
        if count.get(rid):
            continue
        fits = [q for q in every if rid in q.answer.relevant and q.q.lower() not in seen]
        if not fits:
            continue
        best = min(fits, key=lambda q: (q.about != rid, len(q.answer.relevant)))
        added.append(best)
        seen.add(best.q.lower())
        for i in best.answer.relevant:
            count[i] = count.get(i, 0) + 1
    kept = list(chosen)
    for q in reversed(chosen):
        if len(kept) + len(added) <= target:
            break
        if all(count[i] > 1 for i in q.answer.relevant):
            kept.remove(q)
            for i in q.answer.relevant:
                count[i] -= 1
    return kept + added


def by_round(pool: list[Question]) -> list[Question]:
    """The pool with each record's first question before any record's second, and so on."""
    counts: dict[str, int] = {}
    rounds = []
    for q in pool:
        rounds.append(counts.get(q.about, 0) if q.about else 0)
        if q.about:
            counts[q.about] = rounds[-1] + 1
    return [q for _, q in sorted(zip(rounds, pool, strict=True), key=lambda pair: pair[0])]


def build(path: Path, seed: int = SEED, target: int = TARGET) -> tuple[str, list[Question]]:
    rng = random.Random(seed)
    recs = load_directory(path)
    b = Builder(recs, rng)
    pools = {
        "topic": b.topic_searches(),
        "keyword": b.keyword_searches(),
        "need": b.needs(),
        "org": b.org_records(),
        "person": b.person_records(),
        "event": b.events(),
        "space": b.spaces(),
        "grant": b.grants(),
    }
    questions = choose(pools, target, rng)
    for q in questions:
        q.q = styled(q.q, rng)
    name = re.sub(r"[_-]?directory[_-]?", "", path.stem) or path.stem
    return name, questions


def to_yaml(name: str, questions: Sequence[Question], source: Path, seed: int) -> str:
    """The question set in the format of the hand-written sets, one flow list per field."""
    lines = [
        f"# Generated by bench/retrieval_sets.py from {source} (seed {seed}); do not edit.",
        f"directory: {name}",
        "questions:",
    ]
    for q in questions:
        lines.append(f"  - q: {json.dumps(q.q, ensure_ascii=False)}")
        lines.append(f"    relevant: [{', '.join(map(_yaml_id, q.answer.relevant))}]")
        if q.answer.acceptable:
            lines.append(f"    acceptable: [{', '.join(map(_yaml_id, q.answer.acceptable))}]")
        lines.append(f"    kind: {q.kind}")
    return "\n".join(lines) + "\n"


def _yaml_id(record_id: str) -> str:
    """An id as is when YAML reads it back as the same string, else quoted."""
    plain = re.fullmatch(r"[A-Za-z][\w.-]*", record_id) and record_id.lower() not in (
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "null",
    )
    return record_id if plain else json.dumps(record_id, ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="an apuri-directory/1 JSON file")
    parser.add_argument("out", type=Path, help="the YAML file to write")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--target", type=int, default=TARGET, help="about this many questions")
    args = parser.parse_args(argv)
    name, questions = build(args.directory, args.seed, args.target)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_yaml(name, questions, args.directory, args.seed), encoding="utf-8")
    kinds = {k: sum(q.kind == k for q in questions) for k in ("search", "need", "record")}
    print(f"{args.out}: {len(questions)} questions {kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
