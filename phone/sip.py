"""A SIP user agent on PJSIP (pjsua2), driven from one asyncio loop.

PJSIP's own work happens in this loop's thread: the library runs without worker threads and the
loop polls it every few milliseconds, so every callback (an incoming call, a key, a hang-up)
lands here and is handed to the call's queue. Only audio frames come from the media clock's
thread: they pass through `AudioPipe`'s two buffers, nothing else.

Used by the phone line (`phone.line`) and by the test and bench callers, which are the same
kind of agent calling the other way.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
import threading
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pjsua2 as pj

logger = logging.getLogger(__name__)

RATE = 16000  # the calls' audio reaches Apuri as 16 kHz PCM (the bridge resamples G.711's 8 kHz)
FRAME_MS = 20
FRAME_BYTES = RATE * FRAME_MS // 1000 * 2
POLL = 0.005  # seconds between polls of PJSIP's events
CODECS = ("PCMU/8000", "PCMA/8000")  # G.711 only: what every trunk and PBX speaks
DTMF_KEYS = set("0123456789*#")
# Calls at once in one process. The pjsua2-python wheel is built with PJSUA_MAX_CALLS = 4 (asking
# for more changes nothing, tests/test_phone.py shows it); a fifth caller hears busy (486).
MAX_CALLS = 4


@dataclass(frozen=True)
class AgentConfig:
    """Where the agent listens and, optionally, the account it registers."""

    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    uri: str = ""  # "sip:apuri@pbx.example.fi"; empty: a local account on host:port
    registrar: str = ""  # "sip:pbx.example.fi"
    password: str = ""
    user_agent: str = "Apuri"
    log_level: int = 1  # PJSIP's own log: errors only


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class _LogWriter(pj.LogWriter):
    """PJSIP's own log through Python's logging, where numbers are masked like every log."""

    def write(self, entry: pj.LogEntry) -> None:
        if entry.msg.strip():
            logger.warning("PJSIP: %s", entry.msg.strip())


class AudioPipe(pj.AudioMediaPort):
    """A port of PJSIP's audio bridge: frames heard are kept for the call, frames to say are
    taken from a buffer (silence when it is empty). Thread-safe: the media clock calls it."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._heard: deque[bytes] = deque(maxlen=50 * 60)  # at most a minute not yet read
        self._say = bytearray()
        self._silence = pj.ByteVector(bytes(FRAME_BYTES))

    def open(self, name: str) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = RATE
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = FRAME_MS * 1000
        self.createPort(name, fmt)

    # -- the media clock's side ----------------------------------------------------------------

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:  # noqa: N802 - PJSIP's name
        with self._lock:
            chunk = bytes(self._say[:FRAME_BYTES])
            del self._say[:FRAME_BYTES]
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        if chunk:
            frame.buf = pj.ByteVector(chunk.ljust(FRAME_BYTES, b"\0"))
        else:
            frame.buf = self._silence
        frame.size = FRAME_BYTES

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:  # noqa: N802 - PJSIP's name
        if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
            data = bytes(frame.buf)
            with self._lock:
                self._heard.append(data)

    # -- the call's side -----------------------------------------------------------------------

    def say(self, pcm: bytes) -> None:
        """Queue 16 kHz PCM to be sent after what is already queued."""
        with self._lock:
            self._say += pcm

    def hush(self) -> None:
        """Stop saying anything (barge-in): what was queued is dropped."""
        with self._lock:
            self._say.clear()

    def saying(self) -> float:
        """Seconds of queued speech still to be sent."""
        with self._lock:
            return len(self._say) / (RATE * 2)

    def heard(self) -> bytes:
        """The PCM heard since the last call."""
        with self._lock:
            frames = list(self._heard)
            self._heard.clear()
        return b"".join(frames)


