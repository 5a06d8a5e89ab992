"""The staff page (contract §6, §7): requests to reach a human, which staff take and mark done,
and what people needed but did not get. Server-rendered HTML without scripts: every value is
escaped, every POST carries a CSRF token, and the database calls run in the gateway's database
pool, so a database that is down gives a Finnish 503 page and the rest of the gateway keeps
serving. A login is counted in the database before its password is checked, and scrypt runs in
its own small pool: a flood of logins gets "try again soon", never the chat's threads."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import hmac
import html
import io
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp import web

from actions.handoff import Handoffs
from actions.handoff.staff import Staff, verify
from bot import clock, finnish
from bot.gateway import pools
from bot.gateway.records import Records
from bot.gateway.web import LIMITS

logger = logging.getLogger(__name__)

SESSION_COOKIE = "apuri_staff"
LOGIN_CSRF_COOKIE = "apuri_login_csrf"
COOKIE_PATH = "/staff"
RECORDS = web.AppKey("staff_records", Records)
STYLESHEET = Path(__file__).resolve().parent / "static" / "staff.css"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
MAX_USERNAME, MAX_PASSWORD = 64, 1024
CHART_WEEKS = 12
MAX_DONE = 100  # done requests shown, newest first; open and taken ones are all shown

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# --- every Finnish word of the staff page --------------------------------------------------------

SITE = "Apuri – henkilökunta"
LOGIN_TITLE = "Kirjaudu henkilökunnan sivulle"
USERNAME_LABEL, PASSWORD_LABEL, LOGIN_BUTTON = "Käyttäjätunnus", "Salasana", "Kirjaudu"
LOGOUT_BUTTON = "Kirjaudu ulos"
WRONG = "Väärä tunnus tai salasana."
LOCKED = "Liian monta yritystä, yritä 15 minuutin päästä uudelleen."
MISSING = "Kirjoita käyttäjätunnus ja salasana."
BUSY = "Kirjautumisia on juuri nyt paljon. Yritä hetken päästä uudelleen."
REQUESTS_TITLE = "Yhteydenottopyynnöt"
NEEDS_TITLE = "Mitä ihmiset tarvitsivat eivätkä saaneet"
NEEDS_LINK = "Tarpeet: mitä ihmiset tarvitsivat eivätkä saaneet"
FORBIDDEN_TITLE = "Lomake ei kelpaa"
FORBIDDEN = (
    "Lomakkeen tarkiste puuttui tai oli väärä, tai istuntosi on päättynyt. Mitään ei "
    "muutettu. Palaa henkilökunnan sivulle ja yritä uudelleen."
)
DOWN_TITLE = "Henkilökunnan sivu ei ole nyt käytettävissä"
DOWN = (
    "Tietokantaan ei juuri nyt saada yhteyttä, joten pyyntöjä ei voi näyttää eikä muuttaa. "
    "Mitään ei muutettu. Yritä muutaman minuutin päästä uudelleen."
)
BUSY_TITLE = "Henkilökunnan sivulla on nyt ruuhkaa"
BUSY_PAGE = "Pyyntöjä on juuri nyt paljon. Mitään ei muutettu. Yritä hetken päästä uudelleen."
BAD_ACTION_TITLE = "Tuntematon toiminto"
BAD_ACTION = "Pyynnölle ei voi tehdä tätä. Palaa henkilökunnan sivulle ja valitse painike."
BACK = "Takaisin henkilökunnan sivulle"
NOTES = {
    "otettu": "Kirjattu: otit pyynnön hoitaaksesi.",
    "hoidettu": "Kirjattu: pyyntö on hoidettu.",
    "avattu": "Pyyntö on avattu uudelleen.",
    "poistettu": "Pyynnön henkilötiedot on poistettu.",
    "eiloydy": "Pyyntöä ei löytynyt.",
    "ulos": "Olet kirjautunut ulos.",
}
ACTIONS = {  # form value → (what the store does, the note afterwards)
    "take": ("taken", "otettu"),
    "done": ("done", "hoidettu"),
    "reopen": ("open", "avattu"),
    "forget": ("forget", "poistettu"),
}
BUTTONS = {
    "take": "Otan",
    "done": "Hoidettu",
    "reopen": "Avaa uudelleen",
    "forget": "Poista henkilötiedot",
}
KINDS = {"callback": "Soittopyyntö", "chat": "Keskustelupyyntö"}
STATUSES = {"open": "Avoin", "taken": "Otettu", "done": "Hoidettu"}
NEED_KINDS = {
    "not_found": "Hakemistosta ei löytynyt mitään",
    "fallback": "Apuri ei ymmärtänyt",
    "handoff": "Ohjattiin ihmiselle",
    "feedback": "Palaute",
}
TOPICS = {
    "liikunta": "Liikunta",
    "kulttuuri": "Kulttuuri",
    "ikaantyneet": "Ikääntyneet",
    "lapset_ja_perheet": "Lapset ja perheet",
    "nuoret": "Nuoret",
    "mielenterveys": "Mielenterveys",
    "paihteet": "Päihteet",
    "vammaiset": "Vammaiset",
    "terveys": "Terveys",
    "kylatoiminta": "Kylätoiminta",
    "omaishoito": "Omaishoito",
    "ystavatoiminta": "Ystävätoiminta",
    "maahanmuuttajat": "Maahanmuuttajat",
    "ymparisto": "Ympäristö",
    "vapaaehtoistyo": "Vapaaehtoistyö",
    "digituki": "Digituki",
}
WEEKDAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
UNKNOWN = "ei tiedossa"
NOT_GIVEN = "ei annettu"
REMOVED = "poistettu"
CSV_HEADER = ("viikko", "kunta", "aihe", "laji", "määrä")


# --- the database, in its pool ------------------------------------------------------------------


class DatabaseDown(Exception):
    """The handoff database cannot be reached; the page says so with a 503."""


async def _db(request: web.Request, work: Callable[[Handoffs], Any]) -> Any:
    """Run `work(store)` in the database pool (pools.Busy when it is full), apart from the
    threads chat and password hashing use; any database failure becomes DatabaseDown."""
    records = request.app[RECORDS]

    def run() -> Any:
        return work(records.get())

    try:
        return await pools.DATABASE.run(run)
    except (sa.exc.SQLAlchemyError, OSError) as err:
        # The type only: a database error's text may carry the parameters (phone numbers).
        logger.warning("staff page: the database is not available (%s)", type(err).__name__)
        raise DatabaseDown from None


async def _session(request: web.Request) -> tuple[str, dict[str, Any]] | None:
    """(token, {"username", "csrf"}) of the staff member behind this request, or None."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 200:
        return None
    found = await _db(request, lambda store: Staff(store).session(token))
    return (token, found) if found else None


