"""One answer per message (issue 18 §1): every path of the rules, walked with the trained model
and a real action server, gets an answer for every user message, and never "Anteeksi, en
ymmärtänyt" after an action that answered. The follow-ups that run another action
(FollowupAction: "entä Kemissä?", a correction) are walked too: they used to end in Rasa's core
fallback right after a good answer.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import yaml
from rasa.shared.core.events import ActiveLoop, SlotSet

from tests.conftest import ROOT

RULES = yaml.safe_load((ROOT / "bot" / "dialogue" / "rules.yml").read_text(encoding="utf-8"))
DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
NOT_UNDERSTOOD = DOMAIN["responses"]["utter_default"][0]["text"]
_senders = itertools.count()


def walkable(rule: dict[str, Any]) -> bool:
    """Rules that start with what the user says (the others continue one of these)."""
    steps = rule.get("steps") or []
    return bool(steps) and "intent" in steps[0]


def rule_id(rule: dict[str, Any]) -> str:
    return rule["rule"]


class Walk:
    """One conversation with the agent, its slots set as a rule's condition says."""

    def __init__(self, agent: Any, loop: Any) -> None:
        self.agent, self.loop = agent, loop
        self.sender = f"walk-{next(_senders)}"

    def set(self, condition: list[dict[str, Any]]) -> None:
        events: list[Any] = []
        for part in condition:
            for slots in part.get("slot_was_set") or []:
                events += [SlotSet(slot, value) for slot, value in slots.items()]
            if part.get("active_loop"):  # a form asking its first slot
                events += [
                    ActiveLoop(part["active_loop"]),
                    SlotSet("requested_slot", "callback_phone"),
                ]
        if not events:
            return

        async def update() -> None:
            store = self.agent.tracker_store
            tracker = await store.get_or_create_tracker(self.sender)
            for event in events:
                tracker.update(event)
            await store.save(tracker)

        self.loop.run_until_complete(update())

    def say(self, message: str) -> list[str]:
        replies = self.loop.run_until_complete(
            self.agent.handle_text(message, sender_id=self.sender)
        )
        return [r.get("text", "") for r in replies or [] if r.get("text") or r.get("buttons")]


def payload(intent: str, entities: dict[str, str] | None = None) -> str:
    """A message that is exactly this intent ("/inform{…}"): the rules are walked, not the NLU."""
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


@pytest.mark.parametrize("rule", [r for r in RULES["rules"] if walkable(r)], ids=rule_id)
def test_every_rule_answers_every_message(agent, event_loop_session, rule) -> None:
    walk = Walk(agent, event_loop_session)
    walk.set(rule.get("condition") or [])
    for step in rule["steps"]:
        if "intent" not in step:
            continue
        entities = {"municipality": "Kuopio"} if step["intent"] == "inform" else None
        replies = walk.say(payload(step["intent"], entities))
        assert replies, f"no answer to {step['intent']} in rule {rule['rule']!r}"
        if step["intent"] != "nlu_fallback":
            assert not any(NOT_UNDERSTOOD in r for r in replies), (rule["rule"], replies)


FOLLOW_UPS = [
    # a search, then a bare place: the same search there (FollowupAction), then a thank-you
    [
        ("find_association", {"municipality": "Kuopio", "topic": "kulttuuri"}),
        ("inform", {"municipality": "Varkaus"}),
        ("thank", None),
    ],
    # a search, then a correction: "ei kun siis Varkaudessa"
    [
        ("find_association", {"municipality": "Kuopio", "topic": "ikaantyneet"}),
        ("deny", {"municipality": "Varkaus"}),
        ("affirm", None),
    ],
    # events, then the same elsewhere, then more
    [
        ("ask_events", {"municipality": "Kuopio"}),
        ("inform", {"municipality": "Kitee"}),
        ("affirm", None),
    ],
    # digital help without a place: the place is asked, then answered
    [("digital_help", None), ("inform", {"municipality": "Rovaniemi"}), ("deny", None)],
    # a human, then yes and no to what was offered
    [("request_human", {"municipality": "Kuopio"}), ("deny", None), ("goodbye", None)],
]


@pytest.mark.parametrize("turns", FOLLOW_UPS, ids=lambda t: " → ".join(i for i, _ in t))
def test_follow_ups_answer_once_and_never_fall_back(agent, event_loop_session, turns) -> None:
    walk = Walk(agent, event_loop_session)
    for intent, entities in turns:
        replies = walk.say(payload(intent, entities))
        assert replies, f"no answer to {intent}"
        assert not any(NOT_UNDERSTOOD in r for r in replies), (intent, replies)
