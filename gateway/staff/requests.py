"""The requests to reach a human (contract §6): the list staff work from, and the buttons that
take a request, mark it done, reopen it or forget its personal data. Each button is a form with
a CSRF token, so the page needs no scripts."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web

import finnish
from gateway.addresses import by_telegram
from gateway.staff import texts
from gateway.staff.database import run, staff_route
from gateway.staff.layout import (
    csrf_field,
    escape,
    finnish_time,
    html_response,
    message,
    page,
    redirect,
    time_tag,
)
from gateway.staff.sessions import forbidden, login_page, same, session
from store.handoff.requests import TRANSITIONS

logger = logging.getLogger(__package__)  # the logger's name as before the split

_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_DONE = 100  # done requests shown, newest first; open and taken ones are all shown
ACTIONS = {  # form value → (what the store does, the ?ilmoitus= note afterwards)
    "take": ("taken", "otettu"),
    "done": ("done", "hoidettu"),
    "reopen": ("open", "avattu"),
    "forget": ("forget", "poistettu"),
}
# the buttons a status allows: the moves the store allows (TRANSITIONS), by the form value
_BUTTON = {change: action for action, (change, _) in ACTIONS.items() if change != "forget"}
ALLOWED = {status: [_BUTTON[to] for to in moves] for status, moves in TRANSITIONS.items()}


# --- the list ------------------------------------------------------------------------------------


@staff_route
async def requests_page(request: web.Request) -> web.StreamResponse:
    """GET /staff: the login form, or (logged in) the requests."""
    current = await session(request)
    note = texts.NOTES.get(request.query.get("ilmoitus", ""))
    if current is None:
        await run(request, lambda store: None)  # the login form only while it can work
        return login_page(request, note=note if note == texts.NOTES["ulos"] else None)
    _, who = current
    rows = await run(request, lambda store: store.list())
    active = [r for r in rows if r["status"] != "done"]
    done = [r for r in rows if r["status"] == "done"]
    more = f"<p>{texts.showing_done(MAX_DONE)}</p>" if len(done) > MAX_DONE else ""
    body = (
        f'<p><a href="/staff/tarpeet">{escape(texts.NEEDS_LINK)}</a></p>'
        f'<section aria-labelledby="avoimet"><h2 id="avoimet">{texts.active_heading(len(active))}'
        f"</h2>{_request_list(active, who['csrf'], texts.NO_OPEN)}"
        f'</section><section aria-labelledby="hoidetut"><h2 id="hoidetut">'
        f"{texts.done_heading(len(done))}</h2>{more}"
        f"{_request_list(done[:MAX_DONE], who['csrf'], texts.NO_DONE)}</section>"
    )
    return html_response(page(texts.REQUESTS_TITLE, body, who, "/staff", note))


def _request_list(rows: list[dict[str, Any]], csrf: str, empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    return '<ul class="requests">' + "".join(_request(r, csrf) for r in rows) + "</ul>"


def _request(row: dict[str, Any], csrf: str) -> str:
    """One request: what it is, who asks and when, and the buttons its status allows."""
    rid = str(row["id"])
    heading = f"h-{rid}"
    status = row["status"]
    kind = texts.KINDS.get(row["kind"], row["kind"])
    title = f"{kind}, {row['municipality'] or texts.UNKNOWN}, {finnish_time(row['created_at'])}"
    dl = "".join(f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in _facts(row, kind))
    return (
        f'<li class="request request--{escape(status)}" id="pyynto-{escape(rid)}">'
        f'<article aria-labelledby="{escape(heading)}"><h3 id="{escape(heading)}">'
        f"{escape(title)}</h3>"
        f'<dl class="facts">{dl}</dl>'
        f'<form class="actions" method="post" action="/staff/pyynnot/{escape(rid)}">'
        f"{csrf_field(csrf)}{_buttons(row, heading)}</form></article></li>"
    )


def _facts(row: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    """(label, HTML) of one request, personal data shown as removed once it is forgotten."""
    purged = bool(row.get("purged_at"))

    def personal(value: str) -> str:
        return escape(texts.REMOVED if purged else texts.NOT_GIVEN) if not value else value

    status = row["status"]
    topic = row.get("topic") or ""
    facts = [
        (
            texts.STATUS_LABEL,
            f'<span class="status status--{escape(status)}">'
            f"{escape(texts.STATUSES.get(status, status))}</span>",
        ),
        (texts.KIND_LABEL, escape(kind)),
        (texts.ARRIVED_LABEL, time_tag(row["created_at"])),
        (texts.TO_WHOM_LABEL, escape(row.get("person_name") or texts.NOBODY_CHOSEN)),
        (texts.MUNICIPALITY_LABEL, escape(row.get("municipality") or texts.UNKNOWN)),
        (texts.TOPIC_LABEL, escape(texts.TOPICS.get(topic, topic or texts.UNKNOWN))),
        (texts.PHONE_LABEL, personal(_phone(row))),
        (texts.WANTED_TIME_LABEL, personal(_wanted(row))),
        (texts.SUBJECT_LABEL, personal(escape(row.get("subject") or ""))),
        (texts.DELIVERED_LABEL, _delivered(row)),
        (texts.ID_LABEL, f"<code>{escape(row['id'])}</code>"),
    ]
    if row.get("taken_at"):
        facts.insert(3, (texts.TAKEN_LABEL, _taken(row)))
    if row.get("done_at") and status == "done":
        facts.insert(3, (texts.DONE_LABEL, time_tag(row["done_at"])))
    if purged:
        facts.append((texts.PURGED_LABEL, time_tag(row["purged_at"])))
    return facts


def _phone(row: dict[str, Any]) -> str:
    """The number as a tel: link, written as it is said; "" when there is none."""
    phone = row.get("phone") or ""
    if not phone:
        return ""
    e164 = finnish.normalize_phone(phone) or phone
    return f'<a href="tel:{escape(e164)}">{escape(finnish.format_phone_for_speech(e164))}</a>'


def _wanted(row: dict[str, Any]) -> str:
    """When the person wants to be reached: their words, and the time they meant."""
    wanted = escape(row.get("preferred_text") or "")
    if row.get("preferred_time"):
        at = time_tag(row["preferred_time"])
        wanted = f"{wanted} ({at})" if wanted else at
    return wanted


def _delivered(row: dict[str, Any]) -> str:
    if row.get("delivered_at"):
        return texts.delivered(time_tag(row["delivered_at"]))
    return texts.NOT_DELIVERED


def _taken(row: dict[str, Any]) -> str:
    """When, and by whom: a staff name, or the person's name when taken on Telegram."""
    by = row.get("taken_by") or ""
    if by_telegram(by):
        by = texts.taken_on_telegram(row.get("person_name") or "")
    return time_tag(row["taken_at"]) + (f", {escape(by)}" if by else "")


