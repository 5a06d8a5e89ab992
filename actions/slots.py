"""The conversation's slots as the actions read them: the place (the region always follows the
municipality, here and nowhere else), the yes/no question open, and the directory they search;
and what was not found, noted for the needs report."""

from __future__ import annotations

import functools
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

import finnish
from store.database import StoreUnavailable
from store.directory import Directory
from store.handoff import Handoffs

logger = logging.getLogger(__name__)

# Yes/no questions the bot asks; the slot `open_question` holds the one asked last, and rules
# conditioned on it decide what "kyllä" and "ei" mean. Any other message sets it to "none"
# (a from_intent slot mapping in the domain).
NONE, MORE, HUMAN, RESTART, CALLBACK, LIVE, CALL = (
    "none",
    "more",
    "human",
    "restart",
    "callback",
    "live",
    "call",
)


@functools.lru_cache(maxsize=1)
def directory() -> Directory:
    return Directory()


def place_after(
    municipality: str | None, region: str | None, said: dict[str, Any]
) -> tuple[str | None, str | None]:
    """The place once a message said a municipality or a region (`said`): the one place where
    the region follows the municipality. Only real municipalities and regions count."""
    gaz = finnish.gazetteer()
    if said.get("municipality") in gaz.municipalities:
        municipality = said["municipality"]
    elif said.get("region") in gaz.regions:
        region = said["region"]
        if municipality and gaz.region_of(municipality) != region:
            municipality = None
    if municipality not in gaz.municipalities:
        municipality = None  # only real municipalities reach the directory
    if municipality:
        region = gaz.region_of(municipality)
    return municipality, region


def place_slots(tracker: Tracker) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """(municipality, region, slot events) of the conversation after this message.

    The region always follows the municipality: a new municipality brings its own region, a
    new region drops a municipality outside it. The events keep the slots the same way.
    """
    entities = (tracker.latest_message or {}).get("entities") or []
    said = {e.get("entity"): e.get("value") for e in entities}  # the last of each kind
    municipality, region = place_after(
        tracker.get_slot("municipality"), tracker.get_slot("region"), said
    )
    events = [
        SlotSet(slot, value)
        for slot, value in (("municipality", municipality), ("region", region))
        if tracker.get_slot(slot) != value
    ]
    return municipality, region, events


def note_need(tracker: Tracker, kind: str) -> None:
    """Counts what people needed and did not get, for the staff page: place, topic and kind
    ("not_found", "fallback", "feedback"), never the words."""
    municipality, region, _ = place_slots(tracker)
    try:
        Handoffs(engine=directory().engine).note_need(municipality, tracker.get_slot("topic"), kind)
    except StoreUnavailable as error:  # the database is down: the answer matters more
        logger.warning("the need could not be noted: %s", error)
