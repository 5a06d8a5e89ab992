"""Actions that answer from the directory: slots in, directory query, Finnish lines out.

Each search lists at most three records that match what was asked (the question's own words or
its topic), widening by place (municipality → its region → the whole country) but never to
records of another kind of thing; then it offers more or a human. When nothing matches it says
so and names the person for the place. When the municipality is missing it asks for it and runs
again once it is told.
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
from bot import clock, finnish
from bot.fallback import general_contact

logger = logging.getLogger(__name__)

# Yes/no questions the bot asks; the slot `open_question` holds the one asked last, and rules
# conditioned on it decide what "kyllä" and "ei" mean. Any other message sets it to "none"
# (a from_intent slot mapping in the domain).
NONE, MORE, HUMAN, RESTART = "none", "more", "human", "restart"


@functools.lru_cache(maxsize=1)
def directory() -> Directory:
    return Directory()


def place_slots(tracker: Tracker) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """(municipality, region, slot events) of the conversation after this message.

    The region always follows the municipality: a new municipality brings its own region, a
    new region drops a municipality outside it. The events keep the slots the same way.
    """
    gaz = finnish.gazetteer()
    entities = (tracker.latest_message or {}).get("entities") or []
    said = {e.get("entity"): e.get("value") for e in entities}  # the last of each kind
    municipality = tracker.get_slot("municipality")
    region = tracker.get_slot("region")
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
    events = [SlotSet(slot, value)
              for slot, value in (("municipality", municipality), ("region", region))
              if tracker.get_slot(slot) != value]  # fmt: skip
    return municipality, region, events


def name_contact(
    dispatcher: CollectingDispatcher, municipality: str | None, region: str | None, role: str
) -> None:
    """Names the right person for the place; the general contact when the directory has none
    or cannot be reached."""
    try:
        person = directory().contact(municipality, region, role=role)
    except Exception:  # noqa: BLE001 - the database is down: still name a human
        logger.exception("directory contact lookup failed")
        dispatcher.utter_message(response="utter_directory_unavailable")
        person = None
    dispatcher.utter_message(
        response="utter_contact_person", person=texts.person_line(person or general_contact())
    )


class DirectorySearchAction(Action, abc.ABC):
    """Searches one kind of record; subclasses say which and how to write a line."""

    kind = "organizations"
    filters: dict[str, Any] = {}
    needs_place = True
    contact_role = "liaison"
    # True when every record of this kind answers the question ("any digital support point"),
    # so the place alone may list them when the question's words match nothing.
    any_record_answers = False
    line: Callable[[dict[str, Any]], str] = staticmethod(texts.organization_line)

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    def extra_filters(self, tracker: Tracker) -> dict[str, Any]:
        return {}

    def alternatives(self, tracker: Tracker, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """Ways to match what was asked, best first: its own words, then its topic.

        A bare place after a search ("entä Tervossa?") asks the same again. A topic carried
        over from an earlier question ("entä tapahtumia?" after sports clubs) narrows the search
        only where it finds something; otherwise the place alone answers.
        """
        message = tracker.latest_message or {}
        words = finnish.content_words(message.get("text") or "")
        said = [e["value"] for e in message.get("entities", []) if e.get("entity") == "topic"]
        last = tracker.get_slot("last_search") or {}
        follow_up = (message.get("intent") or {}).get("name") == "inform"
        if follow_up and not words and not said and last.get("action") == self.name():
            return list(last.get("alternatives") or [{}])
        topic = filters.pop("topic", None) or (said[0] if said else None)
        out: list[dict[str, Any]] = []
        if words:
            out.append({"text": " ".join(words)})
        if topic:
            out.append({"topic": topic})
        if out:
            return out + ([{}] if self.any_record_answers else [])
        carried = tracker.get_slot("topic")
        return [{"topic": carried}, {}] if carried else [{}]

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        municipality, region, slots = place_slots(tracker)
        if self.needs_place and not municipality and not region:
            dispatcher.utter_message(response="utter_ask_municipality")
            return [*slots, SlotSet("pending_search", self.name())]
        filters = {**self.filters, **self.extra_filters(tracker), "limit": 12}
        alternatives = self.alternatives(tracker, filters)
        remembered = SlotSet("last_search", {"action": self.name(), "alternatives": alternatives})
        try:
            found, scope = directory().search(
                self.kind, municipality, region, alternatives, **filters
            )
        except Exception:  # noqa: BLE001 - the database is down: still offer a human
            logger.exception("directory search failed")
            dispatcher.utter_message(response="utter_directory_unavailable")
            dispatcher.utter_message(
                response="utter_contact_person", person=texts.person_line(general_contact())
            )
            return [*slots, SlotSet("pending_search", None)]
        place = municipality or region or ""
        if not found:
            dispatcher.utter_message(
                response="utter_nothing_found_in" if place else "utter_nothing_found",
                place=place,
            )
            name_contact(dispatcher, municipality, region, self.contact_role)
            return [*slots, SlotSet("pending_search", None), SlotSet("more_results", None),
                    remembered, SlotSet("open_question", NONE)]  # fmt: skip
        found = [texts.here_first(record, municipality) for record in texts.open_first(found)]
        more = [self.line(record) for record in found[3:]]
        if scope == "municipality":
            intro = "utter_found_in_municipality"
        elif scope == "region":
            intro = "utter_found_in_region"
        else:
            intro = "utter_found_national_after" if place else "utter_found_national"
        dispatcher.utter_message(response=intro, place=place, region=region or "")
        dispatcher.utter_message(text="\n".join(self.line(record) for record in found[:3]))
        return [*slots, SlotSet("pending_search", None), remembered,
                *offer_more(dispatcher, more)]  # fmt: skip


def offer_more(dispatcher: CollectingDispatcher, more: list[str]) -> list[dict[str, Any]]:
    """Asks "Haluatko lisää?" when there is more to show, else offers a human."""
    if more:
        dispatcher.utter_message(response="utter_more_or_human")
        return [SlotSet("more_results", more), SlotSet("open_question", MORE)]
    dispatcher.utter_message(response="utter_offer_human")
    return [SlotSet("more_results", None), SlotSet("open_question", HUMAN)]


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
    any_record_answers = True


class ActionAskSpaces(DirectorySearchAction):
    def name(self) -> str:
        return "action_ask_spaces"

    kind = "spaces"
    any_record_answers = True
    line = staticmethod(texts.space_line)


class ActionAskEvents(DirectorySearchAction):
    def name(self) -> str:
        return "action_ask_events"

    kind = "events"
    needs_place = False
    line = staticmethod(texts.event_line)

    def extra_filters(self, tracker: Tracker) -> dict[str, Any]:
        return {"after": clock.utc_key()}  # upcoming only, soonest first


class ActionAskGrants(DirectorySearchAction):
    def name(self) -> str:
        return "action_ask_grants"

    kind = "grants"
    needs_place = False
    any_record_answers = True
    line = staticmethod(texts.grant_line)

    def extra_filters(self, tracker: Tracker) -> dict[str, Any]:
        return {"after": clock.today().isoformat()}  # open deadlines, nearest first


class ActionVolunteer(DirectorySearchAction):
    """Where to volunteer: associations with volunteering in the place, else the liaison."""

    def name(self) -> str:
        return "action_volunteer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_volunteer")
        return super().run(dispatcher, tracker, domain)

    def alternatives(self, tracker: Tracker, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"topic": "vapaaehtoistyo"}]


class ExplainAndNameAction(Action, abc.ABC):
    """A short general answer, then the named person for the place who helps further."""

    response = ""
    role = "liaison"
    resume = ""  # the action that answers once the place is told (default: this one)

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        municipality, region, slots = place_slots(tracker)
        resumed = tracker.get_slot("pending_search") == self.name()
        if self.response and not resumed:  # said once, before asking for the place
            dispatcher.utter_message(response=self.response)
        if not municipality and not region:
            dispatcher.utter_message(response="utter_ask_municipality")
            return [*slots, SlotSet("pending_search", self.resume or self.name())]
        name_contact(dispatcher, municipality, region, self.role)
        return [*slots, SlotSet("pending_search", None)]


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


class ActionFeedback(ExplainAndNameAction):
    """Feedback is not forwarded yet: the bot says so and names who takes it."""

    response = "utter_feedback"

    def name(self) -> str:
        return "action_feedback"


class ActionRequestCallback(ExplainAndNameAction):
    """Callback requests are not taken yet: the bot says so and names whom to call."""

    response = "utter_request_callback"

    def name(self) -> str:
        return "action_request_callback"


class ActionRequestHuman(ExplainAndNameAction):
    """Names the contact person for the user's municipality or region."""

    def name(self) -> str:
        return "action_request_human"


class ActionOfferHumanDirect(ExplainAndNameAction):
    """After repeated misunderstandings: straight to the person for the place."""

    response = "utter_offer_human_direct"
    resume = "action_request_human"

    def name(self) -> str:
        return "action_offer_human_direct"


class ActionMoreResults(Action):
    """ "Kyllä" to "Haluatko lisää?": the next results of the last search."""

    def name(self) -> str:
        return "action_more_results"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        more = tracker.get_slot("more_results") or []
        if not more:
            dispatcher.utter_message(response="utter_no_more")
            return [SlotSet("open_question", HUMAN)]
        dispatcher.utter_message(text="\n".join(more[:3]))
        if more[3:]:
            return offer_more(dispatcher, more[3:])
        dispatcher.utter_message(response="utter_no_more")
        return [SlotSet("more_results", None), SlotSet("open_question", HUMAN)]
