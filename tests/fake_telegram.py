"""A local fake of the Telegram Bot API over HTTP, for end-to-end tests of the Telegram channel.

An aiohttp server on 127.0.0.1 that answers what python-telegram-bot 22 calls (`getMe`,
`deleteWebhook`, `setWebhook`, `getWebhookInfo`, `getUpdates` with real long polling,
`sendMessage`, `sendChatAction`, `setMyCommands`, `getMyCommands`, `answerCallbackQuery`,
`getFile`, `sendVoice`, `close`, `logOut`) at `{root}/bot<token>/<method>`, and files at
`{root}/file/bot<token>/<file_path>`, like the real one: parameters as a query string, form
data, multipart or JSON; `{"ok": false, "error_code": …, "description": …}` on errors. It runs
in a background thread with its own event loop, so synchronous tests drive it through plain
methods: queue updates (`push_text`, `push_voice`, `push_audio`, `push_raw`), read what the bot
said (`sent`, `wait_for_messages`, `voices`, `wait_for_voices`) and downloaded (`downloads`),
act as Telegram in webhook mode (`post_webhook`), make the server fail (`fail`, `fail_method`)
or go away and come back on the same port (`stop`, `start`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aiohttp import web

from cli.services import free_port

TOKEN = "123456:TEST"
MAX_TEXT = 4096  # characters in one message, as the real Bot API enforces
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes: getFile refuses bigger files, as the real one does
MAX_UPLOAD = 50 * 1024 * 1024  # bytes in one multipart upload (sendVoice and the like)
# Update types delivered when allowed_updates is unset or empty (the Bot API's default).
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
# Parameters that are text as they are, never JSON (a text "true" or "12" stays a string).
TEXT_PARAMS = {
    "text",
    "caption",
    "url",
    "secret_token",
    "ip_address",
    "callback_query_id",
    "description",
    "short_description",
    "name",
    "language_code",
    "action",
    "parse_mode",
    "emoji",
    "question",
    "query",
    "title",
    "file_id",
}
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{5,32})?")  # what Telegram marks
Json = dict[str, Any]
S = TypeVar("S", bound="BackgroundServer")


class BackgroundServer:
    """An aiohttp application served on 127.0.0.1:`port` from a thread with its own loop.

    `start()` and `stop()` may be called again and again; the port stays the same, so a client
    configured with it finds the server when it comes back."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name=f"{type(self).__name__}:{self.port}"
        )
        self._thread.start()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    def make_app(self) -> web.Application:
        """The application to serve; subclasses add their routes."""
        raise NotImplementedError

    def call(self, coro: Any, timeout: float = 30) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> None:
        """Listen on the port (again). Retries briefly if the port is still being released."""
        if self._runner is None:
            self._runner = self.call(self._start())

    async def _start(self) -> web.AppRunner:
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        for attempt in range(50):
            try:
                await web.TCPSite(runner, "127.0.0.1", self.port, reuse_address=True).start()
                return runner
            except OSError:
                if attempt == 49:
                    await runner.cleanup()
                    raise
                await asyncio.sleep(0.1)
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Close the port and every open connection: clients get "connection refused"."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self.call(self._stop(runner))

    async def _stop(self, runner: web.AppRunner) -> None:
        await runner.cleanup()

    def close(self) -> None:
        """Stop serving and end the thread."""
        self.stop()
        self.call(self._cancel_the_rest())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()

    @staticmethod
    async def _cancel_the_rest() -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self: S) -> S:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _decode(name: str, value: Any) -> Any:
    """One parameter as the Bot API reads it: PTB JSON-encodes every non-string value
    (`reply_markup`, `allowed_updates`, numbers, booleans) when it sends form data."""
    if not isinstance(value, str) or name in TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # "@channelname", a plain string


def _error(code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=code
    )


def _ok(result: Any) -> web.Response:
    return web.json_response(
        {"ok": True, "result": result}, dumps=lambda d: json.dumps(d, ensure_ascii=False)
    )


