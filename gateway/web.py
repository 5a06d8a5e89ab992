"""The web chat's routes: the page, the widget, the accessibility statement, the chat API, the
event stream and the health check (contract §6). Input is validated here, at the edge."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

import finnish
from bot.fallback import general_contact
from gateway import conversations, dialogue, texts
from gateway.hub import EventHub
from gateway.limits import Limits
from gateway.live import LiveRelay
from gateway.pools import Busy
from gateway.rasa import RasaClient
from gateway.speech import Speech, SpeechOff, SpeechTooLong, SpeechUnavailable, Unclear
from gateway.vault import Vault
from voice import audio
from voice.audio import AudioProblem

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 16 * 1024  # bytes of one JSON request; a 2000-character message fits many times
MAX_DEPTH = 20  # nesting of a JSON request: ours are flat; deeper is an attack on the parser
KEEPALIVE = 15.0  # seconds of quiet before the event stream says it is still there
STREAM_IDLE = 15 * 60.0  # an event stream with nothing to say for this long is closed (the
# browser's EventSource opens it again, so a page left open keeps working)
_CONVERSATION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

RASA = web.AppKey("rasa", RasaClient)
HUB = web.AppKey("hub", EventHub)
LIMITS = web.AppKey("limits", Limits)
HEALTH_EXTRA = web.AppKey("health_extra", dict)
VAULT = web.AppKey("vault", Vault)
LIVE = web.AppKey("live", LiveRelay)
SPEECH = web.AppKey("speech", Speech)
SECRET = web.AppKey("secret", bytes)
MAX_SPOKEN = 1500  # characters read aloud at once: the longest answer fits
MAX_CHOICE = 60  # characters of one expected answer sent with a recording
FORM_OVERHEAD = 64 * 1024  # bytes of a multipart form around the audio file


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with Finnish letters as they are (ä, not \u00e4)."""
    return web.json_response(data, status=status, dumps=_dumps)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def error(status: int, message: str) -> web.Response:
    return json_response({"error": message}, status=status)


web_sender = conversations.sender


def _page(name: str) -> str:
    """A page from static/, with the general number filled in (the "Soita ihmiselle" link)."""
    phone = general_contact()["phone"]
    e164 = finnish.normalize_phone(phone) or phone
    html = (STATIC / name).read_text(encoding="utf-8")
    return html.replace("{{PHONE_E164}}", e164).replace(
        "{{PHONE}}", finnish.format_phone_for_speech(e164) if e164.startswith("+") else phone
    )


async def index(request: web.Request) -> web.Response:
    return web.Response(text=_page("index.html"), content_type="text/html", charset="utf-8")


async def statement(request: web.Request) -> web.Response:
    return web.Response(
        text=_page("saavutettavuus.html"), content_type="text/html", charset="utf-8"
    )


