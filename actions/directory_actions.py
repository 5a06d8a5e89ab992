"""Actions that answer from the directory: slots in, directory query, Finnish lines out.

Each search lists at most three records that match what was asked (the question's own words or
its topic), widening by place (municipality → its region → the whole country) but never to
records of another kind of thing; then it offers more or a human. When nothing matches it says
so and names the person for the place. When the municipality is missing it asks for it and runs
again once it is told.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import finnish
from actions import texts
from actions.people import name_contact, offer_person, told
from actions.records import answer_about_record, named_person, names_in_full
from actions.search import PREFER, Query, named_by, search, with_kind
from actions.slots import (
    HUMAN,
    MORE,
    NONE,
    directory,
    note_need,
    place_slots,
)
from bot.fallback import general_contact
from core import clock
from finnish.asking import asked_fields, asks_for_a_person
from finnish.periods import event_span
from store.database import StoreUnavailable
from store.directory.store import index_terms, record_words

logger = logging.getLogger(__name__)


# "joka viikko" is how often, not when
EVERY = re.compile(r"\b(joka|jokaisella|joka toinen) (viikko|kuu)", re.IGNORECASE)
EVENT_WORDS = {"tapahtuma", "tapahtua", "tilaisuus"}  # "mitä tapahtuu Lieksassa"
ENTA = re.compile(r"\bentäs?\b", re.IGNORECASE)
# "noin 15 hengelle", "50 henkeä", "sadan hengen": how many a space should hold (digits)
HEADCOUNT = re.compile(
    r"\b(\d{1,4})\s*(?:hengelle|henkeä|hengen|hlö|ihmiselle|ihmistä|"
    r"henkilölle|henkilöä|osallistujalle|paikkaa)\b",
    re.IGNORECASE,
)

# A request that asks two sorts of thing ("tarvitaan kokoustila ja tietoa avustuksista"): the
# intent the NLU ranks next, this likely, answers too when the message says its sort's word.
ALSO_ASKED_AT = 0.15
ALSO_ASKED = {"ask_grants": "grants", "ask_spaces": "spaces", "ask_events": "events"}
SEARCH_ACTIONS = {f"action_{intent}" for intent in PREFER}

URGENT_AT = 0.25  # an emergency this likely beside a search: the answer starts with 112


class DirectorySearchAction(Action, abc.ABC):
    """One search over everything (actions.search); subclasses say which sort the
    intent prefers, which person helps further and whether a place alone answers."""

    prefer: str | None = PREFER["find_association"]
    needs_place = True
    contact_role = "liaison"
    # True when every record of the preferred sort answers the question ("any digital support
    # point"), so the place alone may list them when the question's words match nothing.
    any_record_answers = False
    any_record_unless_said = False  # True: every record answers only when none has the words
    topic: str | None = None  # a topic the intent itself means ("vapaaehtoistyo")
    # whether records far away that share only the topic answer (a grant does; a peer group
    # across the country does not: the person for the place helps instead)
    far_by_topic = False
    far_by_words = True  # False: help one must go to is not listed from across the country
    # True: from across the country only what serves all of it (Kela), not a club in another
    # region that a person in Sodankylä cannot go to (the person for the place helps instead)
    far_only_nationwide = True
    # the lists searched first, near to far, before every sort ("avustusta
    # muistiyhdistykselle" is answered by grants, not by the association that asks)
    first_kinds: tuple[str, ...] = ()
    any_event_then = False  # True: with a time said, any event then answers (volunteering)
    limit = 12  # results kept: three shown, the rest behind "Haluatko lisää?"

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    def query(self, tracker: Tracker, municipality: str | None, region: str | None) -> Query:
        """What was asked: the message's own words and topic. A bare place or topic after a
        search ("entä Kemissä?", "entä kuoroja?") asks the same again with what changed."""
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        # "no mä oon nainen. entä joutsassa": what follows "entä" is what changes
        then = ENTA.search(text)
        words = finnish.content_words(text[then.end() :] if then else text)
        said = [
            e["value"]
            for e in message.get("entities", [])
            if e.get("entity") == "topic" and (not then or e.get("start", 0) >= then.start())
        ]
        topic = self.topic or (said[0] if said else None)
        last = tracker.get_slot("last_search") or {}
        if not words and not said and last.get("action") == self.name():
            words, topic = list(last.get("words") or []), last.get("topic") or topic
        elif not words and not topic:
            topic = tracker.get_slot("topic")  # carried over from an earlier question
        return Query(
            words=words,
            topic=topic,
            municipality=municipality,
            region=region,
            prefer=self.prefer,
            topic_said=bool(self.topic),
        )

    def narrow(
        self, found: list[dict[str, Any]], tracker: Tracker
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The results as the question's own limits keep them, and a response to say first."""
        return found, None

    def search(self, query: Query, text: str) -> tuple[list[dict[str, Any]], str]:
        """The search over everything, as this intent shapes it; `first_kinds` first, unless
        the message names a record in full ("apua asunto raha kela": Kela)."""

        def over(kinds: tuple[str, ...]) -> tuple[list[dict[str, Any]], str]:
            return search(
                directory(),
                dataclasses.replace(query, kinds=kinds),
                limit=self.limit,
                any_record=self.any_record_answers,
                far_by_topic=self.far_by_topic,
                far_by_words=self.far_by_words,
                only_when_unsaid=self.any_record_unless_said,
                far_only_nationwide=self.far_only_nationwide,
            )

        if self.first_kinds and not names_in_full(text, directory):
            first = over(self.first_kinds)
            if first[0]:
                return first
        return over(query.kinds)

    def events_then(
        self, tracker: Tracker, query: Query
    ) -> tuple[list[dict[str, Any]], str, str | None]:
        """A time said with another question ("onko Tuusniemellä talkoita keväällä", "voisinko
        auttaa jossain tapahtumassa ensi kuussa Pälkäneellä"): the events near then that its
        words or topic match (any event when it asks for one), else nothing; with
        `any_event_then` and none then, the next ones near and a response that says so."""
        text = (tracker.latest_message or {}).get("text") or ""
        span = event_span(text, clock.today())
        if span is None or self.prefer == PREFER["ask_events"] or EVERY.search(text):
            return [], "none", None
        asks_event = self.any_event_then or bool(
            EVENT_WORDS & {finnish.lemma(w) for _, _, w in finnish.tokenize(text)}
        )
        found, scope = search(
            directory(),
            replace(query, prefer=PREFER["ask_events"], kinds=("events",)),
            limit=40,
            any_record=asks_event,
            far_by_topic=False,
        )
        within = [r for r in found if span[0] <= texts.start_day(r) <= span[1]]
        near = scope != "national" or not (query.municipality or query.region)
        if within and near:
            return within, scope, None
        if self.any_event_then and found and near:  # "tammikuussa": none then, the next ones
            return found, scope, "utter_no_events_then"
        return [], "none", None

    @staticmethod
    def answers_second(tracker: Tracker) -> bool:
        """Whether this answer follows another search's in the same turn (`also_asked`)."""
        return tracker.latest_action_name in SEARCH_ACTIONS

    def also_asked(self, tracker: Tracker) -> str | None:
        """The action of a second sort of thing the message asks for ("kokoustila ja tietoa
        avustuksista": the grants after the spaces), or None. Not when this action already
        answers as the second (it follows another search in the same turn)."""
        if self.answers_second(tracker):
            return None
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        said = index_terms(message.get("text") or "")
        for ranked in (message.get("intent_ranking") or [])[:3]:
            sort = ALSO_ASKED.get(ranked.get("name") or "")
            if (
                sort
                and ranked["name"] != intent
                and PREFER[ranked["name"]] != self.prefer
                and ranked.get("confidence", 0) >= ALSO_ASKED_AT
                and said & set(finnish.sort_words(sort))
            ):
                return f"action_{ranked['name']}"
        return None

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events = self.answer(dispatcher, tracker)
        also = self.also_asked(tracker)
        if also is None:
            return events
        # the second answer ends the turn: this one's "Haluatko lisää?" would be answered by it
        dispatcher.messages[:] = [
            m
            for m in dispatcher.messages
            if m.get("response") not in ("utter_more_or_human", "utter_offer_human")
        ]
        return [e for e in events if e.get("name") not in ("more_results", "open_question")] + [
            FollowupAction(also)
        ]

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """The answer to the search this intent asks for (see `run`)."""
        municipality, region, slots = place_slots(tracker)
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        if any(
            r.get("name") == "emergency" and r.get("confidence", 0) >= URGENT_AT
            for r in ranking[1:]
        ):
            # a need the NLU took for an emergency at first (nlu.components.SafetyGuard): 112 first
            dispatcher.utter_message(response="utter_if_urgent")
        text = (tracker.latest_message or {}).get("text") or ""
        # "kuka on Muuramen digituen neuvoja": the person in the role for the place, unless
        # the message names a record in full ("kuka on Kemin Kamarikuoron vastuuhenkilö")
        role = asks_for_a_person(text) and not names_in_full(text, directory)
        about = None if role else answer_about_record(dispatcher, tracker, directory, self.prefer)
        if about is not None:  # "milloin Kemin Kamarikuoro harjoittelee", "mikä sen numero on"
            return [*slots, *about]
        if self.needs_place and not municipality and not region:
            dispatcher.utter_message(response="utter_ask_municipality")
            # "Joensuu" in answer asks this again there, with these words
            asked = self.query(tracker, None, None)
            return [
                *slots,
                SlotSet("pending_search", self.name()),
                SlotSet(
                    "last_search",
                    {"action": self.name(), "words": asked.words, "topic": asked.topic},
                ),
            ]
        if role:
            return [*slots, *offer_person(dispatcher, tracker, self.contact_role)]
        query = self.query(tracker, municipality, region)
        remembered = {"action": self.name(), "words": query.words, "topic": query.topic}
        try:
            found, scope, then = self.events_then(tracker, query)
            if not found or then:  # none then: what the search finds, else the next events
                searched = self.search(query, text)
                if self.narrow(searched[0], tracker)[0] or not found:
                    (found, scope), then = searched, None
        except StoreUnavailable as error:  # the database is down: still offer a human
            logger.warning("directory search failed: %s", error)
            dispatcher.utter_message(response="utter_directory_unavailable")
            dispatcher.utter_message(
                response="utter_contact_person", person=texts.person_line(general_contact())
            )
            return [*slots, SlotSet("pending_search", None)]
        place = municipality or region or ""
        found, note = self.narrow(found, tracker)
        note = note or then
        if not found:
            note_need(tracker, "not_found")
            near_only = (
                place
                and (query.topic or not self.far_by_words or self.far_only_nationwide)
                and not self.far_by_topic
            )
            dispatcher.utter_message(
                response=("utter_nothing_near" if near_only else "utter_nothing_found_in")
                if place
                else "utter_nothing_found",
                place=place,
            )
            person = name_contact(dispatcher, tracker, self.contact_role)
            return [
                *slots,
                SlotSet("pending_search", None),
                SlotSet("more_results", None),
                SlotSet("last_search", told(remembered, person)),
                SlotSet("open_question", NONE),
            ]
        # the best match first: whether someone answers the phone now is said on each line
        found = [texts.here_first(record, municipality) for record in found]
        remembered["results"] = [[r["_list"], r["id"]] for r in found[:3]]
        if self.answers_second(tracker):  # "keneltä tilan voi varata": the first answer's too
            earlier = (tracker.get_slot("last_search") or {}).get("results") or []
            remembered["results"] = earlier + remembered["results"]
        remembered["associations"] = [r["id"] for r in found if r.get("kind") == "association"]
        more = [texts.record_line(record) for record in found[3:]]
        if scope == "municipality":
            intro = "utter_found_in_municipality"
        elif scope == "region":
            intro = "utter_found_in_region"
        else:
            intro = "utter_found_national_after" if place else "utter_found_national"
        if note:
            dispatcher.utter_message(response=note)
        if not (note and scope == "municipality"):
            dispatcher.utter_message(response=intro, place=place, region=region or "")
        dispatcher.utter_message(text="\n".join(texts.record_line(r) for r in found[:3]))
        if scope == "national" and place:  # only far away: the person who knows the place
            dispatcher.utter_message(response="utter_help_nearby", place=place)
            name_contact(dispatcher, tracker, self.contact_role)
            return [
                *slots,
                SlotSet("pending_search", None),
                SlotSet("last_search", remembered),
                SlotSet("more_results", None),
                SlotSet("open_question", NONE),
            ]
        return [
            *slots,
            SlotSet("pending_search", None),
            SlotSet("last_search", remembered),
            *offer_more(dispatcher, more),
        ]


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


