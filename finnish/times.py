"""The callback time a person writes or says in Finnish → a window in Europe/Helsinki.

dateparser's Finnish misses most relative and spoken expressions ("ylihuomenna", "kahdelta
iltapäivällä", "puoli kolme", "ensi viikolla", "maanantaiaamuna"), so this module reads them
itself, word by word; the word lists are in data/times.yml.

Decisions where Finnish is ambiguous:
- A bare weekday ("maanantaina") is the next such day after today, never today itself (a person
  who means today says "tänään"). "ensi maanantaina" is the Monday of next calendar week
  (Monday–Sunday), so on a Monday it is a week ahead and on a Sunday tomorrow; "tänä
  perjantaina" is this week's. "ensi viikolla" is next Monday 9–16; "tällä viikolla" is from
  now until Friday 16 in office hours.
- A clock hour 1–6 is afternoon ("kello kaksi" 14.00) unless said with aamulla, aamupäivällä or
  yöllä, or written with a leading zero ("02.00"); with illalla or iltapäivällä every hour
  under 12 is afternoon ("seitsemältä illalla" 19.00). "puoli kolme" is 2.30, so 14.30.
- "1.12" without the last dot is a date unless the message already names the day by date or by
  tänään/huomenna ("huomenna 10.10" is ten past ten); "9.30", "10.05" and "9:30" are times.
- When a date and a weekday disagree ("ti 10.2." when 10.2. is a Wednesday), the date wins and
  the text names the real weekday, so reading it back lets the person correct it.
- A bare day means office hours 9–16; "tänään" after office hours means this evening (17–20).
  A window already under way starts at the next quarter hour; one with under 30 minutes left,
  or an exact time already past, moves to the next occurrence (tomorrow, next week, next year).
- "heti", "nyt", "mahdollisimman pian", "milloin vain" mean now, for an hour.
- A negation or a past day ("ei huomenna", "paitsi maanantaina", "eilen") gives None: the bot
  asks again rather than guess.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core import clock
from finnish.datafiles import load
from finnish.morphology import is_known_word
from finnish.phones import number_word
from finnish.typos import deletions, one_edit

HELSINKI = clock.HELSINKI
MAX_LENGTH = 500  # longer than any answer to "when shall we call?"
MIN_LEFT = dt.timedelta(minutes=30)  # a window with less left moves to the next occurrence
HOUR = dt.timedelta(hours=1)
MAX_AHEAD = dt.timedelta(days=731)


@dataclass(frozen=True)
class When:
    """A callback window: from when, until when, and how to read it back to the person."""

    start: dt.datetime  # timezone-aware, Europe/Helsinki
    end: dt.datetime  # the end of the window the person means (start + 1 h for an exact time)
    text: str  # plain Finnish: "huomenna tiistaina 1.12. klo 9–12"


@dataclass(frozen=True)
class _Part:
    """A part of the day ("aamupäivällä") with its hours and how it reads a clock hour."""

    name: str
    hours: tuple[int, int] | None
    clock: str  # am, pm, day, night


@dataclass(frozen=True)
class _Clock:
    """A clock time as said, before deciding between morning and afternoon."""

    hour: int
    minute: int = 0
    literal: bool = False  # written as a 24-hour time ("14", "08.30"): taken as it is
    hard: bool = True  # surely a time (klo, "kymmeneltä", "9.30"), not just a number
    case: str = ""  # abl, ela (from), ill (to), gen, par, nom or "" for digits


@dataclass(frozen=True)
class _Window:
    """Hours on one day; end None is an exact time (one hour from start)."""

    start: tuple[int, int]
    end: tuple[int, int] | None
    trimmable: bool  # may start later than planned when already under way


@dataclass(frozen=True)
class _Tok:
    """One token: a word or a number with the punctuation that decides what it is."""

    kind: str  # word, date, pair, num, dec, dash
    text: str
    nums: tuple[int, ...] = ()
    sep: str = ""  # "." or ":" inside a pair
    dot: bool = False  # a dot right after ("10.", "1.12.")
    suffix: str = ""  # letters right after a number ("10:ltä", "2h")


# ---------------------------------------------------------------------------------------------
# Word lists

# Plain word lists of data/times.yml, each a set of words that play one part.
_WORD_SETS = (
    "half",
    "past",
    "to",
    "offset_after",
    "offset_within",
    "clock_words",
    "range_links",
    "or_links",
    "range_after",
    "after_before",
    "after_after",
    "before_before",
    "before_after",
    "around",
    "day_nouns",
    "next_modifiers",
    "this_modifiers",
    "stop_words",
    "fillers",
)


class _Lexicon:
    """The word lists of data/times.yml with the forms composed from them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.office: tuple[int, int] = tuple(data["office_hours"])  # type: ignore[assignment]
        self.parts: dict[str, _Part] = {}
        self.part_words: dict[str, _Part] = {}
        for name, spec in data["parts_of_day"].items():
            hours = tuple(spec["hours"]) if spec["hours"] else None
            part = _Part(name, hours, spec["clock"])
            self.parts[name] = part
            self.part_words.update({w: part for w in spec["words"]})
        self.evening = self.parts["illalla"].hours or (17, 20)  # "tänään" after office hours
        self.weekdays: list[dict[str, Any]] = data["weekdays"]
        self.weekday_words: dict[str, tuple[int, _Part | None]] = {}
        for index, spec in enumerate(self.weekdays):
            self.weekday_words.update({w: (index, None) for w in spec["words"]})
            self._compounds(self.weekday_words, [spec["words"][0]], index)
        self.day_words: dict[str, tuple[int, _Part | None]] = {}
        for offset, spec in data["days"].items():
            self.day_words.update({w: (int(offset), None) for w in spec["words"]})
            self._compounds(self.day_words, spec["prefixes"], int(offset))
        self.months = {
            stem + ending: number
            for number, stem in enumerate(data["month_stems"], start=1)
            for ending in data["month_endings"]
        }
        self.hours, self.quantities = self._hours(data)
        self.quantities.update({w: float(v) for w, v in data["quantities"].items()})
        self.digit_cases = {s: case for case, ss in data["digit_suffixes"].items() for s in ss}
        self.ordinals = self._ordinals(data["ordinals"])
        self.ordinal_suffixes = frozenset(data["ordinal_suffixes"])
        self.minutes = {w: int(m) for m, ws in data["minutes"].items() for w in ws}
        self.units: dict[str, tuple[str, int]] = {
            w: (kind, int(n))
            for kind, spec in data["units"].items()
            for n, ws in spec.items()
            for w in ws
        }
        self.sets = {name: frozenset(data[name]) for name in _WORD_SETS}
        self.phrases = sorted(
            ((tuple(p.split()), kind) for kind, ps in data["phrases"].items() for p in ps),
            key=lambda item: -len(item[0]),
        )
        self.vocab = self._vocab()
        self.folded = self._folded()
        self.near_index = self._near_index()

    def _compounds(
        self, table: dict[str, tuple[int, _Part | None]], prefixes: Iterable[str], value: int
    ) -> None:
        """Prefix + part of the day as one word: "maanantaiaamuna", "tiistai-iltana"."""
        for prefix in prefixes:
            for word, part in self.part_words.items():
                if len(word) > 3:
                    table.setdefault(prefix + word, (value, part))
                    table.setdefault(f"{prefix}-{word}", (value, part))

    @staticmethod
    def _hours(data: dict[str, Any]) -> tuple[dict[str, tuple[int, str]], dict[str, float]]:
        """Hour words 1–19 by case, and the genitive numbers that count ("kahden tunnin")."""
        hours: dict[str, tuple[int, str]] = {}
        for value, cases in data["hours"].items():
            for case, words in cases.items():
                spoken = [w[:-1] for w in words if case == "abl"]  # "kahdelt", "kymmenelt"
                for w in words + spoken:
                    hours.setdefault(w, (int(value), case))
                    if int(value) < 10:
                        for suffix in data["teens_suffixes"]:
                            hours.setdefault(w + suffix, (int(value) + 10, case))
        quantities = {w: float(v) for w, (v, case) in hours.items() if case == "gen"}
        tens = {w: v for w, v in quantities.items() if 2 <= v <= 9}
        ones = {w: v for w, v in quantities.items() if 1 <= v <= 9}
        for ten, tv in tens.items():  # "kahdenkymmenen", "kolmenkymmenenviiden"
            quantities[f"{ten}kymmenen"] = tv * 10
            for one, ov in ones.items():
                quantities[f"{ten}kymmenen{one}"] = tv * 10 + ov
        return hours, quantities

    @staticmethod
    def _ordinals(data: dict[int, dict[str, list[str]]]) -> dict[str, int]:
        """Ordinal words 1–31 in nominative, essive and genitive ("kahdentenakymmenentenä")."""
        plain = {int(n): spec["forms"] for n, spec in data.items()}
        inner = {int(n): spec.get("compound", spec["forms"]) for n, spec in data.items()}
        out: dict[str, int] = {}
        for n, spec in data.items():
            for w in spec["forms"] + spec.get("spoken", []):
                out[w] = int(n)
        for case in range(3):
            for n in range(1, 10):
                out[inner[n][case] + "toista"] = n + 10
            for tens in (2, 3):
                head = inner[tens][case] + plain[10][case]
                out[head] = tens * 10
                for n in range(1, 10 if tens == 2 else 2):
                    for unit in {plain[n][case], inner[n][case]}:
                        out[head + unit] = tens * 10 + n
        return out

    def _vocab(self) -> frozenset[str]:
        """Every word this module knows, for exact, umlaut-less and one-typo matching."""
        words: set[str] = set()
        tables: list[dict[str, Any]] = [
            self.part_words,
            self.weekday_words,
            self.day_words,
            self.months,
            self.hours,
            self.quantities,
            self.ordinals,
            self.minutes,
            self.units,
        ]
        for table in tables:
            words.update(table)
        for group in self.sets.values():
            words.update(group)
        for phrase, _kind in self.phrases:
            words.update(phrase)
        return frozenset(words)

    def _folded(self) -> dict[str, str]:
        """Known words as typed without ä, ö and å ("iltapaivalla"), when that is unambiguous."""
        seen: dict[str, set[str]] = {}
        for w in self.vocab:
            seen.setdefault(_fold(w), set()).add(w)
        return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}

    def _near_index(self) -> dict[str, set[str]]:
        """Known words by their one-letter deletions, to find a typo's word quickly."""
        index: dict[str, set[str]] = {}
        for w in self.vocab:
            if len(w) >= 4:
                for key in deletions(w):
                    index.setdefault(key, set()).add(w)
        return index

    def meaning(self, word: str) -> tuple[Any, ...]:
        """What a word says, to tell whether two candidate corrections mean the same."""
        return (
            self.part_words.get(word),
            self.weekday_words.get(word),
            self.day_words.get(word),
            self.months.get(word),
            self.hours.get(word),
            self.ordinals.get(word),
            self.units.get(word),
            tuple(sorted(n for n, s in self.sets.items() if word in s)),
        )

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one lexicon for the process
    def canonical(self, word: str) -> str:
        """The known word a written word stands for: itself, without umlauts or with one typo."""
        if word in self.vocab:
            return word
        if not re.search("[äöå]", word) and word in self.folded:
            return self.folded[word]
        if len(word) < 5 or is_known_word(word):
            return word
        found = {c for key in deletions(word) for c in self.near_index.get(key, ())}
        found = {c for c in found if one_edit(word, c)}
        if found and len({self.meaning(c) for c in found}) == 1:
            return min(found)
        return word