async def widget(request: web.Request) -> web.Response:
    return web.Response(
        text=_page("widget.js"),
        content_type="application/javascript",
        charset="utf-8",
        headers={"Access-Control-Allow-Origin": "*"},
    )


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    """The request's JSON object, or the Finnish error response to send instead."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error(413, texts.BODY_TOO_LARGE)
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return error(413, texts.BODY_TOO_LARGE)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return error(400, texts.NOT_UTF8)
    data = parse_json(body)
    if not isinstance(data, dict):
        return error(400, texts.NOT_JSON)
    return data


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')


def parse_json(body: str) -> Any:
    """The JSON value, or None when it is not JSON or nests deeper than MAX_DEPTH (the parser
    would recurse on "[[[[…" until Python gives up)."""
    depth = deepest = 0
    for char in _STRINGS.sub("", body):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return None
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(body)
    except ValueError:
        return None


def _conversation(request: web.Request, value: Any, text: str = "") -> str | web.Response:
    """A conversation id this server made, or the Finnish error to send: 400 for no id or a
    malformed one, 403 for one it did not sign. A refused message with danger words still gets
    112 or the crisis line."""
    if not isinstance(value, str) or not _CONVERSATION.match(value):
        return error(400, texts.BAD_CONVERSATION)
    if conversations.valid(request.app[SECRET], value):
        return value
    body: dict[str, Any] = {"error": texts.FORBIDDEN_CONVERSATION}
    first = dialogue.safety_answer(text) if text else None
    if first is not None:
        body["messages"] = [first]
    return json_response(body, status=403)


async def new_conversation(request: web.Request) -> web.Response:
    """POST /api/conversations: a new id, made and signed here (contract §6)."""
    limits = request.app[LIMITS]
    if not limits.new_conversation.allow(limits.client_of(request)):
        return error(429, texts.TOO_MANY_CONVERSATIONS)
    made = conversations.new(request.app[SECRET])
    return json_response({"conversation": made}, status=201)


async def post_message(request: web.Request) -> web.Response:
    data = await _json_body(request)
    if isinstance(data, web.Response):
        return data
    if not isinstance(data.get("text"), str):
        return error(400, texts.NOT_JSON)
    text = dialogue.clean(data["text"])
    conversation = _conversation(request, data.get("conversation"), text)
    if isinstance(conversation, web.Response):
        return conversation
    wrong = dialogue.problem(text)
    if wrong:
        return error(400, wrong)
    limited = _limited(request, conversation, text)
    if limited is not None:
        return limited
    return json_response({"messages": await _answers(request, conversation, text)})


def _limited(request: web.Request, conversation: str, text: str) -> web.Response | None:
    """None when this conversation and client may send now; otherwise 429, or 112 or the
    crisis line (never withheld) with the request to slow down."""
    limits = request.app[LIMITS]
    if limits.message(web_sender(conversation), limits.client_of(request)):
        return None
    first = dialogue.safety_answer(text)
    if first is not None:
        return json_response({"messages": [first, {"text": texts.SLOW_DOWN, "buttons": []}]})
    return error(429, texts.SLOW_DOWN)


async def _answers(request: web.Request, conversation: str, text: str) -> list[dict[str, Any]]:
    """What the user sees after saying `text`: safety first, then the bot or a person."""
    app = request.app
    return await dialogue.respond(app[RASA], web_sender(conversation), text, app[VAULT], app[LIVE])


async def _audio_body(request: web.Request) -> bytes | web.Response:
    """The uploaded audio, at most MAX_BYTES, or the error to send: the body itself (any
    Content-Type), or the first file of a form upload (multipart/form-data)."""
    status, too_big = texts.VOICE_PROBLEMS["too_big"]
    form = request.content_type.startswith("multipart/")
    if (request.content_length or 0) > audio.MAX_BYTES + (FORM_OVERHEAD if form else 0):
        return error(status, too_big)
    if form:
        return await _form_file(request)
    data = await request.content.read(audio.MAX_BYTES + 1)
    while len(data) <= audio.MAX_BYTES and not request.content.at_eof():
        more = await request.content.read(audio.MAX_BYTES + 1 - len(data))
        if not more:
            break
        data += more
    if len(data) > audio.MAX_BYTES:
        return error(status, too_big)
    return data


async def _form_file(request: web.Request) -> bytes | web.Response:
    """The first file in a form upload ("curl -F audio=@kysymys.wav")."""
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or not (
                part.filename or part.name in ("audio", "file", "voice")
            ):
                continue
            data = bytearray()
            while chunk := await part.read_chunk(1 << 16):
                data += chunk
                if len(data) > audio.MAX_BYTES:
                    return error(*texts.VOICE_PROBLEMS["too_big"])
            return bytes(data)
    except (ValueError, AssertionError, RuntimeError, HttpProcessingError):  # a broken form
        return error(*texts.VOICE_PROBLEMS["not_audio"])
    return b""


def voice_error(problem: AudioProblem) -> web.Response:
    status, message = texts.VOICE_PROBLEMS[problem.kind]
    body: dict[str, Any] = {"error": message}
    if isinstance(problem, Unclear):  # what was heard, so the page can offer it for editing
        body |= {"transcript": problem.heard.text, "confidence": problem.heard.confidence}
    return json_response(body, status=status)


def _choices(request: web.Request) -> list[str]:
    """`choice=` parameters: the titles of the buttons the user sees, the likely answers."""
    return [c[:MAX_CHOICE] for c in request.query.getall("choice", []) if c.strip()][:12]


async def post_voice(request: web.Request) -> web.Response:
    """Spoken question in, the transcript and the bot's answers out (contract §6)."""
    conversation = _conversation(request, request.query.get("conversation"))
    if isinstance(conversation, web.Response):
        return conversation
    limits = request.app[LIMITS]
    if not limits.message(web_sender(conversation), limits.client_of(request)):
        return error(429, texts.SLOW_DOWN)
    data = await _audio_body(request)
    if isinstance(data, web.Response):
        return data
    try:
        heard = await request.app[SPEECH].transcribe(data, _choices(request))
    except SpeechOff:
        return error(503, texts.VOICE_OFF)
    except AudioProblem as problem:
        return voice_error(problem)
    text = dialogue.clean(heard.text)[: dialogue.MAX_TEXT]
    messages = await _answers(request, conversation, text)
    return json_response({"transcript": text, "confidence": heard.confidence, "messages": messages})


