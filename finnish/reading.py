"""A bot answer as espeak-ng's Finnish voice should read it: numbers, times, dates and phone
numbers in Finnish words, abbreviations in full, links, markup and emoji left unread.

espeak-ng reads "040 123 4567" as one huge number, "klo 9.30" as a decimal and "3.12." as
"three twelve", so `speakable` writes them out first; the word lists are in data/reading.yml.

Decisions where the written form is ambiguous:
- "9.30", "10.05" and "9:30" (hour 0–24, two-digit minutes) are clock times. A date has its
  final dot ("3.12.", "3.12.2026"), so "3.12" alone is a time; after "klo" always a time.
- "A–B" is read elative–illative: "9–16" "yhdeksästä kuuteentoista", "5–10 €" "viidestä
  kymmeneen euroa". A time or a date before "asti", "saakka", "mennessä" is illative, before
  or after "alkaen", "lähtien" elative ("klo 9 alkaen" "kello yhdeksästä alkaen"). A number
  with a unit and ":n" is genitive ("5 km:n" "viiden kilometrin"); other endings after a colon
  are dropped ("112:een" "yksi yksi kaksi"); everything else is nominative.
- Numbers under a thousand are one word; the thousands are followed by a space
  ("kaksituhatta kaksikymmentäkuusi"), in years too. A number with a leading zero, or written
  without spaces with five or more digits (postal codes, customer numbers), is read digit by
  digit, as is "112" on its own.
- A phone number is read digit by digit in the groups its writer used when they are groups of
  2–4 digits, else in phones.format_phone_for_speech groups, with a pause between groups.
- "N." before a lower-case word is an ordinal ("3. kerros" "kolmas kerros").
- A weekday abbreviation is read only where it cannot be anything else: in a range ("ma–pe")
  or before a date, a time or another such weekday ("ma 7.12.", "pe klo 9", "ma ja ke 10–12").
- A web address is "linkki viestissä" and an e-mail address "sähköpostiosoite viestissä"; a bare
  domain without a path is read ("kela.fi" "kela piste fi").
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Callable

from finnish.datafiles import load
from finnish.phones import format_phone_for_speech, phone_spans

log = logging.getLogger(__name__)

MAX_CHARS = 5000  # some five minutes of speech; a longer text is cut at a word boundary
NOM, ELA, ILL, GEN = 0, 1, 2, 3  # the case forms listed in data/reading.yml

_DATA = load("reading.yml")
_CARDINALS: dict[int, list[str]] = {int(n): forms for n, forms in _DATA["cardinals"].items()}
_PARTS: dict[str, list[str]] = _DATA["number_parts"]
_ORDINALS: dict[int, list[str]] = {int(n): forms for n, forms in _DATA["ordinals"].items()}
_ORDINALS_IN_COMPOUNDS: dict[int, list[str]] = {
    int(n): forms for n, forms in _DATA["ordinals_in_compounds"].items()
}
_MONTHS: list[str] = _DATA["months"]
_WEEKDAYS: dict[str, list[str]] = _DATA["weekdays"]
_WEEKDAY_NAMES = {forms[0]: abbr for abbr, forms in _WEEKDAYS.items()}
_UNITS: dict[str, list[str]] = _DATA["units"]
_PER: dict[str, str] = _DATA["per"]
_SPOKEN_INSTEAD: dict[str, str] = _DATA["spoken_instead"]
_DIGITS = {digit: words[0] for digit, words in load("numbers.yml")["digits"].items()}

_ILLATIVE_AFTER = frozenset({"asti", "saakka", "mennessä"})
_ELATIVE_AROUND = frozenset({"alkaen", "lähtien"})

Reader = Callable[[re.Match[str]], str | None]


# -- numbers in words ------------------------------------------------------------------------


def cardinal(n: int, case: int = NOM) -> str:
    """A whole number in words ("tuhat viisisataa"), in the case a range or "asti" asks for."""
    if n < 0:
        return "miinus " + cardinal(-n, case)
    if n >= 10**12:
        return digits(str(n))
    words = []
    for scale, one, many in ((10**9, "billion", "billions"), (10**6, "million", "millions")):
        count, n = divmod(n, scale)
        if count:
            words.append(
                _PARTS[one][case]
                if count == 1
                else f"{_below_thousand(count, case)} {_PARTS[many][case]}"
            )
    count, n = divmod(n, 1000)
    if count:
        words.append(
            _PARTS["thousand"][case]
            if count == 1
            else _below_thousand(count, case) + _PARTS["thousands"][case]
        )
    if n or not words:
        words.append(_below_thousand(n, case))
    return " ".join(words)


def _below_thousand(n: int, case: int) -> str:
    """0–999 as one word: Finnish writes "kolmesataaviisikymmentäneljä" together."""
    hundreds, rest = divmod(n, 100)
    head = ""
    if hundreds:
        head = (
            _PARTS["hundred"][case]
            if hundreds == 1
            else (_CARDINALS[hundreds][case] + _PARTS["hundreds"][case])
        )
    return head if hundreds and not rest else head + _below_hundred(rest, case)


def _below_hundred(n: int, case: int) -> str:
    """0–99: "kolme", "kolmetoista", "kolmekymmentäkolme", every part in the same case."""
    if n <= 10:
        return _CARDINALS[n][case]
    if n < 20:
        return _CARDINALS[n - 10][case] + _PARTS["teen"][case]
    tens, ones = divmod(n, 10)
    return _CARDINALS[tens][case] + _PARTS["ten"][case] + (_CARDINALS[ones][case] if ones else "")


def ordinal(n: int, case: int = NOM) -> str:
    """1–99 as an ordinal ("kolmas", "kahdeskymmenesensimmäinen"): days of the month, floors."""
    if not 1 <= n <= 99:
        return cardinal(n, case)
    if n <= 10:
        return _ORDINALS[n][case]
    if n < 20:
        return _ordinal_part(n - 10, case) + _PARTS["teen"][case]
    tens, ones = divmod(n, 10)
    return _ordinal_part(tens, case) + _ORDINALS[10][case] + (_ORDINALS[ones][case] if ones else "")


def _ordinal_part(n: int, case: int) -> str:
    """1–9 inside a compound ordinal, where 1 and 2 change ("yhdestoista", "kahdeskymmenes")."""
    return _ORDINALS_IN_COMPOUNDS.get(n, _ORDINALS[n])[case]


def digits(text: str) -> str:
    """Every digit as its own word, for phone numbers, postal codes and identifiers."""
    return " ".join(_DIGITS[ch] for ch in text if ch in _DIGITS)


def _integer(written: str) -> str:
    """An integer as written ("1 500", "00100", "112"): a number, or digits where it is a code."""
    plain = written.replace(" ", "")
    if plain == "112":  # the emergency number is never "sataakaksitoista"
        return digits(plain)
    if len(plain) > 1 and plain.startswith("0"):
        return ", ".join(digits(group) for group in written.split())
    if " " not in written and len(plain) >= 5:
        return digits(plain)
    return cardinal(int(plain))


def _decimal(whole: str, fraction: str | None, case: int = NOM) -> str:
    """ "2,5" as "kaksi pilkku viisi"; leading zeros of the fraction are said ("nolla viisi")."""
    words = cardinal(int(whole.replace(" ", "")), case)
    if fraction is None:
        return words
    rest = fraction.lstrip("0")
    tail = [_CARDINALS[0][case]] * (len(fraction) - len(rest))
    if rest:
        tail.append(cardinal(int(rest), case) if len(rest) <= 3 else digits(rest))
    return f"{words} pilkku {' '.join(tail)}"


def _euros(whole: str, cents: str) -> str:
    """ "12,50 €" as "kaksitoista euroa viisikymmentä senttiä", as prices are said."""
    euros, cent = int(whole.replace(" ", "")), int(cents)
    words = []
    if euros or not cent:
        words.append(f"{cardinal(euros)} {_UNITS['€'][euros != 1]}")
    if cent:
        words.append(f"{cardinal(cent)} {_UNITS['snt'][cent != 1]}")
    return " ".join(words)


def _clock_time(hour: str, minute: str | None, case: int = NOM) -> str:
    """ "9.30" as "yhdeksän kolmekymmentä", "9.05" with "nolla", "9.00" as just "yhdeksän"."""
    words = cardinal(int(hour), case)
    if minute and int(minute):
        zero = _CARDINALS[0][NOM] + " " if minute.startswith("0") else ""
        words += f" {zero}{cardinal(int(minute), case)}"
    return words


def _date(day: str, month: str | None, year: str | None, case: int = NOM) -> str:
    """ "3.12.2026" as "kolmas joulukuuta kaksituhatta kaksikymmentäkuusi"."""
    words = [ordinal(int(day), case)]
    if month:
        words.append(_MONTHS[int(month) - 1])
    if year:
        words.append(cardinal(int(year)))
    return " ".join(words)


def _is_date(day: str, month: str | None) -> bool:
    """Whether day and month can be a calendar date (so "10.30." is not one)."""
    return 1 <= int(day) <= 31 and (month is None or 1 <= int(month) <= 12)


# -- the case a time or date takes -----------------------------------------------------------

_NEXT_WORD = re.compile(r"\s*(\w+)")
_PREVIOUS_WORD = re.compile(r"(\w+)\s*$")


def _case_around(m: re.Match[str]) -> int:
    """Illative before "asti", elative around "alkaen": "klo 16 asti" "kuuteentoista asti"."""
    after = _NEXT_WORD.match(m.string, m.end())
    word = after.group(1).lower() if after else ""
    if word in _ILLATIVE_AFTER:
        return ILL
    before = _PREVIOUS_WORD.search(m.string[max(0, m.start() - 12) : m.start()])
    if word in _ELATIVE_AROUND or (before and before.group(1).lower() in _ELATIVE_AROUND):
        return ELA
    return NOM


# -- cleaning: what is not read --------------------------------------------------------------

_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]{0,500}>.*?</\1\s*>", re.I | re.S)
_BLOCK_TAG_RE = re.compile(r"<br\s*/?>|</?(?:p|div|li|ul|ol|h[1-6]|tr|table)\b[^<>]{0,300}>", re.I)
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
_MD_LINK_RE = re.compile(r"!?\[([^\]\n]{0,200})\]\([^()\s]{0,500}\)")
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOMAIN_RE = re.compile(
    r"(?<![\w@.-])((?:[a-zäöå0-9-]+\.)+(?:fi|com|org|net|eu|info|io|se|ax))(/\S*)?(?![\w-])", re.I
)
_LINE_MARK_RE = re.compile(r"^\s{0,8}(?:[-*+•◦▪‣·>]+|#{1,6})\s+", re.M)
_INLINE_BULLET_RE = re.compile(r"\s*[•◦▪‣·]\s*")
_TRAILING_PUNCTUATION = ".,;:!?)"
_FRACTIONS: dict[str, str] = _DATA["fractions"]
_FRACTION_RE = re.compile("|".join(_FRACTIONS))
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]{0,20}[A-Za-z]")  # terminal colours pasted from a log


def _strip_markup(text: str) -> str:
    """HTML tags (and what a script says) go; block tags become line breaks."""
    text = _SCRIPT_RE.sub(" ", text)
    text = _BLOCK_TAG_RE.sub("\n", text)
    return html.unescape(_TAG_RE.sub(" ", text))


def _drop_unreadable(text: str) -> str:
    """Emoji, control and format characters out; every digit script to 0–9; spaces plain."""
    text = _ANSI_RE.sub(" ", _FRACTION_RE.sub(lambda m: f" {_FRACTIONS[m.group(0)]} ", text))
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\n°":
            out.append(ch)
        elif category in ("Zl", "Zp"):
            out.append("\n")
        elif category in ("Cc", "Zs"):
            out.append(" ")
        elif category in ("Cf", "So", "Sk", "Cs", "Co", "Cn", "Me") or "\ufe00" <= ch <= "\ufe0f":
            continue
        elif category == "Nd":
            out.append(str(unicodedata.digit(ch)))
        else:
            out.append(ch)
    return "".join(out)


def _address(m: re.Match[str], spoken: str) -> str:
    """The phrase for a link, keeping the sentence's punctuation the link swallowed."""
    found = m.group(0)
    kept = found.rstrip(_TRAILING_PUNCTUATION)
    return spoken + found[len(kept) :]