_FOLD = str.maketrans("äöå", "aoa")


def _fold(word: str) -> str:
    """A word without ä, ö and å, as typed on a keyboard without them."""
    return word.translate(_FOLD)


@functools.cache
def _lexicon() -> _Lexicon:
    """The word lists, read once."""
    return _Lexicon(load("times.yml"))


# ---------------------------------------------------------------------------------------------
# Tokens

_TOKEN_RE = re.compile(
    r"(?P<date>(?<![\d.])\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?![\d.]))"
    r"|(?P<pair>(?<![\d.:])\d{1,2}[.:]\d{1,2}(?![\d:]))(?P<pairdot>\.(?!\d))?"
    r"|(?P<dec>(?<![\d.])\d{1,3},\d{1,2}(?!\d))"
    r"|(?P<num>(?<![\d.])\d+)(?:(?P<numdot>\.)(?!\d)|:?(?P<suffix>[a-zäöå]+))?"
    r"|(?P<minus>(?<![\w.:])-\d+)"  # "-5" is no time
    r"|(?P<dash>-+)"
    r"|(?P<word>[a-zäöåéü]+(?:-[a-zäöåéü]+)*)"
)
_MARKUP_RE = re.compile(r"<[^<>]{0,300}>|[*_`~#>|\[\]{}]")


