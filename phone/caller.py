"""A scripted caller: calls a SIP address, listens, presses keys, plays recorded speech, and
writes down what it heard. The tests and the phone bench place their calls with it; from a
terminal it tries a running line:

    python -m phone.caller sip:apuri@127.0.0.1:5070 --keys 70100 --keys 1 --keys 2

Each of Apuri's utterances (speech followed by a pause) is kept as 16 kHz PCM; the result also
says whether the call was transferred (the REFER's target) and how it ended. A second mode,
`--answer`, plays the person a transfer reaches: it answers every call and reports it.
"""

from __future__ import annotations

import argparse
import asyncio
import audioop
import json
import os
import random
import socket
import subprocess
import sys
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phone.sip import FRAME_BYTES, RATE, Agent, AgentConfig, Call

SPEECH_RMS = 300  # a frame louder than this is speech (Apuri's prompts are far louder)
PAUSE = 1.3  # seconds of quiet that end one of Apuri's utterances
FIRST_WORD = 20.0  # seconds to wait for Apuri to start speaking


@dataclass
class Heard:
    """What a call brought: Apuri's utterances, the keys of the script, the transfer."""

    utterances: list[bytes] = field(default_factory=list)
    refer: str | None = None
    ended: int | None = None
    events: list[str] = field(default_factory=list)
    waited: list[float] = field(default_factory=list)  # seconds from our turn to Apuri's voice

    def as_json(self, folder: Path | None = None) -> dict[str, Any]:
        files = []
        for n, pcm in enumerate(self.utterances):
            if folder is not None:
                path = folder / f"utterance-{n + 1}.wav"
                write_wav(path, pcm)
                files.append(str(path))
        return {
            "utterances": files or [round(len(p) / (RATE * 2), 2) for p in self.utterances],
            "refer": self.refer,
            "ended": self.ended,
            "events": self.events,
            "waited": [round(w, 2) for w in self.waited],
        }


def write_wav(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm)


class Listener:
    """Collects the far end's audio into utterances, and notes the call's events."""

    def __init__(self, call: Call, heard: Heard) -> None:
        self.call = call
        self.heard = heard
        self.current = bytearray()
        self.quiet = 0.0
        self.last_voice = 0.0

    def drain(self) -> None:
        pcm = self.call.pipe.heard()
        for start in range(0, len(pcm), FRAME_BYTES):
            frame = pcm[start : start + FRAME_BYTES]
            loud = audioop.rms(frame, 2) > SPEECH_RMS
            if loud:
                self.current += frame
                self.quiet = 0.0
                self.last_voice = time.monotonic()
            elif self.current:
                self.current += frame
                self.quiet += len(frame) / (RATE * 2)
                if self.quiet >= PAUSE:
                    self.heard.utterances.append(bytes(self.current))
                    self.current.clear()
        while not self.call.events.empty():
            kind, value = self.call.events.get_nowait()
            if kind == "refer":
                self.heard.refer = value
            elif kind == "ended":
                self.heard.ended = value
            self.heard.events.append(f"{kind} {value}")

    def finish(self) -> None:
        if self.current:
            self.heard.utterances.append(bytes(self.current))
            self.current.clear()

    async def until_said(self, timeout: float = FIRST_WORD) -> bool:
        """Wait until Apuri has said something new and paused; False when the call ended or
        nothing came."""
        count = len(self.heard.utterances)
        started = time.monotonic()
        first: float | None = None
        while time.monotonic() - started < timeout + 60:
            await asyncio.sleep(0.02)
            self.drain()
            if first is None and self.current:
                first = time.monotonic()
                self.heard.waited.append(first - started)
            if len(self.heard.utterances) > count:
                return True
            if self.call.ended.is_set():
                self.finish()
                return len(self.heard.utterances) > count
            if first is None and time.monotonic() - started > timeout:
                return False
        return False


async def place_call(
    target: str, steps: list[dict[str, Any]], caller_id: str = "", timeout: float = 120.0
) -> Heard:
    """Call `target` and run the steps: {"listen": true}, {"keys": "33100"}, {"keys": "1",
    "info": true}, {"say": pcm16k bytes}, {"wait": seconds}, {"garbage": datagrams},
    {"hangup": true}."""
    agent = Agent(AgentConfig(uri=caller_id, user_agent="Apuri test caller"))
    agent.start()
    heard = Heard()
    try:
        call = agent.call(target)
        await asyncio.wait_for(call.confirmed.wait(), 30)
        listener = Listener(call, heard)
        await asyncio.wait_for(_run(call, listener, steps), timeout)
        listener.finish()
    except asyncio.TimeoutError:
        heard.events.append("timeout")
    finally:
        await agent.stop()
    return heard