def _same(given: Any, expected: str | None) -> bool:
    return (
        isinstance(given, str)
        and bool(given)
        and bool(expected)
        and hmac.compare_digest(given.encode(), str(expected).encode())
    )


# --- responses ----------------------------------------------------------------------------------


def _secure(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def _set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
    response.set_cookie(
        name, value, path=COOKIE_PATH, httponly=True, samesite="Strict", secure=_secure(request)
    )


def _forget_cookie(response: web.StreamResponse, request: web.Request, name: str) -> None:
    response.set_cookie(
        name,
        "",
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=_secure(request),
        max_age=0,
        expires="Thu, 01 Jan 1970 00:00:00 GMT",
    )


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def staff_route(handler: Handler) -> Handler:
    """Every staff response: never cached, no scripts, no framing; 503 while the DB is down."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            response = await handler(request)
        except DatabaseDown:
            response = _html(_layout(DOWN_TITLE, f"<p>{_e(DOWN)}</p>{_back()}"), 503)
            response.headers["Retry-After"] = "60"
        except pools.Busy:
            response = _html(_layout(BUSY_TITLE, f"<p>{_e(BUSY_PAGE)}</p>{_back()}"), 503)
            response.headers["Retry-After"] = "5"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return wrapped


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


@functools.lru_cache(maxsize=1)
def _stylesheet_url() -> str:
    """The stylesheet with its content's hash, so a changed file is never served from cache."""
    digest = hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:12]
    return f"/static/staff.css?v={digest}"