def _domain(m: re.Match[str]) -> str:
    """ "kela.fi" is read "kela piste fi"; with a path it is a link like any other."""
    if m.group(2) and m.group(2).rstrip(_TRAILING_PUNCTUATION) not in ("", "/"):
        return _address(m, _SPOKEN_INSTEAD["url"])
    return " piste ".join(m.group(1).split(".")) + (m.group(2) or "").lstrip("/")


def _strip_addresses(text: str) -> str:
    """Links and e-mail addresses are on the screen; reading them out helps nobody."""
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub(lambda m: _address(m, _SPOKEN_INSTEAD["url"]), text)
    text = _EMAIL_RE.sub(lambda m: _address(m, _SPOKEN_INSTEAD["email"]), text)
    return _DOMAIN_RE.sub(_domain, text)


def _strip_markdown(text: str) -> str:
    """Bullets, headings, quotes and emphasis markers are for the eye."""
    text = _LINE_MARK_RE.sub("", text)
    text = _INLINE_BULLET_RE.sub(", ", text)
    return re.sub(r"[*`#]+", "", text).replace("_", " ")


def _lines_as_sentences(text: str) -> str:
    """A line break is a pause: a line without closing punctuation gets a full stop."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    return " ".join(
        line + "." if i < len(lines) - 1 and line[-1] not in ".!?:;," else line
        for i, line in enumerate(lines)
    )


def _clean(text: str) -> str:
    """The text without what should not be read, one line, long texts cut."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(None, 1)[0]
    text = _drop_unreadable(_strip_markup(text))
    return _lines_as_sentences(_strip_markdown(_strip_addresses(text)))


