"""Find a human: callback and handoff requests, their delivery, staff logins."""

from store.handoff.store import Handoffs

__all__ = ["Handoffs"]