def _layout(
    title: str,
    body: str,
    current: dict[str, Any] | None = None,
    here: str = "",
    note: str | None = None,
) -> str:
    """A whole page; with `current` (a session) the navigation and "Kirjaudu ulos" too."""
    nav = ""
    if current:
        links = [("/staff", "Pyynnöt"), ("/staff/tarpeet", "Tarpeet")]
        mark = ' aria-current="page"'
        items = "".join(
            f'<li><a href="{href}"{mark if href == here else ""}>{_e(text)}</a></li>'
            for href, text in links
        )
        nav = (
            f'<nav aria-label="Henkilökunnan sivut"><ul class="nav">{items}</ul></nav>'
            f'<div class="who"><p>Kirjautunut: <strong>{_e(current["username"])}</strong></p>'
            f'<form method="post" action="/staff/ulos">{_csrf_field(current["csrf"])}'
            f'<button type="submit" class="button">{_e(LOGOUT_BUTTON)}</button></form></div>'
        )
    shown = f'<p class="note" role="status">{_e(note)}</p>' if note else ""
    return (
        '<!DOCTYPE html>\n<html lang="fi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"<title>{_e(title)} – {_e(SITE)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{_stylesheet_url()}">\n</head>\n<body>\n'
        '<a class="skip" href="#sisalto">Siirry sisältöön</a>\n'
        f'<header class="bar"><p class="site">{_e(SITE)}</p>{nav}</header>\n'
        f'<main id="sisalto" tabindex="-1">\n<h1>{_e(title)}</h1>\n{shown}\n{body}\n</main>\n'
        "</body>\n</html>\n"
    )


def _csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{_e(token)}">'


def _back() -> str:
    return f'<p><a href="/staff">{_e(BACK)}</a></p>'


def _forbidden() -> web.Response:
    return _html(_layout(FORBIDDEN_TITLE, f"<p>{_e(FORBIDDEN)}</p>{_back()}"), 403)


# --- Finnish dates ------------------------------------------------------------------------------


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
    return (
        f"{WEEKDAYS[moment.weekday()]} {moment.day}.{moment.month}.{moment.year} "
        f"klo {moment.hour}.{moment.minute:02d}"
    )


def _time(value: str | None) -> str:
    moment = _moment(value)
    if moment is None:
        return _e(value or "")
    return f'<time datetime="{_e(moment.isoformat())}">{_e(finnish_time(value))}</time>'


def finnish_week(week: str) -> str:
    """ "2027-W05" → "viikko 5/2027"."""
    match = re.match(r"^(\d{4})-W(\d{2})$", week or "")
    return f"viikko {int(match.group(2))}/{match.group(1)}" if match else str(week)


# --- the login page -----------------------------------------------------------------------------


