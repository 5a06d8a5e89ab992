"""What a question about one record asks for ("milloin Kemin Kamarikuoro harjoittelee" → when),
whether it points at something just listed ("se", "sinne", "ensimmäinen"), and whether it
names a record ("kamarikuorolla", "lauluveikkojen"), all decided on words and their lemmas.
The words are in data/record_questions.yml."""

from __future__ import annotations

import functools
import re

from finnish.datafiles import load
from finnish.morphology import compound_boundaries, is_known_word, lemmas
from finnish.tokens import tokenize

FIELDS = (
    "deadline",
    "when",
    "where",
    "phone",
    "price",
    "contact",
    "booking",
    "email",
    "web",
    "access",
    "capacity",
    "open",
)


@functools.cache
def _data() -> dict:
    return load("record_questions.yml")


def _words(text: str) -> list[tuple[str, set[str]]]:
    """Each word lower case with its lemmas."""
    return [(w.lower(), {x.lower() for x in lemmas(w)} | {w.lower()}) for _, _, w in tokenize(text)]


def _phrases(text: str) -> tuple[set[str], str]:
    """The fields the message's many-word asking phrases ask ("mihin aikaan" → when), and the
    message in lower case without them."""
    lower = " ".join(text.lower().split())
    found = set()
    for field in FIELDS:
        for cue in _data()["fields"][field]:
            if " " in cue and cue in lower:
                found.add(field)
                lower = lower.replace(cue, " ")
    return found, lower


def without_phrases(text: str) -> str:
    """The message without the many-word asking phrases ("mihin aikaan", "mika paiva"), so
    their words are not taken for what is asked about."""
    return _phrases(text)[1]


def asked_fields(text: str) -> list[str]:
    """The fields a message asks about, in FIELDS order ("mikä sen osoite ja puhelinnumero on"
    → ["where", "phone"]). Phrases first: "mihin aikaan" asks when, not where."""
    found, lower = _phrases(text)
    words = _words(lower)
    for field in FIELDS:
        if any(cue in forms for cue in _data()["fields"][field] for _, forms in words):
            found.add(field)
    days, joining = set(_data()["days_alone"]), {"entä", "entäs", "ja", "tai", "myös", "sitten"}
    if (
        not found
        and any(forms & days for _, forms in words)
        and all(forms & (days | joining) for _, forms in words)
    ):
        found.add("when")  # "sunnuntai?", "entä lauantaina" after a record: open then?
    alone = set(_data()["where_alone"])
    if (
        not found
        and words
        and all(forms & (alone | joining) for _, forms in words)
        and any(forms & alone for _, forms in words)
    ):
        found.add("where")  # "mistä?" after a record: where it starts from
    return [f for f in FIELDS if f in found]


def reference(text: str) -> int | None:
    """The index of the listed thing a message points at: an ordinal ("toinen" → 1, "viimeinen"
    → -1), 0 for "se", "sinne", "heille"…; None when it points at nothing listed."""
    words = _words(text)
    for _, forms in words:
        for word, index in _data()["ordinals"].items():
            if word in forms:
                return int(index)
    refer = set(_data()["refer"])
    return 0 if any(forms & refer for _, forms in words) else None


def detail_words(text: str) -> list[str]:
    """The words of a question about one thing that say what is asked: "onko siellä piano" →
    ["piano"]; "tarviiko olla oma kantele" → ["tarviiko", "oma", "kantele"]. Pointing,
    question and little words are left out."""
    skip = {*_data()["not_details"], *_data()["refer"], *_data()["more"], *_data()["about_it"]}
    return [
        word
        for word, forms in _words(text)
        if len(word) >= 3 and not word.isdigit() and not forms & skip
    ]


def alike_details(term: str) -> set[str]:
    """Words a record's text may say for a detail asked ("syötävää" → "keitto", "lounas"),
    with the term itself."""
    for group in _data()["alike_details"]:
        if term in group:
            return set(group)
    return {term}


def is_unit(word: str) -> bool:
    """ "tunti", "kerta", "henkilö": what a price or a capacity is counted in."""
    return (
        any(lemma.lower() in _data()["units"] for lemma in lemmas(word))
        or word.lower() in (_data()["units"])
    )


def asks_yes_or_no(text: str) -> bool:
    """ "onko siellä piano", "tarviiko olla oma kantele", "mitä pitää ottaa mukaan": a question
    about one thing, asked with the -ko/-kö clitic or a question word on its first word."""
    first = next((w for _, _, w in tokenize(text)), "").lower()
    return (len(first) > 3 and first.endswith(("ko", "kö", "ks"))) or first in _data()["about_it"]


def asks_for_a_person(text: str) -> bool:
    """ "kuka on Muuramen digituen neuvoja", "kuka on täällä yhdyshenkilö": who holds a role in
    a place, answered by the person, not by a list of records."""
    roles = set(_data()["person_roles"])
    return any(forms & roles for _, forms in _words(text))


def asks_more(text: str) -> bool:
    """The message asks for the whole of one listed thing: "kerro siitä ensimmäisestä lisää",
    "entä toinen", "mitä siellä on", "millainen se on"."""
    words = _words(text)
    ordinal = any(word in forms for word in _data()["ordinals"] for _, forms in words)
    more = any(set(_data()["more"]) & forms for _, forms in words)
    pointing = reference(text) is not None
    # a question word and the pointing word alone: what it is, all of it
    plain = pointing and asks_yes_or_no(text) and not detail_words(text)
    return ordinal or (more and pointing) or (plain and words[0][0].lower() in _data()["about_it"])


