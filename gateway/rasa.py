"""Talking to Rasa over its REST channel on 127.0.0.1, and asking how the services are."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.privacy import PRIVATE_SLOTS
from core import settings

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    """One shared HTTP session to Rasa's REST channel and the action server."""

    def __init__(self, rasa_url: str, actions_url: str, token: str = "") -> None:
        self.rasa_url = rasa_url
        self.actions_url = actions_url
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, sender: str, text: str) -> list[dict[str, Any]]:
        """The bot's answers to one user message: [{"text": …, "buttons": [...]}, …]."""
        url = f"{self.rasa_url}/webhooks/rest/webhook"
        try:
            async with self.session().post(url, json={"sender": sender, "message": text}) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered {resp.status}")
                answers = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as err:
            raise RasaUnavailable(str(err)) from err
        if not isinstance(answers, list):
            raise RasaUnavailable("Rasa's answer is not a list")
        return [a for a in answers if isinstance(a, dict)]

    async def asks_private(self, sender: str) -> bool:
        """Whether Rasa's open question wants a private answer (a callback's subject): asked
        only when the vault cannot say so. True when Rasa answers but cannot tell, to be safe;
        False when Rasa is not there (then nothing reaches it anyway)."""
        url = f"{self.rasa_url}/conversations/{sender}/tracker"
        params = {"include_events": "NONE", **({"token": self.token} if self.token else {})}
        try:
            async with self.session().get(
                url, params=params, timeout=aiohttp.ClientTimeout(total=5)
            ) as resp:
                if resp.status != 200:
                    return True
                tracker = await resp.json(content_type=None)
        except aiohttp.ClientConnectionError:
            return False
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return True
        slots = tracker.get("slots") if isinstance(tracker, dict) else None
        return not isinstance(slots, dict) or slots.get("requested_slot") in PRIVATE_SLOTS

    def _params(self) -> dict[str, str]:
        return {"include_events": "NONE", **({"token": self.token} if self.token else {})}

    async def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's slots and latest message as Rasa keeps them (the phone line reads
        what was found from here); RasaUnavailable when Rasa does not tell."""
        url = f"{self.rasa_url}/conversations/{sender}/tracker"
        try:
            async with self.session().get(url, params=self._params()) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered {resp.status}")
                tracker = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as err:
            raise RasaUnavailable(str(err)) from err
        if not isinstance(tracker, dict) or not isinstance(tracker.get("slots"), dict):
            raise RasaUnavailable("Rasa's tracker has no slots")
        return tracker

    async def set_slots(self, sender: str, slots: dict[str, Any]) -> None:
        """Set slots without a turn: a place the caller confirmed with keys."""
        url = f"{self.rasa_url}/conversations/{sender}/tracker/events"
        events = [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
        try:
            async with self.session().post(url, params=self._params(), json=events) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered {resp.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as err:
            raise RasaUnavailable(str(err)) from err

    async def _ok(self, url: str) -> bool:
        try:
            async with self.session().get(url, timeout=aiohttp.ClientTimeout(total=3)) as resp:
                return resp.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def rasa_ok(self) -> bool:
        return await self._ok(
            f"{self.rasa_url}/status?token={self.token}" if self.token else f"{self.rasa_url}/"
        )

    async def actions_ok(self) -> bool:
        return await self._ok(f"{self.actions_url}/health")

    async def phone_state(self) -> dict[str, Any]:
        """The phone line's own /health (contract §8): registered, listening, or off and why."""
        line = settings.phone_line()
        if not line.on:
            return {"ok": False, "state": "off", "reason": line.why_off()}
        url = f"http://127.0.0.1:{settings.port('APURI_PHONE_PORT', 5066)}/health"
        try:
            async with self.session().get(url, timeout=aiohttp.ClientTimeout(total=3)) as resp:
                state = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return {
                "ok": False,
                "state": "off",
                "reason": "the phone line's process does not answer",
            }
        return (
            state
            if isinstance(state, dict) and "state" in state
            else {
                "ok": False,
                "state": "off",
                "reason": "the phone line's process answers nonsense",
            }
        )
