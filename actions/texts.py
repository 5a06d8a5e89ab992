"""Finnish answer texts built from directory records: short, plain, readable aloud.

All Finnish that is assembled from data lives here; fixed sentences are domain responses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import finnish
from bot.clock import HELSINKI, now

WEEKDAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
WEEKDAYS_LONG = ("maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina",
                 "lauantaina", "sunnuntaina")  # fmt: skip


def clock(t: dt.datetime) -> str:
    """ "klo 18" or "klo 9.30"."""
    return f"klo {t.hour}" if t.minute == 0 else f"klo {t.hour}.{t.minute:02d}"


def short_date(t: dt.datetime) -> str:
    """ "ti 10.2. klo 18" — the way Finnish event listings write it."""
    return f"{WEEKDAYS[t.weekday()]} {t.day}.{t.month}. {clock(t)}"


def reachable(opening_hours: str | None, at: dt.datetime | None = None) -> str | None:
    """ "Tavoitettavissa nyt." / "Seuraavan kerran tiistaina klo 9." from OSM opening hours."""
    if not opening_hours:
        return None
    try:
        from opening_hours import OpeningHours

        oh = OpeningHours(opening_hours)
        local = (at or now()).astimezone(HELSINKI).replace(tzinfo=None)
        if oh.is_open(local):
            return "Tavoitettavissa nyt."
        nxt = oh.next_change(local)
    except Exception:  # noqa: BLE001 - unparseable hours: say nothing rather than something wrong
        return None
    if nxt is None:
        return None
    if nxt.date() == local.date():
        return f"Tavoitettavissa tänään {clock(nxt)}."
    if nxt.date() == local.date() + dt.timedelta(days=1):
        return f"Tavoitettavissa huomenna {clock(nxt)}."
    return f"Tavoitettavissa seuraavan kerran {WEEKDAYS_LONG[nxt.weekday()]} {clock(nxt)}."


def is_open(opening_hours: str | None, at: dt.datetime | None = None) -> bool:
    return reachable(opening_hours, at) == "Tavoitettavissa nyt."


def open_first(
    records: list[dict[str, Any]], at: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The same records, those open (reachable) now first; otherwise the order stays."""
    return sorted(records, key=lambda r: not is_open(r.get("opening_hours"), at))


def phone(raw: str | None) -> str | None:
    value = finnish.normalize_phone(raw or "")
    return finnish.format_phone_for_speech(value) if value else raw


def here_first(record: dict[str, Any], municipality: str | None) -> dict[str, Any]:
    """The record with the asked municipality first among its places, so the line names it."""
    places = record.get("municipalities") or []
    if municipality in places[1:]:
        others = [p for p in places if p != municipality]
        return {**record, "municipalities": [municipality, *others]}
    return record


def place_of(record: dict[str, Any]) -> str:
    places = record.get("municipalities") or (
        [record["municipality"]] if record.get("municipality") else []
    )
    return ", ".join(places[:2]) or record.get("region") or "koko Suomi"


def organization_line(org: dict[str, Any], at: dt.datetime | None = None) -> str:
    """One result: name, place, one way to reach it (phone first) and whether open now."""
    parts = [f"{org['name']} ({place_of(org)})"]
    if org.get("phone"):
        parts.append(f"puh. {phone(org['phone'])}")
    elif org.get("email"):
        parts.append(org["email"])
    elif org.get("website"):
        parts.append(org["website"])
    line = ", ".join(parts) + "."
    hours = reachable(org.get("opening_hours"), at)
    return f"{line} {hours}" if hours else line


def person_line(person: dict[str, Any], at: dt.datetime | None = None) -> str:
    """A named contact: name, title, phone and whether reachable now."""
    title = f", {person['title'].lower()}" if person.get("title") else ""
    line = f"{person['name']}{title}"
    if person.get("phone"):
        line += f", puh. {phone(person['phone'])}"
    elif person.get("email"):
        line += f", {person['email']}"
    hours = reachable(person.get("opening_hours"), at)
    return f"{line}. {hours}" if hours else f"{line}."


def event_line(event: dict[str, Any]) -> str:
    start = dt.datetime.fromisoformat(event["start"]).astimezone(HELSINKI)
    where = event.get("location") or event.get("municipality") or ""
    return f"{short_date(start)}: {event['title']}" + (f", {where}." if where else ".")


def grant_line(grant: dict[str, Any], today: dt.date | None = None) -> str:
    line = grant["name"] + (f" ({grant['funder']})" if grant.get("funder") else "")
    if grant.get("deadline"):
        deadline = dt.date.fromisoformat(grant["deadline"])
        days = (deadline - (today or now().date())).days
        when = f"{deadline.day}.{deadline.month}.{deadline.year}"
        line += f", haku päättyy {when}" + (f", {days} päivää aikaa" if days >= 0 else "")
    return line + "."


def space_line(space: dict[str, Any]) -> str:
    parts = [f"{space['name']} ({space.get('municipality') or place_of(space)})"]
    if space.get("capacity"):
        parts.append(f"{space['capacity']} henkeä")
    if space.get("price"):
        parts.append(space["price"])
    return ", ".join(parts) + "."