def _tokens(text: str, lex: _Lexicon) -> list[_Tok]:
    """The message as words and numbers; words as the known words they stand for."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _MARKUP_RE.sub(" ", text).lower().replace("–", "-").replace("—", "-")
    out: list[_Tok] = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group(0)
        if m.group("date"):
            d, mo, y = raw.split(".")
            year = int(y) + (2000 if len(y) == 2 else 0)
            out.append(_Tok("date", raw, (int(d), int(mo), year)))
        elif m.group("pair"):
            a, sep, b = re.split(r"([.:])", m.group("pair"))
            nums = (int(a), int(b), len(a), len(b))
            out.append(_Tok("pair", f"{a}{sep}{b}", nums, sep, bool(m.group("pairdot"))))
        elif m.group("dec"):
            whole, frac = m.group("dec").split(",")
            out.append(_Tok("dec", raw, (int(whole), int(frac), len(frac))))
        elif m.group("num"):
            digits = m.group("num")
            if len(digits) > 6:
                out.append(_Tok("word", digits))
                continue
            out.append(
                _Tok(
                    "num",
                    digits,
                    (int(digits), len(digits)),
                    "",
                    bool(m.group("numdot")),
                    m.group("suffix") or "",
                )
            )
        elif m.group("minus"):
            out.append(_Tok("word", raw))
        elif m.group("dash"):
            out.append(_Tok("dash", "-"))
        else:
            out.append(_Tok("word", lex.canonical(raw)))
    return out


# ---------------------------------------------------------------------------------------------
# Reading a message


class _Reader:
    """One pass over a message's tokens, collecting what each says about the time."""

    def __init__(self, toks: list[_Tok], lex: _Lexicon) -> None:
        self.toks, self.lex, self.sets = toks, lex, lex.sets
        self.stop = self.invalid = self.asap = self.same_time = self.within = False
        self.offset: dt.timedelta | None = None
        self.days: int | None = None  # tänään 0, huomenna 1, "viikon päästä" 7
        self.months = 0  # "kuukauden päästä"
        self.date: tuple[int, int, int | None] | None = None
        self.day_of_month: int | None = None
        self.weekday: int | None = None
        self.weekday_mode = "near"  # near, next (ensi), this (tänä)
        self.week: str | None = None  # next, this
        self.weekend = False
        self.part: _Part | None = None
        self.clocks: dict[int, tuple[int, _Clock]] = {}  # first token → (end token, clock)
        self.pairs: list[int] = []
        self.unknown = 0
        i = 0
        while i < len(toks):
            i += (
                self._stop(i)
                or self._phrase(i)
                or self._offset(i)
                or self._klo(i)
                or self._modified(i)
                or self._date(i)
                or self._clock_here(i)
                or self._day(i)
                or self._number(i)
                or self._other(i)
            )
        self._resolve_pairs()

    # -- helpers

    def word(self, i: int) -> str:
        """The word at token i ("-" for a dash, "" past the end or for a number)."""
        if 0 <= i < len(self.toks):
            t = self.toks[i]
            return t.text if t.kind in ("word", "dash") else ""
        return ""

    def tok(self, i: int) -> _Tok | None:
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def is_(self, i: int, name: str) -> bool:
        return self.word(i) in self.sets[name]

    def _set_date(self, day: int, month: int, year: int | None) -> None:
        """The first date said; one that exists in no year ("31.2.") makes the answer None."""
        if year is not None and not 2000 <= year <= 2100:
            self.invalid = True
        elif not _valid_date(year or 2028, month, day):  # 2028 has 29.2.
            self.invalid = True
        elif self.date is None:
            self.date = (day, month, year)

    def _set_part(self, part: _Part | None) -> None:
        if part is not None and self.part is None:
            self.part = part

    # -- matchers: each returns how many tokens it read, 0 when it does not apply

    def _stop(self, i: int) -> int:
        if self.is_(i, "stop_words"):
            self.stop = True
            return 1
        return 0

    def _phrase(self, i: int) -> int:
        for words, kind in self.lex.phrases:
            if all(self.word(i + k) == w for k, w in enumerate(words)):
                if kind == "asap":
                    self.asap = True
                elif kind == "same_time":
                    self.same_time = True
                elif kind == "weekend":
                    self.weekend = True
                elif self.week is None:
                    self.week = "next" if kind == "next_week" else "this"
                return len(words)
        return 0

    def _offset(self, i: int) -> int:
        """ "tunnin päästä", "kahden tunnin päästä", "2h päästä", "puolen tunnin sisällä"."""
        t, j, qty = self.tok(i), i, 1.0
        unit = None
        if t is not None and t.kind == "num" and t.suffix and t.suffix in self.lex.units:
            qty, unit, j = float(t.nums[0]), self.lex.units[t.suffix], i + 1
        else:
            if t is not None and t.kind == "num" and not t.dot and not t.suffix:
                qty, j = float(t.nums[0]), i + 1
            elif t is not None and t.kind == "dec":
                qty, j = t.nums[0] + t.nums[1] / 10 ** t.nums[2], i + 1
            elif self.word(i) in self.lex.quantities:
                qty, j = self.lex.quantities[self.word(i)], i + 1
            unit = self.lex.units.get(self.word(j))
            if unit is None:
                return 0
            j += 1
        kind, size = unit
        if self.is_(j, "offset_within") and kind == "minutes":
            self.within = True
        elif not self.is_(j, "offset_after"):
            return 0
        if kind == "minutes":
            self.offset = self.offset or dt.timedelta(minutes=qty * size)
        elif kind == "days" and self.days is None:
            self.days = round(qty * size)
        elif kind == "months" and self.days is None:
            self.days, self.months = 0, max(1, round(qty))
        return j + 1 - i

    def _klo(self, i: int) -> int:
        """ "klo 10", "kello puoli kolme", "klo 9.30", "kello kymmenen"."""
        if not self.is_(i, "clock_words"):
            return 0
        found = self.clock_at(i + 1, after_klo=True)
        if found is None:
            nxt = self.tok(i + 1)
            if nxt is not None and nxt.kind in ("num", "pair") and not nxt.suffix:
                self.invalid = True  # "klo 25", "klo 10.75"
            return 1
        n, c = found
        self.clocks.setdefault(i + 1, (i + 1 + n, c))
        return 1 + n

    def _modified(self, i: int) -> int:
        """ "ensi maanantaina", "tänä perjantaina", "tänä iltana", "tänä päivänä"."""
        nxt = self.word(i + 1)
        mode = (
            "next"
            if self.is_(i, "next_modifiers")
            else "this"
            if self.is_(i, "this_modifiers")
            else None
        )
        if mode is None:
            return 0
        if nxt in self.lex.weekday_words:
            index, part = self.lex.weekday_words[nxt]
            if self.weekday is None:
                self.weekday, self.weekday_mode = index, mode
            self._set_part(part)
            return 2
        if mode == "this" and (nxt in self.lex.part_words or self.is_(i + 1, "day_nouns")):
            if self.days is None:
                self.days = 0
            self._set_part(self.lex.part_words.get(nxt))
            return 2
        return 0

    def _day_number(self, i: int, ordinal_only: bool = False) -> int | None:
        """A day of the month at token i: "10", "10.", "10:s", "kymmenes", "toisena"."""
        t = self.tok(i)
        if t is None:
            return None
        if t.kind == "num":
            if not 1 <= t.nums[0] <= 31:
                return None
            if t.suffix:
                return t.nums[0] if t.suffix in self.lex.ordinal_suffixes else None
            return t.nums[0] if t.dot or not ordinal_only else None
        return self.lex.ordinals.get(self.word(i))

    def _date(self, i: int) -> int:
        """ "10.2.2027", "2. joulukuuta", "kymmenes helmikuuta", "helmikuun 10.", "10. päivä"."""
        t = self.tok(i)
        if t is not None and t.kind == "date":
            self._set_date(*t.nums)
            return 1
        day = self._day_number(i)
        if day is not None:
            month = self.lex.months.get(self.word(i + 1))
            if month is not None:
                year, n = self._year(i + 2)
                self._set_date(day, month, year)
                return 2 + n
            if self.is_(i + 1, "day_nouns") and self._day_number(i, ordinal_only=True):
                if self.day_of_month is None:
                    self.day_of_month = day
                return 2
        month = self.lex.months.get(self.word(i))
        if month is not None:
            day = self._day_number(i + 1)
            if day is not None:
                n = 3 if self.is_(i + 2, "day_nouns") else 2
                year, k = self._year(i + n)
                self._set_date(day, month, year)
                return n + k
        return 0

    def _year(self, i: int) -> tuple[int | None, int]:
        t = self.tok(i)
        if t is not None and t.kind == "num" and t.nums[1] == 4 and not t.suffix:
            return t.nums[0], 1
        return None, 0

    def _clock_here(self, i: int) -> int:
        """A time without klo: "kymmeneltä", "puoli kolme", "vartin yli", "10:stä"."""
        found = self.clock_at(i, after_klo=False)
        if found is None:
            return 0
        n, c = found
        self.clocks.setdefault(i, (i + n, c))
        return n

    def clock_at(self, i: int, after_klo: bool) -> tuple[int, _Clock] | None:
        """The clock time starting at token i and how many tokens it takes."""
        t, w = self.tok(i), self.word(i)
        if t is None:
            return None
        if w in self.sets["half"]:  # "puoli kolme" is 2.30
            h = self._hour(i + 1, after_klo)
            if h is not None:
                return 2, _Clock(h.hour - 1 or 12, 30, h.literal, True, h.case)
        minutes = self.lex.minutes.get(w)
        if minutes is None and t.kind == "num" and not t.dot and not t.suffix:
            minutes = t.nums[0] if 1 <= t.nums[0] <= 59 else None
        if minutes is not None and (self.is_(i + 1, "past") or self.is_(i + 1, "to")):
            h = self._hour(i + 2, True)
            if h is not None:
                if self.is_(i + 1, "past"):
                    return 3, _Clock(h.hour, minutes, h.literal, True, h.case)
                return 3, _Clock(h.hour - 1 or 12, 60 - minutes, h.literal, True, h.case)
        if t.kind == "pair" and after_klo:
            return (1, _pair_clock(t)) if _pair_clock(t) else None
        if t.kind == "num" and after_klo and not t.suffix and t.nums[1] in (3, 4):
            hh, mm = divmod(t.nums[0], 100)  # "klo 930", "klo 1430"
            return (1, _Clock(hh, mm, literal=True)) if hh <= 23 and mm <= 59 else None
        h = self._hour(i, after_klo)
        if h is None:
            return None
        nxt = self.tok(i + 1)  # "klo 9 30", "kello viisitoista kolmekymmentä"
        if after_klo and nxt is not None and h.case in ("", "nom"):
            if t.kind == "num" and nxt.kind == "num" and nxt.nums[1] == 2 and not nxt.suffix:
                minute: int | None = nxt.nums[0]
            else:
                minute = number_word(self.word(i + 1)) if t.kind == "word" else None
            if minute is not None and 0 <= minute <= 59:
                return 2, _Clock(h.hour, minute, h.literal, True, h.case)
        return 1, h

    def _hour(self, i: int, hard: bool) -> _Clock | None:
        """A clock hour at token i: a number 0–23 or an hour word, with its case."""
        t, w = self.tok(i), self.word(i)
        if t is not None and t.kind == "num":
            case = self.lex.digit_cases.get(t.suffix) if t.suffix else ""
            if case is None or t.nums[0] > 23 or (not hard and not case):
                return None  # "10:ssä" is no time; a bare "10" is decided later
            literal = t.nums[0] >= 13 or t.nums[0] == 0 or t.text.startswith("0")
            return _Clock(t.nums[0], 0, literal, hard or case == "abl", case)
        if w in self.lex.hours:
            value, case = self.lex.hours[w]
            return _Clock(value, 0, value >= 13, hard or case == "abl", case)
        return None

    def _day(self, i: int) -> int:
        """ "huomenna", "huomisaamuna", "tiistaina", "maanantaiaamuna", "iltapäivällä"."""
        w = self.word(i)
        if w in self.lex.day_words:
            offset, part = self.lex.day_words[w]
            if self.days is None:
                self.days = offset
            self._set_part(part)
            return 1
        if w in self.lex.weekday_words:
            index, part = self.lex.weekday_words[w]
            if self.weekday is None:
                self.weekday = index
            self._set_part(part)
            return 1
        if w in self.lex.part_words:
            self._set_part(self.lex.part_words[w])
            return 1
        return 0

    def _number(self, i: int) -> int:
        """A pair ("10.2", "9.30") decided later; a bare number may be an hour ("huomenna 10")."""
        t = self.tok(i)
        if t is None or t.kind not in ("pair", "num"):
            return 0
        if t.kind == "pair":
            self.pairs.append(i)
        elif not t.suffix and 1 <= t.nums[0] <= 23 and self.word(i + 1) not in self.lex.units:
            literal = t.nums[0] >= 13 or t.nums[0] == 0 or t.text.startswith("0")
            self.clocks.setdefault(i, (i + 1, _Clock(t.nums[0], 0, literal, False)))
        return 1

    def _other(self, i: int) -> int:
        t = self.toks[i]
        if t.kind in ("word", "num") and t.text not in self.lex.vocab:
            self.unknown += 1
        return 1

    def _resolve_pairs(self) -> None:
        """ "9.30" is a time, "10.2" a date, "1.12" a date unless the day is already said."""
        hard_clock = any(c.hard for _, c in self.clocks.values())
        for i in self.pairs:
            t = self.toks[i]
            a, b, len_a, len_b = t.nums
            timelike = (
                t.sep == ":"
                or (len_b == 2 and (t.text[-2] == "0" or b > 12))
                or (len_a == 2 and t.text[0] == "0")
            )
            day_known = self.date is not None or self.days is not None
            if not timelike and not t.dot and day_known and not hard_clock:
                timelike = True
            if timelike:
                c = _pair_clock(t)
                if c is None:
                    self.invalid = True
                else:
                    self.clocks.setdefault(i, (i + 1, c))
            else:
                self._set_date(a, b, None)

    # -- the clock window

    def clock_window(self) -> tuple[_Clock, _Clock | None, str] | None:
        """The first clock expression: (start, end, kind) with kind point, range, after, before."""
        for s in sorted(self.clocks):
            e, a = self.clocks[s]
            link = self.word(e)  # "9-12", "kymmenen ja kahdentoista välillä", "10 tai 11"
            if link in self.sets["range_links"]:
                j = e + 1 + (1 if self.is_(e + 1, "clock_words") else 0)
                if j in self.clocks:
                    e2, b = self.clocks[j]
                    either = link in self.sets["or_links"]
                    if (
                        link == "-"
                        or (a.hard and b.hard)
                        or self.is_(e2, "range_after")
                        or (a.hard and either)
                    ):
                        return a, b, "or" if either else "range"
            if a.case == "ela" and e in self.clocks and self.clocks[e][1].case == "ill":
                return a, self.clocks[e][1], "range"  # "kymmenestä kahteentoista"
            prev = s - 2 if self.is_(s - 1, "clock_words") else s - 1  # "ennen klo 12"
            if self.is_(e, "around"):  # "kymmenen aikaan", "kahden maissa"
                return a, None, "point"
            if self.is_(e, "after_after") or self.is_(prev, "after_before"):
                return a, None, "after"
            if self.is_(e, "before_after") or self.is_(prev, "before_before"):
                return a, None, "before"
            if a.hard:
                return a, None, "point"
        return None

    def bare_hour(self) -> _Clock | None:
        """A bare number or hour word as the time, when every other word is a known one."""
        if self.unknown:
            return None
        for s in sorted(self.clocks):
            c = self.clocks[s][1]
            if c.case in ("", "nom"):
                return c
        return None