def _login_page(
    request: web.Request,
    error: str | None = None,
    status: int = 200,
    username: str = "",
    note: str | None = None,
) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not _TOKEN.match(token):  # kept while valid, so two open login tabs both work
        token = secrets.token_urlsafe(32)
    described = ' aria-describedby="virhe" aria-invalid="true"' if error else ""
    alert = f'<p class="error" id="virhe" role="alert">{_e(error)}</p>' if error else ""
    body = (
        f"{alert}"
        '<form class="login" method="post" action="/staff/kirjaudu">'
        f"{_csrf_field(token)}"
        f'<p><label for="username">{_e(USERNAME_LABEL)}</label>'
        f'<input id="username" name="username" type="text" autocomplete="username" '
        f'autocapitalize="none" spellcheck="false" required maxlength="{MAX_USERNAME}" '
        f'value="{_e(username)}"{described}></p>'
        f'<p><label for="password">{_e(PASSWORD_LABEL)}</label>'
        f'<input id="password" name="password" type="password" autocomplete="current-password" '
        f'required maxlength="{MAX_PASSWORD}"{described}></p>'
        f'<p><button type="submit" class="button button--primary">{_e(LOGIN_BUTTON)}</button></p>'
        "</form>"
        "<p>Sivu on Apurin henkilökunnalle: täällä näet yhteydenottopyynnöt ja merkitset ne "
        "hoidetuiksi. Tunnuksen saat ylläpitäjältä.</p>"
    )
    response = _html(_layout(LOGIN_TITLE, body, note=note), status)
    _set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    if request.cookies.get(SESSION_COOKIE):  # an old or unknown session: let it go
        _forget_cookie(response, request, SESSION_COOKIE)
    return response


@staff_route
async def requests_page(request: web.Request) -> web.StreamResponse:
    """GET /staff: the login form, or (logged in) the requests."""
    current = await _session(request)
    note = NOTES.get(request.query.get("ilmoitus", ""))
    if current is None:
        await _db(request, lambda store: None)  # the login form only while it can work
        return _login_page(request, note=note if note == NOTES["ulos"] else None)
    _, session = current
    rows = await _db(request, lambda store: store.list())
    active = [r for r in rows if r["status"] != "done"]
    done = [r for r in rows if r["status"] == "done"]
    more = (
        f"<p>Näytetään {MAX_DONE} viimeisintä hoidettua pyyntöä.</p>"
        if len(done) > MAX_DONE
        else ""
    )
    body = (
        f'<p><a href="/staff/tarpeet">{_e(NEEDS_LINK)}</a></p>'
        f'<section aria-labelledby="avoimet"><h2 id="avoimet">Avoimet ja otetut '
        f"({len(active)})</h2>{_request_list(active, session['csrf'], 'Ei avoimia pyyntöjä.')}"
        f'</section><section aria-labelledby="hoidetut"><h2 id="hoidetut">Hoidetut '
        f"({len(done)})</h2>{more}"
        f"{_request_list(done[:MAX_DONE], session['csrf'], 'Ei hoidettuja pyyntöjä.')}</section>"
    )
    return _html(_layout(REQUESTS_TITLE, body, session, "/staff", note))


def _request_list(rows: list[dict[str, Any]], csrf: str, empty: str) -> str:
    if not rows:
        return f"<p>{_e(empty)}</p>"
    return '<ul class="requests">' + "".join(_request(r, csrf) for r in rows) + "</ul>"


