"""Actions that answer from the directory: slots in, directory query, Finnish lines out.

Each action names at most three results with one way to reach them, then offers more or a
human. When the municipality is missing it asks for it and runs again once it is told.
"""

from __future__ import annotations

import abc
import functools
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.directory import Directory
from actions.directory.store import utc_now_key
from bot import finnish

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def directory() -> Directory:
    return Directory()


def named_contact(
    dispatcher: CollectingDispatcher, municipality: str | None, region: str | None, role: str
) -> bool:
    """Names the right person for the place; False when the directory has nobody."""
    person = directory().contact(municipality, region, role=role)
    if person is None:
        return False
    dispatcher.utter_message(response="utter_contact_person", person=texts.person_line(person))
    return True


class DirectorySearchAction(Action, abc.ABC):
    """Searches one kind of record; subclasses say which and how to write a line."""

    kind = "organizations"
    filters: dict[str, Any] = {}
    needs_place = True
    contact_role = "liaison"
    line: Callable[[dict[str, Any]], str] = staticmethod(texts.organization_line)

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    def extra_filters(self, tracker: Tracker) -> dict[str, Any]:
        return {}

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        municipality = tracker.get_slot("municipality")
        region = tracker.get_slot("region")
        if self.needs_place and not municipality and not region:
            dispatcher.utter_message(response="utter_ask_municipality")
            return [SlotSet("pending_search", self.name())]
        filters = {**self.filters, **self.extra_filters(tracker), "limit": 12}
        topic = tracker.get_slot("topic")
        words = " ".join(finnish.content_words(tracker.latest_message.get("text") or ""))
        try:
            topic = filters.pop("topic", topic)
            found, scope = [], "none"
            if words:  # "shakkikerhoa", "kirjasto": the words themselves first
                found, scope = directory().search(
                    self.kind, municipality, region, text=words, **filters
                )
            if not found:
                found, scope = directory().search(
                    self.kind, municipality, region, topic=topic, **filters
                )
            if not found and topic:  # the topic may be too narrow: try the place alone
                found, scope = directory().search(self.kind, municipality, region, **filters)
        except Exception:  # noqa: BLE001 - the database is down: still offer a human
            logger.exception("directory search failed")
            dispatcher.utter_message(response="utter_directory_unavailable")
            return [SlotSet("pending_search", None)]
        place = municipality or region or ""
        if not found:
            dispatcher.utter_message(response="utter_nothing_found", place=place)
            if not named_contact(dispatcher, municipality, region, self.contact_role):
                dispatcher.utter_message(response="utter_offer_human_direct")
            return [SlotSet("pending_search", None)]
        found = texts.open_first(found)
        more = [self.line(record) for record in found[3:]]
        found = found[:3]
        if scope == "municipality":
            intro = "utter_found_in_municipality"
        elif scope == "region":
            intro = "utter_found_in_region"
        else:
            intro = "utter_found_national_after" if place else "utter_found_national"
        region_name = region or finnish.gazetteer().region_of(municipality or "") or ""
        dispatcher.utter_message(response=intro, place=place, region=region_name)
        dispatcher.utter_message(text="\n".join(self.line(record) for record in found))
        dispatcher.utter_message(response="utter_more_or_human")
        return [SlotSet("pending_search", None), SlotSet("more_results", more)]


class ActionFindAssociation(DirectorySearchAction):
    def name(self) -> str:
        return "action_find_association"

    filters = {"org_kind": "association"}
    contact_role = "liaison"


class ActionFindService(DirectorySearchAction):
    def name(self) -> str:
        return "action_find_service"

    filters = {"org_kind": "public_service"}
    contact_role = "service_advisor"


class ActionDigitalHelp(DirectorySearchAction):
    def name(self) -> str:
        return "action_digital_help"

    filters = {"org_kind": "digital_support"}
    contact_role = "digital_support"


class ActionAskSpaces(DirectorySearchAction):
    def name(self) -> str:
        return "action_ask_spaces"

    kind = "spaces"
    line = staticmethod(texts.space_line)


