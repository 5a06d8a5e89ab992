"""The Telegram bot (python-telegram-bot 22), running inside the gateway's event loop.

Long polling when TELEGRAM_WEBHOOK_URL is unset; otherwise Telegram posts updates to
`/telegram/webhook`, which checks the secret token. TELEGRAM_API_URL points the bot at another
Bot API server (a local one, or a test fake). When the Bot API cannot be reached the gateway
serves the web chat anyway and the bot keeps trying, with back-off.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
from typing import Any

from aiohttp import web
from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from gateway import dialogue, texts
from gateway.addresses import TelegramSender, telegram_address, telegram_handler
from gateway.config import Config
from gateway.limits import Limits
from gateway.live import LiveRelay
from gateway.pools import Busy
from gateway.rasa import RasaClient
from gateway.records import DOWN, Records
from gateway.speech import Speech, SpeechOff, SpeechTooLong, SpeechUnavailable
from gateway.vault import Vault
from gateway.web import parse_json
from voice.audio import MAX_BYTES, MAX_SECONDS, AudioProblem

logger = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # characters in one Telegram message
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Where a part may end: a line break, or a sentence end followed by a capital (so "puh. 040"
# or "klo 18. ja" is not cut).
_CUT = re.compile(r"\s*\n\s*|(?<=[.!?…])\s+(?=[A-ZÅÄÖ\"'«(–-])")
TOLD_AGAIN_AFTER = 10.0  # seconds: one "slow down" a pause, not one a message


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """A long answer in parts of at most `limit` characters, cut between sentences or lines
    (at a space inside one over-long sentence). Each part keeps the answer's line breaks."""
    parts: list[str] = []
    text = text.strip()
    while len(text) > limit:
        cut = None
        for match in _CUT.finditer(text):
            if match.start() > limit:
                break
            if match.start() > 0:
                cut = (match.start(), match.end())
        if cut is None:
            space = text.rfind(" ", 0, limit + 1)
            cut = (space, space + 1) if space > 0 else (limit, limit)
        parts.append(text[: cut[0]].rstrip())
        text = text[cut[1] :].lstrip()
    if text:
        parts.append(text)
    return parts


class ChannelSender:
    """A channel's bot as a `TelegramSender`, for the live relay and the delivery: they send
    through it and ask whether it is connected, and see nothing else of the channel."""

    def __init__(self, channel: TelegramChannel) -> None:
        self._channel = channel

    def available(self) -> bool:
        return self._channel.state == "running"

    async def send(self, chat_id: int, text: str, **kwargs: Any) -> None:
        await self._channel.app.bot.send_message(chat_id=chat_id, text=text, **kwargs)


