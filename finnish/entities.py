"""Entities of a message (contract §3): municipality, region, topic and phone_number, normalized."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from finnish.morphology import is_known_word
from finnish.municipalities import AMBIGUOUS, gazetteer
from finnish.phones import phone_spans
from finnish.places import is_place
from finnish.tokens import tokenize
from finnish.topics import topic_of_word, topic_phrases

MAX_TEXT = 5000  # longer messages are not analysed (the gateway allows 2000 characters)


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int
    text: str


def extract_entities(text: str) -> list[Entity]:
    """All municipality, region, topic and phone_number entities in a message, normalized."""
    return list(_extract_entities(text))


@functools.lru_cache(maxsize=1024)  # the tokenizer and the extractor both ask for each message
def _extract_entities(text: str) -> tuple[Entity, ...]:
    if not text or len(text) > MAX_TEXT:
        return ()
    gaz = gazetteer()
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(entity: str, value: str, start: int, end: int) -> None:
        found.append(Entity(entity, value, start, end, text[start:end]))
        taken.append((start, end))

    for start, end, value in phone_spans(text):
        if free(start, end):
            add("phone_number", value, start, end)

    toks = tokenize(text)
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(gaz.max_words, len(toks) - i), 0, -1):
            start, end = toks[i][0], toks[i + n - 1][1]
            if not free(start, end) or toks[i][2].isdigit():
                continue
            res = gaz.lookup(" ".join(t[2] for t in toks[i : i + n]))
            if res is None:
                continue
            entity, value = res
            if entity == "municipality" and value in AMBIGUOUS:
                if not is_place(value, text, toks, i, i + n):
                    continue
            hit = (n, entity, value, start, end)
            break
        hit = hit or _near_place(gaz, toks, i, free)
        if hit:
            n, entity, value, start, end = hit
            add(entity, value, start, end)
            i += n
        else:
            i += 1

    topics_seen: set[str] = set()
    for start, end, key in topic_phrases(text):  # "hoidan miestäni": a topic in two words
        if free(start, end) and key not in topics_seen:
            topics_seen.add(key)
            add("topic", key, start, end)
    for start, end, word in toks:
        if free(start, end) and not word.isdigit():
            key = topic_of_word(word)
            if key and key not in topics_seen:  # one mention of a topic is enough
                topics_seen.add(key)
                add("topic", key, start, end)
    return tuple(sorted(found, key=lambda e: e.start))


def _near_place(gaz, toks, i: int, free) -> tuple[int, str, str, int, int] | None:
    """A place name as speech recognition or a hurried typist writes it: one or two letters
    off ("kuopijossa"), or split in two ("kuu piossa", "rova niemellä")."""
    word = toks[i][2]
    if not word.isalpha():
        return None
    if i + 1 < len(toks) and toks[i + 1][2].isalpha() and free(toks[i][0], toks[i + 1][1]):
        joined = (word + toks[i + 1][2]).lower()
        res = gaz.lookup(joined)
        if (
            res is None
            and min(len(word), len(toks[i + 1][2])) >= 3
            and not (is_known_word(word) and is_known_word(toks[i + 1][2]))
        ):
            res = gaz.near(joined)
        if res and res[1] not in AMBIGUOUS:
            return (2, res[0], res[1], toks[i][0], toks[i + 1][1])
    res = gaz.near(word)
    if res:
        return (1, res[0], res[1], toks[i][0], toks[i][1])
    return None


def entity_values(text: str, entity: str) -> list[str]:
    """The normalized values of one entity type in a text, in order."""
    return [e.value for e in extract_entities(text) if e.entity == entity]
