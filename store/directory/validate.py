"""Validation of `apuri-directory/1` documents (contract §4).

Every problem is reported with the path of the bad field, for example
`organizations[3].municipalities[0]: unknown municipality 'Kuopioo'`, so a maintainer can fix
the file without guessing. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import finnish

FORMAT = "apuri-directory/1"
KINDS = ("organizations", "contact_persons", "events", "grants", "spaces")
ORG_KINDS = ("association", "public_service", "digital_support", "network")
ROLES = ("liaison", "digital_support", "association_contact", "service_advisor")
NAME_FIELD = {"events": "title"}
# field → how to check it, per record list
_STR = "str"
_FIELDS: dict[str, dict[str, str]] = {
    "organizations": {
        "id": _STR,
        "name": _STR,
        "kind": "org_kind",
        "description": _STR,
        "topics": "topics",
        "municipalities": "municipalities",
        "region": "region",
        "address": _STR,
        "phone": "phone",
        "email": _STR,
        "website": _STR,
        "opening_hours": "opening_hours",
        "languages": "strings",
        "accessibility": _STR,
        "contact_person_id": "person_ref",
    },
    "contact_persons": {
        "id": _STR,
        "name": _STR,
        "title": _STR,
        "roles": "roles",
        "organization_id": "org_ref",
        "municipalities": "municipalities",
        "region": "region",
        "topics": "topics",
        "phone": "phone",
        "email": _STR,
        "opening_hours": "opening_hours",
        "telegram_chat_id": "chat_id",
        "sip": "sip",
        "languages": "strings",
    },
    "events": {
        "id": _STR,
        "title": _STR,
        "description": _STR,
        "start": "datetime",
        "end": "datetime",
        "municipality": "municipality",
        "location": _STR,
        "organization_id": "org_ref",
        "topics": "topics",
        "url": _STR,
        "price": _STR,
        "accessibility": _STR,
    },
    "grants": {
        "id": _STR,
        "name": _STR,
        "funder": _STR,
        "description": _STR,
        "deadline": "date",
        "municipalities": "municipalities",
        "region": "region",
        "topics": "topics",
        "url": _STR,
        "contact_person_id": "person_ref",
    },
    "spaces": {
        "id": _STR,
        "name": _STR,
        "municipality": "municipality",
        "address": _STR,
        "capacity": "count",
        "price": _STR,
        "description": _STR,
        "accessibility": _STR,
        "booking_contact_person_id": "person_ref",
        "organization_id": "org_ref",
        "url": _STR,
    },
}
MAX_TEXT = 5000
MAX_ID = 200  # the id column's size (schema.records)


class DirectoryValidationError(ValueError):
    """A directory document that cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _check_opening_hours(value: str) -> str | None:
    try:
        from opening_hours import OpeningHours

        OpeningHours(value)
    except ImportError:  # pragma: no cover - the package is a dependency
        return None
    except Exception as err:  # noqa: BLE001 - the parser raises its own error types
        return f"invalid opening_hours {value!r} ({str(err).splitlines()[0][:80]})"
    return None


_SIP = re.compile(r"(sips?:)?[A-Za-z0-9+._~-]+@[A-Za-z0-9.-]+(:\d{1,5})?")