# -- phone numbers ---------------------------------------------------------------------------

_PHONE_START_RE = re.compile(r"\s*(?:\+|00|\(?0|116\s?\d{3}$)")


def _phone_words(written: str, e164: str) -> str:
    """A phone number digit by digit, a pause between groups: "nolla neljä nolla, yksi …"."""
    groups = re.findall(r"\+|\d+", written)
    if e164.startswith("+358"):
        spoken = format_phone_for_speech(e164)
        same = re.sub(r"\D", "", written) == re.sub(r"\D", "", spoken)
        if not (same and all(2 <= len(g) <= 4 for g in groups)):
            groups = re.findall(r"\d+", spoken)
    words = [digits(group) for group in groups if group != "+"]
    if groups[0] == "+":
        words[0] = f"plus {words[0]}"
    return ", ".join(words)


def _phones(text: str) -> str:
    """Phone numbers (phones.phone_spans) read digit by digit before numbers are read."""
    out, pos = [], 0
    for start, end, e164 in sorted(phone_spans(text)):
        written = text[start:end]
        if start < pos or not _PHONE_START_RE.match(written):
            continue
        if text[start - 1 : start] == "(" and start > pos:  # "(09) 310 1691": both brackets go
            start -= 1
        out += [text[pos:start], _phone_words(written, e164)]
        pos = end
    out.append(text[pos:])
    return "".join(out)


