"""The web chat in a real browser: Debian's Chromium driven by Playwright, against `apuri run`
with the small fixture directory. Everything is found by role and accessible name (contract
§6), as a screen reader user would find it. Screenshots of each state go to tests/artifacts/."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

import finnish
from bot.fallback import general_contact
from tests.helpers import (
    ask_in_page,
    axe_violations,
    chat,
    is_focused,
    no_sideways_scroll,
    shot,
    within_width,
)

PHONE_E164 = finnish.normalize_phone(general_contact()["phone"])
MARKUP = "<img src=x onerror=alert(1)> ja <script>alert(2)</script>"

# A site that embeds the widget and styles everything it can reach, as badly as it can.
HOSTILE_CSS = """
* { color: red !important; font-size: 8px !important; font-family: serif !important;
    background: #ff0 !important; line-height: 0.8 !important; letter-spacing: 3px !important; }
html { font-size: 8px !important; }
div, section, button, a, textarea, p { display: inline !important; border: 0 !important;
    padding: 0 !important; margin: 0 !important; visibility: visible !important; }
[hidden] { display: block !important; }
apuri-chat { display: none !important; position: absolute !important; left: -9999px !important; }
"""
PLAIN_CSS = "p#host-text { color: rgb(0, 0, 128); font-size: 13px; font-family: Georgia, serif; }"


def host_page(gateway: str, css: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="fi"><head><meta charset="utf-8"><title>Kotiseutuyhdistys</title>
<style>{css}</style></head>
<body><h1>Kotiseutuyhdistys</h1><p id="host-text">Tervetuloa yhdistyksen sivuille.</p>
<script src="{gateway}/widget.js"></script></body></html>"""


@pytest.fixture(scope="module")
def host_site(stack) -> Iterator[str]:
    """Another website on its own origin that embeds the widget with one <script> tag."""
    pages = {
        "/": host_page(stack.url, HOSTILE_CSS).encode(),
        "/plain": host_page(stack.url, PLAIN_CSS).encode(),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


SMALLEST_TEXT = """root => {
    let smallest = [1000, ''];
    const visit = node => {
        for (const child of node.childNodes) {
            if (child.nodeType === Node.TEXT_NODE && child.textContent.trim()) {
                const element = child.parentElement;
                const size = parseFloat(getComputedStyle(element).fontSize);
                if (element.getClientRects().length && size < smallest[0]) {
                    smallest = [size, child.textContent.trim().slice(0, 40)];
                }
            } else if (child.nodeType === Node.ELEMENT_NODE) {
                visit(child.shadowRoot || child);
            }
        }
    };
    visit(root.shadowRoot || root);
    return smallest;
}"""


def smallest_text(locator) -> tuple[float, str]:
    """The smallest visible text under an element, its shadow roots included."""
    size, text = locator.evaluate(SMALLEST_TEXT)
    return size, text


def font_px(locator) -> float:
    return float(locator.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))


# --- the page --------------------------------------------------------------------------------


def made(response) -> bool:
    return response.url.endswith("/api/conversations") and response.request.method == "POST"


def kept_conversation(page) -> str | None:
    """The page's conversation id, kept for this tab only."""
    return page.evaluate("sessionStorage.getItem('apuri.conversation')")


def test_keyboard_only_conversation_survives_reload_and_starts_over(stack, new_page) -> None:
    page = new_page()
    with page.expect_response(made) as first:  # the page asks the server for its id on load
        page.goto(stack.url + "/")
    assert first.value.status == 201
    given = first.value.json()["conversation"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", given), given
    parts = chat(page)
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(parts.log).to_have_attribute("aria-live", "polite")
    assert font_px(parts.box) >= 18 and font_px(parts.log) >= 18

    page.keyboard.press("Tab")
    assert is_focused(parts.call), "the first Tab stop is the way to a human"
    for _ in range(5):
        if is_focused(parts.box):
            break
        page.keyboard.press("Tab")
    assert is_focused(parts.box), "Tab does not reach the message box"
    outline = parts.box.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + " "getComputedStyle(e).outlineWidth"
    )
    assert not outline.startswith("none") and float(outline.split()[1][:-2]) >= 2, outline

    page.evaluate("""() => {
        window.__statuses = [];
        const seen = () => document.querySelectorAll('[role=status]').forEach(
            s => s.textContent && window.__statuses.push(s.textContent));
        new MutationObserver(seen).observe(document.body,
            {subtree: true, childList: true, characterData: true});
    }""")  # records "Apuri kirjoittaa…" while waiting; evaluate is not bound by the page's CSP
    with (
        page.expect_response(re.compile(r"/api/events\?conversation=")) as events,
        page.expect_request("**/api/messages") as sent,
    ):
        page.keyboard.type("onko Kuopiossa kuoroja")
        page.keyboard.press("Enter")
    assert events.value.status == 200
    assert json.loads(sent.value.post_data or "{}")["conversation"] == given
    assert events.value.url.endswith(f"/api/events?conversation={given}")
    assert kept_conversation(page) == given
    assert page.evaluate("localStorage.getItem('apuri.conversation')") is None
    expect(parts.log).to_contain_text("Sinä: onko Kuopiossa kuoroja")
    expect(parts.log).to_contain_text("Kuopion Kamarikuoro")
    expect(parts.log).to_contain_text("Apuri: Löysin nämä")
    # one answer, one bubble, one "Lue ääneen" (before: three bubbles, three buttons)
    expect(parts.log.locator(".apuri-msg--bot")).to_have_count(1)
    expect(parts.log.get_by_role("button", name="Lue ääneen")).to_have_count(1)
    more = page.get_by_role("button", name="Kyllä, lisää", exact=True)
    expect(more).to_be_visible()
    assert "Apuri kirjoittaa…" in page.evaluate("window.__statuses")
    expect(page.get_by_role("status").filter(has_text="Apuri kirjoittaa")).to_have_count(0)
    assert is_focused(parts.box) and parts.box.input_value() == ""
    shot(page, "web-01-vastaus")

    # Shift+Tab from the box walks back through the bot's buttons: Ei kiitos, Ohjaa ihmiselle, …
    page.keyboard.press("Shift+Tab")
    assert is_focused(page.get_by_role("button", name="Ei kiitos", exact=True))
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert is_focused(more)
    page.keyboard.press("Enter")
    expect(parts.log).to_contain_text("Sinä: Kyllä, lisää")
    expect(parts.log).to_contain_text("Savon Laulajat")
    expect(parts.log).not_to_contain_text("/affirm")
    expect(page.get_by_role("button", name="Ohjaa ihmiselle")).to_have_count(0)
    expect(page.get_by_role("button", name="Kyllä", exact=True)).to_be_visible()
    assert is_focused(parts.box), "after a bot button the focus returns to the message box"
    shot(page, "web-02-lisaa")

    page.reload()
    expect(parts.log).to_contain_text("Kuopion Kamarikuoro")
    expect(parts.log).to_contain_text("Sinä: Kyllä, lisää")
    expect(parts.log).to_contain_text("Savon Laulajat")
    shot(page, "web-03-uudelleenlataus")

    before = kept_conversation(page)
    assert before == given, "the reload lost the conversation id"
    parts.restart.focus()
    with page.expect_response(made) as fresh:  # "Aloita alusta" forgets the id: a new one
        page.keyboard.press("Enter")
    expect(parts.log).to_be_empty()
    expect(page.get_by_role("status").filter(has_text="Uusi keskustelu")).to_be_visible()
    assert fresh.value.status == 201
    after = fresh.value.json()["conversation"]
    page.wait_for_function("id => sessionStorage.getItem('apuri.conversation') === id", arg=after)
    assert after != before
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", after), after
    assert is_focused(parts.box)
    page.reload()
    expect(parts.log).to_be_empty()
    shot(page, "web-04-alusta")

    page.keyboard.press("Tab")
    with page.expect_request("**/api/messages") as sent:
        ask_in_page(page, "kuka on Kuopion järjestöyhdyshenkilö")
    assert json.loads(sent.value.post_data or "{}")["conversation"] == after
    expect(parts.log).to_contain_text("Maija Esimerkki")
    number = page.get_by_role("link", name="040 555 0102")
    expect(number).to_have_attribute("href", "tel:+358405550102")
    expect(parts.log).not_to_contain_text("Kamarikuoro")
    assert page.watch.errors == []


def test_markup_in_messages_is_shown_never_run(stack, new_page) -> None:
    page = new_page()
    page.goto(stack.url + "/")
    parts = chat(page)
    ask_in_page(page, MARKUP)
    expect(parts.log).to_contain_text("Sinä: " + MARKUP)
    expect(parts.log.locator(".apuri-msg--bot").first).to_be_visible()  # the bot answered
    page.wait_for_timeout(300)
    assert page.watch.dialogs == [], "a script in the message ran"
    assert parts.log.locator("img, script").count() == 0
    assert page.locator("img").count() == 0

    page.reload()  # from sessionStorage: still text
    expect(parts.log).to_contain_text("Sinä: " + MARKUP)
    assert parts.log.locator("img, script").count() == 0
    shot(page, "web-05-merkinnat-tekstina")
    assert page.watch.dialogs == [] and page.watch.errors == []


def test_errors_and_later_messages_are_shown(stack, new_page) -> None:
    """A refusal, a broken network and a human's reply over /api/events all reach the log."""
    page = new_page()
    said = "Hei, täällä Maija. <b>Soitan</b> sinulle. Ohje: https://example.fi/ohje."
    human = {"text": said, "from": "human", "name": "Maija"}
    stream = f"retry: 600000\n\ndata: {json.dumps(human, ensure_ascii=False)}\n\n"
    page.route(
        re.compile(r"/api/events\?"),
        lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/event-stream"}, body=stream
        ),
    )
    page.goto(stack.url + "/")
    parts = chat(page)
    ask_in_page(page, "onko Kuopiossa kuoroja")
    expect(parts.log).to_contain_text("Kuopion Kamarikuoro")
    expect(parts.log).to_contain_text("Maija (yhteyshenkilö): Hei, täällä Maija. <b>Soitan</b>")
    assert parts.log.locator("b").count() == 0
    guide = page.get_by_role("link", name="https://example.fi/ohje (avautuu uuteen välilehteen)")
    expect(guide).to_have_attribute("href", "https://example.fi/ohje")

    slow = "Lähetit monta viestiä peräkkäin. Odota hetki ja kirjoita sitten uudelleen."
    page.route(
        "**/api/messages",
        lambda route: route.fulfill(
            status=429, content_type="application/json", body=json.dumps({"error": slow})
        ),
    )
    ask_in_page(page, "entä Kuopion tilat")
    expect(parts.log).to_contain_text(slow)
    expect(parts.box).to_have_value("entä Kuopion tilat")  # nothing typed is lost

    page.unroute("**/api/messages")
    page.route("**/api/messages", lambda route: route.abort())
    parts.send.click()
    expect(parts.log).to_contain_text("yhteys Apuriin ei toimi")
    expect(parts.log).to_contain_text("040 555 0100")
    shot(page, "web-06-virheet")

    page.unroute("**/api/messages")
    parts.box.fill("   ")
    parts.send.click()
    expect(page.get_by_role("status").filter(has_text="Kirjoita viesti ennen")).to_be_visible()
    assert page.watch.errors == []