class ActionAskEvents(DirectorySearchAction):
    def name(self) -> str:
        return "action_ask_events"

    kind = "events"
    needs_place = False
    line = staticmethod(texts.event_line)

    def extra_filters(self, tracker: Tracker) -> dict[str, Any]:
        return {"after": utc_now_key()}  # upcoming only, soonest first


class ActionAskGrants(DirectorySearchAction):
    def name(self) -> str:
        return "action_ask_grants"

    kind = "grants"
    needs_place = False
    line = staticmethod(texts.grant_line)

    def extra_filters(self, tracker: Tracker) -> dict[str, Any]:
        return {"after": texts.now().date().isoformat()}  # open deadlines, nearest first


class ActionVolunteer(DirectorySearchAction):
    """Where to volunteer: associations with volunteering in the place, else the liaison."""

    def name(self) -> str:
        return "action_volunteer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_volunteer")
        return super().run(dispatcher, tracker, domain)

    def extra_filters(self, tracker: Tracker) -> dict[str, Any]:
        return {"topic": "vapaaehtoistyo"}


class ExplainAndNameAction(Action, abc.ABC):
    """A short general answer, then the named person for the place who helps further."""

    response = ""
    role = "liaison"

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        municipality = tracker.get_slot("municipality")
        region = tracker.get_slot("region")
        dispatcher.utter_message(response=self.response)
        if not municipality and not region:
            dispatcher.utter_message(response="utter_ask_municipality")
            return [SlotSet("pending_search", self.name())]
        try:
            named_contact(dispatcher, municipality, region, self.role)
        except Exception:  # noqa: BLE001 - the database is down: the general answer stands
            logger.exception("directory contact lookup failed")
            dispatcher.utter_message(response="utter_directory_unavailable")
        return [SlotSet("pending_search", None)]


class ActionAskTraining(ExplainAndNameAction):
    response = "utter_ask_training"

    def name(self) -> str:
        return "action_ask_training"


class ActionJoinCooperation(ExplainAndNameAction):
    response = "utter_join_cooperation"

    def name(self) -> str:
        return "action_join_cooperation"


class ActionUpdateListing(ExplainAndNameAction):
    response = "utter_update_listing"

    def name(self) -> str:
        return "action_update_listing"


class ActionAffirm(Action):
    """ "Kyllä" after "Haluatko lisää?" shows the next results; otherwise a plain go-ahead."""

    def name(self) -> str:
        return "action_affirm"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        asked = {r.get("text") for r in domain.get("responses", {}).get("utter_more_or_human", [])}
        last_bot = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), {})
        more = tracker.get_slot("more_results") or []
        if last_bot.get("text") not in asked or not more:
            dispatcher.utter_message(response="utter_affirm")
            return []
        dispatcher.utter_message(text="\n".join(more[:3]))
        if more[3:]:
            dispatcher.utter_message(response="utter_more_or_human")
        else:
            dispatcher.utter_message(response="utter_no_more")
        return [SlotSet("more_results", more[3:])]


class ActionRequestHuman(Action):
    """Names the contact person for the user's municipality or region."""

    def name(self) -> str:
        return "action_request_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        municipality = tracker.get_slot("municipality")
        region = tracker.get_slot("region")
        if not municipality and not region:
            dispatcher.utter_message(response="utter_ask_municipality")
            return [SlotSet("pending_search", self.name())]
        try:
            found = named_contact(dispatcher, municipality, region, "liaison")
        except Exception:  # noqa: BLE001 - the database is down: still offer a human
            logger.exception("directory contact lookup failed")
            dispatcher.utter_message(response="utter_directory_unavailable")
            return [SlotSet("pending_search", None)]
        if not found:
            dispatcher.utter_message(response="utter_offer_human_direct")
        else:
            dispatcher.utter_message(response="utter_offer_callback")
        return [SlotSet("pending_search", None)]
