"""Speaking and listening on one call: a prompt is played while keys and speech are listened
for (barge-in stops the prompt), and the caller's turn ends at a pause, a key, or a time-out.

Speech is found by loudness against the line's own noise floor: G.711 from a phone carries
little else. No state lives outside the call.
"""

from __future__ import annotations

import asyncio
import audioop
import time
from dataclasses import dataclass

from phone.sip import FRAME_BYTES, RATE, Call

FRAME = FRAME_BYTES / (RATE * 2)  # seconds in one frame
MIN_RMS = 450  # the quietest a frame of speech may be
FLOOR_TIMES = 3.0  # speech stands this far above the line's noise floor
START_FRAMES = 4  # loud frames among the last six that start speech (80 ms)
END_QUIET = 0.8  # seconds of quiet that end the caller's turn
MIN_SPEECH = 0.25  # seconds: shorter is a click, not a word
MAX_SPEECH = 12.0  # seconds of one turn at most
PRE_ROLL = 10  # frames kept from before speech started (the word's first sound)
SILENCE = 8.0  # seconds of nothing after a prompt before the caller is prompted again
NEXT_KEY = 3.0  # seconds to wait for the next key of a number


@dataclass(frozen=True)
class Turn:
    """What the caller did: pressed keys, spoke (16 kHz PCM), stayed silent, or hung up."""

    kind: str  # "keys" | "speech" | "silence" | "ended"
    keys: str = ""
    pcm: bytes = b""
    ended_at: float = 0.0  # time.monotonic() when the caller's turn ended


class Ears:
    """Plays and listens on one call."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.floor = 100.0
        self.recent: list[bool] = []
        self.before: list[bytes] = []
        self.speech = bytearray()
        self.quiet = 0.0
        self.keys = ""
        self.key_at = 0.0
        self.ahead = ""  # keys pressed over something that asked nothing: for the next question

    def _reset(self) -> None:
        self.recent.clear()
        self.before.clear()
        self.speech.clear()
        self.quiet = 0.0
        self.keys, self.ahead = self.ahead, ""
        self.key_at = time.monotonic()
        self.call.pipe.heard()  # what came before this turn is not part of it

    def _frames(self) -> list[bytes]:
        pcm = self.call.pipe.heard()
        return [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)]

    def _listen(self) -> Turn | None:
        """One step: new frames and events; a finished turn, or None."""
        for frame in self._frames():
            level = audioop.rms(frame, 2)
            loud = level > max(MIN_RMS, self.floor * FLOOR_TIMES)
            if not loud and not self.speech:
                self.floor = 0.95 * self.floor + 0.05 * max(level, 30)
            self.recent = [*self.recent[-5:], loud]
            if self.speech:
                self.speech += frame
                self.quiet = 0.0 if loud else self.quiet + FRAME
                long = len(self.speech) / (RATE * 2)
                if self.quiet >= END_QUIET or long >= MAX_SPEECH:
                    said = long - self.quiet
                    if said >= MIN_SPEECH:
                        return Turn("speech", pcm=bytes(self.speech), ended_at=time.monotonic())
                    self.speech.clear()
            elif sum(self.recent) >= START_FRAMES:
                self.speech += b"".join(self.before[-PRE_ROLL:]) + frame
                self.call.pipe.hush()  # barge-in: the caller talks over the prompt
            else:
                self.before = [*self.before[-PRE_ROLL:], frame]
        while not self.call.events.empty():
            kind, value = self.call.events.get_nowait()
            if kind == "ended":
                return Turn("ended")
            if kind == "key":
                self.call.pipe.hush()
                self.keys += value
                self.key_at = time.monotonic()
        return None

    async def turn(
        self,
        text_pcm: bytes = b"",
        max_keys: int = 1,
        end_key: str = "",
        wait: float = SILENCE,
    ) -> Turn:
        """Play `text_pcm`, then listen: keys (up to `max_keys`, or until `end_key`), speech
        to its pause, or silence for `wait` seconds after the prompt."""
        self._reset()
        if text_pcm and not self.keys:  # keyed ahead: the caller knows the question
            self.call.pipe.say(text_pcm)
        spoke_until = time.monotonic() + self.call.pipe.saying()
        while True:
            await asyncio.sleep(FRAME)
            if self.call.ended.is_set():
                return Turn("ended")
            done = self._listen()
            if done is not None:
                return done
            now = time.monotonic()
            if self.call.pipe.saying() > 0:
                spoke_until = now + self.call.pipe.saying()
            if self.keys:
                if (
                    len(self.keys) >= max_keys
                    or (end_key and self.keys.endswith(end_key))
                    or now - self.key_at > NEXT_KEY
                ):
                    return Turn("keys", keys=self.keys.removesuffix(end_key or "\0"), ended_at=now)
            elif not self.speech and now - spoke_until > wait:
                return Turn("silence", ended_at=now)

    async def say(self, text_pcm: bytes) -> Turn | None:
        """Play a prompt to its end; a key or speech over it is returned (barge-in). Keys
        are kept for the next question too (a caller who knows the menu presses ahead)."""
        turn = await self.turn(text_pcm, max_keys=16, wait=0.0)
        if turn.kind == "keys" and turn.keys != "0":  # 0 is not an answer: a human, now
            self.ahead = turn.keys
        return None if turn.kind == "silence" else turn