def test_puhu_without_a_microphone_explains_and_typing_goes_on(stack, new_page) -> None:
    page = new_page()
    page.goto(stack.url + "/")
    parts = chat(page)
    parts.speak.focus()
    page.keyboard.press("Enter")
    note = page.get_by_role("status").filter(has_text="kysymyksesi viestikenttään")
    expect(note).to_be_visible()
    expect(parts.box).to_be_focused()
    shot(page, "web-07-puhu")
    page.keyboard.type("kerro vitsi")
    page.keyboard.press("Enter")
    expect(parts.log).to_contain_text("En osaa auttaa")
    expect(page.get_by_role("button", name="Ei kiitos", exact=True)).to_be_visible()


@pytest.mark.parametrize(
    "name,width,height,scale",
    [("320px", 320, 640, 1), ("zoom200", 640, 400, 2), ("desktop", 1280, 800, 1)],
)
def test_call_link_always_visible_and_no_sideways_scrolling(
    stack, new_page, name: str, width: int, height: int, scale: float
) -> None:
    """320 px is a phone (WCAG 1.4.10); 640 × 400 CSS px is a 1280 × 800 screen at 200 %."""
    page = new_page(width, height, scale)
    page.goto(stack.url + "/")
    parts = chat(page)
    expect(parts.call).to_have_attribute("href", f"tel:{PHONE_E164}")
    expect(parts.call).to_be_in_viewport()
    ask_in_page(page, "onko Kuopiossa kuoroja")
    expect(page.get_by_role("button", name="Ei kiitos", exact=True)).to_be_visible()
    size, text = smallest_text(page.locator("body"))
    assert size >= 18, f"text smaller than 18 px: {text!r} ({size} px)"
    ask_in_page(page, MARKUP + " " + "pitkä" * 60)  # a long word must wrap, not widen the page
    expect(parts.log).to_contain_text("pitkäpitkä")
    expect(page.get_by_role("status").filter(has_text="Apuri kirjoittaa")).to_have_count(0)

    for where in ("0", "document.documentElement.scrollHeight", "200"):
        page.evaluate(f"window.scrollTo(0, {where})")
        expect(parts.call).to_be_in_viewport()
        expect(parts.call).to_be_visible()
    no_sideways_scroll(page)
    for control in (parts.box, parts.send, parts.speak, parts.restart, parts.call):
        within_width(page, control)
    shot(page, f"web-08-{name}")

    parts.box.click()
    page.keyboard.type("kuka on Kuopion järjestöyhdyshenkilö")
    parts.send.click()
    expect(parts.log).to_contain_text("Maija Esimerkki")
    no_sideways_scroll(page)


