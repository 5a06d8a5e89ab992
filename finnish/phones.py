"""Phone numbers: any written or spoken Finnish form to E.164, and back for reading aloud."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from finnish.datafiles import load
from finnish.tokens import tokenize

_DIGIT_WORDS = {w: digit for digit, ws in load("numbers.yml")["digits"].items() for w in ws}
_UNITS = {w: int(value) for value, ws in load("numbers.yml")["units"].items() for w in ws}


def number_word(word: str) -> int | None:
    """A Finnish number word up to 999 ("kolmekymmentäneljä" → 34, "viisisataa" → 500)."""
    w = word.lower()
    if not w:
        return None
    if w == "nolla":
        return 0
    if w in _UNITS:
        return _UNITS[w]
    if w in ("kymmenen", "kymppi"):
        return 10
    for suffix in ("toista", "toist"):  # 11–19
        if w.endswith(suffix) and w[: -len(suffix)] in _UNITS:
            return 10 + _UNITS[w[: -len(suffix)]]
    for word_100, value in (("sataa", 100), ("sata", 100)):
        head, sep, tail = w.partition(word_100)
        if sep and (head == "" or head in _UNITS):
            rest = number_word(tail) if tail else 0
            if rest is not None and rest < 100:
                return (_UNITS.get(head, 1)) * value + rest
    for word_10 in ("kymmentä", "kyt"):
        head, sep, tail = w.partition(word_10)
        if sep and head in _UNITS:
            rest = _UNITS.get(tail, 0) if tail else 0
            if tail and tail not in _UNITS:
                return None
            return _UNITS[head] * 10 + rest
    return None


def _spoken_digits(word: str) -> str | None:
    """The digits a spoken word stands for in a phone number ("kaksitoista" → "12")."""
    w = word.lower()
    if w in _DIGIT_WORDS:
        return _DIGIT_WORDS[w]
    if w.isdigit():
        return w
    value = number_word(w)
    return None if value is None else str(value)


_PHONE_RE = re.compile(r"(?<![\w+.])(?:\+|00)?\d[\d \-/()]{4,20}\d(?![\w.]\d)")
_DATE_LIKE = re.compile(
    r"^\d{1,4}[.\-/]\d{1,2}[.\-/]\d{1,4}$"  # 10.2.2027
    r"|^\d{1,2}[.:]\d{2}(\s*-\s*\d{1,2}[.:]\d{2})?$"  # 9.00-15.30
)


def normalize_phone(text: str) -> str | None:
    """E.164 form of a Finnish phone number in any written or spoken form, or None."""
    raw = text.strip()
    if not raw or len(raw) > 200:
        return None
    words = re.findall(r"[+\w]+", raw.lower())
    spoken = any(w in _DIGIT_WORDS or number_word(w) is not None for w in words)
    if spoken and all(w == "plus" or _spoken_digits(w) is not None for w in words):
        raw = "".join("+" if w == "plus" else _spoken_digits(w) or "" for w in words)
    if _DATE_LIKE.match(raw.strip()) or re.search(r"[^\d\s+\-()/]", raw):
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if len(re.sub(r"\D", "", digits)) < 6 or "+" in digits[1:]:
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    try:
        number = phonenumbers.parse(digits, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_for_speech(e164: str) -> str:
    """A phone number in the national format, grouped so it reads aloud well."""
    try:
        number = phonenumbers.parse(e164, "FI")
    except phonenumbers.NumberParseException:
        return e164
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    prefix, _, rest = national.partition(" ")
    rest = rest.replace(" ", "")
    if rest.isdigit() and 6 <= len(rest) <= 8:  # 040 123 4567, 09 2525 0111, 0400 123 456
        cut = 4 if len(rest) == 8 else 3
        rest = f"{rest[:cut]} {rest[cut:]}"
    return f"{prefix} {rest}".strip()


def phone_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, E.164) of every phone number in a text, written or spoken digit by digit."""
    for m in _PHONE_RE.finditer(text):
        value = normalize_phone(m.group(0))
        if value:
            yield m.start(), m.end(), value
    # spoken digit by digit: "nolla neljä nolla viisi viisi viisi …"
    toks = tokenize(text)
    i = 0
    while i < len(toks):
        j = i
        digits = ""
        while j < len(toks) and (
            _spoken_digits(toks[j][2]) is not None or (j == i and toks[j][2].lower() == "plus")
        ):
            w = toks[j][2].lower()
            digits += "+" if w == "plus" else _spoken_digits(w) or ""
            j += 1
        spoken = any(not toks[k][2].isdigit() for k in range(i, j))
        if spoken and len(digits.lstrip("+")) >= 6:
            value = normalize_phone(digits)
            if value:
                yield toks[i][0], toks[j - 1][1], value
                i = j
                continue
        i = max(i + 1, j)