def _request(row: dict[str, Any], csrf: str) -> str:
    """One request: what it is, who asks and when, and the buttons its status allows."""
    rid = str(row["id"])
    heading = f"h-{rid}"
    kind = KINDS.get(row["kind"], row["kind"])
    title = f"{kind}, {row['municipality'] or UNKNOWN}, {finnish_time(row['created_at'])}"
    purged = bool(row.get("purged_at"))

    def personal(value: str) -> str:
        return _e(REMOVED if purged else NOT_GIVEN) if not value else value

    phone = row.get("phone") or ""
    e164 = finnish.normalize_phone(phone) or phone
    shown_phone = (
        f'<a href="tel:{_e(e164)}">{_e(finnish.format_phone_for_speech(e164))}</a>' if phone else ""
    )
    wanted = _e(row.get("preferred_text") or "")
    if row.get("preferred_time"):
        at = _time(row["preferred_time"])
        wanted = f"{wanted} ({at})" if wanted else at
    status = row["status"]
    delivered = f"Kyllä, {_time(row['delivered_at'])}" if row.get("delivered_at") else "Ei (vielä)"
    facts = [
        (
            "Tila",
            f'<span class="status status--{_e(status)}">'
            f"{_e(STATUSES.get(status, status))}</span>",
        ),
        ("Laji", _e(kind)),
        ("Saapui", _time(row["created_at"])),
        ("Kenelle", _e(row.get("person_name") or "ei valittua henkilöä")),
        ("Kunta", _e(row.get("municipality") or UNKNOWN)),
        ("Aihe", _e(TOPICS.get(row.get("topic") or "", row.get("topic") or UNKNOWN))),
        ("Puhelin", personal(shown_phone)),
        ("Toivottu aika", personal(wanted)),
        ("Asia", personal(_e(row.get("subject") or ""))),
        ("Välitetty", delivered),
        ("Tunnus", f"<code>{_e(rid)}</code>"),
    ]
    if row.get("taken_at"):
        by = row.get("taken_by") or ""
        by = f"{row.get('person_name') or ''} (Telegram)" if by.startswith("telegram:") else by
        facts.insert(3, ("Otettu", _time(row["taken_at"]) + (f", {_e(by)}" if by else "")))
    if row.get("done_at") and status == "done":
        facts.insert(3, ("Hoidettu", _time(row["done_at"])))
    if purged:
        facts.append(("Henkilötiedot poistettu", _time(row["purged_at"])))
    allowed = {"open": ["take", "done"], "taken": ["done", "reopen"], "done": ["reopen"]}
    actions = list(allowed.get(status, ["reopen"]))
    if not purged:
        actions.append("forget")
    buttons = "".join(
        f'<button type="submit" name="action" value="{a}" aria-describedby="{_e(heading)}" '
        f'class="button{" button--danger" if a == "forget" else ""}">{_e(BUTTONS[a])}</button>'
        for a in actions
    )
    dl = "".join(f"<div><dt>{_e(k)}</dt><dd>{v}</dd></div>" for k, v in facts)
    return (
        f'<li class="request request--{_e(status)}" id="pyynto-{_e(rid)}">'
        f'<article aria-labelledby="{_e(heading)}"><h3 id="{_e(heading)}">{_e(title)}</h3>'
        f'<dl class="facts">{dl}</dl>'
        f'<form class="actions" method="post" action="/staff/pyynnot/{_e(rid)}">'
        f"{_csrf_field(csrf)}{buttons}</form></article></li>"
    )


# --- logging in and out -------------------------------------------------------------------------


