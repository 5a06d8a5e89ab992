"""Search words that mean the same thing to a person asking, and the words of a record's topics
and sort, for one search over everything (data/synonyms.yml)."""

from __future__ import annotations

import functools

from finnish.datafiles import load


@functools.cache
def _groups() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for group in load("synonyms.yml")["groups"]:
        members = frozenset(group)
        for word in group:
            out[word] = out.get(word, frozenset()) | members
    return out


def synonyms(lemma: str) -> frozenset[str]:
    """The word and the words that mean the same in a search ("jumppa" → liikunta, …)."""
    return _groups().get(lemma, frozenset()) | {lemma}


def sort_words(key: str) -> list[str]:
    """A topic key, an organization's kind or a record list as words ("digituki" → ["digituki"])."""
    return list(load("synonyms.yml")["sorts"].get(key, []))


@functools.cache
def need_verbs() -> frozenset[str]:
    """Verbs that name a need, so a search keeps them ("pärjätä")."""
    return frozenset(load("synonyms.yml").get("need_verbs", []))