class TelegramChannel:
    """The bot and its connection state, for /health."""

    def __init__(
        self,
        config: Config,
        rasa: RasaClient,
        limit: Limits,
        vault: Vault | None = None,
        records: Records | None = None,
        live: LiveRelay | None = None,
        speech: Speech | None = None,
    ) -> None:
        self.config = config
        self.rasa = rasa
        self.limit = limit
        self.vault = vault
        self.records = records
        self.live = live
        self.speech = speech
        self.state = "starting"
        self.error = ""
        self.error_at = 0.0  # when polling last failed (monotonic seconds)
        self._told: dict[int, float] = {}  # chats told to slow down, and when
        self._task: asyncio.Task | None = None
        api = config.telegram_api_url
        self.app: Application = (
            Application.builder()
            .token(config.telegram_token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self.on_any_update), group=-1)
        message = filters.UpdateType.MESSAGE  # not edits, not channel posts
        self.app.add_handler(CommandHandler("start", self.on_start, filters=message))
        self.app.add_handler(CommandHandler(["apua", "help"], self.on_help, filters=message))
        self.app.add_handler(CommandHandler("lopeta", self.on_end, filters=message))
        self.app.add_handler(MessageHandler(message & filters.COMMAND, self.on_help))
        self.app.add_handler(MessageHandler(message & filters.TEXT, self.on_text))
        # block=False: a voice message takes seconds; other chats are answered meanwhile
        self.app.add_handler(
            MessageHandler(message & (filters.VOICE | filters.AUDIO), self.on_voice, block=False)
        )
        self.app.add_handler(CallbackQueryHandler(self.on_button, pattern=r"^(take|done):\w+$"))
        self.app.add_error_handler(self.on_error)
        self.sender: TelegramSender = ChannelSender(self)

    @property
    def webhook(self) -> bool:
        return bool(self.config.telegram_webhook_url)

    def health(self) -> dict[str, Any]:
        mode = "webhook" if self.webhook else "polling"
        state = self.state
        recent = time.monotonic() - self.error_at < 30
        if state == "running" and self.error and recent:
            state = "retrying"  # polling fails now; the updater keeps trying
        return {
            "ok": state == "running",
            "state": state,
            "mode": mode,
            **({"error": self.error} if self.error and recent else {}),
        }

    # -- handlers ------------------------------------------------------------------------------

    async def on_any_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An update came through: the connection works again."""
        self.error = ""

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._answer(update, "/greet")

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._answer(update, "/help")

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = dialogue.clean(update.effective_message.text or "")
        wrong = dialogue.problem(text)
        if wrong:
            await update.effective_message.reply_text(wrong)
            return
        await self._said(update, text)

    async def _said(self, update: Update, text: str, counted: bool = False) -> list[str]:
        """A person or the bot answers what the user said; returns what the user was sent."""
        chat = update.effective_chat
        if self.live is not None and chat is not None:
            if await self.live.from_person(chat.id, text):  # a person answering a user
                return []
        return await self._answer(update, text, counted, live=True)

    async def on_voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A voice message: transcribed, answered in text, and the answer sent as voice."""
        message, chat = update.effective_message, update.effective_chat
        media = message.voice or message.audio
        if chat is None or media is None:
            return
        if self.speech is None or not self.speech.available():
            await message.reply_text(texts.VOICE_OFF)
            return
        if (media.file_size or 0) > MAX_BYTES or (media.duration or 0) > MAX_SECONDS:
            kind = "too_big" if (media.file_size or 0) > MAX_BYTES else "too_long"
            await message.reply_text(texts.VOICE_PROBLEMS[kind][1])
            return
        if not self.limit.message(telegram_address(chat.id)):
            await message.reply_text(texts.SLOW_DOWN)
            return
        try:
            data = bytes(await (await media.get_file()).download_as_bytearray())
        except TelegramError as err:
            logger.warning("voice message could not be downloaded: %s", err)
            await message.reply_text(texts.VOICE_NOT_DOWNLOADED)
            return
        try:
            heard = await self.speech.transcribe(data)
        except SpeechOff:
            await message.reply_text(texts.VOICE_OFF)
            return
        except AudioProblem as problem:
            await message.reply_text(texts.VOICE_PROBLEMS[problem.kind][1])
            return
        text = dialogue.clean(heard.text)[: dialogue.MAX_TEXT]
        if dialogue.problem(text):
            await message.reply_text(texts.VOICE_PROBLEMS["no_speech"][1])
            return
        await message.reply_text(texts.HEARD.format(text=text))
        answers = [a for a in await self._said(update, text, counted=True) if a]
        if not answers:
            return
        try:
            await message.reply_voice(voice=await self.speech.voice_message("\n".join(answers)))
        except (SpeechUnavailable, SpeechTooLong, Busy, OSError, TelegramError) as err:
            logger.warning("the spoken answer was not sent (%s); the text was", type(err).__name__)

    async def on_end(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/lopeta: ends a live chat (either side); otherwise the help."""
        chat = update.effective_chat
        if self.live is not None and chat is not None:
            if await self.live.from_person(chat.id, "/lopeta"):
                return
            answers = await self.live.from_user(telegram_address(chat.id), "lopeta")
            if answers is not None:
                for answer in answers:
                    await update.effective_message.reply_text(answer["text"])
                return
        await self.on_help(update, context)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """ "Otan" / "Hoidettu" under a request: only its recipient may press them."""
        query = update.callback_query
        if query is None or query.message is None or self.records is None:
            return
        action, handoff_id = (query.data or ":").split(":", 1)
        status = {"take": "taken", "done": "done"}[action]
        chat = str(query.message.chat.id)
        try:
            store = await asyncio.to_thread(self.records.get)
            allowed = await asyncio.to_thread(store.recipient_of, handoff_id, chat)
            if allowed:
                await asyncio.to_thread(
                    store.set_status, handoff_id, status, telegram_handler(chat)
                )
        except DOWN as err:  # the database is down: say so, change nothing
            logger.warning("handoff status change failed: %s", type(err).__name__)
            await query.answer(texts.STATUS_NOT_SAVED)
            return
        if not allowed:
            await query.answer(texts.NOT_YOURS)
            return
        note = texts.TAKEN if status == "taken" else texts.DONE
        if self.live is not None:  # a chat request: the live session opens or closes
            if status == "taken" and await asyncio.to_thread(store.live_by_handoff, handoff_id):
                note = await self.live.take(handoff_id, int(chat))
            elif status == "done":
                await self.live.done(handoff_id)
        await query.answer(note)
        if status == "done":
            await query.edit_message_reply_markup(reply_markup=None)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.warning("Telegram update failed: %s", context.error)

    async def _answer(
        self, update: Update, text: str, counted: bool = False, live: bool = False
    ) -> list[str]:
        """The answer sent to the chat (a person's live chat when `live`); what was sent.
        `counted` when the rate limit was checked already."""
        chat = update.effective_chat
        message = update.effective_message
        if chat is None or message is None:
            return []
        first = dialogue.safety_answer(text)
        if first is not None:  # before the rate limit, the vault and Rasa: nothing holds it up
            await message.reply_text(first["text"])
        said = [first["text"]] if first else []
        if not counted and not self.limit.message(telegram_address(chat.id)):
            now = time.monotonic()
            if now - self._told.get(chat.id, 0.0) > TOLD_AGAIN_AFTER:
                self._told[chat.id] = now
                await message.reply_text(texts.SLOW_DOWN)
            return said
        try:
            await chat.send_action("typing")
        except TelegramError:  # only a courtesy: the answer matters
            pass
        answers = await dialogue.respond(
            self.rasa, telegram_address(chat.id), text, self.vault, self.live if live else None
        )
        answers = answers[1:] if first else answers  # the safety answer went first already
        for i, answer in enumerate(answers):
            last = i == len(answers) - 1
            buttons = [b["title"] for a in answers for b in a["buttons"]] if last else []
            keyboard: Any = (
                ReplyKeyboardMarkup(
                    [[KeyboardButton(t)] for t in buttons],
                    resize_keyboard=True,
                    one_time_keyboard=True,
                )
                if buttons
                else ReplyKeyboardRemove()
                if last
                else None
            )
            parts = split(answer["text"]) or [texts.CHOOSE]
            for j, part in enumerate(parts):
                await message.reply_text(
                    part, reply_markup=keyboard if j == len(parts) - 1 else None
                )
        return said + [a["text"] for a in answers]

    # -- running -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect in the background; the gateway does not wait for Telegram."""
        self._task = asyncio.create_task(self._connect())

    async def _connect(self) -> None:
        backoff = BACKOFF_FIRST
        while True:
            try:
                await self.app.initialize()  # getMe: is the token right, is the API there?
                if self.webhook:
                    await self.app.bot.set_webhook(
                        self.config.telegram_webhook_url,
                        secret_token=self.config.telegram_webhook_secret or None,
                    )
                    if not self.app.running:
                        await self.app.start()
                else:  # start_polling removes a webhook left over from webhook mode
                    if not self.app.running:
                        await self.app.start()
                    if not self.app.updater.running:
                        await self.app.updater.start_polling(error_callback=self._polling_error)
                self.state, self.error = "running", ""
                logger.info("Telegram: connected (%s)", "webhook" if self.webhook else "polling")
                return
            except (TelegramError, OSError) as err:
                self.state, self.error = "retrying", type(err).__name__
                self.error_at = time.monotonic()
                logger.warning(
                    "Telegram: cannot connect (%s); again in %.0f s", type(err).__name__, backoff
                )  # the message may hold the token
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    def _polling_error(self, err: TelegramError) -> None:
        self.error, self.error_at = type(err).__name__, time.monotonic()
        logger.warning("Telegram polling: %s", type(err).__name__)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        try:
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        except (TelegramError, RuntimeError, OSError) as err:
            logger.info("Telegram: stopping: %s", err)

    async def webhook_route(self, request: web.Request) -> web.Response:
        """POST /telegram/webhook: an update from Telegram, with the secret in a header."""
        expected = self.config.telegram_webhook_secret.encode("utf-8")
        # bytes, not str: a header with non-ASCII letters is simply wrong, never an error
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not self.webhook or not expected or not hmac.compare_digest(given, expected):
            return web.json_response({"error": texts.WEBHOOK_FORBIDDEN}, status=403)
        try:
            raw = await request.text()
        except UnicodeDecodeError:
            raw = ""
        data = parse_json(raw)
        if not isinstance(data, dict):
            return web.json_response({"error": texts.NOT_JSON}, status=400)
        if self.state != "running":
            return web.json_response({"ok": False}, status=503)
        update = Update.de_json(data, self.app.bot)
        await self.app.update_queue.put(update)
        return web.json_response({"ok": True})