@staff_route
async def login(request: web.Request) -> web.StreamResponse:
    """POST /staff/kirjaudu: a double-submit CSRF cookie; then the attempt is counted (database
    pool), its password checked (password pool) and the session made (database pool). Known
    and unknown names take the same steps and get the same answers."""
    form = await request.post()
    if not _same(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _forbidden()
    username = str(form.get("username") or "").strip().lower()
    password = str(form.get("password") or "")
    if not username or not password:
        return _login_page(request, MISSING, 400, username[:MAX_USERNAME])
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        return _login_page(request, WRONG, 401)
    passwords = pools.PASSWORDS
    if passwords.in_flight >= passwords.limit:  # full already: not even counted
        return _busy_login(request, username)
    client = request.app[LIMITS].client_of(request)
    attempt = await _db(request, lambda store: Staff(store).reserve(username, client))
    if not attempt.allowed:
        return _login_page(request, LOCKED, 429, username)
    try:
        verdict = await passwords.run(verify, attempt, password)
    except pools.Busy:
        await _db(request, lambda store: Staff(store).release(attempt))
        return _busy_login(request, username)
    result = await _db(request, lambda store: Staff(store).finish(attempt, verdict))
    if result == "locked":
        return _login_page(request, LOCKED, 429, username)
    if not isinstance(result, tuple):
        return _login_page(request, WRONG, 401, username)
    token, _ = result
    response = _redirect("/staff")
    _set_cookie(response, request, SESSION_COOKIE, token)
    _forget_cookie(response, request, LOGIN_CSRF_COOKIE)
    return response


def _busy_login(request: web.Request, username: str) -> web.Response:
    """503 and the login form again: the password was not checked and the try not counted."""
    response = _login_page(request, BUSY, 503, username)
    response.headers["Retry-After"] = "5"
    return response


@staff_route
async def logout(request: web.Request) -> web.StreamResponse:
    """POST /staff/ulos: the session ends in the database, and its cookie goes."""
    current = await _session(request)
    if current is None:
        return _redirect("/staff")
    form = await request.post()
    token, session = current
    if not _same(form.get("csrf"), session["csrf"]):
        return _forbidden()
    await _db(request, lambda store: Staff(store).logout(token))
    response = _redirect("/staff?ilmoitus=ulos")
    _forget_cookie(response, request, SESSION_COOKIE)
    return response


# --- acting on a request ------------------------------------------------------------------------


@staff_route
async def act(request: web.Request) -> web.StreamResponse:
    """POST /staff/pyynnot/{id}: take, done, reopen or forget; back to the list with a note."""
    current = await _session(request)
    if current is None:
        return _forbidden()
    form = await request.post()
    if not _same(form.get("csrf"), current[1]["csrf"]):
        return _forbidden()
    handoff_id = request.match_info["id"]
    action = form.get("action")
    if not isinstance(action, str) or action not in ACTIONS or not _ID.match(handoff_id):
        body = f"<p>{_e(BAD_ACTION)}</p>{_back()}"
        return _html(_layout(BAD_ACTION_TITLE, body, current[1]), 400)
    change, note = ACTIONS[action]
    if change == "forget":
        found = await _db(request, lambda store: store.forget(handoff_id))
    else:
        found = await _db(
            request, lambda store: store.set_status(handoff_id, change, current[1]["username"])
        )
    if not found:
        return _redirect("/staff?ilmoitus=eiloydy")
    logger.info("staff page: request %s: %s", handoff_id, action)  # no names, no numbers
    return _redirect(f"/staff?ilmoitus={note}")


# --- unmet needs --------------------------------------------------------------------------------


@staff_route
async def needs_page(request: web.Request) -> web.StreamResponse:
    """GET /staff/tarpeet: counts only (week, municipality, topic, kind), never message texts."""
    current = await _session(request)
    if current is None:
        return _redirect("/staff")
    rows = await _db(request, lambda store: store.needs())
    kinds = "".join(
        f"<div><dt>{_e(v)}</dt><dd>{_e(_KIND_HELP[k])}</dd></div>" for k, v in NEED_KINDS.items()
    )
    intro = (
        "<p>Kun Apuri ei löytänyt vastausta, ei ymmärtänyt kysymystä tai ohjasi ihmisen "
        "henkilökunnalle, se kirjasi vain viikon, kunnan, aiheen ja lajin. Viestejä tai "
        "henkilötietoja ei tallenneta tähän.</p>"
        f'<dl class="kinds">{kinds}</dl>'
        '<p><a href="/staff/tarpeet.csv" download>Lataa taulukko CSV-tiedostona</a></p>'
    )
    if not rows:
        body = intro + "<p>Tarpeita ei ole vielä kirjattu.</p>"
    else:
        body = intro + _chart(rows) + _needs_table(rows)
    return _html(_layout(NEEDS_TITLE, body, current[1], "/staff/tarpeet"))


_KIND_HELP = {
    "not_found": "Kysymys ymmärrettiin, mutta hakemistossa ei ollut sopivaa järjestöä, "
    "palvelua tai henkilöä.",
    "fallback": "Apuri ei saanut selvää, mitä kysyttiin.",
    "handoff": "Ihminen pyysi yhteydenottoa tai keskustelua ihmisen kanssa.",
    "feedback": "Ihminen antoi palautetta.",
}


def _label(kind: str) -> str:
    return NEED_KINDS.get(kind, kind)


def _needs_table(rows: list[dict[str, Any]]) -> str:
    names = ("Viikko", "Kunta", "Aihe", "Mitä tapahtui")
    head = "".join(f'<th scope="col">{h}</th>' for h in names)
    head += '<th scope="col" class="num">Määrä</th>'
    body = "".join(
        "<tr>"
        f'<th scope="row">{_e(finnish_week(r["week"]))}</th>'
        f"<td>{_e(r['municipality'] or UNKNOWN)}</td>"
        f"<td>{_e(TOPICS.get(r['topic'] or '', r['topic'] or UNKNOWN))}</td>"
        f"<td>{_e(_label(r['kind']))}</td>"
        f'<td class="num">{int(r["count"])}</td>'
        "</tr>"
        for r in rows
    )
    return (
        '<h2 id="taulukko">Taulukko</h2>'
        '<div class="table-wrap" role="region" aria-labelledby="taulukko-otsikko" tabindex="0">'
        '<table><caption id="taulukko-otsikko">Tarpeet viikoittain, kunnittain, aiheittain ja '
        f"lajeittain, uusin viikko ensin</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _weekly(rows: Iterable[dict[str, Any]]) -> list[tuple[str, int]]:
    """Total per week, the newest CHART_WEEKS weeks, oldest first."""
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["week"]] = totals.get(r["week"], 0) + int(r["count"])
    weeks = sorted(totals)[-CHART_WEEKS:]
    return [(w, totals[w]) for w in weeks]


def _chart(rows: list[dict[str, Any]]) -> str:
    """A bar per week as inline SVG: presentation attributes only (the CSP allows no inline
    style), with a title and a description that say the same in words."""
    weekly = _weekly(rows)
    most = max(count for _, count in weekly) or 1
    width, row_h, bar_h = 320, 56, 22  # a label line above each bar: narrow, so text stays big
    height = row_h * len(weekly)
    bars = []
    for i, (week, count) in enumerate(weekly):
        y = i * row_h
        length = max(2, round(width * count / most))
        bars.append(
            f'<text x="0" y="{y + 18}" font-size="16" fill="#1b1b1b">'
            f"{_e(finnish_week(week))}: {count}</text>"
            f'<rect x="0" y="{y + 26}" width="{length}" height="{bar_h}" fill="#0b4f8a"></rect>'
        )
    words = "; ".join(f"{finnish_week(w)}: {c}" for w, c in weekly)
    return (
        '<h2 id="kaavio">Kaavio</h2><figure class="chart">'
        f'<svg role="img" aria-labelledby="kaavio-nimi kaavio-kuvaus" viewBox="0 0 {width} '
        f'{height}" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="kaavio-nimi">Tarpeet viikoittain yhteensä</title>'
        f'<desc id="kaavio-kuvaus">{_e(words)}.</desc>{"".join(bars)}</svg>'
        f"<figcaption>Tarpeet viikoittain yhteensä, enintään {CHART_WEEKS} viimeisintä viikkoa, "
        "vanhin ensin. Samat luvut ovat alla taulukossa.</figcaption></figure>"
    )


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_route
async def needs_csv(request: web.Request) -> web.StreamResponse:
    """GET /staff/tarpeet.csv: the same counts, UTF-8 (with a BOM, for spreadsheets)."""
    if await _session(request) is None:
        return _redirect("/staff")
    rows = await _db(request, lambda store: store.needs())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow(
            [
                _cell(r["week"]),
                _cell(r["municipality"]),
                _cell(r["topic"]),
                _cell(r["kind"]),
                int(r["count"]),
            ]
        )
    name = f"apuri-tarpeet-{clock.today().isoformat()}.csv"
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@staff_route
async def to_staff(request: web.Request) -> web.StreamResponse:
    return _redirect("/staff")


def add_routes(app: web.Application, records: Records) -> None:
    app[RECORDS] = records
    app.router.add_get("/staff", requests_page)
    app.router.add_get("/staff/", to_staff)
    app.router.add_post("/staff/kirjaudu", login)
    app.router.add_post("/staff/ulos", logout)
    app.router.add_post("/staff/pyynnot/{id}", act)
    app.router.add_get("/staff/tarpeet", needs_page)
    app.router.add_get("/staff/tarpeet.csv", needs_csv)