class ActionFindService(DirectorySearchAction):
    def name(self) -> str:
        return "action_find_service"

    prefer = PREFER["find_service"]
    contact_role = "service_advisor"


class ActionDigitalHelp(DirectorySearchAction):
    def name(self) -> str:
        return "action_digital_help"

    prefer = PREFER["digital_help"]
    contact_role = "digital_support"
    any_record_answers = True
    far_by_words = False  # a support point across the country cannot sit beside you


class ActionAskSpaces(DirectorySearchAction):
    def name(self) -> str:
        return "action_ask_spaces"

    prefer = PREFER["ask_spaces"]
    any_record_answers = True
    # spaces near to far before any other sort: an association that meets in a room is no
    # room to book ("pieni kokoushuone Pälkäneellä": the region's rooms)
    first_kinds = ("spaces",)

    def narrow(
        self, found: list[dict[str, Any]], tracker: Tracker
    ) -> tuple[list[dict[str, Any]], str | None]:
        """ "noin 15 hengelle": the spaces that hold that many, the smallest first (a hall
        for 80 is not the answer for a board of 15); all as found when none does."""
        size = HEADCOUNT.search((tracker.latest_message or {}).get("text") or "")
        if not size:
            return found, None
        wanted = int(size.group(1))
        fits = sorted(
            (r for r in found if r.get("_list") == "spaces" and (r.get("capacity") or 0) >= wanted),
            key=lambda r: r["capacity"],
        )
        return (fits + [r for r in found if r.get("_list") != "spaces"]) if fits else found, None


