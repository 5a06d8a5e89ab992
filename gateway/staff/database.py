"""The staff page's way to the handoff database: every call runs in the gateway's database pool,
so a database that is down or a full pool gives a Finnish 503 while the rest of the gateway
keeps serving. Every staff response passes through `staff_route` for that and its headers."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from gateway import pools
from gateway.records import UNAVAILABLE, Records
from gateway.staff import texts
from gateway.staff.layout import message
from store.handoff import Handoffs

logger = logging.getLogger(__package__)  # the logger's name as before the split

RECORDS = web.AppKey("staff_records", Records)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DatabaseDown(Exception):
    """The handoff database cannot be reached; the page says so with a 503."""


async def run(request: web.Request, work: Callable[[Handoffs], Any]) -> Any:
    """Run `work(store)` in the database pool (pools.Busy when it is full), apart from the
    threads chat and password hashing use; any database failure becomes DatabaseDown."""
    records = request.app[RECORDS]

    def call() -> Any:
        return work(records.get())

    try:
        return await pools.DATABASE.run(call)
    except UNAVAILABLE as err:
        # The type only: a database error's text may carry the parameters (phone numbers).
        logger.warning("staff page: the database is not available (%s)", type(err).__name__)
        raise DatabaseDown from None


def staff_route(handler: Handler) -> Handler:
    """Every staff response: never cached, no scripts, no framing; 503 while the DB is down."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            response = await handler(request)
        except DatabaseDown:
            response = message(texts.DOWN_TITLE, texts.DOWN, 503)
            response.headers["Retry-After"] = "60"
        except pools.Busy:
            response = message(texts.BUSY_TITLE, texts.BUSY_PAGE, 503)
            response.headers["Retry-After"] = "5"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return wrapped