def test_axe_finds_nothing_on_the_page_and_the_statement(stack, new_page) -> None:
    page = new_page()
    page.goto(stack.url + "/")
    parts = chat(page)
    ask_in_page(page, MARKUP)
    expect(parts.log).to_contain_text("Sinä: " + MARKUP)
    expect(parts.log.locator(".apuri-msg--bot")).not_to_have_count(0)
    ask_in_page(page, "onko Kuopiossa kuoroja")
    expect(page.get_by_role("button", name="Kyllä, lisää")).to_be_visible()
    parts.speak.click()
    expect(page.get_by_role("status").filter(has_text="kysymyksesi viestikenttään")).to_be_visible()
    assert axe_violations(page) == []  # a conversation, bot buttons, a note
    shot(page, "web-09-axe-keskustelu")

    statement = page.get_by_role("link", name="Saavutettavuusseloste")
    expect(statement).to_have_attribute("href", "/saavutettavuus")
    statement.click()
    expect(page).to_have_url(stack.url + "/saavutettavuus")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saavutettavuusseloste")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    required = [
        "WCAG 2.1",
        "osittain",
        "Puheentunnistus voi kuulla väärin",
        "axe-core",
        "saavutettavuus@apuri.example",
        "Traficom",
        "040 555 0100",
    ]
    for words in required:
        expect(page.locator("main")).to_contain_text(words)
    expect(chat(page).call).to_have_attribute("href", f"tel:{PHONE_E164}")
    assert axe_violations(page) == []
    shot(page, "web-10-saavutettavuusseloste")


