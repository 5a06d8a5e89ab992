"""Reaching a human: a callback request and a live chat with the named person.

A callback request: a Rasa form asks the number, a time, the subject and consent, reads them
back, and the request is stored (with its deliveries) before the bot says it is confirmed.

Numbers and the subject usually arrive as vault tags ("puhelinnumero1", "viesti1"): the gateway
keeps personal data out of Rasa, and the handoff store turns tags back into values when the
request is written. The read-back says the tags; the gateway shows the values.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import finnish
from actions import texts
from actions.people import can_chat_now, name_contact, right_person
from actions.slots import CALLBACK, NONE, directory, place_after, place_slots
from bot import privacy
from bot.fallback import general_contact
from finnish.times import parse_time
from store.database import StoreUnavailable
from store.handoff import Handoffs
from store.handoff.outbox import routes

logger = logging.getLogger(__name__)

CALLBACK_SLOTS = (
    "callback_phone",
    "callback_time",
    "callback_time_text",
    "callback_subject",
    "callback_consent",
)


def handoffs() -> Handoffs:
    return Handoffs(engine=directory().engine)


def clear_form() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in CALLBACK_SLOTS]


# Who helps with a callback's subject, by its topic; any other subject goes by the search.
ROLE_BY_TOPIC = {"digituki": "digital_support"}


def subject_of(tracker: Tracker) -> str:
    """The callback's subject as the person wrote it (from the vault when it is a tag)."""
    subject = tracker.get_slot("callback_subject") or ""
    if privacy.TAG.fullmatch(subject):
        try:
            subject = handoffs().numbers(tracker.sender_id).get(subject, "")
        except StoreUnavailable as error:  # the database is down: no subject to read
            logger.warning("the subject could not be read now: %s", error)
            return ""
    return subject


def callback_topic(tracker: Tracker) -> str | None:
    """What the callback is about: the subject's topic ("apua tabletin kanssa" → digituki),
    else the conversation's."""
    return finnish.topic(subject_of(tracker)) or tracker.get_slot("topic")


def who_calls(tracker: Tracker) -> dict[str, Any]:
    """The person who helps with what the callback is about (its subject's topic, else the
    conversation's): the digital support person for digital help, else someone near whose own
    topics include it, else the person for the search; the general contact when nobody is
    there or the directory is down."""
    topic = callback_topic(tracker) or ""
    try:
        person = None
        if topic and topic not in ROLE_BY_TOPIC:  # family care: whoever near has it as theirs
            municipality, region, _ = place_slots(tracker)
            person = directory().person_for_topic(municipality, region, topic)
        person = person or right_person(tracker, ROLE_BY_TOPIC.get(topic))
    except StoreUnavailable as error:  # the database is down: the general contact calls
        logger.warning("directory contact lookup failed: %s", error)
        person = None
    return person or {"id": None, **general_contact()}