def _check_value(check: str, value: Any, known: dict[str, set[str]]) -> str | None:
    """An error message for one field value, or None when it is fine."""
    gaz = finnish.gazetteer()
    if value is None:
        return None
    if check in (
        _STR,
        "org_kind",
        "phone",
        "sip",
        "opening_hours",
        "region",
        "municipality",
        "datetime",
        "date",
        "person_ref",
        "org_ref",
    ) and not isinstance(value, str):
        return f"must be text, not {type(value).__name__}"
    if check == _STR:
        return (
            f"too long ({len(value)} characters, at most {MAX_TEXT})"
            if len(value) > MAX_TEXT
            else None
        )
    if check == "org_kind":
        return (
            None
            if value in ORG_KINDS
            else f"unknown kind {value!r} (one of {', '.join(ORG_KINDS)})"
        )
    if check == "municipality":
        return None if value in gaz.municipalities else f"unknown municipality {value!r}"
    if check == "region":
        return None if value in gaz.regions else f"unknown region {value!r}"
    if check == "phone":
        return None if finnish.normalize_phone(value) else f"not a phone number: {value!r}"
    if check == "opening_hours":
        return _check_opening_hours(value)
    if check == "sip":  # where the phone line puts a call through (contract §8)
        ok = _SIP.fullmatch(value) is not None
        return None if ok else f"not a SIP address (sip:user@host): {value!r}"
    if check == "datetime":
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return f"not an ISO 8601 date and time: {value!r}"
        return None if parsed.tzinfo else f"needs a time zone offset: {value!r}"
    if check == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"not an ISO 8601 date: {value!r}"
        return None
    if check == "person_ref":
        return None if value in known["contact_persons"] else f"unknown contact person {value!r}"
    if check == "org_ref":
        return None if value in known["organizations"] else f"unknown organization {value!r}"
    if check == "count":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000
        return None if ok else f"must be a whole number, not {value!r}"
    if check == "chat_id":
        ok = isinstance(value, int | str) and not isinstance(value, bool)
        return None if ok else f"must be a Telegram chat id, not {value!r}"
    raise AssertionError(check)


def _check_list(check: str, value: Any, path: str, known: dict[str, set[str]]) -> list[str]:
    if not isinstance(value, list):
        return [f"{path}: must be a list"]
    item_check = {
        "topics": "topic",
        "municipalities": "municipality",
        "roles": "role",
        "strings": _STR,
    }[check]
    errors = []
    for i, item in enumerate(value):
        if item_check == "topic":
            err = None if item in finnish.TOPICS else f"unknown topic {item!r}"
        elif item_check == "role":
            err = None if item in ROLES else f"unknown role {item!r}"
        else:
            err = _check_value(item_check, item, known)
        if err:
            errors.append(f"{path}[{i}]: {err}")
    return errors


def validate(document: Any, existing: dict[str, set[str]] | None = None) -> list[str]:
    """Every problem in a directory document, as 'path: message' lines; [] when it is valid.

    `existing` holds ids already in the database, so an upsert may refer to them.
    """
    if not isinstance(document, dict):
        return ["(document): must be a JSON object"]
    errors = []
    if document.get("format") != FORMAT:
        errors.append(f"format: must be {FORMAT!r}, not {document.get('format')!r}")
    for key in document:
        if key not in ("format", *KINDS):
            errors.append(f"{key}: unknown field")
    known: dict[str, set[str]] = {kind: set((existing or {}).get(kind, ())) for kind in KINDS}
    for kind in KINDS:
        records = document.get(kind, [])
        if not isinstance(records, list):
            errors.append(f"{kind}: must be a list")
            continue
        for record in records:
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                known[kind].add(record["id"])
    for kind in KINDS:
        records = document.get(kind, [])
        if not isinstance(records, list):
            continue
        seen: set[str] = set()
        for i, record in enumerate(records):
            path = f"{kind}[{i}]"
            if not isinstance(record, dict):
                errors.append(f"{path}: must be an object")
                continue
            rid = record.get("id")
            if not isinstance(rid, str) or not rid.strip():
                errors.append(f"{path}.id: required")
            elif len(rid) > MAX_ID:
                errors.append(f"{path}.id: too long ({len(rid)} characters, at most {MAX_ID})")
            elif rid in seen:
                errors.append(f"{path}.id: duplicate id {rid!r}")
            else:
                seen.add(rid)
            name_field = NAME_FIELD.get(kind, "name")
            if not isinstance(record.get(name_field), str) or not record[name_field].strip():
                errors.append(f"{path}.{name_field}: required")
            for field, value in record.items():
                check = _FIELDS[kind].get(field)
                if check is None:
                    errors.append(f"{path}.{field}: unknown field")
                elif check in ("topics", "municipalities", "roles", "strings"):
                    errors.extend(_check_list(check, value, f"{path}.{field}", known))
                else:
                    err = _check_value(check, value, known)
                    if err:
                        errors.append(f"{path}.{field}: {err}")
    return errors
