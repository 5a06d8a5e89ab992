"""Importers from Finnish open data formats into an `apuri-directory/1` document.

- Linked Events API JSON (used by Helsinki, Turku, Tampere): `/event/` pages (with or without
  `include=location,keywords`) and `/place/` pages → events and spaces.
- Suomi.fi Palvelutietovaranto (PTV) API v11 JSON: service channels of type ServiceLocation
  and organizations → organizations (public services) with addresses, phones and service hours.

Both read files (an API response saved to disk); nothing is fetched here. Municipality codes
and names are mapped through the municipality file; records whose place is not a Finnish
municipality keep no municipality rather than a wrong one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import finnish
from store.directory.validate import FORMAT

# ---------------------------------------------------------------------------------------------
# shared helpers


def _text(value: Any, lang: str = "fi") -> str | None:
    """A Linked Events multilingual field {"fi": …, "sv": …} as Finnish (or any) text."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in (lang, "fi", "sv", "en", *value.keys()):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
    return None


def _ptv_text(items: Any, kind: str | None = None, lang: str = "fi") -> str | None:
    """A PTV localized list [{"language": "fi", "value": …, "type": …}] as Finnish text."""
    if not isinstance(items, list):
        return None
    candidates = [
        i for i in items if isinstance(i, dict) and (kind is None or i.get("type") == kind)
    ]
    for wanted in (lang, "fi", "sv", "en", None):
        for item in candidates:
            if (wanted is None or item.get("language") == wanted) and item.get("value"):
                return str(item["value"]).strip()
    return None


def _municipality_by_code() -> dict[str, str]:
    return {m.code.lstrip("0") or "0": m.name for m in finnish.iter_municipalities()}


def _municipality(name_or_code: Any) -> str | None:
    if name_or_code is None:
        return None
    raw = str(name_or_code).strip()
    if raw.isdigit():
        return _municipality_by_code().get(raw.lstrip("0") or "0")
    return finnish.gazetteer().municipality(raw.title()) or finnish.gazetteer().municipality(raw)


def _topics(words: list[str]) -> list[str]:
    found: list[str] = []
    for word in words:
        key = finnish.topic(word)
        if key and key not in found:
            found.append(key)
    return found


def _strip_html(text: str | None, limit: int = 600) -> str | None:
    import html
    import re

    if not text:
        return None
    spaced = re.sub(r"<(br|/?p|/?div|/?li|/?h\d)\b[^>]*>", " ", text, flags=re.I)
    plain = html.unescape(re.sub(r"<[^>]+>", "", spaced))
    plain = " ".join(plain.split())
    return plain[:limit] or None


def _present(**fields: Any) -> dict[str, Any]:
    """A record of the fields that have a value (the format leaves empty fields out)."""
    return {key: value for key, value in fields.items() if value}


