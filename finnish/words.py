"""Content words: what a question is about once question words, places and generic words are
gone ("onko Kuopiossa shakkikerhoa" → ["shakkikerhoa"]), for free-text directory search."""

from __future__ import annotations

import re

from finnish.datafiles import words
from finnish.entities import extract_entities
from finnish.morphology import lemmas, word_classes
from finnish.synonyms import need_verbs
from finnish.tokens import tokenize
from finnish.topics import topic_of_word

_GENERIC = words("generic_words.txt")
# Verbs, adverbs, pronouns and little words say how something is asked, not what: "harrastaa",
# "voisin", "jotain". Nouns, adjectives and words Voikko does not know are what is asked about.
_NOT_CONTENT = frozenset(
    {"teonsana", "seikkasana", "asemosana", "sidesana", "huudahdussana", "kieltosana", "suhdesana"}
)
# an age says who it is for: "poika 14 vuotta", "80-vuotias äiti", "7v"
_AGE = re.compile(
    r"\b(\d{1,3})\s*-?\s*(?:v\b|v\.|vuo(?:tta|tias|tiaa|tiaalle|tiaille|tiaita)\b)", re.IGNORECASE
)


def age_word(text: str) -> str | None:
    """The word for who an age is ("poika 14 vuotta": "nuori"), or None when none is said."""
    found = _AGE.search(text)
    if found is None:
        return None
    age = int(found.group(1))
    return "lapsi" if age < 13 else "nuori" if age < 30 else "ikääntynyt" if age >= 65 else None


def content_words(text: str) -> list[str]:
    """Words that name what is asked about: not question words, places, phones or generic."""
    taken = [
        (e.start, e.end)
        for e in extract_entities(text)
        if e.entity in ("municipality", "region", "phone_number")
    ]
    out: list[str] = []
    tokens = list(tokenize(text))
    following = {a[0]: b[2] for a, b in zip(tokens, tokens[1:], strict=False)}
    for start, end, word in tokens:
        if any(s <= start and end <= e for s, e in taken) or len(word) < 4 or word.isdigit():
            continue
        classes = word_classes(word)
        if (
            classes
            and classes <= _NOT_CONTENT
            and topic_of_word(word) is None
            and not names_a_need(word)
        ):
            # a verb says how, unless it names an activity ("laulaa", "jumpata") or a need
            # ("en pärjää kotona")
            continue
        if _the_language(word, following.get(start)):
            word = "kieli"
        if lemmas(word).isdisjoint(_GENERIC) and word.lower() not in _GENERIC and (word not in out):
            out.append(word)
    age = age_word(text)
    return out + [age] if age else out


def _the_language(word: str, after: str | None) -> bool:
    """ "en puhu hyvin suomea", "suomeksi", "suomen kieltä": the Finnish language, which the
    search asks as "kieli", not "Keski-Suomi" nor "Suomi.fi" of a record's name (nor "Suomen
    Kulttuurirahasto")."""
    if word.lower() in ("suomi", "suomea", "suomeksi"):
        return True
    return "suomi" in lemmas(word) and after is not None and "kieli" in lemmas(after)


def names_a_need(word: str) -> bool:
    """A verb that says what is needed ("en pärjää kotona": home care), by its lemmas."""
    return not lemmas(word).isdisjoint(need_verbs())


def generic(lemma: str) -> bool:
    """A word that says nothing about what is asked ("yhdistys", "kerho", "apu")."""
    return lemma.lower() in _GENERIC