def _buttons(row: dict[str, Any], heading: str) -> str:
    """The buttons the request's status allows; forgetting only while there is data to forget."""
    actions = list(ALLOWED.get(row["status"], ["reopen"]))
    if not row.get("purged_at"):
        actions.append("forget")
    return "".join(
        f'<button type="submit" name="action" value="{a}" aria-describedby="{escape(heading)}" '
        f'class="button{" button--danger" if a == "forget" else ""}">'
        f"{escape(texts.BUTTONS[a])}</button>"
        for a in actions
    )


# --- acting on a request -------------------------------------------------------------------------


@staff_route
async def act(request: web.Request) -> web.StreamResponse:
    """POST /staff/pyynnot/{id}: take, done, reopen or forget; back to the list with a note."""
    current = await session(request)
    if current is None:
        return forbidden()
    form = await request.post()
    if not same(form.get("csrf"), current[1]["csrf"]):
        return forbidden()
    handoff_id = request.match_info["id"]
    action = form.get("action")
    if not isinstance(action, str) or action not in ACTIONS or not _ID.match(handoff_id):
        return message(texts.BAD_ACTION_TITLE, texts.BAD_ACTION, 400, current[1])
    change, note = ACTIONS[action]
    if change == "forget":
        found = await run(request, lambda store: store.forget(handoff_id))
    else:
        found = await run(
            request, lambda store: store.set_status(handoff_id, change, current[1]["username"])
        )
    if not found:
        return redirect("/staff?ilmoitus=eiloydy")
    logger.info("staff page: request %s: %s", handoff_id, action)  # no names, no numbers
    return redirect(f"/staff?ilmoitus={note}")


@staff_route
async def to_staff(request: web.Request) -> web.StreamResponse:
    return redirect("/staff")
