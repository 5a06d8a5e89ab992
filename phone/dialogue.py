"""One phone call, from the greeting to a person: the place (spoken, or a postal code read
back), the need (spoken, or a key menu) answered by Rasa like any other channel, then a transfer
to the named person or a callback to the caller's own number.

Whatever fails, the caller reaches a human: 0 at any time, after two failed understandings, and
when Rasa, the action server or the database is down. Danger words are answered first.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

import finnish
from bot import privacy
from bot.fallback import general_contact
from bot.intents import ASKING
from core.hours import is_open
from finnish.postal import municipality_of_postal_code
from finnish.spoken import heard_municipality
from gateway.rasa import RasaClient, RasaUnavailable
from phone import texts
from phone.listening import Ears, Turn
from phone.sip import Call
from phone.speech import PhoneVoice
from store.database import StoreUnavailable
from store.directory import Directory
from store.handoff import Handoffs
from store.handoff.outbox import routes

logger = logging.getLogger(__name__)

PEOPLE = "contact_persons"
# The key menu: what each key asks Rasa (worded as a caller would say it, where that finds more)
MENU = {"1": "/find_association", "2": "digitukea", "3": "palveluja", "4": "tapahtumia"}
ANSWERED = {*ASKING, "update_listing", "inform"}  # intents whose answer is a search or a person
RASA_WAIT = 10.0  # seconds for Rasa to take the place before the call goes on
MAX_FAILS = 2  # failed understandings before the human is offered at once
ROUNDS = 3  # questions in one call before goodbye
TRANSFER_WAIT = 30.0  # seconds for the far end to take a transfer
_CALLER = re.compile(r"sips?:([^@;>]+)@")
_HOST = re.compile(r"@([^;>]+)")


class HungUp(Exception):
    """The caller hung up."""


class ToHuman(Exception):
    """The caller pressed 0, or was not understood twice: a human now."""


class Down(Exception):
    """Rasa, the action server or the directory did not answer."""


@dataclass
class Services:
    """What every call shares: the bot, the voice, the stores, where transfers go."""

    rasa: RasaClient
    voice: PhoneVoice
    database_url: str | None = None
    trunk: str = ""  # the trunk's or PBX's domain for transfers to a phone number
    _directory: Directory | None = None
    _handoffs: Handoffs | None = None

    def directory(self) -> Directory:
        """The directory, opened (and migrated) once; an outage is tried again next time."""
        if self._directory is None:
            self._directory = Directory(self.database_url)
        return self._directory

    def handoffs(self) -> Handoffs:
        if self._handoffs is None:
            self._handoffs = Handoffs(engine=self.directory().engine)
        return self._handoffs


def caller_number(remote_uri: str) -> str | None:
    """The caller's number in E.164 from the From header's user part, when it is one."""
    found = _CALLER.search(remote_uri or "")
    return finnish.normalize_phone(found.group(1)) if found else None


def target(person: dict[str, Any], trunk: str) -> str | None:
    """Where a transfer to the person goes: their `sip` field, else their phone at the trunk."""
    if person.get("sip"):
        sip = str(person["sip"])
        return sip if sip.startswith(("sip:", "sips:")) else f"sip:{sip}"
    phone = finnish.normalize_phone(person.get("phone") or "")
    return f"sip:{phone}@{trunk}" if phone and trunk else None


class PhoneCall:
    def __init__(self, call: Call, services: Services) -> None:
        self.call = call
        self.services = services
        self.ears = Ears(call)
        self.sender = f"phone-{secrets.token_hex(8)}"
        self.place: str | None = None
        self.topic: str | None = None
        self.person: dict[str, Any] | None = None
        self.fails = 0
        self.trunk = services.trunk or self._remote_host()

    def _remote_host(self) -> str:
        found = _HOST.search(self.call.contact or self.call.remote or "")
        return found.group(1) if found else ""

    # -- the call -----------------------------------------------------------------------------

    async def run(self) -> None:
        self.call.answer_now()
        for _ in range(250):  # the media are up within a moment of the answer
            if self.call.connected or self.call.ended.is_set():
                break
            await asyncio.sleep(0.02)
        try:
            try:
                if not await self._bot_up():
                    raise Down
                await self.ask_place()
                await self.ask_need()
            except ToHuman:
                await self.human()
            except Down:
                await self.down()
        except HungUp:
            logger.info("the caller hung up")
        finally:
            self._note()

    async def _bot_up(self) -> bool:
        rasa = self.services.rasa
        return await rasa.rasa_ok() and await rasa.actions_ok()

    def _note(self) -> None:
        """The needs report counts calls: place and topic, never words or numbers."""
        if not self.place:
            return
        try:
            self.services.handoffs().note_need(self.place, self.topic, "puhelu")
        except StoreUnavailable as err:
            logger.warning("the call was not counted: %s", err)

    # -- saying and asking ---------------------------------------------------------------------

    async def say(self, text: str, slow: bool = False) -> None:
        """Say it to the end; 0 over it reaches a human, a hang-up ends the call."""
        turn = await self.ears.say(await self.services.voice.speech(text, slow))
        if turn is not None:
            self._check(turn)  # 0 reaches a human; other keys wait for the next question

    def _check(self, turn: Turn) -> None:
        if turn.kind == "ended":
            raise HungUp
        if turn.kind == "keys" and turn.keys == "0":
            raise ToHuman

    async def ask(
        self,
        text: str,
        slow: bool = False,
        max_keys: int = 1,
        end_key: str = "",
        expect: tuple[str, ...] = (),
    ) -> tuple[Turn, str]:
        """The caller's answer: the turn, and the words when they spoke ("" when not
        understood); `expect`, the words a short answer holds, helps the recogniser hear them.
        "toista" or * repeats the question; danger words are answered first."""
        while True:
            pcm = await self.services.voice.speech(text, slow)
            turn = await self.ears.turn(pcm, max_keys=max_keys, end_key=end_key)
            self._check(turn)
            if turn.kind == "keys" and turn.keys.startswith("*"):
                continue
            if turn.kind != "speech":
                return turn, ""
            heard = await self.services.voice.transcribe(turn.pcm, expect)
            words = heard.text if heard else ""
            if words and texts.asks_repeat(words):
                continue
            danger = finnish.safety_intent(words) if words else None
            if danger:
                await self.safety(danger)
                continue
            return turn, words

    async def failed(self, why: str) -> None:
        """One failed understanding; the second reaches a human at once."""
        self.fails += 1
        if self.fails >= MAX_FAILS:
            await self.say(texts.GIVE_UP)
            raise ToHuman
        await self.say(f"{why} {texts.TRY_AGAIN}")

    async def yes(self, text: str) -> bool:
        """A yes-or-no question: 1 or "kyllä" is yes, 2 or "ei" no. An unclear answer is
        never taken for a no: the question is asked again, and a second failure reaches a
        human."""
        while True:
            turn, words = await self.ask(text, expect=texts.YES_NO)
            if turn.kind == "keys":
                said = {"1": True, "2": False}.get(turn.keys)
            else:
                said = texts.says_yes(words) if words else None
            if said is not None:
                return said
            await self.failed(
                texts.NOTHING_HEARD if turn.kind == "silence" else texts.NOT_UNDERSTOOD
            )

    # -- the place ----------------------------------------------------------------------------

    async def ask_place(self) -> None:
        prompt = f"{texts.GREETING} {texts.ASK_PLACE}"
        while self.place is None:
            turn, words = await self.ask(prompt, max_keys=5)
            prompt = texts.ASK_PLACE
            place = None
            if turn.kind == "keys":
                place = municipality_of_postal_code(turn.keys)
                if place is None:
                    await self.failed(texts.UNKNOWN_POSTAL.format(digits=" ".join(turn.keys)))
                    continue
            elif words:
                place = heard_municipality(words)
            if place is None:
                await self.failed(
                    texts.NOTHING_HEARD if turn.kind == "silence" else texts.NOT_UNDERSTOOD
                )
                continue
            if await self.confirm_place(place):
                self.place = place
                self.fails = 0
            else:
                await self.failed("")

    async def confirm_place(self, place: str) -> bool:
        for _ in range(2):
            turn, words = await self.ask(
                texts.CONFIRM_PLACE.format(place=place), expect=(*texts.YES_NO, place)
            )
            if turn.kind == "keys":
                if turn.keys in ("1", "2"):
                    return turn.keys == "1"
                continue
            if words:
                said = texts.says_yes(words)
                if said is not None:
                    return said
                if heard_municipality(words) == place:
                    return True
        return False

    # -- the need -----------------------------------------------------------------------------

    async def ask_need(self) -> None:
        # The place reaches Rasa while the question is being said: the caller hears it at once.
        placed = asyncio.ensure_future(
            self._rasa(self.services.rasa.set_slots(self.sender, {"municipality": self.place}))
        )
        try:
            await self._ask_need(placed)
        finally:  # 0 over the question: the human is found for this place too
            await asyncio.wait([placed], timeout=RASA_WAIT)
            if placed.done():
                placed.exception()  # retrieved; a Down shows where the place is needed
            else:
                placed.cancel()

    async def _ask_need(self, placed: asyncio.Future) -> None:
        prompt = texts.ASK_NEED
        for _ in range(ROUNDS):
            turn, words = await self.ask(prompt)
            prompt = texts.ANYTHING_ELSE
            if turn.kind == "keys" and turn.keys in MENU:
                message = MENU[turn.keys]
            elif words:
                message = privacy.mask_numbers(words)  # no number reaches Rasa's tracker
            else:
                why = texts.NOTHING_HEARD if turn.kind == "silence" else texts.NOT_UNDERSTOOD
                await self.failed(why)
                prompt = texts.ASK_NEED
                continue
            await placed
            if not await self.answer(message, by_key=turn.kind == "keys"):
                await self.failed(texts.NOT_UNDERSTOOD)
                prompt = texts.ASK_NEED
                continue
            self.fails = 0
            if await self.offer():
                return
        await self.say(texts.GOODBYE)

    async def _rasa(self, work: Any) -> Any:
        try:
            return await work
        except RasaUnavailable as err:
            logger.warning("Rasa did not answer: %s", err)
            raise Down from err

    async def answer(self, message: str, by_key: bool = False) -> bool:
        """Ask Rasa; read at most two of the records it found. False when it did not
        understand the need."""
        rasa = self.services.rasa
        answers = await self._rasa(rasa.send(self.sender, message))
        tracker = await self._rasa(rasa.tracker(self.sender))
        intent = ((tracker.get("latest_message") or {}).get("intent") or {}).get("name")
        if intent in finnish.SAFETY_INTENTS:
            await self.safety(intent)
            return True
        if not answers and not await rasa.actions_ok():
            raise Down  # the action server fell over during the call
        if not answers or intent not in ANSWERED:
            return False
        slots = tracker["slots"]
        self.topic = slots.get("topic") or self.topic
        results = (slots.get("last_search") or {}).get("results") or []
        try:
            directory = self.services.directory()
            records = [directory.get(kind, rid) for kind, rid in results if kind != PEOPLE]
            people = [directory.get(kind, rid) for kind, rid in results if kind == PEOPLE]
        except StoreUnavailable as err:
            logger.warning("directory down during a call: %s", err)
            raise Down from err
        records = [r for r in records if r]
        if records:
            await self.say(texts.found(records), slow=True)
        elif not by_key:
            await self.say(texts.NOTHING_FOUND)
        self.person = next((p for p in people if p), None) or await self.named_person()
        return True

    async def named_person(self) -> dict[str, Any] | None:
        """The person Rasa names for this conversation's need and place."""
        rasa = self.services.rasa
        await self._rasa(rasa.send(self.sender, "/request_human"))
        tracker = await self._rasa(rasa.tracker(self.sender))
        results = (tracker["slots"].get("last_search") or {}).get("results") or []
        for kind, rid in results:
            if kind == PEOPLE:
                try:
                    return self.services.directory().get(kind, rid)
                except StoreUnavailable as err:
                    raise Down from err
        return None

    def reachable(self, person: dict[str, Any] | None) -> str | None:
        """Where to put the call through to the person now; None when they take no calls now."""
        if not person or not is_open(person.get("opening_hours")):
            return None
        return target(person, self.trunk)

    async def offer(self) -> bool:
        """Put through, or a callback; True when the call is done."""
        person = self.person or {"id": None, **general_contact()}
        where = self.reachable(self.person)
        await self.say(f"{texts.WHO_HELPS} {texts.person_line(person)}")
        if not await self.yes(texts.offer(person, bool(where))):
            return False
        if where and await self.transfer(where):
            return True
        await self.callback(person)
        return True

    # -- a human ------------------------------------------------------------------------------

    async def human(self) -> None:
        """0 or two failures: the named person when they take calls now, else the general
        contact."""
        if self.person is None and self.place:
            try:
                self.person = await self.named_person()
            except Down:
                self.person = None
        where = self.reachable(self.person)
        contact = general_contact()
        where = where or target(contact, self.trunk)
        if where and await self.transfer(where):
            return
        await self.callback(self.person or {"id": None, **contact})

    async def transfer(self, uri: str) -> bool:
        """A blind transfer (REFER); True when the far end took it."""
        await self.say(texts.TRANSFERRING)
        try:
            self.call.transfer(uri)
        except Exception as err:  # noqa: BLE001 - PJSIP's error type; the caller hears why
            logger.warning("transfer failed: %s", type(err).__name__)
            await self.say(texts.TRANSFER_FAILED)
            return False
        loop = asyncio.get_running_loop()
        end = loop.time() + TRANSFER_WAIT
        while loop.time() < end:
            try:
                kind, value = await asyncio.wait_for(self.call.events.get(), 0.5)
            except asyncio.TimeoutError:
                continue
            if kind == "ended":
                return True
            if kind == "transferred":
                if 200 <= int(value) < 300:
                    self.call.end()
                    return True
                break
        await self.say(texts.TRANSFER_FAILED)
        return False

    async def down(self) -> None:
        """Rasa or the directory is down: the general contact read out, and 0 puts through."""
        contact = general_contact()
        turn, _ = await self._down_turn(contact)
        if turn.kind == "keys" and turn.keys == "0":
            where = target(contact, self.trunk)
            if where and await self.transfer(where):
                return
        await self.say(texts.GOODBYE)

    async def _down_turn(self, contact: dict[str, Any]) -> tuple[Turn, str]:
        pcm = await self.services.voice.speech(texts.down(contact), slow=True)
        turn = await self.ears.turn(pcm)
        if turn.kind == "ended":
            raise HungUp
        return turn, ""

    async def safety(self, danger: str) -> None:
        """112 at once; the crisis line slowly, twice, with an offer to put the call through."""
        if danger == "emergency":
            await self.say(texts.EMERGENCY, slow=True)
            return
        await self.say(texts.CRISIS, slow=True)
        await self.say(texts.CRISIS_AGAIN, slow=True)
        if await self.yes(texts.OFFER_CRISIS):
            where = target({"phone": texts.CRISIS_LINE}, self.trunk)
            if where and await self.transfer(where):
                raise HungUp

    # -- a callback ---------------------------------------------------------------------------

    async def callback(self, person: dict[str, Any]) -> None:
        number = await self.callback_number()
        if number is None:
            await self.say(texts.GOODBYE)
            return
        when = await self.callback_time()
        try:
            self.services.handoffs().create(
                "callback",
                person if person.get("id") else None,
                routes(person),
                municipality=self.place,
                topic=self.topic,
                phone=number,
                preferred_time=when.start.isoformat() if when else None,
                preferred_text=when.text if when else None,
                conversation=self.sender,
            )
        except StoreUnavailable as err:
            logger.warning("a phone callback could not be stored: %s", err)
            contact = general_contact()
            phone = finnish.normalize_phone(contact.get("phone") or "") or ""
            await self.say(
                texts.CALLBACK_UNSAVED.format(
                    number=texts.spoken_number(phone), name=contact.get("name") or ""
                ),
                slow=True,
            )
            return
        first = (person.get("name") or "").split()[0] if person.get("name") else "Neuvoja"
        saved = texts.CALLBACK_SAVED.format(first=first, when=when.text if when else texts.ANY_TIME)
        await self.say(f"{saved} {texts.GOODBYE}", slow=True)

    async def callback_number(self) -> str | None:
        """The caller's number: the caller id read back, or keyed in, confirmed with 1."""
        number = caller_number(self.call.remote)
        for _ in range(3):
            if number:
                prompt = texts.CONFIRM_NUMBER.format(number=texts.spoken_number(number))
            else:
                prompt = texts.ASK_NUMBER
            turn, words = await self.ask(
                prompt, slow=bool(number), max_keys=16, end_key="#", expect=texts.YES_NO
            )
            if number and (turn.keys == "1" or (words and texts.says_yes(words))):
                return number
            if turn.kind == "keys" and len(turn.keys) >= 5:
                keyed = finnish.normalize_phone(turn.keys)
                if keyed:
                    number = keyed
                    continue
                await self.say(texts.BAD_NUMBER)
            elif words and texts.says_yes(words) is False:
                number = None
        return None

    async def callback_time(self) -> finnish.When | None:
        turn, words = await self.ask(texts.ASK_TIME)
        if words:
            return finnish.parse_time(words)
        return None
