"""What speech recognition writes, made closer to what a person would type.

Whisper often writes a Finnish compound as two words ("yhteys henkilö", "koti palvelu",
"omais hoitaja"); the NLU, the topics and the search know the compound. Two neighbouring words
are joined only when they cannot be an ordinary phrase (see `_joinable`).
"""

from __future__ import annotations

import difflib
import re

from finnish.morphology import analyses, compound_boundaries, is_known_word

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\S")


def _joinable(first: str, second: str) -> str | None:
    """The compound `first` + `second` make, when they are one word said in two: a noun in
    the nominative singular (or a stem that is only ever a compound's first part, "omais")
    and a noun after it, and Finnish knows the joined word as a compound."""
    if len(first) < 3 or len(second) < 3 or not first.isalpha() or not second.isalpha():
        return None
    if first[0].isupper() and is_known_word(first):
        return None  # a name, or the first word of a sentence standing on its own
    first_ok = not is_known_word(first) or all(
        a.get("CLASS") == "nimisana"
        and a.get("SIJAMUOTO") == "nimento"
        and a.get("NUMBER") == "singular"
        for a in analyses(first)
    )
    second_ok = bool(analyses(second)) and all(
        a.get("CLASS") == "nimisana" for a in analyses(second)
    )
    joined = first.lower() + second.lower()
    if not (first_ok and second_ok) or not is_known_word(joined):
        return None
    return joined if len(compound_boundaries(joined)) >= 2 else None


def tidy_transcript(text: str) -> str:
    """The transcript with compounds said in two written as one."""
    tokens = [m.group(0) for m in _WORD.finditer(text)]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens):
            joined = _joinable(tokens[i], tokens[i + 1])
            if joined:
                out.append(joined)
                i += 2
                continue
        out.append(tokens[i])
        i += 1
    result = " ".join(out)
    return re.sub(r" ([.,!?;:])", r"\1", result)


NEAR_NAME = 0.8  # how alike a heard run of words and a municipality's name must be
CLEAR_LEAD = 0.05  # by how much the nearest name must beat the next one


def _said_names() -> dict[str, str]:
    """Municipality names as letters only ("maarianhamina", "kaskinen") → official name."""
    from finnish.municipalities import gazetteer

    return {re.sub(r"[^a-zåäö]", "", name.lower()): name for name in gazetteer().municipalities}


def heard_municipality(text: str) -> str | None:
    """The municipality a caller said, also when speech recognition split or bent its name
    ("Rova ne minkään", "Tampi arjelta", "Provani emmi"): a name the entities find, else the
    run of up to three words whose start is nearest a name of five letters or more. A guess to
    be read back and confirmed; None when nothing is near or two names are as near."""
    from finnish.entities import entity_values

    found = entity_values(text, "municipality")
    if found:
        return found[0]
    words = re.findall(r"[a-zåäö]+", text.lower())
    scores: dict[str, float] = {}
    names = _said_names()
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            if all(is_known_word(w) for w in run):  # "haluan" is a word, not "Halsua"
                continue
            joined = "".join(run)
            for heard in {joined, joined[1:]}:  # "provani": a sound before the name
                if len(heard) < 5:
                    continue
                for letters, name in names.items():
                    if len(letters) < 5 or letters[0] != heard[0]:
                        continue
                    ratio = difflib.SequenceMatcher(None, heard[: len(letters)], letters).ratio()
                    scores[name] = max(scores.get(name, 0.0), ratio)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < NEAR_NAME:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < CLEAR_LEAD:
        return None
    return ranked[0][0]
