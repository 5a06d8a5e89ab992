"""The gateway application: routes, error handling and the Telegram channel's life cycle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import privacy
from core import settings
from gateway import staff, texts
from gateway import web as routes
from gateway.addresses import TelegramSender
from gateway.config import Config
from gateway.delivery import Delivery
from gateway.hub import EventHub
from gateway.limits import Limits
from gateway.live import LiveRelay
from gateway.rasa import RasaClient
from gateway.records import Records
from gateway.speech import Speech
from gateway.telegram import TelegramChannel
from gateway.vault import Vault

logger = logging.getLogger(__name__)
TELEGRAM = web.AppKey("telegram", TelegramChannel)
OFF = {"ok": False, "state": "off"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def finnish_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors as a Finnish sentence in JSON on the API, never a stack trace."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith(("/api/", "/telegram/")):
            raise
        message = texts.NOT_FOUND if exc.status == 404 else texts.NOT_JSON
        return routes.error(exc.status, message)
    except Exception:  # noqa: BLE001 - the user gets a sentence; the log gets the trace
        logger.exception("gateway error on %s", request.path)
        if request.path.startswith(("/api/", "/telegram/")):
            return routes.error(500, texts.unavailable())
        return web.Response(status=500, text=texts.unavailable(), content_type="text/plain")


@web.middleware
async def cross_origin_api(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The embedded widget calls the API from the host site's origin. The API needs no
    cookies or credentials, so any origin may call it."""
    if not request.path.startswith(("/api/", "/health")):
        return await handler(request)
    if request.method == "OPTIONS":
        response: web.StreamResponse = web.Response(status=204)
    else:
        response = await handler(request)
    if response.prepared:  # a stream sets its own headers before it starts
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@web.middleware
async def plain_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request bodies arrive as they are: a compressed one would be inflated past every size
    check (they count the compressed length), so it is refused before it is read. A connection
    whose body was refused unread (too large, a wrong id, a limit) is closed after the answer:
    aiohttp 3.9 would leave it paused, the client's next request unanswered and the socket held
    until the keep-alive ends."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding and encoding != "identity":
        refused = routes.error(415, texts.ENCODED_BODY)
        refused.force_close()
        return refused
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if _unread(request):
            exc.force_close()
        raise
    if _unread(request):
        response.force_close()
    return response


def _unread(request: web.Request) -> bool:
    return request.body_exists and not request.content.at_eof()


Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


def security_headers(embed_origins: tuple[str, ...]) -> Middleware:
    """No sniffing, no referrer, a strict CSP on pages; only APURI_EMBED_ORIGINS may frame them
    (none when unset)."""
    ancestors = " ".join(embed_origins) or "'none'"
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; frame-ancestors {ancestors}"
    )

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if response.prepared:
            return response
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.content_type == "text/html":
            response.headers.setdefault("Content-Security-Policy", policy)
            if not embed_origins:  # for browsers that know only the older header
                response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return middleware


def create_app(config: Config | None = None) -> web.Application:
    config = config or Config.from_env()
    middlewares = [
        plain_bodies,
        cross_origin_api,
        finnish_errors,
        security_headers(config.embed_origins),
    ]
    app = web.Application(middlewares=middlewares, client_max_size=routes.MAX_BODY)
    rasa = RasaClient(config.rasa_url, config.actions_url, config.rasa_token)
    limit = Limits(proxies=config.trusted_proxies)
    app[routes.SECRET] = config.secret or settings.secret()
    records = Records()
    vault = Vault(records)
    app[routes.RASA] = rasa
    app[routes.HUB] = EventHub()
    app[routes.LIMITS] = limit
    app[routes.VAULT] = vault
    live = LiveRelay(records, app[routes.HUB])
    app[routes.LIVE] = live
    speech = Speech()
    app[routes.SPEECH] = speech
    app[routes.HEALTH_EXTRA] = {"speech": speech.health}
    routes.add_routes(app)
    staff.add_routes(app, records)
    telegram: TelegramSender | None = None
    if config.telegram_token:
        channel = TelegramChannel(config, rasa, limit, vault, records, live, speech)
        telegram = channel.sender
        live.use_telegram(telegram)
        app[TELEGRAM] = channel
        app[routes.HEALTH_EXTRA]["telegram"] = channel.health
        app.router.add_post("/telegram/webhook", channel.webhook_route)

        async def telegram_start(app: web.Application) -> None:
            await channel.start()

        async def telegram_stop(app: web.Application) -> None:
            await channel.stop()  # on shutdown: aiohttp waits for running tasks before cleanup

        app.on_startup.append(telegram_start)
        app.on_shutdown.append(telegram_stop)
    else:
        app[routes.HEALTH_EXTRA]["telegram"] = lambda: OFF | {"reason": "TELEGRAM_BOT_TOKEN unset"}

    delivery = Delivery(records, telegram, config.smtp_url, config.mail_from, config.retention_days)

    async def start_delivery(app: web.Application) -> None:
        await speech.start()
        await delivery.start()
        await live.start()

    async def stop_delivery(app: web.Application) -> None:
        await speech.stop()
        await delivery.stop()
        await live.stop()

    async def close_rasa(app: web.Application) -> None:
        await rasa.close()

    app.on_startup.append(start_delivery)
    app.on_shutdown.append(stop_delivery)
    app.on_cleanup.append(close_rasa)
    return app


async def serve(app: web.Application, host: str, port: int) -> None:
    """Serve until cancelled. Request bodies are never inflated by the server (auto_decompress
    off): a compressed upload is refused before a byte of it is decompressed, and no access
    log is written (its lines would hold the conversation ids in the query)."""
    runner = web.AppRunner(app, handle_signals=True, access_log=None, auto_decompress=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    """`python -m gateway`: serve until SIGINT or SIGTERM."""
    privacy.keep_logs_clean()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines show the bot token
    config = Config.from_env()
    loop = asyncio.new_event_loop()
    task = loop.create_task(serve(create_app(config), config.host, config.port))
    try:
        loop.run_until_complete(task)
    except (web.GracefulExit, KeyboardInterrupt):  # SIGTERM, SIGINT
        pass
    finally:
        task.cancel()
        loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        loop.close()