def _pair_clock(t: _Tok) -> _Clock | None:
    """A pair of numbers as a clock time ("9.30", "14:15"), or None when it is no time."""
    a, b, len_a, _ = t.nums
    if a > 23 or b > 59:
        return None
    return _Clock(a, b, a >= 13 or a == 0 or (len_a == 2 and t.text[0] == "0"), True)


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# From what was said to a window


def _hour24(c: _Clock, part: _Part | None) -> int:
    """The hour on a 24-hour clock: 1–6 is afternoon unless said in the morning or at night."""
    h = c.hour
    if c.literal or h >= 13:
        return h
    mode = part.clock if part else "day"
    if mode == "pm":
        return h + 12 if h < 12 else h
    if mode == "night":
        return 0 if h == 12 else h
    if mode == "am":
        return h
    return h + 12 if 1 <= h <= 6 else h


def _clock_spec(r: _Reader, lex: _Lexicon) -> _Window | None:
    """The hours the person means on the day, from a clock time, a part of the day or neither."""
    found = r.clock_window()
    if found is None:
        bare = r.bare_hour()
        found = (bare, None, "point") if bare else None
    if found is None:
        if r.part is not None and r.part.hours is not None:
            return _Window((r.part.hours[0], 0), (r.part.hours[1], 0), True)
        return None
    a, b, kind = found
    start = (_hour24(a, r.part), a.minute)
    if kind == "point":
        return _Window(start, None, False)
    if b is not None:
        end = (_hour24(b, r.part), b.minute)
        if end <= start and not b.literal and end[0] + 12 <= 23:
            end = (end[0] + 12, end[1])
        if kind == "or":  # "klo 10 tai 11": until the end of the later hour
            end = (end[0] + 1, end[1])
        return _Window(start, end, True) if start < end <= (24, 0) else None
    day_ends = [lex.office[1], lex.evening[1]]
    part_hours = r.part.hours if r.part and r.part.hours else None
    if kind == "after":
        ends = [(part_hours[1], 0)] if part_hours else [(h, 0) for h in day_ends]
        end = next((e for e in ends if _minutes(e) - _minutes(start) >= 60), None)
        return _Window(start, end, True) if end else _Window(start, None, False)
    first = (part_hours[0], 0) if part_hours else (lex.office[0], 0)
    if first >= start:
        first = divmod(max(_minutes(start) - 60, 0), 60)
    return _Window(first, start, True)