# --- the widget on another site ------------------------------------------------------------


def test_widget_works_inside_a_hostile_site(stack, host_site, new_page) -> None:
    page = new_page()
    page.goto(host_site + "/")
    parts = chat(page)
    expect(parts.box).to_be_visible()
    expect(parts.log).to_be_visible()
    expect(parts.call).to_have_attribute("href", f"tel:{PHONE_E164}")
    expect(parts.call).to_be_in_viewport()
    expect(parts.speak).to_be_visible()
    assert page.evaluate("document.querySelector('apuri-chat').shadowRoot !== null")

    for part in (parts.box, parts.log, parts.send, parts.call):
        assert font_px(part) >= 18, "the host's 8 px reached the widget"
    size, text = smallest_text(page.locator("apuri-chat"))
    assert size >= 18, f"widget text smaller than 18 px: {text!r} ({size} px)"
    assert parts.log.evaluate("e => getComputedStyle(e).color") == "rgb(27, 27, 27)"
    panel_background = page.evaluate(
        "getComputedStyle(document.querySelector('apuri-chat').shadowRoot"
        ".querySelector('.apuri')).backgroundColor"
    )
    assert panel_background == "rgb(255, 255, 255)"
    assert parts.send.bounding_box()["height"] >= 40, "the host's CSS squashed the buttons"

    ask_in_page(page, "onko Kuopiossa kuoroja")
    expect(parts.log).to_contain_text("Kuopion Kamarikuoro")
    page.get_by_role("button", name="Kyllä, lisää").click()
    expect(parts.log).to_contain_text("Sinä: Kyllä, lisää")
    expect(parts.log).to_contain_text("Savon Laulajat")
    ask_in_page(page, MARKUP)
    expect(parts.log).to_contain_text("Sinä: " + MARKUP)
    parts.speak.click()
    expect(page.get_by_role("status").filter(has_text="kysymyksesi viestikenttään")).to_be_visible()
    expect(parts.box).to_be_focused()
    shot(page, "widget-01-vihamielinen-sivu")
    assert axe_violations(page, {"include": [["apuri-chat"]]}) == []

    page.reload()
    expect(parts.log).to_contain_text("Savon Laulajat")
    assert page.watch.dialogs == [] and page.watch.errors == []
    assert page.locator("img").count() == 0


def test_widget_leaves_the_host_alone_and_passes_axe(stack, host_site, new_page) -> None:
    page = new_page(320, 640)
    page.goto(host_site + "/plain")
    text = page.locator("#host-text")
    style = "e => { const s = getComputedStyle(e); return [s.color, s.fontSize, s.fontFamily] }"
    expect(chat(page).box).to_be_visible()
    assert text.evaluate(style) == ["rgb(0, 0, 128)", "13px", "Georgia, serif"]
    root_font = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert root_font == "16px", "the widget's styles reached the host page"

    parts = chat(page)
    ask_in_page(page, "kerro vitsi")
    expect(page.get_by_role("button", name="Ei kiitos", exact=True)).to_be_visible()
    no_sideways_scroll(page)
    for control in (parts.box, parts.send, parts.speak, parts.call):
        within_width(page, control)
    shot(page, "widget-02-320px")
    assert axe_violations(page) == []

    toggle = page.get_by_role("button", name="Apuri-chat")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(parts.box).to_be_hidden()
    expect(parts.call).to_be_in_viewport()  # the human stays one step away
    assert axe_violations(page) == []
    shot(page, "widget-03-pienennetty")
    toggle.press("Enter")
    expect(parts.box).to_be_focused()
    expect(parts.log).to_contain_text("En osaa auttaa")