class Call(pj.Call):
    """One call: its events (keys, state, transfer results) go to an asyncio queue."""

    def __init__(self, agent: Agent, account: pj.Account, call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.agent = agent
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.pipe = AudioPipe()
        self.pipe.open(f"call{id(self) % 100000}")
        self.connected = False
        self.ended = asyncio.Event()
        self.remote = ""
        self.contact = ""  # where the far end's SIP comes from: a trunk's host and port
        self.confirmed = asyncio.Event()

    def onCallState(self, prm: pj.OnCallStateParam) -> None:  # noqa: N802
        info = self.getInfo()
        self.remote = info.remoteUri
        self.contact = info.remoteContact or self.contact
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed.set()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.events.put_nowait(("ended", info.lastStatusCode))
            self.ended.set()
            self.confirmed.set()  # nobody waits for an answer that will not come
            self.agent.forget(self)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:  # noqa: N802
        info = self.getInfo()  # kept in a variable while its media are read
        for media in info.media:
            if (
                media.type == pj.PJMEDIA_TYPE_AUDIO
                and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE
                and not self.connected
            ):
                audio = self.getAudioMedia(media.index)
                audio.startTransmit(self.pipe)
                self.pipe.startTransmit(audio)
                self.connected = True
                self.events.put_nowait(("media", None))

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:  # noqa: N802
        digit = str(prm.digit)[:1]
        if digit in DTMF_KEYS:
            self.events.put_nowait(("key", digit))

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:  # noqa: N802
        if prm.finalNotify:
            self.events.put_nowait(("transferred", prm.statusCode))

    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:  # noqa: N802
        self.events.put_nowait(("refer", prm.dstUri))
        prm.statusCode = self.agent.accept_transfers

    # -- asked by the call's task --------------------------------------------------------------

    def answer_now(self) -> None:
        op = pj.CallOpParam()
        op.statusCode = 200
        self.answer(op)

    def ring(self) -> None:
        op = pj.CallOpParam()
        op.statusCode = 180
        self.answer(op)

    def end(self, status: int = 0) -> None:
        """Hang up; `status` refuses a call not yet answered (486: busy)."""
        if not self.ended.is_set():
            op = pj.CallOpParam(True)
            if status:
                op.statusCode = status
            with contextlib.suppress(pj.Error):
                self.hangup(op)

    def transfer(self, uri: str) -> None:
        """A blind transfer: SIP REFER to `uri`."""
        self.xfer(uri, pj.CallOpParam(True))

    def keys(self, digits: str, info: bool = False) -> None:
        """Send keys as RFC 4733 events, or as SIP INFO."""
        if not info:
            self.dialDtmf(digits)
            return
        prm = pj.CallSendDtmfParam()
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
        prm.digits = digits
        self.sendDtmf(prm)


class _Account(pj.Account):
    def __init__(self, agent: Agent) -> None:
        super().__init__()
        self.agent = agent

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:  # noqa: N802
        call = Call(self.agent, self, prm.callId)
        self.agent.incoming(call)

    def onRegState(self, prm: pj.OnRegStateParam) -> None:  # noqa: N802
        self.agent.registration = (prm.code, prm.reason, prm.expiration)
        logger.info("registration: %s %s", prm.code, prm.reason)


class Agent:
    """PJSIP's one endpoint in this process: a transport, an account, the calls."""

    def __init__(
        self,
        config: AgentConfig,
        on_call: Callable[[Call], Awaitable[None]] | None = None,
    ) -> None:
        self.config = config
        self.on_call = on_call
        self.ep: pj.Endpoint | None = None
        self.account: _Account | None = None
        self.port = 0
        self.calls: set[Call] = set()
        self._every_call: weakref.WeakSet[Call] = weakref.WeakSet()
        self.tasks: set[asyncio.Task] = set()
        self.registration: tuple[int, str, int] | None = None
        self.accept_transfers = 202
        self._poller: asyncio.Task | None = None

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> None:
        ep = pj.Endpoint()
        with _quiet_stdout():  # PJSIP greets on stdout before its log level can be set
            ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.maxCalls = MAX_CALLS
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.userAgent = self.config.user_agent
        self._log_writer = _LogWriter()  # kept: PJSIP holds only a pointer to it
        cfg.logConfig.writer = self._log_writer
        cfg.logConfig.level = self.config.log_level
        cfg.logConfig.consoleLevel = self.config.log_level
        cfg.logConfig.decor = 0
        cfg.medConfig.clockRate = RATE
        cfg.medConfig.sndClockRate = RATE
        cfg.medConfig.ecTailLen = 0  # no echo canceller: the far end is a phone network
        cfg.medConfig.noVad = True
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()
        transport = pj.TransportConfig()
        transport.port = self.config.port
        transport.boundAddress = self.config.host
        transport.publicAddress = self.config.host
        udp = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.port = ep.transportGetInfo(udp).localName.rsplit(":", 1)[1]
        self.port = int(self.port)
        with contextlib.suppress(pj.Error):  # TCP on the same port, when it is free
            tcp = pj.TransportConfig()
            tcp.port = self.port
            tcp.boundAddress = self.config.host
            tcp.publicAddress = self.config.host
            ep.transportCreate(pj.PJSIP_TRANSPORT_TCP, tcp)
        ep.libStart()
        for codec in ep.codecEnum2():
            ep.codecSetPriority(codec.codecId, 0)
        for rank, codec in enumerate(CODECS):
            ep.codecSetPriority(codec, 255 - rank)
        self.ep = ep
        # the null sound device clocks the bridge only while something is connected to it
        ep.audDevManager().getCaptureDevMedia().startTransmit(
            ep.audDevManager().getPlaybackDevMedia()
        )
        self.account = _Account(self)
        self.account.create(self._account_config())
        self._poller = asyncio.get_running_loop().create_task(self._poll())

    def _account_config(self) -> pj.AccountConfig:
        acfg = pj.AccountConfig()
        acfg.idUri = self.config.uri or f"sip:apuri@{self.config.host}:{self.port}"
        if self.config.registrar:
            acfg.regConfig.registrarUri = self.config.registrar
            user = acfg.idUri.split(":", 1)[1].split("@", 1)[0]
            acfg.sipConfig.authCreds.append(
                pj.AuthCredInfo("digest", "*", user, 0, self.config.password)
            )
        acfg.mediaConfig.transportConfig.boundAddress = self.config.host
        acfg.mediaConfig.transportConfig.publicAddress = self.config.host
        acfg.mediaConfig.transportConfig.port = 0
        return acfg

    async def _poll(self) -> None:
        while True:
            try:
                self.ep.libHandleEvents(0)
            except pj.Error as err:  # one bad message must not stop the line
                logger.warning("PJSIP: %s", err.info())
            await asyncio.sleep(POLL)

    async def stop(self) -> None:
        for call in list(self.calls):
            call.end()
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        for _ in range(20):  # let the BYEs go out
            self.ep.libHandleEvents(10)
            await asyncio.sleep(0)
        if self._poller is not None:
            self._poller.cancel()
        self.calls.clear()
        self.account = None
        gc.collect()  # PJSIP's objects go before the library: a late callback would find none
        for call in list(self._every_call):  # still held somewhere: PJSIP frees them itself
            call.thisown = 0
            call.pipe.thisown = 0
        self.ep.libDestroy()
        self.ep = None

    # -- calls ----------------------------------------------------------------------------------

    def incoming(self, call: Call) -> None:
        self.calls.add(call)
        self._every_call.add(call)
        if self.on_call is None:
            call.end()
            return
        task = asyncio.get_running_loop().create_task(self._run_call(call))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run_call(self, call: Call) -> None:
        try:
            await self.on_call(call)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - one call's bug ends that call, never the line
            logger.exception("a call failed")
        finally:
            call.end()

    def forget(self, call: Call) -> None:
        self.calls.discard(call)

    def call(self, uri: str) -> Call:
        """Place a call to `uri`."""
        call = Call(self, self.account)
        self.calls.add(call)
        self._every_call.add(call)
        call.makeCall(uri, pj.CallOpParam(True))
        return call

    def state(self) -> dict[str, Any]:
        """The line's state for /health."""
        if self.config.registrar:
            code = self.registration[0] if self.registration else 0
            if code // 100 == 2 and self.registration and self.registration[2] > 0:
                return {"ok": True, "state": "registered"}
            reason = (
                f"the registrar answered {self.registration[0]} {self.registration[1]}"
                if self.registration
                else "registering"
            )
            return {"ok": False, "state": "off", "reason": reason}
        return {"ok": True, "state": "listening", "port": self.port}
