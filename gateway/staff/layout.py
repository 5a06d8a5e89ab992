"""The frame every staff page shares and the small HTML pieces the pages are built from, so that
escaping, the page head and Finnish dates are written once."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from core import clock
from gateway.staff import texts

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "staff.css"
NAV_LINKS = (("/staff", texts.NAV_REQUESTS), ("/staff/tarpeet", texts.NAV_NEEDS))


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def html_response(body: str, status: int = 200) -> web.Response:
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8")


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


@functools.lru_cache(maxsize=1)
def stylesheet_url() -> str:
    """The stylesheet with its content's hash, so a changed file is never served from cache."""
    digest = hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:12]
    return f"/static/staff.css?v={digest}"


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token)}">'


def back() -> str:
    return f'<p><a href="/staff">{escape(texts.BACK)}</a></p>'


def _nav(current: dict[str, Any], here: str) -> str:
    """The links between the pages, who is logged in, and the logout button."""
    mark = ' aria-current="page"'
    items = "".join(
        f'<li><a href="{href}"{mark if href == here else ""}>{escape(text)}</a></li>'
        for href, text in NAV_LINKS
    )
    return (
        f'<nav aria-label="{texts.NAV_LABEL}"><ul class="nav">{items}</ul></nav>'
        f'<div class="who"><p>{texts.LOGGED_IN_AS}<strong>{escape(current["username"])}</strong>'
        f'</p><form method="post" action="/staff/ulos">{csrf_field(current["csrf"])}'
        f'<button type="submit" class="button">{escape(texts.LOGOUT_BUTTON)}</button></form></div>'
    )


def page(
    title: str,
    body: str,
    current: dict[str, Any] | None = None,
    here: str = "",
    note: str | None = None,
) -> str:
    """A whole page; with `current` (a session) the navigation and logout too."""
    nav = _nav(current, here) if current else ""
    shown = f'<p class="note" role="status">{escape(note)}</p>' if note else ""
    return (
        '<!DOCTYPE html>\n<html lang="fi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"<title>{escape(title)} – {escape(texts.SITE)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{stylesheet_url()}">\n</head>\n<body>\n'
        f'<a class="skip" href="#sisalto">{texts.SKIP_TO_CONTENT}</a>\n'
        f'<header class="bar"><p class="site">{escape(texts.SITE)}</p>{nav}</header>\n'
        f'<main id="sisalto" tabindex="-1">\n<h1>{escape(title)}</h1>\n{shown}\n{body}\n</main>\n'
        "</body>\n</html>\n"
    )


def message(
    title: str, text: str, status: int, current: dict[str, Any] | None = None
) -> web.Response:
    """A page that only says `text` and links back to the staff page."""
    return html_response(page(title, f"<p>{escape(text)}</p>{back()}", current), status)


# --- Finnish dates -------------------------------------------------------------------------------


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).astimezone(
        clock.HELSINKI
    )


def finnish_time(value: str | None) -> str:
    """ "2027-02-10T16:00:00Z" → "ke 10.2.2027 klo 18.00" (Europe/Helsinki)."""
    moment = _moment(value)
    if moment is None:
        return value or ""
    return texts.time_text(moment)


def time_tag(value: str | None) -> str:
    moment = _moment(value)
    if moment is None:
        return escape(value or "")
    return f'<time datetime="{escape(moment.isoformat())}">{escape(finnish_time(value))}</time>'


def finnish_week(week: str) -> str:
    """ "2027-W05" → "viikko 5/2027"."""
    match = re.match(r"^(\d{4})-W(\d{2})$", week or "")
    return texts.week_text(match.group(1), int(match.group(2))) if match else str(week)
