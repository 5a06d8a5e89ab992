"""Finnish answer texts built from directory records: short, plain, readable aloud.

All Finnish that is assembled from data lives here; fixed sentences are domain responses.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import finnish
from core.clock import HELSINKI, now
from core.hours import hours_now, is_open  # noqa: F401 - is_open: the actions' word for it
from finnish import labels
from store.directory.store import municipalities_of

WEEKDAYS, WEEKDAYS_LONG = labels.WEEKDAYS, labels.WEEKDAYS_ON


def clock(t: dt.datetime) -> str:
    """ "klo 18" or "klo 9.30"."""
    return f"klo {t.hour}" if t.minute == 0 else f"klo {t.hour}.{t.minute:02d}"


def short_date(t: dt.datetime) -> str:
    """ "ti 10.2. klo 18" — the way Finnish event listings write it."""
    return f"{WEEKDAYS[t.weekday()]} {t.day}.{t.month}. {clock(t)}"


def reachable(opening_hours: str | None, at: dt.datetime | None = None) -> str | None:
    """ "Tavoitettavissa nyt." / "Seuraavan kerran tiistaina klo 9." from OSM opening hours."""
    state = hours_now(opening_hours, at)
    if state is None:
        return None
    open_now, nxt, local = state
    if open_now:
        return "Tavoitettavissa nyt."
    if nxt is None:
        return None
    if nxt.date() == local.date():
        return f"Tavoitettavissa tänään {clock(nxt)}."
    if nxt.date() == local.date() + dt.timedelta(days=1):
        return f"Tavoitettavissa huomenna {clock(nxt)}."
    return f"Tavoitettavissa seuraavan kerran {WEEKDAYS_LONG[nxt.weekday()]} {clock(nxt)}."


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
    places = municipalities_of(record)
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


def start_day(event: dict[str, Any]) -> dt.date:
    """The day an event starts, in Helsinki."""
    return dt.datetime.fromisoformat(event["start"]).astimezone(HELSINKI).date()


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


def record_line(record: dict[str, Any]) -> str:
    """One result of a search over everything, written the way its kind is (`_list`)."""
    write = {"events": event_line, "grants": grant_line, "spaces": space_line}
    return write.get(record.get("_list") or "", organization_line)(record)


def space_line(space: dict[str, Any]) -> str:
    parts = [f"{space['name']} ({space.get('municipality') or place_of(space)})"]
    if space.get("capacity"):
        parts.append(f"{space['capacity']} henkeä")
    if space.get("price"):
        parts.append(space["price"])
    return ", ".join(parts) + "."


# -- one record: its fields as an answer ----------------------------------------------------

_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_ON_DAYS = (
    "maanantaisin",
    "tiistaisin",
    "keskiviikkoisin",
    "torstaisin",
    "perjantaisin",
    "lauantaisin",
    "sunnuntaisin",
)
_FROM_DAY = (
    "maanantaista",
    "tiistaista",
    "keskiviikosta",
    "torstaista",
    "perjantaista",
    "lauantaista",
    "sunnuntaista",
)
_TO_DAY = (
    "maanantaihin",
    "tiistaihin",
    "keskiviikkoon",
    "torstaihin",
    "perjantaihin",
    "lauantaihin",
    "sunnuntaihin",
)
_TIME = re.compile(
    r"\b(klo|kello|kelloa)\b|\b\d{1,2}[.:]\d{2}\b|\b\d{1,2}\s*[–-]\s*\d{1,2}\b|"
    r"(maanantai|tiistai|keskiviikko|torstai|perjantai|lauantai|sunnuntai)|"
    r"\b(viikossa|viikoittain|kuukaudessa|kuussa|arkisin|aamu|ilta|päivittäin)",
    re.I,
)
_OPEN = re.compile(
    r"\b(avoin|avoimia|avointa|kaikille|kaikki|tervetullut|tervetulleita|"
    r"tervetuloa|yleisö\w*|kenelle tahansa|jokainen)",
    re.I,
)
_PRICE = re.compile(r"€|\beuro|\bmaks|\bilmai|\bhinta|\bhinnat|\bjäsenmaksu", re.I)
_PLACE = re.compile(
    r"\b\w*(katu|kadu|tie|tiellä|talo|talolla|talossa|halli|hallissa|kirjasto|"
    r"kirjastossa|kirjastolla|koulu|koululla|kirkko|kirkossa|tori|torilta|torilla|"
    r"kahvila|kahvilassa|keskus|keskuksessa)\b|\b(kokoontuu|lähtee|lähdetään)\b",
    re.I,
)
_ACCESS = re.compile(r"esteet|pyörätuol|rollaattor|hissi|porta|porra|kynnyk|inva", re.I)


def hours_words(opening_hours: str | None) -> str | None:
    """OpenStreetMap hours in plain Finnish words: "Mo-Fr 09:00-15:00" → "maanantaista
    perjantaihin klo 9–15", "Tu,Th 10:00-14:00" → "tiistaisin ja torstaisin klo 10–14";
    anything else as it is."""
    if not opening_hours:
        return None
    rules = []
    for rule in opening_hours.split(";"):
        match = re.fullmatch(r"\s*([A-Za-z,\-]+)\s+([\d:,\-]+)\s*", rule)
        if not match or not all(d in _DAYS for d in re.split(r"[,-]", match.group(1))):
            return opening_hours
        days = []
        for part in match.group(1).split(","):
            first, _, last = part.partition("-")
            if last:
                days.append(f"{_FROM_DAY[_DAYS.index(first)]} {_TO_DAY[_DAYS.index(last)]}")
            else:
                days.append(_ON_DAYS[_DAYS.index(first)])
        spans = []
        for span in match.group(2).split(","):
            start, _, end = span.partition("-")
            spans.append(f"{_short_time(start)}–{_short_time(end)}")
        rules.append(f"{' ja '.join(days)} klo {', '.join(spans)}")
    return "; ".join(rules)


def _hours_label(record: dict[str, Any]) -> str:
    """An association meets; a service, a support point or a space is open."""
    return "Kokoontuu" if record.get("kind") in ("association", "network") else "Aukioloajat"


def _short_time(hhmm: str) -> str:
    hour, _, minute = hhmm.partition(":")
    return str(int(hour)) if minute in ("", "00") else f"{int(hour)}.{minute}"


def sentences(text: str | None, pattern: re.Pattern[str] | None = None) -> list[str]:
    """The sentences of a description that say what `pattern` finds (a time, a price); all of
    them without one."""
    parts = re.split(r"(?<=[.!?])\s+", (text or "").strip())
    return [p for p in parts if p and (pattern is None or pattern.search(p))]


NOT_LISTED = "Tätä tietoa ei ole hakemistossa"  # and nobody of the record's own to ask


def says_when(record: dict[str, Any]) -> bool:
    """Whether a record answers "milloin": a start, opening hours or a time in its words."""
    return bool(
        record.get("start")
        or hours_words(record.get("opening_hours"))
        or sentences(record.get("description"), _TIME)
    )


def _reach(
    record: dict[str, Any],
    organization: dict[str, Any],
    contact: dict[str, Any] | None,
    said: set[str],
) -> list[str]:
    """How to ask more of a record, by what the answer did not say yet: its phone, e-mail, its
    organization's phone, its contact's, else its web pages; [] when it has none."""
    if record.get("phone") and "phone" not in said:
        return [f"puh. {phone(record['phone'])}"]
    if record.get("email") and "email" not in said:
        return [record["email"]]
    if organization.get("phone") and "phone" not in said:
        return [f"{organization['name']}, puh. {phone(organization['phone'])}"]
    if contact and contact.get("phone") and not ({"phone", "contact"} & said):
        return [f"{contact['name']}, puh. {phone(contact['phone'])}"]
    if (record.get("website") or record.get("url")) and "web" not in said:
        return [record.get("website") or record.get("url")]  # Kela: only its pages
    return []


def detail_answer(
    record: dict[str, Any],
    lines: list[str],
    people: dict[str, dict[str, Any]],
    organization: dict[str, Any] | None = None,
) -> str:
    """The sentences of a record that answer a yes/no question about it ("Salissa on piano."),
    and how to ask more."""
    organization = organization or {}
    contact = people.get(record.get("contact_person_id") or "") or people.get(
        organization.get("contact_person_id") or ""
    )
    reach = _reach(record, organization, contact, set())
    more = [f"Lisätietoja: {reach[0]}."] if reach else []
    return f"{record.get('name') or record.get('title') or ''}:\n" + "\n".join([*lines, *more])


def record_answer(  # noqa: C901 - a branch per field asked; to become a table of fields
    record: dict[str, Any],
    fields: list[str],
    people: dict[str, dict[str, Any]],
    organization: dict[str, Any] | None = None,
) -> str:
    """What one record says about the fields asked ("when", "where", "phone", …), each from its
    own field or the sentences of its description; with none asked, its card. `people`: the
    record's (and its organization's) contact and booking persons by id. A phone or contact the
    record lacks comes from the organization behind it. What the directory does not hold is said
    so, with a way to ask."""
    if "roles" in record:  # a person: who they are, how and when to reach them
        lines = [person_line(record)]
        if "email" in fields and record.get("email"):
            lines.append(f"Sähköposti: {record['email']}.")
        if "when" in fields and hours_words(record.get("opening_hours")):
            lines.append(f"Tavoitettavissa: {hours_words(record.get('opening_hours'))}.")
        return "\n".join(lines)
    name = record.get("name") or record.get("title") or ""
    lines: list[str] = []
    said: set[str] = set()

    def add(text: str | None, kind: str) -> None:
        if text and text not in lines:
            lines.append(text)
            said.add(kind)

    organization = organization or {}
    contact = people.get(record.get("contact_person_id") or "") or people.get(
        organization.get("contact_person_id") or ""
    )
    booking = people.get(record.get("booking_contact_person_id") or "") or contact
    contact = contact or booking
    for field in fields or ["card"]:
        if field == "when":
            if record.get("start"):
                start = dt.datetime.fromisoformat(record["start"]).astimezone(HELSINKI)
                add(
                    f"Alkaa {WEEKDAYS_LONG[start.weekday()]} {start.day}.{start.month}. "
                    f"{clock(start)}.",
                    field,
                )
            hours = hours_words(record.get("opening_hours"))
            if hours:
                add(f"{_hours_label(record)}: {hours}.", field)
            for sentence in sentences(record.get("description"), _TIME):
                add(sentence, field)
        elif field == "where":
            where = record.get("address") or record.get("location")
            if where:
                add(f"Osoite: {where}.", field)
            for sentence in sentences(record.get("description"), _PLACE):
                add(sentence, field)
        elif field == "phone":
            if record.get("phone"):
                add(f"Puhelin: {phone(record['phone'])}.", field)
            elif organization.get("phone"):
                add(f"{organization['name']}, puh. {phone(organization['phone'])}.", field)
            elif contact and contact.get("phone"):
                add(f"Yhteyshenkilö: {person_line(contact)}", field)
        elif field == "price":
            if record.get("price"):
                add(f"Hinta: {record['price']}.", field)
            for sentence in sentences(record.get("description"), _PRICE):
                add(sentence, field)
        elif field in ("contact", "booking"):
            person = booking if field == "booking" else contact
            if field == "contact" and organization.get("name") and record.get("start"):
                add(f"Järjestäjä: {organization['name']}.", field)  # "kuka sen järjestää"
            if person:
                add(
                    f"{'Varaukset' if field == 'booking' else 'Yhteyshenkilö'}: "
                    f"{person_line(person)}",
                    field,
                )
        elif field == "email":
            if record.get("email"):
                add(f"Sähköposti: {record['email']}.", field)
        elif field == "web":
            if record.get("website") or record.get("url"):
                add(f"Verkkosivu: {record.get('website') or record.get('url')}.", field)
        elif field == "deadline":
            if record.get("deadline"):
                add(grant_line(record), field)
        elif field == "access":
            if record.get("accessibility"):
                add(f"Esteettömyys: {record['accessibility']}", field)
            for sentence in sentences(record.get("description"), _ACCESS):
                add(sentence, field)
        elif field == "open":  # "voiko sinne mennä kuka vaan"
            for sentence in sentences(record.get("description"), _OPEN):
                add(sentence, field)
        elif field == "capacity":
            if record.get("capacity"):
                add(f"Tilaan mahtuu {record['capacity']} henkeä.", field)
        else:  # the card: what it is, when, where, how to reach it
            add(record.get("description"), field)
            if record.get("start"):
                add(event_line(record), field)
            hours = hours_words(record.get("opening_hours"))
            if hours:
                add(f"{_hours_label(record)}: {hours}.", field)
            where = record.get("address") or record.get("location")
            if where:
                add(f"Osoite: {where}.", field)
            if record.get("price"):
                add(f"Hinta: {record['price']}.", field)
    alike = {
        "contact": "booking",
        "booking": "contact",
        "when": "deadline",
        "deadline": "when",
        "phone": "contact",
    }
    missing = [f for f in fields if f not in said and alike.get(f) not in said]
    reach = _reach(record, organization, contact, said)
    if missing:
        verb = "katso" if reach and reach[0].startswith("http") else "kysy"
        lines.append(NOT_LISTED + (f"; {verb}: {reach[0]}." if reach else "."))
    elif reach and not ({"phone", "contact", "booking"} & said):
        lines.append(f"Lisätietoja: {reach[0]}.")
    if not fields and contact and "contact" not in said:
        lines.append(f"Yhteyshenkilö: {person_line(contact)}")
    return f"{name}:\n" + "\n".join(lines)


# -- the callback form's own questions (the rest are domain responses) ----------------------

ASK_CALLBACK_PHONE = "Mihin numeroon hän soittaa?"
YES = {"title": "Kyllä", "payload": "/affirm"}
YES_SEND = {"title": "Kyllä, lähetä", "payload": "/affirm"}
NO_CANCEL = {"title": "Ei, peru", "payload": "/deny"}


def offer_earlier_phone(shown: str) -> str:
    """A number the person gave earlier in the conversation, offered back."""
    return f"Soitetaanko numeroon {shown}, jonka kerroit? Voit myös kirjoittaa toisen."


def confirm_callback(name: str, shown: str, when: str, subject: str) -> str:
    """The callback read back before it is sent."""
    return (
        f"Tarkistetaan: {name} soittaa numeroon {shown}, {when}. Asia: {subject}. "
        "Lähetänkö pyynnön?"
    )
