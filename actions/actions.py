"""Conversation-level actions: repeat the last answer, acknowledge a bare answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import finnish


class ActionRepeat(Action):
    """Says the bot's previous message again, for people who did not hear or read it."""

    def name(self) -> str:
        return "action_repeat"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        last_user_seen = False  # skip to the bot message before the "toista" request
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                last_user_seen = True
            elif event.get("event") == "bot" and last_user_seen and event.get("text"):
                dispatcher.utter_message(text=event["text"])
                return []
        dispatcher.utter_message(response="utter_nothing_to_repeat")
        return []


class ActionAcknowledgeInform(Action):
    """Confirms what the user just told (a municipality, region, topic or phone number)."""

    def name(self) -> str:
        return "action_acknowledge_inform"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entities = {e["entity"]: e["value"] for e in tracker.latest_message.get("entities", [])}
        events: list[dict[str, Any]] = []
        pending = tracker.get_slot("pending_search")
        if "municipality" in entities:
            municipality = entities["municipality"]
            region = finnish.gazetteer().region_of(municipality)
            events.append(SlotSet("region", region))
            if pending:  # we asked for the place to answer a question: answer it now
                return [*events, SlotSet("pending_search", None), FollowupAction(pending)]
            dispatcher.utter_message(
                response="utter_inform_municipality", municipality=municipality
            )
        elif "region" in entities and pending:
            return [SlotSet("pending_search", None), FollowupAction(pending)]
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