class ActionAskEvents(DirectorySearchAction):
    far_by_topic = True
    far_only_nationwide = False  # an event far away may be worth the trip

    def name(self) -> str:
        return "action_ask_events"

    prefer = PREFER["ask_events"]
    needs_place = False
    any_record_answers = True
    any_record_unless_said = True  # "digiklinikoita Rovaniemellä": those, not every event
    limit = 40  # a time asked for may be further than the first dozen

    def narrow(
        self, found: list[dict[str, Any]], tracker: Tracker
    ) -> tuple[list[dict[str, Any]], str | None]:
        """ "ensi kuussa", "tänä viikonloppuna", "jouluna": the events then; when there are
        none then, say so and give the next ones (never "nothing anywhere" when there are)."""
        span = event_span((tracker.latest_message or {}).get("text") or "", clock.today())
        events = [r for r in found if r.get("_list") == "events"]
        if span is None:
            return found, None
        within = [r for r in events if span[0] <= texts.start_day(r) <= span[1]]
        return (within, None) if within else (events, "utter_no_events_then" if events else None)


class ActionAskGrants(DirectorySearchAction):
    far_by_topic = True
    far_only_nationwide = False  # a grant is applied for from anywhere (`_open_to` decides)

    def name(self) -> str:
        return "action_ask_grants"

    prefer = PREFER["ask_grants"]
    needs_place = False
    any_record_answers = True
    any_record_unless_said = True  # "stean avustus" is STEA's, not every grant in the country
    first_kinds = ("grants",)


