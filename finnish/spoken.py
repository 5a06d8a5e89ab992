"""What speech recognition writes, made closer to what a person would type.

Whisper often writes a Finnish compound as two words ("yhteys henkilö", "koti palvelu",
"omais hoitaja"); the NLU, the topics and the search know the compound. Two neighbouring words
are joined only when they cannot be an ordinary phrase (see `_joinable`).
"""

from __future__ import annotations

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