def _document(**lists: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": FORMAT, **{k: v for k, v in lists.items() if v}}


# ---------------------------------------------------------------------------------------------
# Linked Events


def _le_items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        return [d for d in data["data"] if isinstance(d, dict)]
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if isinstance(data, dict) and "id" in data:
        return [data]
    raise ValueError("not a Linked Events response: expected {'data': [...]} or a list")


def _le_id(ref: Any) -> str | None:
    """ "tprek:7254" from an embedded object or an {"@id": ".../place/tprek:7254/"} link."""
    if isinstance(ref, dict):
        if ref.get("id"):
            return str(ref["id"])
        ref = ref.get("@id")
    if isinstance(ref, str) and ref:
        return ref.rstrip("/").rsplit("/", 1)[-1]
    return None


def _le_space(place: dict[str, Any]) -> dict[str, Any] | None:
    pid = _le_id(place)
    name = _text(place.get("name"))
    if not pid or not name:
        return None
    return _present(
        id=f"le-place:{pid}",
        name=name,
        municipality=_municipality(_text(place.get("address_locality"))),
        address=_text(place.get("street_address")),
        description=_strip_html(_text(place.get("description"))),
        url=_text(place.get("info_url")),
    )


def linked_events(events_data: Any, places_data: Any = None) -> dict[str, Any]:
    """An apuri-directory/1 document from Linked Events `/event/` (and `/place/`) JSON."""
    places: dict[str, dict[str, Any]] = {}
    for place in _le_items(places_data) if places_data is not None else []:
        space = _le_space(place)
        if space:
            places[space["id"]] = space
    events = []
    for item in _le_items(events_data):
        title = _text(item.get("name"))
        start = item.get("start_time")
        if not item.get("id") or not title or not start:
            continue
        try:
            start_dt = dt.datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        except ValueError:
            continue
        if start_dt.tzinfo is None:
            continue
        event: dict[str, Any] = {
            "id": f"le:{item['id']}",
            "title": title,
            "start": start_dt.isoformat(),
        }
        if item.get("end_time"):
            try:
                end_dt = dt.datetime.fromisoformat(str(item["end_time"]).replace("Z", "+00:00"))
                if end_dt.tzinfo:
                    event["end"] = end_dt.isoformat()
            except ValueError:
                pass
        description = _strip_html(
            _text(item.get("short_description")) or _text(item.get("description"))
        )
        if description:
            event["description"] = description
        location = item.get("location")
        space = _le_space(location) if isinstance(location, dict) and location.get("name") else None
        place_id = _le_id(location)
        if space:
            places.setdefault(space["id"], space)
        known = places.get(f"le-place:{place_id}") if place_id else None
        if known:
            event["location"] = ", ".join(x for x in (known["name"], known.get("address")) if x)
            if known.get("municipality"):
                event["municipality"] = known["municipality"]
        keywords = [_text(k.get("name")) for k in item.get("keywords") or [] if isinstance(k, dict)]
        topics = _topics([k for k in keywords if k] + [title])
        if topics:
            event["topics"] = topics
        offers = [o for o in item.get("offers") or [] if isinstance(o, dict)]
        if offers:
            event["price"] = (
                "maksuton"
                if offers[0].get("is_free")
                else (_text(offers[0].get("price")) or "maksullinen")
            )
        url = _text(item.get("info_url"))
        if url:
            event["url"] = url
        events.append(event)
    return _document(events=events, spaces=list(places.values()))


# ---------------------------------------------------------------------------------------------
# PTV v11

_PTV_DAYS = {
    "Monday": "Mo",
    "Tuesday": "Tu",
    "Wednesday": "We",
    "Thursday": "Th",
    "Friday": "Fr",
    "Saturday": "Sa",
    "Sunday": "Su",
}
_DAY_ORDER = list(_PTV_DAYS)


def _ptv_opening_hours(service_hours: Any) -> str | None:
    """OSM opening_hours from PTV serviceHours of type DaysOfTheWeek ("Mo-Fr 08:00-16:00")."""
    rules = []
    for block in service_hours or []:
        if not isinstance(block, dict) or block.get("serviceHourType") != "DaysOfTheWeek":
            continue
        if block.get("isClosed"):
            continue
        for hour in block.get("openingHour") or []:
            day_from, day_to = hour.get("dayFrom"), hour.get("dayTo") or hour.get("dayFrom")
            start, end = str(hour.get("from", ""))[:5], str(hour.get("to", ""))[:5]
            if day_from not in _PTV_DAYS or day_to not in _PTV_DAYS or not start or not end:
                continue
            if _DAY_ORDER.index(day_to) < _DAY_ORDER.index(day_from):
                continue
            days = (
                _PTV_DAYS[day_from]
                if day_from == day_to
                else (f"{_PTV_DAYS[day_from]}-{_PTV_DAYS[day_to]}")
            )
            rules.append(f"{days} {start}-{'24:00' if end == '00:00' else end}")
    return "; ".join(rules) or None


def _ptv_phone(numbers: Any) -> str | None:
    for item in numbers or []:
        if not isinstance(item, dict) or not item.get("number"):
            continue
        raw = f"{item.get('prefixNumber') or ''} {item['number']}".strip()
        if finnish.normalize_phone(raw):
            return raw
    return None


def _ptv_first(items: Any, key: str) -> str | None:
    for item in items or []:
        if isinstance(item, dict) and item.get(key):
            return str(item[key])
    return None


def _ptv_address(addresses: Any) -> tuple[str | None, str | None]:
    """(street address, municipality) of the first visiting address."""
    for address in addresses or []:
        street = (address or {}).get("streetAddress") or {}
        if not street:
            continue
        municipality = _municipality((street.get("municipality") or {}).get("code"))
        parts = [_ptv_text(street.get("street")), street.get("streetNumber")]
        line = " ".join(str(p) for p in parts if p)
        post = " ".join(
            str(p) for p in (street.get("postalCode"), _ptv_text(street.get("postOffice"))) if p
        )
        return ", ".join(x for x in (line, post) if x) or None, municipality
    return None, None


def _ptv_organization(item: dict[str, Any], kind_of: str) -> dict[str, Any] | None:
    names = item.get("serviceChannelNames") or item.get("organizationNames")
    name = _ptv_text(names, "Name") or _ptv_text(names)
    if not item.get("id") or not name:
        return None
    descriptions = item.get("serviceChannelDescriptions") or item.get("organizationDescriptions")
    address, municipality = _ptv_address(item.get("addresses"))
    if not municipality:
        municipality = _municipality((item.get("municipality") or {}).get("code"))
    languages = {i.get("language") for i in names if isinstance(i, dict) and i.get("language")}
    return _present(
        id=f"ptv:{item['id']}",
        name=name,
        kind=kind_of,
        description=_strip_html(_ptv_text(descriptions, "Summary") or _ptv_text(descriptions)),
        municipalities=[municipality] if municipality else None,
        region=finnish.gazetteer().region_of(municipality) if municipality else None,
        address=address,
        phone=_ptv_phone(item.get("phoneNumbers")),
        email=_ptv_first(item.get("emails"), "value"),
        website=_ptv_first(item.get("webPages"), "url"),
        opening_hours=_ptv_opening_hours(item.get("serviceHours")),
        languages=sorted(languages),
    )


def ptv(data: Any) -> dict[str, Any]:
    """An apuri-directory/1 document from PTV v11 JSON.

    Accepts {"serviceChannels": [...], "organizations": [...], "services": [...]}, a paged
    response {"itemList": [...]}, or a plain list; items are told apart by their fields.
    """
    items: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for key in ("serviceChannels", "organizations", "services", "itemList"):
            items += [i for i in data.get(key) or [] if isinstance(i, dict)]
        if "id" in data:
            items.append(data)
    elif isinstance(data, list):
        items = [i for i in data if isinstance(i, dict)]
    else:
        raise ValueError("not PTV JSON: expected an object or a list")
    topics_by_channel: dict[str, list[str]] = {}
    for service in (i for i in items if "serviceNames" in i):
        words = [_ptv_text(c.get("name")) for c in service.get("serviceClasses") or []]
        words += [_ptv_text(t.get("name")) for t in service.get("ontologyTerms") or []]
        words.append(_ptv_text(service.get("serviceNames")))
        topics = _topics([w for w in words if w])
        for link in service.get("serviceChannels") or []:
            channel_id = ((link or {}).get("serviceChannel") or {}).get("id")
            if channel_id and topics:
                topics_by_channel.setdefault(channel_id, []).extend(topics)
    organizations = []
    for item in items:
        if "serviceChannelNames" not in item and "organizationNames" not in item:
            continue  # a service: its topics were read above
        if item.get("serviceChannelType", "ServiceLocation") != "ServiceLocation":
            continue  # e-services and phone channels have no place to visit
        org = _ptv_organization(item, "public_service")
        if org is None:
            continue
        topics = list(dict.fromkeys(topics_by_channel.get(item["id"], [])))
        if topics:
            org["topics"] = topics
        organizations.append(org)
    return _document(organizations=organizations)