class ActionVolunteer(DirectorySearchAction):
    """Where to volunteer: associations with volunteering in the place, else the liaison; with
    a time ("tammikuussa", "tänä viikonloppuna"), the place's events then, where help is
    needed. A network of associations (a council) is no place to volunteer."""

    topic = "vapaaehtoistyo"
    any_event_then = True

    def name(self) -> str:
        return "action_volunteer"

    def narrow(
        self, found: list[dict[str, Any]], tracker: Tracker
    ) -> tuple[list[dict[str, Any]], str | None]:
        return [r for r in found if r.get("kind") != "network"], None

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_volunteer")
        return super().run(dispatcher, tracker, domain)


class ExplainAndNameAction(Action, abc.ABC):
    """A short general answer, then the named person for the place who helps further."""

    response = ""
    role: str | None = "liaison"  # None: by what the conversation is about (`right_person`)
    resume = ""  # the action that answers once the place is told (default: this one)

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    lists: tuple[str, ...] = ()  # records the question may name ("somekoulutus" → events)
    # words of the records this answer is about ("kurssi", "koulutus"): such a record is
    # listed when its description says the question's words ("hallitustyö" of a study
    # centre's courses), and a place's own are listed when the question names none
    kind_word = ""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        municipality, region, slots = place_slots(tracker)
        resumed = tracker.get_slot("pending_search") == self.name()
        if self.lists and not resumed:
            about = answer_about_record(dispatcher, tracker, directory)
            if about is not None:  # "maksaako järjestöfoorumiin osallistuminen"
                return [*slots, *about]
        if self.response and not resumed:  # said once, before asking for the place
            dispatcher.utter_message(response=self.response)
        if not municipality and not region:
            # courses named by their subject are listed from anywhere ("koulutusta
            # hallitustyöstä"); the place is asked for the person who helps nearby
            events = self.named_records(dispatcher, tracker, None, None) if self.kind_word else []
            dispatcher.utter_message(response="utter_ask_municipality")
            return [*slots, *events, SlotSet("pending_search", self.resume or self.name())]
        events = self.named_records(dispatcher, tracker, municipality, region)
        person = name_contact(dispatcher, tracker, self.role)
        if not events:  # "mihin aikaan hän vastaa" is about the person named
            events = [SlotSet("last_search", told(tracker.get_slot("last_search") or {}, person))]
        return [*slots, SlotSet("pending_search", None), *events]

    def named_records(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        municipality: str | None,
        region: str | None,
    ) -> list[dict[str, Any]]:
        """Lists the networks and coming events whose names the question's own words say
        ("somekoulutus", "järjestöfoorumi"), nearest first, and remembers them for "maksaako
        se"."""
        text = (tracker.latest_message or {}).get("text") or ""
        query = Query(
            words=finnish.content_words(text),
            municipality=municipality,
            region=region,
            kinds=self.lists,
        )
        kind = set(finnish.synonyms(self.kind_word)) if self.kind_word else set()
        searched = query.terms()
        terms = set(searched)
        try:
            if query.words and kind:  # near to far, each record once, to sort as below
                seen: dict[tuple[str, str], dict[str, Any]] = {}
                for _, place in query.places():
                    for _, k, r in directory().rank(searched, place, self.lists, limit=20):
                        seen.setdefault((k, r["id"]), with_kind(k, r))
                found = list(seen.values())
            elif query.words:
                found, _ = search(directory(), query, limit=6)
            elif kind and municipality:  # "pitääkö käydä joku kurssi": the place's own
                found = [
                    with_kind(k, r) for _, k, r in directory().in_place(municipality, self.lists)
                ]
            else:
                found = []
        except StoreUnavailable as error:  # the database is down: the person still helps
            logger.warning("a search for named records failed: %s", error)
            return []

        def of_kind(record: dict[str, Any]) -> bool:
            name, other, _ = record_words(record["_list"], record)
            said = set(f"{name} {other}".split())
            return bool(kind & said) and (not terms or bool(terms & said))

        today = clock.today()
        if kind and any(of_kind(r) for r in found):  # courses first: the rest only by name
            found = [r for r in found if of_kind(r)]
        found = [
            r
            for r in found
            if (named_by(r["_list"], r, terms) or of_kind(r))
            and (
                r.get("kind") == "network"
                if r["_list"] == "organizations"
                else r["_list"] != "events" or (r.get("start") and texts.start_day(r) >= today)
            )
        ]
        found = found[:3]
        if not found:
            return []
        dispatcher.utter_message(text="\n".join(texts.record_line(r) for r in found))
        last = {
            "action": self.name(),
            "words": query.words,
            "topic": None,
            "results": [[r["_list"], r["id"]] for r in found],
        }
        return [SlotSet("last_search", last)]


