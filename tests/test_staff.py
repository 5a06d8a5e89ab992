"""The staff page (contract §6, §7) against `apuri run` with the small fixture directory: a staff
member logs in with the keyboard, takes a request, marks it done and forgets its personal data,
reads what people needed and downloads it as CSV, in Debian's Chromium. Without a browser: no
session, no data; no CSRF token, no change; five wrong passwords lock the login, for known and
unknown names alike, per name and address and per address, counted before any password is
checked (on SQLite and PostgreSQL); a flood of logins gets a Finnish 503 instead of queueing;
old and forged cookies log nobody in; a database that is down gives a Finnish 503 and the
gateway stays up. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import http.client
import http.cookies
import io
import json
import os
import re
import secrets
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from cli.services import free_port
from core import clock
from store.handoff import Handoffs, schema
from store.handoff import staff as staff_module
from store.handoff.staff import PER_ADDRESS, PER_NAME, Staff, check_password
from tests.conftest import BIN, ROOT, gateway_process
from tests.helpers import ARTIFACTS, axe_violations, no_sideways_scroll, shot

PASSWORD = "Kuoro-harjoitus-2027"
USERS = ("hoitaja", "toinen", "lukko", "kaveri")
PHONE, PHONE_SHOWN = "+358401234567", "040 123 4567"
SUBJECT = "Haluan liittyä kuoroon"
MARKUP = "<img src=x onerror=alert(1)> ja <script>alert(2)</script>"
WRONG = "Väärä tunnus tai salasana"
LOCKED = "liian monta yritystä, yritä 15 minuutin päästä"
BUSY = "Kirjautumisia on juuri nyt paljon"
FORBIDDEN = "Lomakkeen tarkiste puuttui tai oli väärä"
NEEDS_TITLE = "Mitä ihmiset tarvitsivat eivätkä saaneet"
FINNISH_TIME = re.compile(r"(ma|ti|ke|to|pe|la|su) \d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d{2}")


def apuri(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "apuri"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "APURI_DB_URL": db_url},
    )


def requests_json(db_url: str) -> dict[str, dict]:
    done = apuri(db_url, "handoff", "list", "--json")
    assert done.returncode == 0, done.stderr
    return {row["id"]: row for row in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def staff_users(directory_url: str) -> tuple[str, ...]:
    """Staff logins made as an administrator would: `apuri staff add NAME`, password on stdin."""
    for name in USERS:
        done = apuri(directory_url, "staff", "add", name, stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
    return USERS


@pytest.fixture(scope="module")
def store(directory_url: str) -> Handoffs:
    return Handoffs(directory_url)


@pytest.fixture
def make_request(store: Handoffs):
    """A callback request as the bot stores it (no delivery routes, so nothing sends it)."""

    def make(**changes: str) -> dict:
        fields = {
            "municipality": "Kuopio",
            "topic": "kulttuuri",
            "phone": PHONE,
            "preferred_text": "huomenna klo 9–12",
            "subject": SUBJECT,
            "conversation": "web-test",
            **changes,
        }
        return store.create("callback", {"id": "p-1", "name": "Maija Esimerkki"}, [], **fields)

    return make


# --- a browser without a browser ---------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    text: str
    cookies: list[str] = field(default_factory=list)  # the raw Set-Cookie headers

    def cookie(self, name: str) -> str:
        return next(c for c in self.cookies if c.startswith(name + "="))


class Client:
    """HTTP with a cookie jar and no redirects followed, to see every answer as it is."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.cookies: dict[str, str] = {}
        self.headers = headers or {}

    def go(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        headers = dict(self.headers)
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        raw = resp.headers.get_all("Set-Cookie") or []
        for line in raw:
            jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Reply(resp.status, resp.headers, text, raw)

    def get(self, path: str) -> Reply:
        return self.go("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self.go("POST", path, form)

    def log_in(self, username: str, password: str = PASSWORD) -> Reply:
        page = self.get("/staff")
        return self.post(
            "/staff/kirjaudu",
            {"csrf": csrf_of(page.text), "username": username, "password": password},
        )


def csrf_of(text: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', text)
    assert match, "no CSRF field on the page"
    return match.group(1)


def logged_in(reply: Reply) -> bool:
    return reply.status == 200 and "<h1>Yhteydenottopyynnöt</h1>" in reply.text


def no_personal_data(text: str, record: dict) -> None:
    for secret in (PHONE, PHONE_SHOWN, record["phone"], record["subject"], record["id"]):
        assert secret not in text, f"{secret!r} shown without a session"


# --- the command line ---------------------------------------------------------------------------


def test_staff_add_refuses_weak_passwords_and_taken_names(directory_url, staff_users, store):
    for weak in ("lyhyt", "kaikkipienillakirjaimilla", "Lyhyt-1"):
        done = apuri(directory_url, "staff", "add", "heikko", stdin=weak + "\n")
        assert done.returncode == 2, (weak, done.stdout, done.stderr)
        assert "password" in done.stderr
    taken = apuri(directory_url, "staff", "add", "hoitaja", stdin=PASSWORD + "\n")
    assert taken.returncode == 2 and "exists" in taken.stderr
    bad_name = apuri(directory_url, "staff", "add", "Iso Nimi", stdin=PASSWORD + "\n")
    assert bad_name.returncode == 2
    assert Staff(store).login("heikko", "lyhyt") == "wrong"  # nothing was created


# --- in the browser -----------------------------------------------------------------------------


def focus_is_visible(page) -> bool:
    """The focused element draws an outline of at least 2 px (WCAG 2.4.7)."""
    return page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    }""")


def log_in_with_keyboard(page, base: str, username: str = "hoitaja") -> None:
    page.goto(base + "/staff")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Siirry sisältöön")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Käyttäjätunnus")).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Salasana")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Kirjaudu", exact=True)).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Yhteydenottopyynnöt")


def test_a_request_from_open_to_forgotten_in_the_browser(
    stack, directory_url, staff_users, make_request, store, new_page
) -> None:
    record = make_request()
    store.note_need("Kuopio", "kulttuuri", "not_found")
    store.note_need(None, None, "fallback")
    now = clock.now()
    try:
        for weeks_ago, count in ((1, 4), (2, 2), (3, 5)):  # a few weeks for the chart
            clock.set_now(now - dt.timedelta(weeks=weeks_ago))
            for _ in range(count):
                store.note_need("Kuopio", "liikunta", "not_found")
    finally:
        clock.set_now(None)
    page = new_page()
    page.goto(stack.url + "/staff")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaudu henkilökunnan sivulle")
    shot(page, "staff-01-kirjautuminen")
    log_in_with_keyboard(page, stack.url)

    item = page.locator(f"#pyynto-{record['id']}")
    for words in (
        "Soittopyyntö",
        "Avoin",
        "Maija Esimerkki",
        "Kuopio",
        "Kulttuuri",
        PHONE_SHOWN,
        "huomenna klo 9–12",
        SUBJECT,
        "Ei (vielä)",
    ):
        expect(item).to_contain_text(words)
    expect(item.get_by_role("link", name=PHONE_SHOWN)).to_have_attribute("href", f"tel:{PHONE}")
    expect(item.get_by_role("heading", level=3)).to_have_text(FINNISH_TIME)
    expect(item.get_by_role("button", name="Avaa uudelleen")).to_have_count(0)
    item.screenshot(path=str(ARTIFACTS / "staff-02-pyynto.png"))
    shot(page, "staff-02-pyynnot")

    item.get_by_role("button", name="Otan").click()
    expect(page.get_by_role("status")).to_have_text("Kirjattu: otit pyynnön hoitaaksesi.")
    expect(item.locator(".status")).to_have_text("Otettu")
    expect(item).to_contain_text("hoitaja")  # who took it
    assert requests_json(directory_url)[record["id"]]["status"] == "taken"
    assert requests_json(directory_url)[record["id"]]["taken_by"] == "hoitaja"

    item.get_by_role("button", name="Hoidettu").focus()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Kirjattu: pyyntö on hoidettu.")
    done = page.get_by_role("region", name=re.compile(r"^Hoidetut"))
    expect(done.locator(f"#pyynto-{record['id']}")).to_be_visible()
    assert requests_json(directory_url)[record["id"]]["status"] == "done"
    shot(page, "staff-03-hoidettu")

    item.get_by_role("button", name="Poista henkilötiedot").click()
    expect(page.get_by_role("status")).to_have_text("Pyynnön henkilötiedot on poistettu.")
    expect(item).not_to_contain_text(PHONE_SHOWN)
    expect(item).not_to_contain_text(SUBJECT)
    expect(item).to_contain_text("Henkilötiedot poistettu")
    expect(item.get_by_role("button", name="Poista henkilötiedot")).to_have_count(0)
    row = requests_json(directory_url)[record["id"]]
    assert row["phone"] is None and row["subject"] is None and row["preferred_text"] is None
    shot(page, "staff-04-tiedot-poistettu")

    page.get_by_role("link", name=re.compile("^Tarpeet")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEEDS_TITLE)
    table = page.get_by_role("table")
    for header in ("Viikko", "Kunta", "Aihe", "Mitä tapahtui", "Määrä"):
        expect(table.get_by_role("columnheader", name=header)).to_be_visible()
    # other tests' chats in the same stack add their own needs: the row of this one is there
    found = (
        table.get_by_role("row")
        .filter(has_text="Kuopio")
        .filter(has_text="Hakemistosta ei löytynyt mitään")
        .filter(has_text="Kulttuuri")
    )
    expect(found.first).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Apuri ei ymmärtänyt").first).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("^Tarpeet viikoittain yhteensä"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).not_to_have_count(0)
    assert chart.locator("rect").count() >= 4  # this week and the three before
    expect(chart.locator("desc")).to_contain_text(re.compile(r"viikko \d+/\d{4}: \d+"))
    for secret in (SUBJECT, PHONE_SHOWN, "Maija"):
        expect(page.locator("main")).not_to_contain_text(secret)
    page.screenshot(path=str(ARTIFACTS / "staff-05-tarpeet.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Lataa taulukko CSV-tiedostona").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows[0] == ["viikko", "kunta", "aihe", "laji", "määrä"]
    assert any(r[1:4] == ["Kuopio", "kulttuuri", "not_found"] and int(r[4]) >= 1 for r in rows[1:])
    assert any(r[1:4] == ["", "", "fallback"] for r in rows[1:])
    assert all(re.match(r"^\d{4}-W\d{2}$", r[0]) for r in rows[1:])
    assert SUBJECT not in "\n".join(",".join(r) for r in rows)

    page.get_by_role("button", name="Kirjaudu ulos").click()
    expect(page.get_by_role("status")).to_have_text("Olet kirjautunut ulos.")
    expect(page.get_by_label("Käyttäjätunnus")).to_be_visible()
    page.goto(stack.url + "/staff/tarpeet")
    expect(page).to_have_url(stack.url + "/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kirjaudu henkilökunnan sivulle")
    assert page.watch.dialogs == [] and page.watch.errors == []


def test_axe_finds_nothing_on_the_staff_pages(
    stack, staff_users, make_request, store, new_page
) -> None:
    """Every state at once: open, taken, done, forgotten, markup in the texts, a wrong login."""
    make_request(subject=MARKUP, preferred_text=MARKUP, municipality="Iisalmi", topic=None)
    taken = make_request(topic="ikaantyneet")
    store.set_status(taken["id"], "taken")
    gone = make_request(topic="liikunta")
    store.set_status(gone["id"], "done")
    store.forget(gone["id"])
    store.note_need("Kuopio", "liikunta", "feedback")
    page = new_page()
    page.goto(stack.url + "/staff")
    page.get_by_label("Käyttäjätunnus").fill("eiolemassa")
    page.get_by_label("Salasana").fill("väärä salasana")
    page.get_by_role("button", name="Kirjaudu", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(WRONG + ".")
    expect(page.get_by_label("Käyttäjätunnus")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    shot(page, "staff-06-vaara-salasana")
    page.goto(stack.url + "/staff")
    assert axe_violations(page) == []

    log_in_with_keyboard(page, stack.url, "kaveri")
    expect(page.get_by_text(MARKUP).first).to_be_visible()  # shown as text, never run
    assert axe_violations(page) == []
    page.goto(stack.url + "/staff/tarpeet")
    expect(page.get_by_role("table")).to_be_visible()
    assert axe_violations(page) == []
    assert page.watch.dialogs == [] and page.watch.errors == []


@pytest.mark.parametrize(
    "name,width,height,scale", [("320px", 320, 640, 1), ("zoom200", 640, 400, 2)]
)
def test_staff_pages_fit_a_phone_and_200_percent_zoom(
    stack, staff_users, make_request, new_page, name: str, width: int, height: int, scale: float
) -> None:
    """320 px is a phone (WCAG 1.4.10); 640 × 400 CSS px is a 1280 × 800 screen at 200 %."""
    make_request(subject="pitkä" * 40)  # a long word must wrap, not widen the page
    page = new_page(width, height, scale)
    page.goto(stack.url + "/staff")
    no_sideways_scroll(page)
    shot(page, f"staff-07-kirjautuminen-{name}")
    log_in_with_keyboard(page, stack.url, "kaveri")
    no_sideways_scroll(page)
    expect(page.get_by_role("button", name="Otan").first).to_be_visible()
    shot(page, f"staff-08-pyynnot-{name}")
    page.goto(stack.url + "/staff/tarpeet")
    no_sideways_scroll(page)
    expect(page.get_by_role("img", name=re.compile("^Tarpeet viikoittain"))).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"staff-09-tarpeet-{name}.png"), full_page=True)


# --- access control, without a browser ----------------------------------------------------------


STAFF_GETS = ("/staff/tarpeet", "/staff/tarpeet.csv", "/staff/")


def test_without_a_session_nothing_is_shown_or_changed(stack, make_request, store) -> None:
    record = make_request(phone="+358451112233", subject="Yksityinen asia 7731")
    client = Client(stack.url)
    login = client.get("/staff")
    assert login.status == 200 and 'action="/staff/kirjaudu"' in login.text
    assert login.headers["Cache-Control"] == "no-store"
    no_personal_data(login.text, record)
    for path in STAFF_GETS:
        reply = client.get(path)
        assert reply.status == 303 and reply.headers["Location"] == "/staff", path
        assert reply.headers["Cache-Control"] == "no-store", path
        no_personal_data(reply.text, record)
    for action in ("take", "done", "reopen", "forget"):
        for csrf in ({}, {"csrf": csrf_of(login.text)}, {"csrf": "x" * 43}):
            reply = client.post(f"/staff/pyynnot/{record['id']}", {"action": action, **csrf})
            assert reply.status == 403 and FORBIDDEN in reply.text, (action, csrf)
            no_personal_data(reply.text, record)
    after = store.get(record["id"])
    assert after["status"] == "open" and after["phone"] == "+358451112233"
    assert client.post("/staff/ulos", {}).status == 303


def test_every_post_needs_the_right_csrf_token(stack, staff_users, make_request, store) -> None:
    record = make_request(phone="+358451112233", subject="Yksityinen asia 7731")
    client = Client(stack.url)
    assert client.log_in("toinen").status == 303
    page = client.get("/staff")
    assert logged_in(page) and "+358451112233" in page.text
    assert "<script" not in page.text and " style=" not in page.text
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'none'
    csrf = csrf_of(page.text)
    target = f"/staff/pyynnot/{record['id']}"
    for wrong in ({}, {"csrf": ""}, {"csrf": csrf[:-1]}, {"csrf": secrets.token_urlsafe(32)}):
        for action in ("take", "forget"):
            reply = client.post(target, {"action": action, **wrong})
            assert reply.status == 403 and FORBIDDEN in reply.text, (action, wrong)
            assert '<html lang="fi">' in reply.text
    assert client.post("/staff/ulos", {"csrf": "väärä"}).status == 403
    unchanged = store.get(record["id"])
    assert unchanged["status"] == "open" and unchanged["phone"] == "+358451112233"
    assert logged_in(client.get("/staff"))  # a forged logout did not log out either

    reply = client.post(target, {"action": "take", "csrf": csrf})
    assert reply.status == 303 and reply.headers["Location"] == "/staff?ilmoitus=otettu"
    assert store.get(record["id"])["status"] == "taken"
    assert client.post(target, {"action": "delete", "csrf": csrf}).status == 400
    missing = client.post("/staff/pyynnot/eiole000", {"action": "done", "csrf": csrf})
    assert missing.status == 303 and missing.headers["Location"] == "/staff?ilmoitus=eiloydy"
    for path in ("/staff", "/staff/tarpeet", "/staff/tarpeet.csv"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    csv_reply = client.get("/staff/tarpeet.csv")
    assert csv_reply.headers["Content-Type"].startswith("text/csv")
    assert csv_reply.headers["Content-Disposition"].startswith("attachment;")

    # the login form: a double-submit cookie, and the cookie alone is not enough
    other = Client(stack.url)
    form = csrf_of(other.get("/staff").text)
    for wrong in ({}, {"csrf": "x" * 43}):
        reply = other.post("/staff/kirjaudu", {"username": "toinen", "password": PASSWORD, **wrong})
        assert reply.status == 403 and "apuri_staff" not in other.cookies
    other.cookies.clear()
    reply = other.post(
        "/staff/kirjaudu", {"csrf": form, "username": "toinen", "password": PASSWORD}
    )
    assert reply.status == 403 and "apuri_staff" not in other.cookies


def test_the_session_cookie_is_httponly_strict_and_secure_behind_https(stack, staff_users):
    client = Client(stack.url)
    first = client.get("/staff")
    for cookie in (first.cookie("apuri_login_csrf"), client.log_in("toinen").cookie("apuri_staff")):
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
        assert "Secure" not in cookie  # plain HTTP on 127.0.0.1: a Secure cookie would be lost
    behind_proxy = Client(stack.url, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in behind_proxy.get("/staff").cookie("apuri_login_csrf")
    cookie = behind_proxy.log_in("toinen").cookie("apuri_staff")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_five_wrong_passwords_lock_the_login(stack, staff_users) -> None:
    client = Client(stack.url)
    for name in ("lukko", "eiole"):  # a name that does not exist locks the same way
        for attempt in range(PER_NAME - 1):
            reply = client.log_in(name, f"väärä-salasana-{attempt}")
            assert reply.status == 401 and WRONG in reply.text and LOCKED not in reply.text.lower()
        reply = client.log_in(name, "väärä-salasana-5")
        assert reply.status == 429 and LOCKED in reply.text.lower(), name
        right = client.log_in(name, PASSWORD)
        assert right.status == 429 and LOCKED in right.text.lower(), name
    assert "apuri_staff" not in client.cookies
    assert client.log_in("hoitaja", "väärä-salasana").text.count(WRONG) == 1
    assert Client(stack.url).log_in("toinen").status == 303  # the others still log in


def test_old_and_forged_cookies_log_nobody_in(stack, staff_users, make_request, store) -> None:
    record = make_request(phone="+358451112233", subject="Yksityinen asia 7731")
    first = Client(stack.url)
    first.log_in("toinen")
    old = first.cookies["apuri_staff"]
    page = first.get("/staff")
    assert logged_in(page)
    reply = first.post("/staff/ulos", {"csrf": csrf_of(page.text)})
    assert reply.status == 303 and "apuri_staff" not in first.cookies
    for token in (old, secrets.token_urlsafe(32), csrf_of(page.text), "x" * 500):
        stranger = Client(stack.url)
        stranger.cookies["apuri_staff"] = token
        reply = stranger.get("/staff")
        assert not logged_in(reply) and 'action="/staff/kirjaudu"' in reply.text
        assert "apuri_staff" not in stranger.cookies  # the dead cookie was cleared
        no_personal_data(reply.text, record)
        stranger.cookies["apuri_staff"] = token
        for path in STAFF_GETS:
            assert stranger.get(path).status == 303, path
        stranger.cookies["apuri_staff"] = token
        forged = stranger.post(
            f"/staff/pyynnot/{record['id']}", {"action": "forget", "csrf": csrf_of(page.text)}
        )
        assert forged.status == 403
    assert store.get(record["id"])["phone"] == "+358451112233"  # nothing was forgotten


# --- logins under attack -----------------------------------------------------------------------


@pytest.fixture
def fresh_store(each_database: str) -> Handoffs:
    """An empty handoff database of its own: SQLite, and a real PostgreSQL server."""
    return Handoffs(each_database)


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Every password scrypt checks, in order (the real check still runs)."""
    seen: list[str] = []
    real = staff_module.check_password
    lock = threading.Lock()

    def counted(password: str, stored: str) -> bool:
        with lock:
            seen.append(password)
        return real(password, stored)

    monkeypatch.setattr(staff_module, "check_password", counted)
    return seen


def at_once(work, arguments: list[tuple]) -> list:
    """work(*args) for every args in threads released together, the answers in order."""
    barrier = threading.Barrier(len(arguments))

    def go(args: tuple):
        barrier.wait()
        return work(*args)

    with ThreadPoolExecutor(len(arguments)) as pool:
        return list(pool.map(go, arguments))


def test_concurrent_wrong_logins_check_at_most_five_passwords(fresh_store, checks) -> None:
    staff = Staff(fresh_store)
    staff.add("omistaja", PASSWORD)
    attempts = [("omistaja", f"väärä-{i}", "192.0.2.1") for i in range(30)]
    answers = at_once(staff.login, [*attempts, ("omistaja", PASSWORD, "192.0.2.1")])
    assert len(checks) <= PER_NAME, f"{len(checks)} passwords checked"
    assert sum(a == "locked" for a in answers) >= len(answers) - PER_NAME
    right = answers[-1]
    if right == "locked":  # it came after the limit: it stays out for the window, right or not
        assert PASSWORD not in checks
        assert staff.login("omistaja", PASSWORD, "192.0.2.1") == "locked"
    else:  # it was among the first five
        assert isinstance(right, tuple) and PASSWORD in checks
    assert isinstance(staff.login("omistaja", PASSWORD, "192.0.2.2"), tuple)  # another address


def test_the_address_limit_counts_across_names(fresh_store, checks) -> None:
    staff = Staff(fresh_store)
    staff.add("omistaja", PASSWORD)
    reserved = [staff.reserve(f"keksitty-{i}", "198.51.100.7") for i in range(PER_ADDRESS)]
    assert all(a.allowed for a in reserved)  # counted though not one password is checked yet
    assert staff.login("omistaja", PASSWORD, "198.51.100.7") == "locked"
    assert staff.login("uusi-nimi", "mikä-tahansa", "198.51.100.7") == "locked"
    assert checks == []
    assert isinstance(staff.login("omistaja", PASSWORD, "198.51.100.8"), tuple)
    for attempt in reserved[:3]:  # never checked (the password pool was full): given back
        staff.release(attempt)
    assert staff.reserve("omistaja", "198.51.100.7").allowed  # 22 counted, 3 back, 1 more


def test_an_old_hash_is_rehashed_with_todays_parameters_at_login(directory_url, store) -> None:
    staff = Staff(store)
    staff.add("vanha", PASSWORD)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    s = schema.staff

    def stored() -> str:
        with store.engine.connect() as conn:
            return conn.execute(
                sa.select(s.c.password_hash).where(s.c.username == "vanha")
            ).scalar_one()

    assert stored().startswith("scrypt$131072$8$1$")  # what `apuri staff add` makes now
    with store.engine.begin() as conn:
        conn.execute(sa.update(s).where(s.c.username == "vanha").values(password_hash=old))
    assert staff.login("vanha", "väärä-salasana", "203.0.113.90") == "wrong"
    assert stored() == old  # a wrong password changes nothing
    assert isinstance(staff.login("vanha", PASSWORD, "203.0.113.90"), tuple)
    new = stored()
    assert new.startswith("scrypt$131072$8$1$") and check_password(PASSWORD, new)
    assert isinstance(staff.login("vanha", PASSWORD, "203.0.113.90"), tuple)
    assert stored() == new


@pytest.fixture(scope="module")
def proxied(directory_url: str) -> Iterator[str]:
    """A gateway (no Rasa needed for the staff page) behind a trusted proxy on 127.0.0.1, so
    each test can log in from addresses of its own through X-Forwarded-For."""
    with gateway_process(directory_url, APURI_TRUSTED_PROXIES="127.0.0.1") as base:
        yield base


def from_address(base: str, address: str) -> Client:
    return Client(base, headers={"X-Forwarded-For": address})


def same_page(reply: Reply, username: str) -> str:
    """The page without what may differ by right: the CSRF token and the name typed."""
    text = re.sub(r'name="csrf" value="[^"]+"', 'name="csrf" value=""', reply.text)
    return text.replace(f'value="{username}"', 'value=""')


def test_known_and_unknown_names_get_the_same_answers(proxied, store) -> None:
    Staff(store).add("tunnettu", PASSWORD)
    seen = {}
    for name, address in (("tunnettu", "203.0.113.10"), ("tuntematon", "203.0.113.11")):
        client = from_address(proxied, address)
        replies = [client.log_in(name, f"väärä-salasana-{i}") for i in range(PER_NAME)]
        replies.append(client.log_in(name, PASSWORD))
        seen[name] = replies
        assert [r.status for r in replies] == [401] * (PER_NAME - 1) + [429, 429], name
        assert "apuri_staff" not in client.cookies
    for known, unknown in zip(seen["tunnettu"], seen["tuntematon"], strict=True):
        assert same_page(known, "tunnettu") == same_page(unknown, "tuntematon")
    assert LOCKED in seen["tuntematon"][-1].text.lower()
    # the lock is per name and address: the owner elsewhere is not locked out
    assert from_address(proxied, "203.0.113.12").log_in("tunnettu").status == 303


def test_a_flood_of_logins_gets_busy_answers_and_chat_keeps_answering(proxied) -> None:
    def log_in(i: int) -> Reply:
        return from_address(proxied, f"198.18.0.{i + 1}").log_in(f"keksitty-{i}", "arvaus-123")

    waits: list[float] = []
    with ThreadPoolExecutor(40) as pool:
        flood = [pool.submit(log_in, i) for i in range(40)]
        while not all(f.done() for f in flood):
            started = time.monotonic()
            health = Client(proxied).get("/health")
            waits.append(time.monotonic() - started)
            assert health.status == 200
            time.sleep(0.05)
        replies = [f.result() for f in flood]
    statuses = sorted(r.status for r in replies)
    busy = [r for r in replies if r.status == 503]
    assert set(statuses) <= {401, 503}, statuses
    assert 401 in statuses  # some were checked, one after another in the password pool
    assert len(busy) >= 20, statuses  # the rest were told at once to try again, not queued
    for reply in busy:
        assert BUSY in reply.text and reply.headers["Retry-After"] and 'lang="fi"' in reply.text
    assert waits and max(waits) < 10, waits  # generous: the point is that it answered at all
    # a busy answer was not counted: the same address may still try its five times
    index = next(i for i, r in enumerate(replies) if r.status == 503)
    client = from_address(proxied, f"198.18.0.{index + 1}")
    statuses = [client.log_in(f"keksitty-{index}", f"väärä-{i}").status for i in range(PER_NAME)]
    assert statuses == [401] * (PER_NAME - 1) + [429]


# --- the database down --------------------------------------------------------------------------


def test_database_down_gives_a_finnish_503_and_the_gateway_stays_up() -> None:
    nowhere = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    with gateway_process(nowhere) as base:
        client = Client(base)
        client.cookies = {"apuri_staff": "x" * 43, "apuri_login_csrf": "y" * 43}
        for reply in (
            client.get("/staff"),
            client.get("/staff/tarpeet"),
            client.post(
                "/staff/kirjaudu", {"csrf": "y" * 43, "username": "hoitaja", "password": PASSWORD}
            ),
        ):
            assert reply.status == 503, reply.text
            assert "Tietokantaan ei juuri nyt saada yhteyttä" in reply.text
            assert '<html lang="fi">' in reply.text and reply.headers["Retry-After"]
        assert Client(base).get("/staff").status == 503
        health = Client(base).get("/health")
        assert health.status == 200 and json.loads(health.text)["database"]["ok"] is False
        assert Client(base).get("/").status == 200


def test_no_personal_data_or_password_in_the_logs(stack) -> None:
    for secret in (PASSWORD, "+358451112233", "0451112233", "Yksityinen asia 7731"):
        assert secret not in stack.logs(), f"{secret!r} in the logs of apuri run"