def _minutes(hm: tuple[int, int]) -> int:
    return hm[0] * 60 + hm[1]


def _at(day: dt.date, hm: tuple[int, int]) -> dt.datetime:
    """A wall-clock time in Helsinki; one skipped by summer time becomes the hour after."""
    if hm[0] >= 24:
        day, hm = day + dt.timedelta(days=1), (hm[0] - 24, hm[1])
    local = dt.datetime(day.year, day.month, day.day, hm[0], hm[1], tzinfo=HELSINKI)
    return local.astimezone(dt.timezone.utc).astimezone(HELSINKI)


def _plus(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """A moment plus elapsed time (not wall time), so an hour is an hour across summer time."""
    return (moment.astimezone(dt.timezone.utc) + delta).astimezone(HELSINKI)


def _ceil(moment: dt.datetime, minutes: int) -> dt.datetime:
    """The moment rounded up to whole minutes (Helsinki's offsets are whole hours)."""
    step = minutes * 60
    stamp = math.ceil(moment.timestamp() / step) * step
    return dt.datetime.fromtimestamp(stamp, HELSINKI)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    for last in (31, 30, 29, 28):
        if _valid_date(day.year + year, month + 1, min(day.day, last)):
            return dt.date(day.year + year, month + 1, min(day.day, last))
    return day


def _candidate_days(r: _Reader, today: dt.date) -> list[dt.date] | None:
    """The days the person may mean, earliest first; the first with time left wins."""
    monday = today - dt.timedelta(days=today.weekday())
    if r.date is not None:
        d, m, y = r.date
        if y is not None:
            return [dt.date(y, m, d)]
        return [
            dt.date(year, m, d)
            for year in range(today.year, today.year + 9)
            if _valid_date(year, m, d)
        ]
    if r.day_of_month is not None:
        out = []
        for k in range(25):
            y, mo = divmod(today.month - 1 + k, 12)
            if _valid_date(today.year + y, mo + 1, r.day_of_month):
                out.append(dt.date(today.year + y, mo + 1, r.day_of_month))
        return out
    if r.days is not None:
        day = _add_months(today, r.months) + dt.timedelta(days=r.days)
        return [day, day + dt.timedelta(days=1)] if r.days == 0 and not r.months else [day]
    if r.weekday is not None:
        mode = "next" if r.week == "next" else "this" if r.week == "this" else r.weekday_mode
        if mode == "next":
            return [monday + dt.timedelta(days=7 + r.weekday)]
        this_week = monday + dt.timedelta(days=r.weekday)
        if mode == "this":
            return [d for d in (this_week, this_week + dt.timedelta(days=7)) if d >= today]
        first = this_week if this_week > today else this_week + dt.timedelta(days=7)
        return [first + dt.timedelta(days=7 * k) for k in range(3)]
    if r.week == "next":
        return [monday + dt.timedelta(days=7)]
    if r.week == "this":
        days = [monday + dt.timedelta(days=k) for k in range(5)]
        return [d for d in days if d >= today] + [monday + dt.timedelta(days=7)]
    if r.weekend:
        saturday = monday + dt.timedelta(days=5)
        return [d for d in (saturday, saturday + dt.timedelta(days=1)) if d >= today]
    return None  # no day said: today if there is time, else tomorrow


def _fit(
    days: list[dt.date], windows: list[_Window], now: dt.datetime, today_late: _Window | None = None
) -> tuple[dt.datetime, dt.datetime, bool] | None:
    """The first day and window not yet over; one under way starts at the next quarter hour.

    today_late is tried after the others on today's date: a day said without hours ("tänään",
    today's date) means this evening once office hours are over.
    """
    for day in days:
        late = [today_late] if today_late and day == now.date() else []
        for w in windows + late:
            start = _at(day, w.start)
            end = _at(day, w.end) if w.end else _plus(start, HOUR)
            if _utc(end) <= _utc(start) or _utc(end) <= _utc(now):
                continue
            if _utc(start) < _utc(now):
                if not w.trimmable:
                    continue
                start = _ceil(now, 15)
                if _utc(end) - _utc(start) < MIN_LEFT:
                    continue
            return start, end, w.end is None
    return None


def _utc(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC: Python compares times of one zone by the wall clock, not by instant."""
    return moment.astimezone(dt.timezone.utc)


# ---------------------------------------------------------------------------------------------
# Reading back


def _hm(moment: dt.datetime) -> str:
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}.{moment.minute:02d}"


def _day_text(day: dt.date, today: dt.date, lex: _Lexicon) -> str:
    """A day as read back: "tänään", "huomenna tiistaina 1.12.", "perjantaina 4.12.", "ke 10.2."."""
    ahead = (day - today).days
    weekday = lex.weekdays[day.weekday()]
    date = f"{day.day}.{day.month}." + (str(day.year) if ahead > 180 else "")
    if ahead == 0:
        return "tänään"
    if ahead == 1:
        return f"huomenna {weekday['name']} {date}"
    if ahead == 2:
        return f"ylihuomenna {weekday['name']} {date}"
    if ahead <= 7:
        return f"{weekday['name']} {date}"
    return f"{weekday['short']} {date}"


def _text(start: dt.datetime, end: dt.datetime, exact: bool, today: dt.date, lex: _Lexicon) -> str:
    hours = f"klo {_hm(start)}" if exact else f"klo {_hm(start)}–{_hm(end)}"
    return f"{_day_text(start.date(), today, lex)} {hours}"


# ---------------------------------------------------------------------------------------------


def parse_time(text: str, now: dt.datetime | None = None) -> When | None:
    """The callback time in a Finnish message, never in the past; None when it says none."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        return None
    now = now or clock.now()
    now = (now if now.tzinfo else now.replace(tzinfo=HELSINKI)).astimezone(HELSINKI)
    lex = _lexicon()
    r = _Reader(_tokens(text, lex), lex)
    if r.stop or r.invalid:
        return None
    today = now.date()
    if r.offset is not None:  # "tunnin päästä", "puolen tunnin sisällä"
        if r.within:
            end = _plus(now, r.offset)
            return When(now, end, _text(now, end, False, today, lex))
        start = _ceil(_plus(now, r.offset), 1)
        return When(start, _plus(start, HOUR), _text(start, start, True, today, lex))
    window = _clock_spec(r, lex)
    if window is None and r.same_time:
        hm = _ceil(now, 1)
        window = _Window((hm.hour, hm.minute), None, False)
    days = _candidate_days(r, today)
    if days is None:
        if window is None:
            return _asap(now) if r.asap else None
        days = [today + dt.timedelta(days=k) for k in range(3)]
    if days and days[0] - today > MAX_AHEAD:
        return None
    office = _Window((lex.office[0], 0), (lex.office[1], 0), True)
    if r.week == "this" and r.weekday is None and window is None:
        return _this_week(days, office, now, lex)
    today_late = _Window((lex.evening[0], 0), (lex.evening[1], 0), True)
    fitted = _fit(days, [window] if window else [office], now, None if window else today_late)
    if fitted is None:
        return None
    start, end, exact = fitted
    return When(start, end, _text(start, end, exact, today, lex))


def _asap(now: dt.datetime) -> When:
    return When(now, _plus(now, HOUR), "mahdollisimman pian")


def _this_week(
    days: list[dt.date], office: _Window, now: dt.datetime, lex: _Lexicon
) -> When | None:
    """ "tällä viikolla": from the next office hour until Friday 16, or next Monday if none."""
    next_monday = now.date() + dt.timedelta(days=7 - now.weekday())
    this_week = [d for d in days if d < next_monday]
    fitted = _fit(this_week, [office], now)
    if fitted is None:
        fitted = _fit(days[-1:], [office], now)
        if fitted is None:
            return None
        return When(fitted[0], fitted[1], _text(fitted[0], fitted[1], False, now.date(), lex))
    start = fitted[0]
    end = _at(this_week[-1], (lex.office[1], 0))
    if start.date() == end.date():
        return When(start, end, _text(start, end, False, now.date(), lex))
    last = _day_text(end.date(), now.date(), lex)
    return When(start, end, f"tällä viikolla viimeistään {last} klo {_hm(end)}")