class ActionAskTraining(ExplainAndNameAction):
    response = "utter_ask_training"
    lists = ("events", "organizations")
    kind_word = "koulutus"

    def name(self) -> str:
        return "action_ask_training"


class ActionJoinCooperation(ExplainAndNameAction):
    response = "utter_join_cooperation"
    lists = ("organizations", "events")

    def name(self) -> str:
        return "action_join_cooperation"


class ActionUpdateListing(ExplainAndNameAction):
    response = "utter_update_listing"

    def name(self) -> str:
        return "action_update_listing"


class ActionFeedback(ExplainAndNameAction):
    """Feedback is counted for the staff page (not its words); the bot names who takes it."""

    response = "utter_feedback"

    def name(self) -> str:
        return "action_feedback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("pending_search") != self.name():
            note_need(tracker, "feedback")
        return super().run(dispatcher, tracker, domain)


class ActionNotUnderstood(Action):
    """ "Anteeksi, en ymmärtänyt": and counted as a need nobody met, for the staff page."""

    def name(self) -> str:
        return "action_not_understood"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        about = answer_about_record(dispatcher, tracker, directory)
        if about is not None:  # "entä mihin aikaan se on auki?" was understood after all
            return about
        note_need(tracker, "fallback")
        dispatcher.utter_message(response="utter_default")
        return []