class FakeTelegram(BackgroundServer):
    """The fake Bot API. Everything the bot called is in `calls`; its messages in `sent()`."""

    def __init__(self, token: str = TOKEN, port: int | None = None) -> None:
        super().__init__(port)
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.calls: list[tuple[str, Json]] = []  # (method, parameters), in order
        self.attempts: list[str] = []  # every method asked for, failed or not
        self.rejected: list[tuple[str, Json, str]] = []  # (method, parameters, description)
        self.webhook: Json = {"url": "", "secret_token": None}
        self.commands: list[Json] = []
        self.answers: list[Json] = []  # answerCallbackQuery calls: the notes under buttons
        self.failure: str | None = None  # None, "502" (Bad Gateway) or "drop" (close)
        self._method_failures: dict[str, list[int]] = {}  # method → [calls to let pass, fails]
        self._messages: list[Json] = []
        self._voices: list[Json] = []  # sendVoice calls that went through
        self._files: dict[str, Json] = {}  # file_id → file_unique_id, file_size, file_path, data
        self._paths: dict[str, str] = {}  # file_path → file_id
        self.downloads: list[str] = []  # file paths the bot downloaded, in order
        self._updates: list[Json] = []  # queued until confirmed by an offset
        self._allowed: list[str] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._changed = threading.Condition()  # for tests waiting on calls and messages
        self._new_update: asyncio.Condition | None = None

    # -- test helpers --------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """What TELEGRAM_API_URL should be."""
        return self.url

    def fail(self, mode: str | None = "502") -> None:
        """Make every request fail: "502" answers 502 Bad Gateway (a proxy in front of an
        unreachable API), "drop" closes the connection without an answer, None heals."""
        if mode not in (None, "502", "drop"):
            raise ValueError(f"unknown failure mode {mode!r}")
        self.failure = mode
        if self.running:
            self.call(self._wake())  # long polls that are waiting fail now, too

    def fail_method(self, method: str, times: int = 1, after: int = 0) -> None:
        """Answer 502 to `times` calls of one method, after letting `after` calls through."""
        self._method_failures[method.lower()] = [after, times]

    def message(self, chat_id: int, text: str | None = None, **fields: Any) -> Json:
        """A private-chat message from a user, as Telegram sends it (commands get their
        `bot_command` entity)."""
        message: Json = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Testi"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Testi", "language_code": "fi"},
        }
        if text is not None:
            message["text"] = text
            command = COMMAND.match(text)
            if command:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(command.group())}
                ]
        message.update(fields)
        return message

    def text_update(self, chat_id: int, text: str) -> Json:
        """An update carrying one text message (not queued: for `post_webhook`)."""
        return {"update_id": next(self._update_ids), "message": self.message(chat_id, text)}

    def push_text(self, chat_id: int, text: str) -> Json:
        """Queue a text message from a user for the bot's getUpdates."""
        return self.push_raw({"message": self.message(chat_id, text)})

    def push_button(self, chat_id: int, data: str) -> Json:
        """Queue a press of an inline button (callback_data) under a message in the chat."""
        return self.push_raw(
            {
                "callback_query": {
                    "id": str(next(self._message_ids)),
                    "chat_instance": str(chat_id),
                    "data": data,
                    "from": {"id": chat_id, "is_bot": False, "first_name": "Maija"},
                    "message": {**self.message(chat_id, "pyyntö"), "from": self._bot_user()},
                }
            }
        )

    def add_file(
        self, data: bytes, folder: str = "voice", suffix: str = "oga", file_size: int | None = None
    ) -> Json:
        """Store a file as if a user had sent it; its File object (without the path, as in a
        message). `file_size` is what Telegram declares, the real length when None."""
        number = next(self._file_numbers)
        file_id = f"{folder[:2].upper()}QACAgQAAxkB{number:06d}"
        record = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{number:06d}",
            "file_size": len(data) if file_size is None else file_size,
            "file_path": f"{folder}/file_{number}.{suffix}",
            "data": bytes(data),
        }
        with self._changed:
            self._files[file_id] = record
            self._paths[record["file_path"]] = file_id
        return {k: record[k] for k in ("file_id", "file_unique_id", "file_size")}

    def push_voice(
        self,
        chat_id: int,
        audio: bytes,
        duration: int = 3,
        mime_type: str = "audio/ogg",
        file_size: int | None = None,
    ) -> Json:
        """Queue a voice message (recorded in the app) with `audio` as its file; `duration`
        and `file_size` are what the client declares, not checked against the bytes."""
        voice = {
            **self.add_file(audio, "voice", "oga", file_size),
            "duration": duration,
            "mime_type": mime_type,
        }
        return self.push_raw({"message": self.message(chat_id, voice=voice)})

    def push_audio(
        self,
        chat_id: int,
        audio: bytes,
        duration: int = 3,
        mime_type: str = "audio/mpeg",
        file_size: int | None = None,
        file_name: str = "aanite.mp3",
    ) -> Json:
        """Queue an audio file sent as music (Telegram's `audio`, not a voice message)."""
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "mp3"
        media = {
            **self.add_file(audio, "music", suffix, file_size),
            "duration": duration,
            "mime_type": mime_type,
            "file_name": file_name,
        }
        return self.push_raw({"message": self.message(chat_id, audio=media)})

    def file_id_of(self, update: Json) -> str:
        """The file_id of the voice or audio in a queued update."""
        message = update["message"]
        return (message.get("voice") or message["audio"])["file_id"]

    def push_raw(self, update: Json) -> Json:
        """Queue any update (an `update_id` is added when missing)."""
        update = {"update_id": next(self._update_ids), **update}
        self.call(self._push(update))
        return update

    def sent(self, chat_id: int | None = None) -> list[Json]:
        """The messages the bot sent (to one chat): chat_id, text, reply_markup, …"""
        with self._changed:
            return [m for m in self._messages if chat_id is None or m["chat_id"] == chat_id]

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent(chat_id)]

    def wait_for(
        self,
        chat_id: int,
        ready: Callable[[list[Json]], bool],
        timeout: float = 30,
        what: str = "the expected messages",
    ) -> list[Json]:
        """The chat's messages once `ready(messages)` holds; AssertionError after `timeout`."""
        with self._changed:
            if not self._changed.wait_for(lambda: ready(self.sent(chat_id)), timeout):
                raise AssertionError(
                    f"chat {chat_id}: no {what} in {timeout:.0f} s; the bot sent "
                    f"{self.texts(chat_id)}; rejected: {self.rejected}"
                )
            return self.sent(chat_id)

    def wait_for_messages(self, chat_id: int, n: int = 1, timeout: float = 30) -> list[Json]:
        """The chat's messages once there are at least `n`; AssertionError after `timeout`."""
        return self.wait_for(chat_id, lambda sent: len(sent) >= n, timeout, f"{n} messages")

    def voices(self, chat_id: int | None = None) -> list[Json]:
        """The voice messages the bot sent (to one chat): chat_id, voice (the bytes), caption,
        reply_markup, …"""
        with self._changed:
            return [v for v in self._voices if chat_id is None or v["chat_id"] == chat_id]

    def wait_for_voices(self, chat_id: int, n: int = 1, timeout: float = 60) -> list[Json]:
        """The chat's voice messages once there are at least `n`; AssertionError after
        `timeout`."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.voices(chat_id)) >= n, timeout):
                raise AssertionError(
                    f"chat {chat_id}: no {n} voice messages in {timeout:.0f} s; the bot sent "
                    f"{self.texts(chat_id)}; rejected: {self.rejected}"
                )
            return self.voices(chat_id)

    def calls_of(self, method: str) -> list[Json]:
        """The parameters of each call of one method."""
        with self._changed:
            return [p for m, p in self.calls if m == method.lower()]

    def wait_for_call(self, method: str, timeout: float = 30) -> Json:
        """The parameters of the first call of one method; AssertionError after `timeout`."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.calls_of(method), timeout):
                raise AssertionError(f"no {method} in {timeout:.0f} s: {self.calls}")
            return self.calls_of(method)[0]

    def wait_for_attempt(self, method: str, timeout: float = 30) -> None:
        """Until the bot has tried to call a method (whether or not the server failed it)."""
        with self._changed:
            if not self._changed.wait_for(lambda: method.lower() in self.attempts, timeout):
                raise AssertionError(f"no attempt at {method} in {timeout:.0f} s")

    def wait_until_polling(self, timeout: float = 30) -> None:
        """Until the bot has asked for updates after all queued ones (it has caught up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._changed:
                polls = self.calls_of("getUpdates")
                if polls and not self._pending(polls[-1].get("offset") or 0):
                    return
            time.sleep(0.05)
        raise AssertionError(f"the bot did not poll in {timeout:.0f} s")

    @staticmethod
    def post_webhook(
        url: str, update: Json | bytes, secret: str | None = None, timeout: float = 30
    ) -> tuple[int, str]:
        """POST an update (or raw bytes) as Telegram does in webhook mode; status and body."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, bytes) else json.dumps(update).encode("utf-8")
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")

    @contextmanager
    def failing(self, mode: str = "502") -> Iterator[None]:
        self.fail(mode)
        try:
            yield
        finally:
            self.fail(None)

    # -- the server ----------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._failures], client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        return app

    async def _stop(self, runner: web.AppRunner) -> None:
        await self._wake()  # long polls end now rather than at their timeout
        await runner.cleanup()

    async def _wake(self) -> None:
        if self._new_update is None:
            self._new_update = asyncio.Condition()
        async with self._new_update:
            self._new_update.notify_all()

    def _failed(self, request: web.Request) -> web.Response | None:
        """The failure to answer with now, if the server is set to fail."""
        if self.failure == "drop":
            if request.transport is not None:
                request.transport.abort()  # the client sees the connection close, no answer
            raise asyncio.CancelledError
        if self.failure == "502":
            return web.Response(
                status=502,
                text="<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        return None

    @web.middleware
    async def _failures(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self._changed:
            self.attempts.append(request.path.rsplit("/", 1)[-1].lower())
            self._changed.notify_all()
        failed = self._failed(request)  # (a Response is a mapping: empty is falsy)
        return failed if failed is not None else await handler(request)

    async def _params(self, request: web.Request) -> Json:
        params: Json = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.method == "POST" and request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else value.file.read()
        return {k: _decode(k, v) for k, v in params.items()}

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"].lower()
        try:
            params = await self._params(request)
        except ValueError:
            return _error(400, "Bad Request: can't parse JSON")
        with self._changed:
            self.calls.append((method, params))
            self._changed.notify_all()
        plan = self._method_failures.get(method)
        if plan and plan[1] > 0:
            if plan[0] > 0:
                plan[0] -= 1
            else:
                plan[1] -= 1
                return web.Response(status=502, text="502 Bad Gateway")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        if method == "getupdates":
            return await self._m_getupdates(params, request)
        return await handler(params)

    async def _file(self, request: web.Request) -> web.Response:
        """A stored file, by the path getFile gave (as api.telegram.org/file/bot… does)."""
        path = request.match_info["path"]
        file_id = self._paths.get(path)
        if request.match_info["token"] != self.token or file_id is None:
            return _error(404, "Not Found: file not found")
        with self._changed:
            self.downloads.append(path)
            self._changed.notify_all()
        return web.Response(
            body=self._files[file_id]["data"], content_type="application/octet-stream"
        )

    def _reject(self, method: str, params: Json, problem: str) -> web.Response:
        with self._changed:
            self.rejected.append((method, params, problem))
            self._changed.notify_all()
        return _error(400, problem)

    def _bot_user(self) -> Json:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Apuri",
            "username": "apuri_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getme(self, params: Json) -> web.Response:
        return _ok(self._bot_user())

    async def _m_deletewebhook(self, params: Json) -> web.Response:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return _ok(True)

    async def _m_setwebhook(self, params: Json) -> web.Response:
        url = params.get("url") or ""
        if url and not url.startswith(("http://", "https://")):
            return _error(400, "Bad Request: bad webhook: invalid URL")
        secret = params.get("secret_token")
        if secret is not None and not (1 <= len(secret) <= 256):
            return _error(400, "Bad Request: secret token is invalid")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
        }
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return _ok(True)

    async def _m_getwebhookinfo(self, params: Json) -> web.Response:
        return _ok(
            {
                "url": self.webhook["url"],
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
        )

    def _wanted(self, update: Json) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        return kind in self._allowed if self._allowed else kind not in NOT_BY_DEFAULT

    def _pending(self, offset: int) -> list[Json]:
        return [u for u in self._updates if u["update_id"] >= offset and self._wanted(u)]

    async def _push(self, update: Json) -> None:
        self._updates.append(update)
        await self._wake()

    async def _m_getupdates(self, params: Json, request: web.Request) -> web.Response:
        if self.webhook["url"]:
            return _error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if params.get("allowed_updates") is not None:  # remembered, as the real API does
            self._allowed = list(params["allowed_updates"])
        if offset > 0:  # confirmed: forget them
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:  # the last -offset updates only
            self._updates = self._updates[offset:]
            offset = 0
        if self._new_update is None:
            self._new_update = asyncio.Condition()
        deadline = time.monotonic() + timeout
        async with self._new_update:
            while not self._pending(offset) and self.running and self.failure is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    await asyncio.wait_for(self._new_update.wait(), left)
                except asyncio.TimeoutError:
                    break
        failed = self._failed(request)
        return failed if failed is not None else _ok(self._pending(offset)[:limit])

    async def _m_sendmessage(self, params: Json) -> web.Response:
        chat_id = params.get("chat_id")
        text = params.get("text")
        problem = None
        if chat_id is None or chat_id == "":
            problem = "Bad Request: chat_id is empty"
        elif not isinstance(text, str) or not text.strip():
            problem = "Bad Request: message text is empty"
        elif len(text) > MAX_TEXT:
            problem = "Bad Request: message is too long"
        elif params.get("parse_mode") not in (None, "HTML", "Markdown", "MarkdownV2"):
            problem = "Bad Request: unsupported parse_mode"
        markup = params.get("reply_markup")
        if problem is None and markup is not None and not _valid_markup(markup):
            problem = "Bad Request: can't parse reply keyboard markup JSON object"
        if problem is not None:
            return self._reject("sendmessage", params, problem)
        message_id = next(self._message_ids)
        record = {
            "message_id": message_id,
            "chat_id": chat_id,
            "text": text,
            "reply_markup": markup,
            "parse_mode": params.get("parse_mode"),
            "reply_parameters": params.get("reply_parameters"),
            "params": params,
            "at": time.monotonic(),
        }
        with self._changed:
            self._messages.append(record)
            self._changed.notify_all()
        chat_type = "private" if isinstance(chat_id, int) and chat_id > 0 else "group"
        return _ok(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": chat_type},
                "from": self._bot_user(),
                "text": text,
            }
        )

    async def _m_getfile(self, params: Json) -> web.Response:
        record = self._files.get(str(params.get("file_id") or ""))
        if record is None:
            return self._reject("getfile", params, "Bad Request: invalid file_id")
        if record["file_size"] > MAX_DOWNLOAD:
            return self._reject("getfile", params, "Bad Request: file is too big")
        return _ok({k: record[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")})

    async def _m_sendvoice(self, params: Json) -> web.Response:
        chat_id = params.get("chat_id")
        voice = params.get("voice")
        problem = None
        if chat_id is None or chat_id == "":
            problem = "Bad Request: chat_id is empty"
        elif isinstance(voice, str) and voice in self._files:  # a file_id sent again
            voice = self._files[voice]["data"]
        elif isinstance(voice, str) and voice:
            problem = "Bad Request: wrong remote file identifier specified"
        elif not isinstance(voice, bytes) or not voice:
            problem = "Bad Request: there is no voice in the request"
        caption = params.get("caption")
        if problem is None and isinstance(caption, str) and len(caption) > 1024:
            problem = "Bad Request: message caption is too long"
        markup = params.get("reply_markup")
        if problem is None and markup is not None and not _valid_markup(markup):
            problem = "Bad Request: can't parse reply keyboard markup JSON object"
        if problem is not None:
            return self._reject("sendvoice", params, problem)
        assert isinstance(voice, bytes)
        stored = self.add_file(voice, "voice", "oga")
        duration = int(params.get("duration") or 0)
        message_id = next(self._message_ids)
        record = {
            "message_id": message_id,
            "chat_id": chat_id,
            "voice": voice,
            "caption": caption,
            "reply_markup": markup,
            "duration": duration,
            "reply_parameters": params.get("reply_parameters"),
            "params": params,
            "at": time.monotonic(),
        }
        with self._changed:
            self._voices.append(record)
            self._changed.notify_all()
        chat_type = "private" if isinstance(chat_id, int) and chat_id > 0 else "group"
        return _ok(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": chat_type},
                "from": self._bot_user(),
                "voice": {**stored, "duration": duration, "mime_type": "audio/ogg"},
                **({"caption": caption} if caption else {}),
            }
        )

    async def _m_sendchataction(self, params: Json) -> web.Response:
        if params.get("chat_id") in (None, ""):
            return _error(400, "Bad Request: chat_id is empty")
        return _ok(True)

    async def _m_setmycommands(self, params: Json) -> web.Response:
        commands = params.get("commands")
        if not isinstance(commands, list):
            return _error(400, "Bad Request: can't parse commands JSON object")
        self.commands = commands
        return _ok(True)

    async def _m_getmycommands(self, params: Json) -> web.Response:
        return _ok(self.commands)

    async def _m_answercallbackquery(self, params: Json) -> web.Response:
        self.answers.append(params)
        return _ok(True)

    async def _m_editmessagereplymarkup(self, params: Json) -> web.Response:
        return _ok(True)

    async def _m_close(self, params: Json) -> web.Response:
        return _ok(True)

    async def _m_logout(self, params: Json) -> web.Response:
        return _ok(True)


def _valid_markup(markup: Any) -> bool:
    """The reply_markup shapes the Bot API accepts (a keyboard is rows of buttons)."""
    if not isinstance(markup, dict):
        return False
    if "keyboard" in markup:
        rows = markup["keyboard"]
        return isinstance(rows, list) and all(
            isinstance(row, list) and all(isinstance(b, str | dict) for b in row) for row in rows
        )
    if "inline_keyboard" in markup:
        return isinstance(markup["inline_keyboard"], list)
    return bool(markup.get("remove_keyboard") or markup.get("force_reply"))
