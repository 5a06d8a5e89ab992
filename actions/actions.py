"""Conversation-level actions: repeat the last answer, acknowledge a bare answer, greet a
returning user, open and close a yes/no question."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import finnish
from actions.records import answer_about_record
from actions.slots import HUMAN, NONE, RESTART, directory, place_slots
from finnish.asking import asked_fields, reference


class ActionRepeat(Action):
    """Says the bot's previous message again, for people who did not hear or read it."""

    def name(self) -> str:
        return "action_repeat"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        last_user_seen = False  # skip to the bot messages before the "toista" request
        said: list[str] = []
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                if said:
                    break
                last_user_seen = True
            elif event.get("event") == "bot" and last_user_seen and event.get("text"):
                said.insert(0, event["text"])
        if not said:
            dispatcher.utter_message(response="utter_nothing_to_repeat")
        for text in said:
            dispatcher.utter_message(text=text)
        return []


# the field a search action is about of itself: another topic after it is a new search
OWN_TOPIC = {"action_digital_help": "digituki", "action_volunteer": "vapaaehtoistyo"}


class ActionAcknowledgeInform(Action):
    """A bare answer: answers the question that was waiting for it, or confirms what it was."""

    def name(self) -> str:
        return "action_acknowledge_inform"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entities = {e["entity"]: e["value"] for e in tracker.latest_message.get("entities", [])}
        _, _, events = place_slots(tracker)
        about = answer_about_record(dispatcher, tracker, directory)
        if about is not None:  # "entä sinne?", "mihin aikaan se on auki"
            return [*events, *about]
        pending = tracker.get_slot("pending_search")
        place = "municipality" in entities or "region" in entities
        last = (tracker.get_slot("last_search") or {}).get("action")
        if place and pending:
            return [*events, FollowupAction(pending)]  # we asked for the place to answer
        if place and last:
            return [*events, FollowupAction(last)]  # "entä Tervossa?": the same, another place
        said = "topic" in entities or finnish.content_words(
            tracker.latest_message.get("text") or ""
        )
        known = place or tracker.get_slot("municipality") or tracker.get_slot("region")
        if said and (last or known) and "phone_number" not in entities:
            # "entä kuoroja?": the same, another thing (after one record: a search there);
            # a topic of another field than the last search's own is a search of its own
            # ("entä omaishoitajille?" after digital help)
            own = OWN_TOPIC.get(last or "")
            if own and entities.get("topic") not in (None, own):
                last = "action_find_association"
            return [*events, FollowupAction(last or "action_find_association")]
        if place and "topic" in entities:
            return [*events, FollowupAction("action_find_association")]  # "Kannuksessa tanssi"
        if "municipality" in entities:
            dispatcher.utter_message(
                response="utter_inform_municipality", municipality=entities["municipality"]
            )
        elif "region" in entities:
            dispatcher.utter_message(response="utter_inform_region", region=entities["region"])
        elif "phone_number" in entities:
            spoken = finnish.format_phone_for_speech(entities["phone_number"])
            dispatcher.utter_message(response="utter_inform_phone", phone_number=spoken)
        elif "topic" in entities:
            dispatcher.utter_message(response="utter_inform_topic")
        else:
            dispatcher.utter_message(response="utter_inform_unknown")
        return events


class ActionDeny(Action):
    """ "Ei" with nothing open: "Selvä…". A correction ("ei kun siis Varkaudessa", "ei vaan
    liikuntaa", "tarkoitin Kemiä") is not a no: the last search again, with what it changes."""

    def name(self) -> str:
        return "action_deny"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        said = {e["entity"] for e in message.get("entities", [])}
        last = (tracker.get_slot("last_search") or {}).get("action")
        changes = said & {"municipality", "region", "topic"} or finnish.content_words(
            message.get("text") or ""
        )
        if last and changes:
            _, _, events = place_slots(tracker)
            return [*events, SlotSet("open_question", NONE), FollowupAction(last)]
        dispatcher.utter_message(response="utter_deny")
        return [SlotSet("open_question", NONE)]


class ActionOutOfScope(Action):
    """Says so and offers a human; a question about what was just listed ("paljonko se
    maksaa", "osoite?") is answered from the directory instead."""

    def name(self) -> str:
        return "action_out_of_scope"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, _, events = place_slots(tracker)
        about = answer_about_record(dispatcher, tracker, directory)
        if about is not None:  # the place it named is kept for what comes next
            return [*events, *about]
        dispatcher.utter_message(response="utter_out_of_scope")
        return [SlotSet("open_question", HUMAN)]


class ActionGreet(Action):
    """Hello; a returning user whose place is remembered is asked whether to start over."""

    def name(self) -> str:
        return "action_greet"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if asked_fields((tracker.latest_message or {}).get("text") or ""):
            about = answer_about_record(dispatcher, tracker, directory)
            if about is not None:  # "mika paiva" (taken for "päivää") after a record
                return about
        place = tracker.get_slot("municipality") or tracker.get_slot("region")
        if not place:
            dispatcher.utter_message(response="utter_greet")
            return []
        dispatcher.utter_message(response="utter_greet_again", place=place)
        return [SlotSet("open_question", RESTART)]


class ActionCloseQuestion(Action):
    """The yes/no question has its answer: "kyllä" now means nothing special any more."""

    def name(self) -> str:
        return "action_close_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet("open_question", NONE)]


class ActionBotChallenge(Action):
    """ "Olen Apuri, tietokoneohjelma", with a human offered; but "kuka siellä vastaa" right
    after a record is a question about it: its contact person."""

    def name(self) -> str:
        return "action_bot_challenge"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        if reference(text) is not None and asked_fields(text):
            about = answer_about_record(dispatcher, tracker, directory)
            if about is not None:
                return about
        dispatcher.utter_message(response="utter_bot_challenge")
        return [SlotSet("open_question", HUMAN)]


class ActionAskHuman(Action):
    """The answer just sent asked "shall I direct you to a human?": yes now means a person."""

    def name(self) -> str:
        return "action_ask_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet("open_question", HUMAN)]
