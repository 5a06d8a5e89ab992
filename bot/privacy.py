"""Personal data stays out of Rasa: the gateway swaps phone numbers (and private messages such as
a callback's subject) for tags before a message reaches Rasa, and back when an answer leaves.

The tags ("puhelinnumero1", "viesti1") are what Rasa's tracker and logs hold; the values live in
the handoff database's vault (actions.handoff.store), kept per conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot import finnish

NUMBER_TAG = "puhelinnumero"
MESSAGE_TAG = "viesti"
TAG = re.compile(rf"\b(?:{NUMBER_TAG}|{MESSAGE_TAG})\d{{1,3}}\b")
PHONE_TAG = re.compile(rf"\b{NUMBER_TAG}\d{{1,3}}\b")


def hide_numbers(text: str, keep: Callable[[str], str]) -> str:
    """The text with every phone number replaced by the tag `keep(e164)` gives for it."""
    out, last = [], 0
    for start, end, value in finnish_phone_spans(text):
        out += [text[last:start], keep(value)]
        last = end
    return "".join(out) + text[last:]


def reveal(text: str, values: dict[str, str]) -> str:
    """Tags back to what they stand for; numbers in the grouped form that reads aloud."""

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(0))
        if found is None:
            return match.group(0)
        return finnish.format_phone_for_speech(found) if found.startswith("+") else found

    return TAG.sub(value, text)


def finnish_phone_spans(text: str) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.value) for e in finnish.extract_entities(text)
            if e.entity == "phone_number"]  # fmt: skip
