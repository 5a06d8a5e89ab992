"""Content words: what a question is about once question words, places and generic words are
gone ("onko Kuopiossa shakkikerhoa" → ["shakkikerhoa"]), for free-text directory search."""

from __future__ import annotations

from bot.finnish.datafiles import words
from bot.finnish.entities import extract_entities
from bot.finnish.morphology import lemmas, word_classes
from bot.finnish.synonyms import need_verbs
from bot.finnish.tokens import tokenize
from bot.finnish.topics import topic_of_word

_GENERIC = words("generic_words.txt")
# Verbs, adverbs, pronouns and little words say how something is asked, not what: "harrastaa",
# "voisin", "jotain". Nouns, adjectives and words Voikko does not know are what is asked about.
_NOT_CONTENT = frozenset({"teonsana", "seikkasana", "asemosana", "sidesana", "huudahdussana",
                          "kieltosana", "suhdesana"})  # fmt: skip


def content_words(text: str) -> list[str]:
    """Words that name what is asked about: not question words, places, phones or generic."""
    taken = [(e.start, e.end) for e in extract_entities(text)
             if e.entity in ("municipality", "region", "phone_number")]  # fmt: skip
    out = []
    for start, end, word in tokenize(text):
        if any(s <= start and end <= e for s, e in taken) or len(word) < 4 or word.isdigit():
            continue
        classes = word_classes(word)
        if (classes and classes <= _NOT_CONTENT and topic_of_word(word) is None
                and not names_a_need(word)):  # fmt: skip
            # a verb says how, unless it names an activity ("laulaa", "jumpata") or a need
            # ("en pärjää kotona")
            continue
        if lemmas(word).isdisjoint(_GENERIC) and word.lower() not in _GENERIC:
            out.append(word)
    return out


def names_a_need(word: str) -> bool:
    """A verb that says what is needed ("en pärjää kotona": home care), by its lemmas."""
    return not lemmas(word).isdisjoint(need_verbs())


def generic(lemma: str) -> bool:
    """A word that says nothing about what is asked ("yhdistys", "kerho", "apu")."""
    return lemma.lower() in _GENERIC
