"""One clock for Apuri: the time now in Europe/Helsinki, which tests can set.

Everything that asks "what time is it" (upcoming events, days left for a grant, whether a person
is reachable now) calls now(). Tests set it in-process with set_now(), or for a whole process
(an action server) with the environment variable APURI_NOW (ISO 8601).
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")
_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware, in Europe/Helsinki."""
    if _fixed is not None:
        return _fixed
    if os.environ.get("APURI_NOW"):
        value = dt.datetime.fromisoformat(os.environ["APURI_NOW"])
        return (value if value.tzinfo else value.replace(tzinfo=HELSINKI)).astimezone(HELSINKI)
    return dt.datetime.now(HELSINKI)


def today() -> dt.date:
    return now().date()


def set_now(value: dt.datetime | None) -> None:
    """Fix the clock (tests); None lets it run again."""
    global _fixed
    _fixed = None if value is None else value.astimezone(HELSINKI)


def utc_key(moment: dt.datetime | None = None) -> str:
    """A moment in UTC as sortable ISO 8601 text ("2027-02-10T16:00:00Z")."""
    return (moment or now()).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
