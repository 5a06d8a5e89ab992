"""The person who helps further: who it is (by the conversation: a person named, the
association's own contact, the person for the place in the role of the last search), naming
them, and offering a chat now or a call back."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.records import PEOPLE, named_person
from actions.slots import CALL, LIVE, directory, place_slots
from bot.fallback import general_contact
from core import settings
from store.database import StoreUnavailable
from store.directory.store import search_terms

logger = logging.getLogger(__name__)

# Who helps further, by what the person last searched for; anything else goes to the liaison.
ROLE_BY_SEARCH = {
    "action_digital_help": "digital_support",
    "action_find_service": "service_advisor",
}


def right_person(
    tracker: Tracker, role: str | None = None, named: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The person who helps with what the conversation is about: in `role` when given, else
    the association's own contact when it is about one association, else the person for the
    place in the role of the last search (the municipality's, else its region's). A person the
    message names ("saisinko Sanna Hyvöseen yhteyden"), or the one Apuri just told about, comes
    first (`named`: already looked up by the caller). None when the directory has nobody (the
    caller names the general contact); raises when it is down."""
    municipality, region, _ = place_slots(tracker)
    last = tracker.get_slot("last_search") or {}
    named = named or named_person((tracker.latest_message or {}).get("text") or "", directory())
    if named:
        return named
    told = last.get("results") or []
    if role is None and len(told) == 1 and told[0][0] == PEOPLE:
        person = directory().get(PEOPLE, told[0][1])
        if person:
            return person
    if role is None:
        own = association_contact(tracker, last.get("associations") or [])
        if own:
            return own
        role = ROLE_BY_SEARCH.get(last.get("action") or "", "liaison")
    return directory().contact(municipality, region, role=role)


def association_contact(tracker: Tracker, listed: list[str]) -> dict[str, Any] | None:
    """The own contact of the association the message names among those just listed, or of
    the only one listed; None when there is no such association or it names nobody."""
    said = search_terms((tracker.latest_message or {}).get("text") or "")
    found = [o for o in (directory().get("organizations", i) for i in listed) if o]
    named = [o for o in found if (name := search_terms(o["name"])) and name <= said]
    chosen = named[0] if named else found[0] if len(found) == 1 else None
    if not chosen or not chosen.get("contact_person_id"):
        return None
    return directory().get("contact_persons", chosen["contact_person_id"])


def told(last: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
    """The last search with the person just named as what "hän" and "sen" point at."""
    return {**last, "results": [[PEOPLE, person["id"]]]} if person.get("id") else last


def name_contact(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    role: str | None = None,
    named: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Names the right person (`right_person`); the general contact when the directory has
    none or cannot be reached. The person named."""
    try:
        person = right_person(tracker, role, named)
    except StoreUnavailable as error:  # the database is down: still name a human
        logger.warning("directory contact lookup failed: %s", error)
        dispatcher.utter_message(response="utter_directory_unavailable")
        person = None
    person = person or general_contact()
    dispatcher.utter_message(response="utter_contact_person", person=texts.person_line(person))
    return person


def offer_person(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    role: str | None = None,
    named: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Names the right person (`name_contact`) and offers them: a chat here when they are in
    Telegram now, else a call back. The events: what "hän" points at and the open question."""
    person = name_contact(dispatcher, tracker, role, named)
    # "mihin aikaan hän vastaa" is about this person now
    last = told(tracker.get_slot("last_search") or {}, person)
    events = [SlotSet("pending_search", None), SlotSet("last_search", last)]
    first = person["name"].split()[0]
    if can_chat_now(person):
        dispatcher.utter_message(response="utter_offer_live", name=first)
        return [*events, SlotSet("live_person", person.get("id")), SlotSet("open_question", LIVE)]
    # anyone named can call back: the request reaches them or the staff page
    dispatcher.utter_message(response="utter_offer_call", name=first)
    return [*events, SlotSet("open_question", CALL)]


def can_chat_now(person: dict[str, Any]) -> bool:
    """A person in Telegram, reachable now by their hours, and a bot to reach them with."""
    return bool(
        person.get("telegram_chat_id")
        and settings.telegram_available()
        and texts.is_open(person.get("opening_hours"))
    )
