"""Staff login, sessions and CSRF. A login is counted in the database before its password is
checked, and scrypt runs in its own small pool: a flood of logins gets "try again soon", never
the chat's threads. Known and unknown names take the same steps and get the same answers."""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from aiohttp import web

from gateway import pools
from gateway.staff import texts
from gateway.staff.database import run, staff_route
from gateway.staff.layout import csrf_field, escape, html_response, message, page, redirect
from gateway.web import LIMITS
from store.handoff.staff import Staff, verify

SESSION_COOKIE = "apuri_staff"
LOGIN_CSRF_COOKIE = "apuri_login_csrf"
COOKIE_PATH = "/staff"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
MAX_USERNAME, MAX_PASSWORD = 64, 1024


# --- cookies, sessions and tokens ----------------------------------------------------------------


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


async def session(request: web.Request) -> tuple[str, dict[str, Any]] | None:
    """(token, {"username", "csrf"}) of the staff member behind this request, or None."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 200:
        return None
    found = await run(request, lambda store: Staff(store).session(token))
    return (token, found) if found else None


def same(given: Any, expected: str | None) -> bool:
    """Whether a form's CSRF token is the expected one (in constant time)."""
    return (
        isinstance(given, str)
        and bool(given)
        and bool(expected)
        and hmac.compare_digest(given.encode(), str(expected).encode())
    )


def forbidden() -> web.Response:
    return message(texts.FORBIDDEN_TITLE, texts.FORBIDDEN, 403)


# --- the login page ------------------------------------------------------------------------------


def _login_form(token: str, error: str | None, username: str) -> str:
    described = ' aria-describedby="virhe" aria-invalid="true"' if error else ""
    alert = f'<p class="error" id="virhe" role="alert">{escape(error)}</p>' if error else ""
    return (
        f"{alert}"
        '<form class="login" method="post" action="/staff/kirjaudu">'
        f"{csrf_field(token)}"
        f'<p><label for="username">{escape(texts.USERNAME_LABEL)}</label>'
        f'<input id="username" name="username" type="text" autocomplete="username" '
        f'autocapitalize="none" spellcheck="false" required maxlength="{MAX_USERNAME}" '
        f'value="{escape(username)}"{described}></p>'
        f'<p><label for="password">{escape(texts.PASSWORD_LABEL)}</label>'
        f'<input id="password" name="password" type="password" autocomplete="current-password" '
        f'required maxlength="{MAX_PASSWORD}"{described}></p>'
        f'<p><button type="submit" class="button button--primary">'
        f"{escape(texts.LOGIN_BUTTON)}</button></p>"
        "</form>"
        f"<p>{texts.LOGIN_INTRO}</p>"
    )


def login_page(
    request: web.Request,
    error: str | None = None,
    status: int = 200,
    username: str = "",
    note: str | None = None,
) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not _TOKEN.match(token):  # kept while valid, so two open login tabs both work
        token = secrets.token_urlsafe(32)
    body = _login_form(token, error, username)
    response = html_response(page(texts.LOGIN_TITLE, body, note=note), status)
    _set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    if request.cookies.get(SESSION_COOKIE):  # an old or unknown session: let it go
        _forget_cookie(response, request, SESSION_COOKIE)
    return response


def _busy_login(request: web.Request, username: str) -> web.Response:
    """503 and the login form again: the password was not checked and the try not counted."""
    response = login_page(request, texts.BUSY, 503, username)
    response.headers["Retry-After"] = "5"
    return response


# --- logging in and out --------------------------------------------------------------------------


@staff_route
async def login(request: web.Request) -> web.StreamResponse:
    """POST /staff/kirjaudu: a double-submit CSRF cookie; then the attempt is counted (database
    pool), its password checked (password pool) and the session made (database pool)."""
    form = await request.post()
    if not same(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return forbidden()
    username = str(form.get("username") or "").strip().lower()
    password = str(form.get("password") or "")
    if not username or not password:
        return login_page(request, texts.MISSING, 400, username[:MAX_USERNAME])
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        return login_page(request, texts.WRONG, 401)
    return await _attempt(request, username, password)


async def _attempt(request: web.Request, username: str, password: str) -> web.StreamResponse:
    """Counted first (database pool), then checked (password pool), then the session made."""
    passwords = pools.PASSWORDS
    if passwords.in_flight >= passwords.limit:  # full already: not even counted
        return _busy_login(request, username)
    client = request.app[LIMITS].client_of(request)
    attempt = await run(request, lambda store: Staff(store).reserve(username, client))
    if not attempt.allowed:
        return login_page(request, texts.LOCKED, 429, username)
    try:
        verdict = await passwords.run(verify, attempt, password)
    except pools.Busy:
        await run(request, lambda store: Staff(store).release(attempt))
        return _busy_login(request, username)
    result = await run(request, lambda store: Staff(store).finish(attempt, verdict))
    if result == "locked":
        return login_page(request, texts.LOCKED, 429, username)
    if not isinstance(result, tuple):
        return login_page(request, texts.WRONG, 401, username)
    token, _ = result
    response = redirect("/staff")
    _set_cookie(response, request, SESSION_COOKIE, token)
    _forget_cookie(response, request, LOGIN_CSRF_COOKIE)
    return response


@staff_route
async def logout(request: web.Request) -> web.StreamResponse:
    """POST /staff/ulos: the session ends in the database, and its cookie goes."""
    current = await session(request)
    if current is None:
        return redirect("/staff")
    form = await request.post()
    token, found = current
    if not same(form.get("csrf"), found["csrf"]):
        return forbidden()
    await run(request, lambda store: Staff(store).logout(token))
    response = redirect("/staff?ilmoitus=ulos")
    _forget_cookie(response, request, SESSION_COOKIE)
    return response
