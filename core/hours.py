"""Whether someone is reachable at a time, by OpenStreetMap opening hours (Europe/Helsinki):
one decision for the chat's offer of a live person and the phone line's transfer."""

from __future__ import annotations

import datetime as dt

from core.clock import HELSINKI, now


def hours_now(
    opening_hours: str | None, at: dt.datetime | None = None
) -> tuple[bool, dt.datetime | None, dt.datetime] | None:
    """Whether OSM opening hours are open at `at` (now), their next change and the local time;
    None without hours or with hours that do not parse (then nothing is said of them)."""
    if not opening_hours:
        return None
    from opening_hours import OpeningHours, ParserError

    local = (at or now()).astimezone(HELSINKI).replace(tzinfo=None)
    try:
        oh = OpeningHours(opening_hours)
    except ParserError:
        return None
    return oh.is_open(local), oh.next_change(local), local


def is_open(opening_hours: str | None, at: dt.datetime | None = None) -> bool:
    """Whether the hours are open now: a live chat or a transfer is possible (decided on the
    hours, not on the sentence that says so)."""
    state = hours_now(opening_hours, at)
    return state is not None and state[0]