class ActionRequestHuman(ExplainAndNameAction):
    """Names the contact person for the place; when they are reachable in Telegram right now,
    offers to chat with them here (a live handoff through the gateway)."""

    role = None

    def name(self) -> str:
        return "action_request_human"

    def narrow(
        self, found: list[dict[str, Any]], tracker: Tracker
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The results as the question's own limits keep them, and a response to say first."""
        return found, None

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        municipality, region, slots = place_slots(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        try:  # "saisinko Sanna Hyvöseen yhteyden": that person, wherever the asker lives
            named = named_person(text, directory()) if not asked_fields(text) else None
        except StoreUnavailable as error:  # the database is down: name_contact says so
            logger.warning("the directory is unavailable: %s", error)
            named = None
        if named is None:
            about = answer_about_record(dispatcher, tracker, directory)
            if about is not None:  # "kuka on Kemin Kamarikuoron yhteyshenkilö"
                return [*slots, *about]
            if not municipality and not region:
                dispatcher.utter_message(response="utter_ask_municipality")
                return [*slots, SlotSet("pending_search", self.name())]
        return [*slots, *offer_person(dispatcher, tracker, self.role, named)]


class ActionOfferHumanDirect(ExplainAndNameAction):
    """After repeated misunderstandings: straight to the person for the place."""

    response = "utter_offer_human_direct"
    role = None
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