def name_words(name: str) -> set[str]:
    """The words that tell a record's name from others, as lemmas ("Kemin Kamarikuoro ry" →
    {"kemi", "kamarikuoro"})."""
    skip = set(_data()["not_names"])
    out = set()
    for word, forms in _words(name):
        if len(word) < 3 or word.isdigit() or forms & skip:
            continue
        out.add(min(forms - {word}, default=word, key=len) if forms - {word} else word)
    return out


def _parts_said(wanted: str, said: list[set[str]]) -> bool:
    """A hyphenated name word said as its parts, one after the other ("kulttuuri ilta" of
    "Kulttuuri-ilta", "toiminta avustus" of "toiminta-avustus")."""
    parts = [p for p in wanted.split("-") if p]
    if len(parts) < 2:
        return False
    for start in range(len(said) - len(parts) + 1):
        if all(
            any(f == part or f.startswith(part) and len(part) >= 4 for f in said[start + i])
            for i, part in enumerate(parts)
        ):
            return True
    return False


def _same(wanted: str, said: str, whole: bool = False) -> bool:
    """A word of a name and a word of a message are the same name: equal, the last part of a
    compound ("kirjasto" of "kaupunginkirjasto"), or (a word the dictionary does not know)
    sharing a long beginning ("lauluveikkojen" ~ "lauluveikot"; but "yhdistys" is no
    "Yhdistystori"); a compound said as the leading parts of a longer one ("digituki" of
    "digitukipiste")."""
    if wanted == said or (not whole and len(said) >= 5 and wanted.endswith(said)):
        return True
    if (
        not whole
        and len(said) >= 6
        and wanted.startswith(said)
        and len(compound_boundaries(said)) > 1
        and len(said) in compound_boundaries(wanted)
    ):
        return True
    if is_known_word(said) and is_known_word(wanted):
        return False
    shorter = min(len(wanted), len(said))
    common = 0
    while common < shorter and wanted[common] == said[common]:
        common += 1
    return common >= 6 and common >= 0.7 * shorter


def name_coverage(text: str, name: str, whole: bool = False) -> tuple[float, set[str]]:
    """How much of a record's name (or of its main part, before a dash or brackets) the message
    says, 0…1, and the name words it said ("kemin kamarikuoron" of "Kemin Kamarikuoro ry" →
    1.0, {"kemi", "kamarikuoro"}). `whole`: a compound's last part alone does not say it
    ("kuoroja" does not name "Kiteen Kirkkokuoro")."""
    said = [forms for _, forms in _words(text)]
    best: tuple[float, set[str]] = (0.0, set())
    main = name.replace("—", "(").replace(" - ", "(").split("(")[0]
    for part in {name, main}:
        wanted = name_words(part)
        if not wanted:
            continue
        hits = {
            w
            for w in wanted
            if any(_same(w, f, whole) for forms in said for f in forms) or _parts_said(w, said)
        }
        best = max(best, (len(hits) / len(wanted), hits), key=lambda x: x[0])
    return best


# Words of a request to be called: "soittakaa minulle", "voisiko joku soittaa mulle takaisin".
_TO_ME = {
    "minulle",
    "mulle",
    "minua",
    "mua",
    "minut",
    "meille",
    "meitä",
    "soittakaa",
    "soittaisi",
    "soittais",
    "soittaisitte",
    "soitatte",
    "voitte",
    "voisitte",
    "takaisin",
}


# Whom a call is for when someone asks it for another: "soittaa hänelle", "mun isälle".
_FOR_ANOTHER = re.compile(
    r"\b(hänelle|äidille\w*|äiskälle|isälle\w*|iskälle|mummo\w*lle|"
    r"mummille|vaarille|papalle|isoäidille\w*|isoisälle\w*|naapuri\w*lle|"
    r"vanhemmille\w*|puoliso\w*lle|miehelle\w*|vaimolle\w*)\b",
    re.I,
)
_SOMEONE_CALLS = re.compile(
    r"\b(joku|jonkun|voisitteko|voisitko|voitteko|voisiko|voisko|"
    r"soittakaa|soittaisitte|pyytää)\b",
    re.I,
)


def asks_for_a_call(text: str) -> bool:
    """A request that someone call the asker or the one they speak for: "voisko joku soittaa
    hänelle", "voisitteko soittaa äidilleni", "soittakaa minulle" — not "voiko heille soittaa"."""
    if not re.search(r"\bsoit(ta|at|ti)", text, re.I):
        return False
    said = {w.lower() for _, _, w in tokenize(text)}
    return bool(said & _TO_ME) or _for_another(text)


def _for_another(text: str) -> bool:
    return bool(_SOMEONE_CALLS.search(text) and _FOR_ANOTHER.search(text))


def asks_about_calling(text: str) -> bool:
    """A question about calling someone ("milloin niille voi soittaa", "voiko heille soittaa,
    mikä numero", "miten otan heihin yhteyttä"), not a request to be called ("soittakaa
    minulle huomenna", "voisiko joku soittaa")."""
    said = {w.lower() for _, _, w in tokenize(text)}
    if said & _TO_ME or any(w.startswith("soittopyyn") for w in said) or _for_another(text):
        return False
    fields = asked_fields(text)
    return "phone" in fields and ("when" in fields or reference(text) is not None)
