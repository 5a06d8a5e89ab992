"""Talking to Rasa over its REST channel on 127.0.0.1, and asking how the services are."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.privacy import PRIVATE_SLOTS

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
