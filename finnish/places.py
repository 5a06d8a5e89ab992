"""Municipality names that are also ordinary words or first names, decided word by word.

"asun Kolarissa" is a place and "olin kolarissa" a crash; "Kotkassa" is a town and "kotka
lensi" a bird; "Kaarina Virtanen" is a person. The decision looks at the word itself (its case:
a place takes its local cases one way, Kotkassa but not kotkalla; a capital letter inside a
sentence) and at its neighbours in the same clause (place cues such as "asun" or "kirjasto",
ordinary-meaning collocations such as "lensi", an adjective in the same case before it), never
at letters anywhere in the message. The word lists are in data/places.yml.
"""

from __future__ import annotations

from finnish import morphology
from finnish.datafiles import load
from finnish.municipalities import AMBIGUOUS
from finnish.tokens import Token
from finnish.topics import topic_of_word

_DATA = load("places.yml")
_PLACE_CUES = frozenset(_DATA["place_cues"])
_PERSON_CUES = frozenset(_DATA["person_cues"])
_PERSON_WORDS = frozenset(_DATA["person_words"])
_INNER = frozenset({"sisaolento", "sisaeronto", "sisatulento"})
_OUTER = frozenset({"ulkoolento", "ulkoeronto", "ulkotulento"})
_POSSESSIVES = frozenset(
    {
        "minun",
        "mun",
        "sinun",
        "sun",
        "hänen",
        "meidän",
        "meiän",
        "meijän",
        "teidän",
        "teiän",
        "heidän",
        "niiden",
    }
)
_ATTRIBUTE_CLASSES = frozenset({"laatusana", "nimisana_laatusana", "asemosana", "lukusana"})
_QUESTION_WORDS = frozenset({"kuka", "ken", "mikä", "kumpi", "joka", "koko"})
_CLAUSE_BREAK = set('.!?:;,\n"()')
_SENTENCE_BREAK = set('.!?:;\n"')
WINDOW = 3  # neighbours on each side that count as "next to the name"


def _base(name: str) -> str:
    return name.split()[0]  # "Koski Tl" is written "Koski"


def _break_before(text: str, tokens: list[Token], i: int, breaks: set[str]) -> bool:
    return i == 0 or bool(breaks & set(text[tokens[i - 1][1] : tokens[i][0]]))


def _sentence_start(text: str, tokens: list[Token], i: int) -> bool:
    return _break_before(text, tokens, i, _SENTENCE_BREAK)


def _neighbours(
    text: str, tokens: list[Token], start: int, end: int
) -> tuple[list[str], list[str]]:
    """The words within WINDOW before and after the name, in the same clause (nearest first)."""
    before, after = [], []
    for i in range(start - 1, max(start - WINDOW, 0) - 1, -1):
        if _break_before(text, tokens, i + 1, _CLAUSE_BREAK):
            break
        before.append(tokens[i][2])
    for i in range(end, min(end + WINDOW, len(tokens))):
        if _break_before(text, tokens, i, _CLAUSE_BREAK):
            break
        after.append(tokens[i][2])
    return before, after


def _case_family(word: str, base: str) -> str | None:
    """ "inner" (Kotkassa/-sta/-an), "outer" (Somerolla/-lta/-lle) or None for other cases."""
    found = morphology.cases(word[:1].upper() + word[1:].lower(), base) | morphology.cases(
        word.lower(), base.lower()
    )
    if not found:  # Voikko knows "Virroilla" only as the plural of "virta"
        found = morphology.cases(word) | morphology.cases(word.lower())
    if found & _INNER:
        return "inner"
    if found & _OUTER:
        return "outer"
    if not found:  # spoken forms Voikko does not know: "kotkas", "kotkast", "somerol"
        lower = word.lower()
        if lower.endswith(("st", "s")) and not base.lower().endswith("s"):
            return "inner"
        if lower.endswith(("lt", "l")) and not base.lower().endswith("l"):
            return "outer"
    return None


def _is_person(
    info: dict, text: str, tokens: list[Token], start: int, end: int, family: str | None
) -> bool:
    """ "Kaarina Virtanen", "Pekka Lahden", "opettaja Salolle", "Simon kanssa", "Inari tässä"."""
    prev = tokens[start - 1][2] if start > 0 else ""
    nxt = tokens[end][2] if end < len(tokens) else ""
    word = tokens[start][2]
    classes = morphology.word_classes(prev)
    if prev[:1].isupper() and "etunimi" in classes and classes <= {"etunimi", "sukunimi", "nimi"}:
        return True  # a surname after a first name ("Pekka Lahden", not "Milloin Kaarinan")
    if word[:1].isupper() and family is None and morphology.lemmas(prev) & _PERSON_CUES:
        return True  # a title or a relative before a name: "naapurin Simo", "opettaja Salo"
    if not info.get("first_name"):
        return False
    if nxt[:1].isupper() and family is None and not _sentence_start(text, tokens, end):
        return True  # a first name before a surname
    if nxt.lower() == "tässä" or morphology.lemma(nxt) == "kanssa":
        return True  # "Inari tässä", "Simon kanssa"
    if word.lower().endswith(("sta", "stä")) and nxt.lower() in ("tuli", "tulee"):
        return True  # "Simosta tuli isä"
    before, after = _neighbours(text, tokens, start, end)
    return any(morphology.lemmas(w) & _PERSON_WORDS for w in before + after)


def _attribute_before(tokens: list[Token], start: int) -> bool:
    """An adjective or pronoun in the same case right before: "vanhalla nokialla"."""
    if start == 0:
        return False
    prev, word = tokens[start - 1][2], tokens[start][2]
    own = morphology.cases(word) | morphology.cases(word.lower())
    for a in morphology.analyses(prev):
        if (
            a.get("CLASS") in _ATTRIBUTE_CLASSES
            and a.get("SIJAMUOTO") in own - {"nimento"}
            and a.get("BASEFORM", "").lower() not in _QUESTION_WORDS
        ):
            return True
    return False


