"""Words of a message with their character offsets."""

from __future__ import annotations

import re

# a web address's name stays one word: "suomi.fi" is no "Suomi" ("Keski-Suomen …")
_TOKEN_RE = re.compile(r"[\w]+\.(?:fi|com|net|org)\b|[\w]+(?:[-:'’][\w]+)*", re.UNICODE)

Token = tuple[int, int, str]


def tokenize(text: str) -> list[Token]:
    """Word tokens with character offsets; hyphenated words, "Kuopio:ssa" and "suomi.fi" stay
    whole."""
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN_RE.finditer(text)]
