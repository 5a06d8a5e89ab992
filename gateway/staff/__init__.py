"""The staff page (contract §6, §7): requests to reach a human, which staff take and mark done,
and what people needed but did not get. Server-rendered HTML without scripts, split by concern:
texts and layout at the bottom, then the database guard, sessions, and the two pages on top."""

from __future__ import annotations

from aiohttp import web

from gateway.records import Records
from gateway.staff.database import RECORDS
from gateway.staff.needs import needs_csv, needs_page
from gateway.staff.requests import act, requests_page, to_staff
from gateway.staff.sessions import login, logout

__all__ = ["add_routes"]


def add_routes(app: web.Application, records: Records) -> None:
    app[RECORDS] = records
    app.router.add_get("/staff", requests_page)
    app.router.add_get("/staff/", to_staff)
    app.router.add_post("/staff/kirjaudu", login)
    app.router.add_post("/staff/ulos", logout)
    app.router.add_post("/staff/pyynnot/{id}", act)
    app.router.add_get("/staff/tarpeet", needs_page)
    app.router.add_get("/staff/tarpeet.csv", needs_csv)
