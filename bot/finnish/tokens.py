"""Words of a message with their character offsets."""

from __future__ import annotations

import re

_TOKEN_RE = re.compile(r"[\w]+(?:[-:'’][\w]+)*", re.UNICODE)

Token = tuple[int, int, str]


def tokenize(text: str) -> list[Token]:
    """Word tokens with character offsets; hyphenated words and "Kuopio:ssa" stay whole."""
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN_RE.finditer(text)]
