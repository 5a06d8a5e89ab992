"""Safety: words that mean danger now or a person in crisis.

The NLU's SafetyGuard and the quality gate use these, so that 112 and the crisis line win even
when the classifier is unsure. The patterns are in data/safety.yml.
"""

from __future__ import annotations

import re

from finnish.datafiles import load

SAFETY_INTENTS: tuple[str, ...] = ("emergency", "crisis")

_EMERGENCY_RE = re.compile("|".join(load("safety.yml")["emergency"]))
_CRISIS_RE = re.compile("|".join(load("safety.yml")["crisis"]))


def safety_intent(text: str) -> str | None:
    """ "crisis" or "emergency" when a message clearly says so, else None."""
    lower = " ".join(text.lower().split())
    if _EMERGENCY_RE.search(lower):  # danger now first: "joku uhkaa tappaa minut"
        return "emergency"
    if _CRISIS_RE.search(lower):
        return "crisis"
    return None