async def _run(call: Call, listener: Listener, steps: list[dict[str, Any]]) -> None:
    for step in steps:
        if call.ended.is_set():
            break
        if step.get("listen"):
            await listener.until_said(step.get("timeout", FIRST_WORD))
        elif "keys" in step:
            for key in step["keys"]:
                call.keys(key, info=bool(step.get("info")))
                await asyncio.sleep(0.25)
        elif "say" in step:
            call.pipe.say(step["say"])
            while call.pipe.saying() > 0 and not call.ended.is_set():
                await asyncio.sleep(0.02)
                listener.drain()
        elif "wait" in step:
            end = time.monotonic() + step["wait"]
            while time.monotonic() < end and not call.ended.is_set():
                await asyncio.sleep(0.02)
                listener.drain()
        elif "garbage" in step:  # datagrams that are not RTP, to the line's audio port
            host, port = call.getStreamInfo(0).remoteRtpAddress.rsplit(":", 1)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                for _ in range(step["garbage"]):
                    sock.sendto(os.urandom(random.randint(1, 1400)), (host, int(port)))
            listener.drain()
        elif step.get("hangup"):
            call.end()
            await asyncio.sleep(0.3)
    end = time.monotonic() + 2.0  # what follows the last step: a transfer, a goodbye
    while time.monotonic() < end and not call.ended.is_set():
        await asyncio.sleep(0.02)
        listener.drain()
    listener.drain()


async def answer_calls(port: int, seconds: float, report: Any) -> None:
    """Play the person a transfer reaches: answer each call, say who called, hang up later."""

    async def on_call(call: Call) -> None:
        info = call.getInfo()
        print(json.dumps({"call": info.remoteUri, "to": info.localUri}), file=report, flush=True)
        call.answer_now()
        await asyncio.sleep(2.0)

    agent = Agent(AgentConfig(port=port, user_agent="Apuri test person"), on_call)
    agent.start()
    print(json.dumps({"listening": agent.port}), file=report, flush=True)
    try:
        await asyncio.sleep(seconds)
    finally:
        await agent.stop()


class Answerer:
    """`python -m phone.caller --answer PORT` in a process of its own, for tests and the
    bench: the person (or persons, one user part each) a transfer reaches. Each call it
    answers is a line in `report` (JSON: who called, as whom)."""

    def __init__(self, report: Path, seconds: float = 1800.0) -> None:
        self.port = free_udp_port()
        self.report = report
        self._out = report.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "phone.caller", "--answer", str(self.port)]
            + ["--seconds", str(seconds)],
            cwd=Path(__file__).resolve().parent.parent,
            stdout=self._out,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not self.lines() and time.monotonic() < deadline:
            time.sleep(0.1)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def lines(self) -> list[dict[str, Any]]:
        text = self.report.read_text() if self.report.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def calls(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if "call" in line]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._out.close()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m phone.caller", description=__doc__)
    parser.add_argument("target", nargs="?", help="sip:apuri@127.0.0.1:5070")
    parser.add_argument("--keys", action="append", default=[], help="keys to press, in turns")
    parser.add_argument("--say", action="append", default=[], help="an audio file to play")
    parser.add_argument("--from", dest="caller_id", default="", help="sip:+358401234567@host")
    parser.add_argument("--save", type=Path, help="a folder for what Apuri said, as WAV files")
    parser.add_argument("--answer", type=int, help="answer calls on this port instead")
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args(argv)
    if args.answer is not None:
        asyncio.run(answer_calls(args.answer, args.seconds, sys.stdout))
        return 0
    if not args.target:
        parser.error("give the address to call, or --answer PORT")
    from voice.audio import to_pcm16k

    steps: list[dict[str, Any]] = [{"listen": True}]
    for keys in args.keys:
        steps += [{"keys": keys}, {"listen": True}]
    for path in args.say:
        steps += [{"say": to_pcm16k(Path(path).read_bytes())}, {"listen": True}]
    heard = asyncio.run(place_call(args.target, steps, args.caller_id))
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    print(json.dumps(heard.as_json(args.save), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
