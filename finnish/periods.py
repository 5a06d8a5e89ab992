"""When a question about events means: "ensi kuussa", "tällä viikolla", "tänä viikonloppuna",
"jouluna", "tammikuussa", "huomenna" → a span of days (from today, which the caller gives).
Decided on words and their lemmas; months and seasons that are past this year mean next year's.
"""

from __future__ import annotations

import calendar
import datetime as dt

from finnish.morphology import lemmas
from finnish.tokens import tokenize

MONTHS = (
    "tammikuu",
    "helmikuu",
    "maaliskuu",
    "huhtikuu",
    "toukokuu",
    "kesäkuu",
    "heinäkuu",
    "elokuu",
    "syyskuu",
    "lokakuu",
    "marraskuu",
    "joulukuu",
)
SEASONS = {"kevät": (3, 5), "kesä": (6, 8), "syksy": (9, 11), "talvi": (12, 2)}
Span = tuple[dt.date, dt.date]


def _month(year: int, month: int) -> Span:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _months(today: dt.date, first: int, last: int) -> Span:
    """From the first month to the last (across a new year), this year's or, when over,
    next year's."""
    year = today.year
    end_year = year + (1 if last < first else 0)
    end = _month(end_year, last)[1]
    if end < today:
        year, end_year = year + 1, end_year + 1
        end = _month(end_year, last)[1]
    return max(dt.date(year, first, 1), today), end


def event_span(text: str, today: dt.date) -> Span | None:
    """The days a question means, or None when it names no time."""
    words = [w.lower() for _, _, w in tokenize(text)]
    forms = [{w, *(x.lower() for x in lemmas(w))} for w in words]
    lower = " ".join(words)

    def said(*lemma: str) -> bool:
        return any(any(x in f for x in lemma) for f in forms)

    nxt = said("ensi", "ens", "seuraava", "tuleva")
    this = said("tämä", "tää")
    monday = today - dt.timedelta(days=today.weekday())
    if said("tänään", "tänäpäivänä"):
        return today, today
    if said("huomenna", "huominen"):
        return today + dt.timedelta(days=1), today + dt.timedelta(days=1)
    if said("ylihuomenna"):
        return today + dt.timedelta(days=2), today + dt.timedelta(days=2)
    if said("viikonloppu"):
        saturday = monday + dt.timedelta(days=5 + (7 if nxt else 0))
        return max(saturday, today), saturday + dt.timedelta(days=1)
    if said("viikko", "viikolla"):
        start = monday + dt.timedelta(days=7 if nxt else 0)
        return max(start, today), start + dt.timedelta(days=6)
    if said("kuukausi", "kuu") and (nxt or this) or "ensi kuu" in lower or "tässä kuussa" in lower:
        if nxt:
            later = today.replace(day=28) + dt.timedelta(days=4)  # a day of next month
            return _month(later.year, later.month)
        return today, _month(today.year, today.month)[1]
    if said("joulu", "jouluna", "joulunaika", "jouluaika"):
        start = dt.date(today.year, 12, 20)
        end = dt.date(today.year + 1, 1, 6)
        if end < today:
            start, end = dt.date(today.year + 1, 12, 20), dt.date(today.year + 2, 1, 6)
        return max(start, today), end
    for number, name in enumerate(MONTHS, start=1):
        if said(name) or any(w.startswith(name[:-1]) for w in words):
            return _months(today, number, number)
    for season, (first, last) in SEASONS.items():
        if said(season):
            return _months(today, first, last)
    return None
