"""Personal data stays out of Rasa: the gateway swaps phone numbers (and private messages such as
a callback's subject) for tags before a message reaches Rasa, and back when an answer leaves.

The tags ("puhelinnumero1", "viesti1") are what Rasa's tracker and logs hold; the values live in
the handoff database's vault (store.handoff.store), kept per conversation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import finnish

NUMBER_TAG = "puhelinnumero"
MESSAGE_TAG = "viesti"
TAG = re.compile(rf"\b(?:{NUMBER_TAG}|{MESSAGE_TAG})\d{{1,3}}\b")
PHONE_TAG = re.compile(rf"\b{NUMBER_TAG}\d{{1,3}}\b")
MASKED_NUMBER = f"{NUMBER_TAG}0"  # a number the vault could not keep: nobody gets it back
# Slots whose answer is private: while Rasa asks one, the next message goes only to the vault.
PRIVATE_SLOTS = frozenset({"callback_subject"})


def hide_numbers(text: str, keep: Callable[[str], str]) -> str:
    """The text with every phone number replaced by the tag `keep(e164)` gives for it."""
    out, last = [], 0
    for start, end, value in finnish_phone_spans(text):
        out += [text[last:start], keep(value)]
        last = end
    return "".join(out) + text[last:]


def mask_numbers(text: str) -> str:
    """Every phone number replaced by the masked tag, without storing it anywhere."""
    return hide_numbers(text, lambda _: MASKED_NUMBER)


def reveal(text: str, values: dict[str, str], unknown: dict[str, str] | None = None) -> str:
    """Tags back to what they stand for; numbers in the grouped form that reads aloud. A tag
    with no value (masked, or the vault could not be read) becomes the words `unknown` gives
    for its kind (NUMBER_TAG or MESSAGE_TAG), when given."""

    def value(match: re.Match[str]) -> str:
        tag = match.group(0)
        found = values.get(tag)
        if found is None:
            kind = NUMBER_TAG if tag.startswith(NUMBER_TAG) else MESSAGE_TAG
            return (unknown or {}).get(kind, tag)
        return finnish.format_phone_for_speech(found) if found.startswith("+") else found

    return TAG.sub(value, text)


def finnish_phone_spans(text: str) -> list[tuple[int, int, str]]:
    return [
        (e.start, e.end, e.value)
        for e in finnish.extract_entities(text)
        if e.entity == "phone_number"
    ]


# -- logs: no personal data -----------------------------------------------------------------

_LONG_NUMBER = re.compile(r"(?<![\w.:/-])\+?\d(?:[ -]?\d){6,}(?![\w.:/-])")
_DATABASE_MODULES = ("sqlalchemy", "psycopg2", "sqlite3", "alembic")


def _from_database(error: BaseException | None) -> bool:
    """Whether an exception (or one it was raised from) is a database driver's: their text
    quotes the statement's values and PostgreSQL's DETAIL quotes whole rows."""
    seen = 0
    while error is not None and seen < 8:
        if type(error).__module__.split(".")[0] in _DATABASE_MODULES:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _clean(record: logging.LogRecord) -> None:
    error = record.exc_info[1] if record.exc_info else None
    if error is not None and _from_database(error):
        record.msg = (
            f"{record.getMessage()} ({type(error).__name__}; the database's own text "
            "is not logged: it may quote what a user wrote)"
        )
        record.args = ()
        record.exc_info = record.exc_text = None
    message = record.getMessage()
    masked = _LONG_NUMBER.sub("[numero]", message)
    if masked != message:
        record.msg, record.args = masked, ()


def keep_logs_clean() -> None:
    """Every log record of this process, whoever logs it: a database error without its text
    and traceback, and no phone numbers. Called once at the start of each Apuri process."""
    make = logging.getLogRecordFactory()
    if getattr(make, "apuri_clean", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            _clean(record)
        except (TypeError, ValueError):  # a record whose own arguments do not fit its message
            pass
        return record

    factory.apuri_clean = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