async def post_speech(request: web.Request) -> web.Response:
    """Text in, Finnish speech out as a 16-bit PCM WAV: at most MAX_SPOKEN characters, one
    synthesis at a time with a few waiting (more get 503 at once)."""
    data = await _json_body(request)
    if isinstance(data, web.Response):
        return data
    text, slow = data.get("text"), data.get("slow", False)
    if not isinstance(text, str) or not isinstance(slow, bool):
        return error(400, texts.SPEECH_BAD.format(limit=MAX_SPOKEN))
    text = dialogue.clean(text)
    if not text or len(text) > MAX_SPOKEN:
        return error(400, texts.SPEECH_BAD.format(limit=MAX_SPOKEN))
    limits = request.app[LIMITS]
    if not limits.client.allow(limits.client_of(request)):
        return error(429, texts.SLOW_DOWN)
    try:
        wav = await request.app[SPEECH].synthesize(text, slow)
    except SpeechTooLong:  # short text that grows long when read (digits spelled out)
        return error(413, texts.SPEECH_TOO_LONG)
    except Busy:
        return error(503, texts.SPEECH_BUSY)
    except SpeechUnavailable as err:
        logger.warning("speech output failed: %s", type(err).__name__)
        return error(503, texts.SPEECH_OFF)
    return web.Response(body=wav, content_type="audio/wav", headers={"Cache-Control": "no-store"})


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: what reaches this conversation later (a human's reply). A few
    streams per conversation and per client, a cap in all, and closed when idle."""
    conversation = _conversation(request, request.query.get("conversation"))
    if isinstance(conversation, web.Response):
        return conversation
    limits = request.app[LIMITS]
    client = limits.client_of(request)
    sender = web_sender(conversation)
    if not limits.streams.open(sender, client):
        return error(429, texts.TOO_MANY_STREAMS)
    try:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
                "Access-Control-Allow-Origin": "*",
            }
        )
        await response.prepare(request)
        await response.write(b": yhteys auki\n\n")
        quiet = 0.0
        async for event in request.app[HUB].listen(sender, KEEPALIVE):
            if event is None:
                quiet += KEEPALIVE
                if quiet >= STREAM_IDLE:
                    break
                await response.write(b": odotan\n\n")
            else:
                quiet = 0.0
                data = json.dumps(event, ensure_ascii=False)
                await response.write(f"data: {data}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        limits.streams.close(sender, client)
    return response


async def health(request: web.Request) -> web.Response:
    """200 always, with the state of each part; "status" is "ok" when all needed parts are."""
    rasa: RasaClient = request.app[RASA]
    rasa_ok, actions_ok, database, phone = await asyncio.gather(
        rasa.rasa_ok(), rasa.actions_ok(), asyncio.to_thread(_database_state), rasa.phone_state()
    )
    parts: dict[str, Any] = {
        "rasa": {"ok": rasa_ok},
        "actions": {"ok": actions_ok},
        "database": database,
        **{name: check() for name, check in request.app[HEALTH_EXTRA].items()},
        "phone": phone,
    }
    needed = ("rasa", "actions", "database")
    status = "ok" if all(parts[p]["ok"] for p in needed) else "degraded"
    return json_response({"status": status, **parts})


@functools.lru_cache(maxsize=1)
def _directory() -> Any:
    from store.directory import Directory

    return Directory()  # migrates once; a failure is not cached, so it is tried again


def _database_state() -> dict[str, Any]:
    try:
        empty = _directory().is_empty()
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable"; say which
        return {"ok": False, "error": type(err).__name__}
    return {"ok": True, "empty": empty}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/widget.js", widget)
    app.router.add_get("/saavutettavuus", statement)
    app.router.add_static("/static/", STATIC, append_version=True)
    app.router.add_post("/api/conversations", new_conversation)
    app.router.add_post("/api/messages", post_message)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/voice", post_voice)
    app.router.add_post("/api/speech", post_speech)
    app.router.add_get("/health", health)