class ActionAskCallbackPhone(Action):
    """Asks the number, offering back one the person gave earlier in the conversation."""

    def name(self) -> str:
        return "action_ask_callback_phone"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        earlier = tracker.get_slot("phone_number")
        if earlier:
            shown = finnish.format_phone_for_speech(earlier) if earlier.startswith("+") else earlier
            dispatcher.utter_message(text=texts.offer_earlier_phone(shown), buttons=[texts.YES])
        else:
            dispatcher.utter_message(text=texts.ASK_CALLBACK_PHONE)
        return []


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        municipality, region, _ = place_slots(tracker)
        return ([] if municipality or region else ["municipality"]) + domain_slots

    def validate_municipality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        municipality, region = place_after(None, None, {"municipality": value})
        if municipality:
            return {"municipality": municipality, "region": region}
        dispatcher.utter_message(response="utter_ask_municipality")
        return {"municipality": None}

    def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == "edellinen":
            value = tracker.get_slot("phone_number")
        if isinstance(value, str) and privacy.PHONE_TAG.fullmatch(value):
            return {"callback_phone": value}
        number = finnish.normalize_phone(value) if isinstance(value, str) else None
        if number:
            return {"callback_phone": number}
        dispatcher.utter_message(response="utter_callback_bad_phone")
        return {"callback_phone": None}

    def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value if isinstance(value, str) else ""
        when = parse_time(text)  # "milloin vain" means one thing: as soon as possible (times.yml)
        if when is None:
            if tracker.get_slot("requested_slot") != "callback_time":
                return {"callback_time": None}  # the request itself said no time: asked later
            dispatcher.utter_message(response="utter_callback_bad_time")
            return {"callback_time": None}
        return {"callback_time": when.start.isoformat(), "callback_time_text": when.text}

    def validate_callback_subject(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        if tracker.get_slot("requested_slot") != "callback_subject":
            # the request itself: its words are the subject only when it says a need
            # ("…, tarvitsen apua tabletin kanssa"), not when it only asks for a call
            said = [w for w in finnish.content_words(text) if not privacy.TAG.fullmatch(w)]
            if said or finnish.topic(text):  # "…, haluun vapaaehtoiseksi": a topic is a need
                return {"callback_subject": text[:300]}
            # "voiko joku soittaa mulle (siitä)": about what was just searched for; the
            # read-back shows it, so a wrong guess is put right before anything is sent
            last = tracker.get_slot("last_search") or {}
            if last.get("words"):
                return {"callback_subject": " ".join(last["words"])[:300]}
            return {"callback_subject": None}
        if privacy.TAG.fullmatch(text) or 0 < len(text) <= 300:
            return {"callback_subject": text}
        dispatcher.utter_message(response="utter_callback_bad_subject")
        return {"callback_subject": None}


class ActionConfirmCallback(Action):
    """Reads the request back and asks whether to send it."""

    def name(self) -> str:
        return "action_confirm_callback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        person = who_calls(tracker)
        phone = tracker.get_slot("callback_phone") or ""
        shown = finnish.format_phone_for_speech(phone) if phone.startswith("+") else phone
        text = texts.confirm_callback(
            person["name"],
            shown,
            tracker.get_slot("callback_time_text"),
            tracker.get_slot("callback_subject"),
        )
        dispatcher.utter_message(text=text, buttons=[texts.YES_SEND, texts.NO_CANCEL])
        return [SlotSet("open_question", CALLBACK)]


class ActionSubmitCallback(Action):
    """Stores the request with its deliveries, then tells the user it is confirmed."""

    def name(self) -> str:
        return "action_submit_callback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        person = who_calls(tracker)
        municipality, _, _ = place_slots(tracker)
        time = tracker.get_slot("callback_time")
        try:
            store = handoffs()
            values = store.numbers(tracker.sender_id)
            phone = tracker.get_slot("callback_phone") or ""
            phone = values.get(phone, phone)
            subject = tracker.get_slot("callback_subject") or ""
            subject = values.get(subject, subject)
            # no number to call (it could not be kept): nothing to store, nothing promised
            record = (
                None
                if not finnish.normalize_phone(phone)
                else store.create(
                    "callback",
                    person,
                    routes(person),
                    municipality=municipality,
                    topic=callback_topic(tracker),
                    phone=finnish.normalize_phone(phone),
                    preferred_time=time,
                    preferred_text=tracker.get_slot("callback_time_text"),
                    subject=subject,
                    conversation=tracker.sender_id,
                )
            )
        except StoreUnavailable as error:  # nothing confirmed unless it was stored
            logger.warning("callback request could not be stored: %s", error)
            record = None
        if record is None:
            dispatcher.utter_message(response="utter_callback_unsaved")
            dispatcher.utter_message(
                response="utter_contact_person", person=texts.person_line(general_contact())
            )
            return [*clear_form(), SlotSet("open_question", NONE)]
        dispatcher.utter_message(
            response="utter_callback_saved",
            person=person["name"],
            when=tracker.get_slot("callback_time_text"),
            id=record["id"],
        )
        return [*clear_form(), SlotSet("open_question", NONE)]


class ActionCancelCallback(Action):
    """ "peru", "en halua", no consent: nothing is stored; the person to call is named."""

    def name(self) -> str:
        return "action_cancel_callback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_callback_cancelled")
        name_contact(dispatcher, tracker)
        return [
            *clear_form(),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("open_question", NONE),
        ]


class ActionStartLive(Action):
    """ "Kyllä" to chatting with the person now: a chat request to their Telegram and a
    waiting session; from now on the gateway relays this conversation."""

    def name(self) -> str:
        return "action_start_live"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        municipality, _, _ = place_slots(tracker)
        done = [SlotSet("live_person", None), SlotSet("open_question", NONE)]
        try:
            person = directory().get("contact_persons", tracker.get_slot("live_person") or "")
            if not person or not can_chat_now(person):
                dispatcher.utter_message(response="utter_live_unavailable")
                name_contact(dispatcher, tracker)
                return done
            handoffs().start_live(
                person,
                tracker.sender_id,
                municipality=municipality,
                topic=tracker.get_slot("topic"),
            )
        except StoreUnavailable as error:  # nothing promised unless it was stored
            logger.warning("live handoff could not be started: %s", error)
            dispatcher.utter_message(response="utter_callback_unsaved")
            dispatcher.utter_message(
                response="utter_contact_person", person=texts.person_line(general_contact())
            )
            return done
        dispatcher.utter_message(response="utter_live_started", name=person["name"].split()[0])
        return done