# -- weekdays, times, dates and numbers ------------------------------------------------------


def _keep_case(written: str, spoken: str) -> str:
    """ "Klo" at the start of a sentence becomes "Kello"."""
    return spoken[:1].upper() + spoken[1:] if written[:1].isupper() else spoken


def _padded(m: re.Match[str], words: str) -> str:
    """Words for a match, spaced off from letters it touched ("5G" → "viisi G")."""
    before = m.string[m.start() - 1 : m.start()] if m.start() else ""
    after = m.string[m.end() : m.end() + 1]
    return (" " if before.isalnum() else "") + words + (" " if after.isalnum() else "")


def _step(pattern: re.Pattern[str], read: Reader) -> Callable[[str], str]:
    """A step that replaces every match by what `read` says, or leaves it if it says None."""

    def run(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            words = read(m)
            return m.group(0) if words is None else _padded(m, words)

        return pattern.sub(one, text)

    return run


def _weekday_forms(word: str) -> list[str]:
    """The forms of a weekday written "ma" or "maanantai"."""
    word = word.lower()
    return _WEEKDAYS.get(word) or _WEEKDAYS[_WEEKDAY_NAMES[word]]


_WD_ABBR = "|".join(_WEEKDAYS)
_WD_ANY = "|".join(sorted([*_WEEKDAYS, *_WEEKDAY_NAMES], key=len, reverse=True))
_WEEKDAY_RANGE_RE = re.compile(rf"\b({_WD_ANY})\s*[–-]\s*({_WD_ANY})\b", re.I)
_WEEKDAY_RE = re.compile(
    rf"\b({_WD_ABBR})\b(?=(?:\s*(?:,|ja|tai)\s*(?:{_WD_ABBR})\b)*\s*(?:\d|klo\b|kello\b))", re.I
)


def _weekday_range(m: re.Match[str]) -> str:
    """ "ma–pe" as "maanantaista perjantaihin"."""
    first, last = _weekday_forms(m.group(1)), _weekday_forms(m.group(2))
    return _keep_case(m.group(0), f"{first[2]} {last[3]}")


def _weekday(m: re.Match[str]) -> str:
    """ "ma 7.12." as "maanantaina …": the day something happens."""
    return _keep_case(m.group(0), _weekday_forms(m.group(1))[1])


_TIME = r"(2[0-4]|[01]?\d)(?:[.:]([0-5]\d))?"
_TIME_END = r"(?!\d|[.:]\d)"
_CLOCK_RE = re.compile(rf"\b(klo|kello)\.?\s*{_TIME}(?:\s*[–-]\s*{_TIME})?{_TIME_END}", re.I)
_TIME_RANGE_RE = re.compile(rf"(?<![\w.,:]){_TIME}\s*[–-]\s*{_TIME}{_TIME_END}")
_TIME_RE = re.compile(rf"(?<![\w.,:])(2[0-4]|[01]?\d)[.:]([0-5]\d){_TIME_END}")


def _clock(m: re.Match[str]) -> str:
    """ "klo 9.30" "kello yhdeksän kolmekymmentä", "klo 9–16" "kello yhdeksästä kuuteentoista"."""
    word = _keep_case(m.group(1), "kello")
    if m.group(4) is None:
        return f"{word} {_clock_time(m.group(2), m.group(3), _case_around(m))}"
    start, end = _clock_time(m.group(2), m.group(3), ELA), _clock_time(m.group(4), m.group(5), ILL)
    return f"{word} {start} {end}"


def _time_range(m: re.Match[str]) -> str | None:
    """ "9.30–16" is a time range; "9–16" is left to the number ranges (same words)."""
    if m.group(2) is None and m.group(4) is None:
        return None
    return f"{_clock_time(m.group(1), m.group(2), ELA)} {_clock_time(m.group(3), m.group(4), ILL)}"


def _time(m: re.Match[str]) -> str:
    """ "9.30" without "klo" as "yhdeksän kolmekymmentä"."""
    return _clock_time(m.group(1), m.group(2), _case_around(m))


_DATE_RANGE_RE = re.compile(
    r"(?<![\w.,])(\d{1,2})\.(?:(\d{1,2})\.(\d{4})?)?\s*[–-]\s*"
    r"(\d{1,2})\.(\d{1,2})\.(\d{4})?(?!\d)"
)
_DATE_RE = re.compile(r"(?<![\w.,])(\d{1,2})\.(\d{1,2})\.(\d{4})?(?!\d)")
_ISO_DATE_RE = re.compile(r"(?<![\w.-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")


def _date_range(m: re.Match[str]) -> str | None:
    """ "3.–5.12." as "kolmannesta viidenteen joulukuuta"; the first month only if it differs."""
    day1, month1, year1, day2, month2, year2 = m.groups()
    if not (_is_date(day1, month1) and _is_date(day2, month2)):
        return None
    differ = (month1 and month1.lstrip("0") != month2.lstrip("0")) or (year1 and year1 != year2)
    first = _date(day1, month1 if differ else None, year1 if year1 != year2 else None, ELA)
    return f"{first} {_date(day2, month2, year2, ILL)}"


def _date_match(m: re.Match[str]) -> str | None:
    """ "3.12." as "kolmas joulukuuta", "3.12. asti" as "kolmanteen joulukuuta asti"."""
    day, month, year = m.groups()
    return _date(day, month, year, _case_around(m)) if _is_date(day, month) else None


def _iso_date(m: re.Match[str]) -> str | None:
    """ "2026-12-03" read like "3.12.2026"."""
    year, month, day = m.groups()
    return _date(day, month, year, _case_around(m)) if _is_date(day, month) else None


_ORDINAL_NEXT = r"(?=\s+[a-zäöå])"
_ORDINAL_RANGE_RE = re.compile(rf"(?<![\w.,])(\d{{1,2}})\.\s*[–-]\s*(\d{{1,2}})\.{_ORDINAL_NEXT}")
_ORDINAL_RE = re.compile(rf"(?<![\w.,])(\d{{1,2}})\.{_ORDINAL_NEXT}")
_DOTTED_RE = re.compile(r"(?<![\w.,])\d+(?:\.\d+)+(?!\d|\.\d)")


def _ordinal_range(m: re.Match[str]) -> str:
    """ "1.–3. luokka" as "ensimmäisestä kolmanteen luokka"."""
    return f"{ordinal(int(m.group(1)), ELA)} {ordinal(int(m.group(2)), ILL)}"


def _dotted(m: re.Match[str]) -> str:
    """What is neither a date nor a time ("2.5", "1.2.3") with "piste" between the parts."""
    return " piste ".join(_integer(part) for part in m.group(0).split("."))


_NUMBER = r"\d{1,3}(?: \d{3})+(?!\d)|\d+"
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_PER_RE = "|".join(re.escape(u) for u in sorted(_PER, key=len, reverse=True))
_QUANTITY_RE = re.compile(
    rf"(?<![\w.,])(?P<sign>[-−+](?=\d))?(?P<a>{_NUMBER})(?:,(?P<a_dec>\d+))?"
    rf"(?:\s*[–-]\s*(?P<b>{_NUMBER})(?:,(?P<b_dec>\d+))?)?"
    rf"(?:\s*(?P<unit>{_UNIT_RE})(?!\w)(?:\s*/\s*(?P<per>{_PER_RE})(?!\w))?)?"
    r"(?::(?P<ending>[a-zäöå]+))?"
)
_SIGNS = {"-": "miinus ", "−": "miinus ", "+": "plus "}


def _quantity(m: re.Match[str]) -> str:
    """A number, a decimal or a range, with its unit: "3 km" "kolme kilometriä"."""
    a, a_dec, b, b_dec, unit = m["a"], m["a_dec"], m["b"], m["b_dec"], m["unit"]
    sign = _SIGNS.get(m["sign"] or "", "")
    per = f" {_PER[m['per']]}" if m["per"] else ""
    if b is not None:
        words, form = f"{sign}{_decimal(a, a_dec, ELA)} {_decimal(b, b_dec, ILL)}", 1
    elif unit == "€" and a_dec is not None and len(a_dec) == 2:
        return sign + _euros(a, a_dec) + per
    elif unit is None and a_dec is None and not sign:
        return _integer(a)
    elif unit and m["ending"] == "n":  # "5 km:n päässä"
        words, form = sign + _decimal(a, a_dec, GEN), 2
    else:
        words, form = sign + _decimal(a, a_dec), int(a_dec is not None or a.lstrip("0") != "1")
    if unit:
        words += " " + _UNITS[unit][form]
    return words + per


# -- abbreviations and symbols ---------------------------------------------------------------


def _with_capitals(table: dict[str, str]) -> dict[str, str]:
    """An abbreviation table that also knows the capitalised forms ("Esim." "Esimerkiksi")."""
    both = dict(table)
    for written, spoken in table.items():
        both.setdefault(written[:1].upper() + written[1:], spoken[:1].upper() + spoken[1:])
    return both


def _alternation(words: dict[str, str]) -> str:
    """A regex alternation of the words, longest first so "yms." wins over "ym."."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ABBREVIATIONS = _with_capitals(_DATA["abbreviations"])
_SENTENCE_FINAL = frozenset(_DATA["sentence_final"])
_ABBREVIATION_RE = re.compile(rf"(?<![\w.])({_alternation(_ABBREVIATIONS)})(?!\w)")
_BEFORE_NUMBER = _with_capitals(_DATA["before_number"])
_BEFORE_NUMBER_RE = re.compile(
    rf"(?<![\w.])({_alternation(_BEFORE_NUMBER)})\s*(?=[-−+(]?\d|klo\b|kello\b)"
)
_INITIALISMS: dict[str, str] = _DATA["initialisms"]
_INITIALISM_RE = re.compile(rf"(?<![\w.])({_alternation(_INITIALISMS)})(?::([a-zäöå]+))?(?![\w:])")
_PHRASES: dict[str, str] = _DATA["phrases"]
_PHRASE_RE = re.compile(rf"(?<![\w/])({_alternation(_PHRASES)})(?![\w/])")
_SYMBOLS: dict[str, str] = _DATA["symbols"]
_SYMBOL_RE = re.compile(_alternation(_SYMBOLS))


def _abbreviation(m: re.Match[str]) -> str:
    """ "esim." as "esimerkiksi"; the full stop stays where it also ends the sentence."""
    written = m.group(1)
    spoken = _ABBREVIATIONS[written]
    rest = m.string[m.end() :].lstrip()
    ends = written.endswith(".") and (
        not rest or (written.lower() in _SENTENCE_FINAL and rest[0].isupper())
    )
    return spoken + ("." if ends else "")


def _initialism(m: re.Match[str]) -> str:
    """ "ry:n" as "ärrä yyn"."""
    return _INITIALISMS[m.group(1)] + (m.group(2) or "")


def _tidy(text: str) -> str:
    """Symbols in words, dashes between words as pauses, one space, no digit left."""
    text = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(0)], text)
    text = re.sub(r"\s+-+\s+|\s*[–—]+\s*", ", ", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ([,.!?;:])", r"\1", text)
    text = re.sub(r",(?=\w)", ", ", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*([.!?])", r"\1", text)
    text = re.sub(r"^[\s,.;:]+", "", text)
    return "".join(" " if ch.isdigit() else ch for ch in text).strip()


_STEPS: tuple[Callable[[str], str], ...] = (
    lambda text: _PHRASE_RE.sub(lambda m: _PHRASES[m.group(1)], text),
    lambda text: _BEFORE_NUMBER_RE.sub(lambda m: _BEFORE_NUMBER[m.group(1)] + " ", text),
    _phones,
    _step(_WEEKDAY_RANGE_RE, _weekday_range),
    _step(_WEEKDAY_RE, _weekday),
    _step(_CLOCK_RE, _clock),
    _step(_TIME_RANGE_RE, _time_range),
    _step(_DATE_RANGE_RE, _date_range),
    _step(_DATE_RE, _date_match),
    _step(_ISO_DATE_RE, _iso_date),
    _step(_TIME_RE, _time),
    _step(_ORDINAL_RANGE_RE, _ordinal_range),
    _step(_ORDINAL_RE, lambda m: ordinal(int(m.group(1)))),
    _step(_DOTTED_RE, _dotted),
    _step(_QUANTITY_RE, _quantity),
    _step(re.compile(r"\d+"), lambda m: _integer(m.group(0))),
    lambda text: _ABBREVIATION_RE.sub(_abbreviation, text),
    lambda text: _INITIALISM_RE.sub(_initialism, text),
    _tidy,
)


def speakable(text: str) -> str:
    """The bot's answer as espeak-ng should read it, in Finnish words."""
    if not isinstance(text, str) or not text.strip():
        return ""
    try:
        text = _clean(text)
        for step in _STEPS:
            text = step(text)
        return text
    except Exception:  # a bug here must not silence the answer; it is logged, not hidden
        log.exception("could not prepare a text for speech")
        return _plain(text)


def _plain(text: str) -> str:
    """The last resort: letters and punctuation only, which espeak-ng always reads."""
    kept = "".join(ch if ch.isalpha() or ch in " .,!?" else " " for ch in text[:MAX_CHARS])
    return " ".join(kept.split())
