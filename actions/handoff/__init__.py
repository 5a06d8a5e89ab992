"""Find a human: callback and handoff requests, their delivery, staff logins."""

from actions.handoff.store import Handoffs

__all__ = ["Handoffs"]