def _clause_before(text: str, tokens: list[Token], start: int) -> list[str]:
    out = []
    for i in range(start - 1, -1, -1):
        if _break_before(text, tokens, i + 1, _CLAUSE_BREAK):
            break
        out.append(tokens[i][2].lower())
    return out


def _ordinary_near(info: dict, text: str, tokens: list[Token], start: int, end: int) -> bool:
    """A collocation of the ordinary meaning next to the name ("kotka lensi", "olin kolarissa")."""
    before, after = _neighbours(text, tokens, start, end)
    if set(_clause_before(text, tokens, start)) & set(info.get("ordinary_before", ())):
        return True
    collocations = set(info.get("collocations") or ())
    return any(morphology.lemmas(w) & collocations for w in before + after)


def _subject_of_a_verb(text: str, tokens: list[Token], start: int, end: int) -> bool:
    """A nominative followed by a finite verb other than "olla": "kotka lensi", "Simo tuli"."""
    after = _neighbours(text, tokens, start, end)[1]
    return bool(after) and _finite_verb(after[0], but_not="olla")


def _finite_verb(word: str, but_not: str = "") -> bool:
    return any(
        a.get("CLASS") == "teonsana"
        and a.get("MOOD") in ("indicative", "imperative")
        and a.get("BASEFORM") != but_not
        for a in morphology.analyses(word)
    )


def _used_as_a_verb(tokens: list[Token], start: int) -> bool:
    """ "asia koski minua", "kaavi jäät pois": the word itself is a finite verb here."""
    word = tokens[start][2].lower()
    if not _finite_verb(word):
        return False
    if start == 0:  # an imperative first: "kaavi jäät", but not "Kaavi on pieni kunta"
        nxt = tokens[1][2] if len(tokens) > 1 else ""
        return morphology.lemma(nxt) != "olla" and any(
            a.get("MOOD") == "imperative" for a in morphology.analyses(word)
        )
    prev = morphology.analyses(tokens[start - 1][2])
    return any(
        a.get("CLASS") in ("nimisana", "asemosana") and a.get("SIJAMUOTO") == "nimento"
        for a in prev
    )


def _is_place_cue(word: str) -> bool:
    for base in morphology.lemmas(word):
        parts = morphology.compound_boundaries(base)
        head = base[parts[-1] :] if parts else base  # "asuinkunta" → "kunta"
        if base in _PLACE_CUES or head in _PLACE_CUES:
            return True
    return False


def _place_cue_near(
    text: str, tokens: list[Token], start: int, end: int, adjacent: bool = False
) -> bool:
    """A word next to the name about places, services or clubs ("Kotkan kirjasto"); beyond
    the adjacent words, a topic word counts too ("salo liikuntaseurat lapsille")."""
    before, after = _neighbours(text, tokens, start, end)
    if adjacent:
        return any(_is_place_cue(w) for w in before[:1] + after[:1])
    return any(_is_place_cue(w) or topic_of_word(w) for w in before + after)


def _heads_a_phrase(text: str, tokens: list[Token], start: int, end: int) -> bool:
    """A capitalised name starting a heading or a phrase: "Kotkan kansalaisopiston
    yhteystiedot", "Kotka, sotaveteraanien kerho" (cues anywhere in the sentence count)."""
    nxt = _neighbours(text, tokens, start, end)[1][:1]
    if nxt and any(a.get("CLASS") == "nimisana" for a in morphology.analyses(nxt[0])):
        return True
    for i in range(end, len(tokens)):
        if _sentence_start(text, tokens, i):
            break
        if _is_place_cue(tokens[i][2]) or topic_of_word(tokens[i][2]):
            return True
    return False


def _bare_answer(tokens: list[Token], start: int, end: int) -> bool:
    """The name alone or with one word ("Kolari", "asun salossa"): an answer to "missä kunnassa
    asut?"."""
    others = len(tokens) - (end - start)
    return others <= 1


def is_place(name: str, text: str, tokens: list[Token], start: int, end: int) -> bool:
    """Whether an ambiguous municipality name at tokens[start:end] means the municipality."""
    info = AMBIGUOUS[name]
    word = tokens[start][2]
    if word.isupper() and len(word) <= 3 and len(tokens) > 1:
        return False  # "II": a Roman numeral
    base = _base(name)
    family = _case_family(word, base)
    if _is_person(info, text, tokens, start, end, family):
        return False
    own = family is not None and info["locative"] in (family, "both")
    if family is not None and not own:
        return False  # "pellolla", "lahdella", "Salolle": not how the place inflects
    if word[:1].isupper() and not _sentence_start(text, tokens, start):
        if not info.get("capital_is_not_enough"):
            return True  # a capital inside a sentence: a proper name
    if _attribute_before(tokens, start):
        return False
    if _place_cue_near(text, tokens, start, end, adjacent=True):
        return True  # "Pellon kunnan …", "Nokian seudulta …"
    if not own or info.get("ordinary_locatives"):
        if _ordinary_near(info, text, tokens, start, end):
            return False
        prev = tokens[start - 1][2].lower() if start > 0 else ""
        if own and prev in _POSSESSIVES:
            return False  # "meidän pellossa"
    if own:
        return True
    if _bare_answer(tokens, start, end):
        return True
    if _subject_of_a_verb(text, tokens, start, end) or _used_as_a_verb(tokens, start):
        return False
    if word[:1].isupper() and _heads_a_phrase(text, tokens, start, end):
        return True
    return _place_cue_near(text, tokens, start, end)
