"""The phone line's process (`python -m phone`): a SIP agent that answers calls, a small health
endpoint on 127.0.0.1 for the supervisor and the gateway's /health, and one task per call.

A process of its own: a crash ends the calls in progress, never the chat; the supervisor
starts it again. It keeps no state between calls: callbacks go to the shared database.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.privacy import keep_logs_clean
from core import settings
from gateway.rasa import RasaClient
from phone import texts
from phone.dialogue import PhoneCall, Services
from phone.sip import Agent, AgentConfig, Call
from phone.speech import PhoneVoice

logger = logging.getLogger("phone")

HEALTH_PORT = 5066  # APURI_PHONE_PORT: the line's own health endpoint, on 127.0.0.1
SLOW = (texts.GREETING, texts.EMERGENCY, texts.CRISIS, texts.CRISIS_AGAIN)


class Line:
    def __init__(self) -> None:
        self.settings = settings.phone_line()
        rasa_port = settings.port("APURI_RASA_PORT", 5005)
        actions_port = settings.port("APURI_ACTIONS_PORT", 5055)
        self.rasa = RasaClient(
            f"http://127.0.0.1:{rasa_port}",
            f"http://127.0.0.1:{actions_port}",
            settings.rasa_token(),
        )
        self.voice = PhoneVoice()
        self.services = Services(self.rasa, self.voice, None, self.settings.trunk())
        self.agent: Agent | None = None
        self.reason = "starting"

    async def start(self) -> None:
        await self.voice.start(texts.PROMPTS, slow=SLOW)
        line = self.settings
        self.agent = Agent(
            AgentConfig(
                host=line.host,
                port=line.port,
                uri=line.uri,
                registrar=line.registrar,
                password=line.password,
            ),
            self.answer,
        )
        try:
            self.agent.start()
        except Exception as err:  # noqa: BLE001 - PJSIP's error: /health says why
            info = err.info() if hasattr(err, "info") else str(err)
            self.reason = f"SIP did not start on {line.host}:{line.port}: {info}"
            logger.error("%s", self.reason)
            self.agent = None
            return
        self.reason = ""
        logger.info("phone line on %s:%s", line.host, self.agent.port)

    async def answer(self, call: Call) -> None:
        await PhoneCall(call, self.services).run()

    def health(self) -> dict:
        if self.agent is None:
            return {"ok": False, "state": "off", "reason": self.reason}
        state = self.agent.state()
        state["calls"] = len(self.agent.calls)
        state["speech"] = self.voice.stt is not None
        if not state["speech"]:
            state["speech_reason"] = self.voice.reason
        return state

    async def stop(self) -> None:
        if self.agent is not None:
            await self.agent.stop()
        self.voice.stop()
        await self.rasa.close()


async def serve() -> None:
    line = Line()
    app = web.Application()

    async def health(request: web.Request) -> web.Response:
        """503 while the prompts are synthesised and SIP starts; then 200 with the state."""
        state = line.health()
        return web.json_response(state, status=503 if line.reason == "starting" else 200)

    app.router.add_get("/health", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port("APURI_PHONE_PORT", HEALTH_PORT)).start()
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    try:
        await line.start()
        await stopped.wait()
    finally:
        await line.stop()
        await runner.cleanup()


def main() -> None:
    keep_logs_clean()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not settings.phone_line().on:
        raise SystemExit("apuri: the phone line is off: set APURI_SIP_PORT or APURI_SIP_URI")
    asyncio.run(serve())
