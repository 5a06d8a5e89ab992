"""Safety never depends on the database (issue 17 §1, §2): with PostgreSQL stopped, or the SQLite
file unreadable, "en jaksa enää, haluan kuolla" and "talo palaa, apua" get 112 and the crisis line
first and the general number after, on every channel (the web API, Telegram, speech). A database
error with a phone number and a subject in flight leaves neither in any log line nor in Rasa's
tracker, and the private message is not taken for an ordinary one afterwards. The first message
after the database comes back is answered from the directory.

Real services throughout: `apuri run` (Rasa, the action server, the gateway), a PostgreSQL server
of this module's own (stopped and started again), a SQLite file, the fake Bot API, Whisper.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway import texts
from store.directory import Directory
from tests.conftest import (
    TOKEN,
    Apuri,
    conversation,
    fixture_document,
    running_apuri,
    sender_of,
)
from tests.fake_telegram import FakeTelegram, Json
from tests.speech_audio import festival

BOT_TOKEN = "123456:TEST"
GENERAL = "040 555 0100"  # the sample's general contact (APURI_FALLBACK_PHONE's default)
CRISIS_LINE = "09 2525 0111"
CRISIS = "en jaksa enää, haluan kuolla"
EMERGENCY = "talo palaa, apua"
_chats = itertools.count(515_000)


def post(base: str, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=90) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def web(base: str, label: str, text: str) -> list[str]:
    status, data = post(
        base, "/api/messages", {"conversation": conversation(base, label), "text": text}
    )
    assert status == 200, data
    return [m["text"] for m in data["messages"]]


def voice(base: str, label: str, audio: bytes) -> tuple[str, list[str]]:
    url = f"{base}/api/voice?conversation={conversation(base, label)}"
    request = urllib.request.Request(
        url, data=audio, method="POST", headers={"Content-Type": "audio/wav"}
    )
    with urllib.request.urlopen(request, timeout=120) as resp:
        data = json.loads(resp.read())
    return data["transcript"], [m["text"] for m in data["messages"]]


def telegram(fake: FakeTelegram, text: str) -> list[str]:
    """A new chat says `text`; the bot's messages once the general number has come (or 60 s)."""
    chat = next(_chats)
    fake.push_text(chat, text)

    def done(sent: list[Json]) -> bool:
        return any(GENERAL in m["text"] for m in sent)

    fake.wait_for(chat, done, timeout=60)
    return fake.texts(chat)


def assert_safety_first(answers: list[str], kind: str) -> None:
    """112 (and the crisis line for a crisis) in the first answer; the general number later."""
    assert answers, "no answer"
    first = answers[0]
    assert "112" in first, answers
    if kind == "crisis":
        assert CRISIS_LINE in first, answers
    assert any(GENERAL in a for a in answers[1:]), answers


def every_channel(apuri: Apuri, fake: FakeTelegram, label: str) -> None:
    """The web API, Telegram and speech, each with a crisis and an emergency."""
    for kind, text in (("crisis", CRISIS), ("emergency", EMERGENCY)):
        assert_safety_first(web(apuri.url, f"{label}-web-{kind}", text), kind)
        assert_safety_first(telegram(fake, text), kind)
    spoken = {"crisis": "Ajattelen itsemurhaa.", "emergency": "Soittakaa ambulanssi!"}
    for kind, sentence in spoken.items():
        _, answers = voice(apuri.url, f"{label}-voice-{kind}", festival(sentence))
        assert_safety_first(answers, kind)


def directory_answers(apuri: Apuri, label: str) -> str:
    """A question only the directory can answer, answered (the database is back)."""
    return "\n".join(web(apuri.url, label, "onko Kuopiossa kuoroja"))


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def pg() -> Iterator:
    from bench.pgtemp import PostgresServer, pg_bin

    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; make setup installs it (postgresql)")
        pytest.skip("PostgreSQL is not installed")
    server = PostgresServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def pg_url(pg) -> str:
    from bench.pgtemp import create_database

    url = create_database(pg.url, "apuri_outage")
    Directory(url).import_document(fixture_document())
    return url


@pytest.fixture(scope="module")
def pg_stack(model_path, pg_url: str, fake: FakeTelegram) -> Iterator[Apuri]:
    with running_apuri(
        pg_url, TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=fake.api_url
    ) as apuri:
        fake.wait_until_polling(timeout=60)
        yield apuri


def test_postgres_stopped_safety_first_on_every_channel_then_back(pg, pg_stack, fake) -> None:
    assert "Kuopion Kamarikuoro" in directory_answers(pg_stack, "pg-before")
    pg.stop()
    try:
        every_channel(pg_stack, fake, "pg-down")
    finally:
        pg.start()
    # the first message after the restart: a fresh connection, the directory's own answer
    assert "Kuopion Kamarikuoro" in directory_answers(pg_stack, "pg-after")


def tracker(apuri: Apuri, label: str) -> str:
    url = (
        f"http://127.0.0.1:{apuri.rasa}/conversations/{sender_of(apuri.url, label)}/tracker"
        f"?token={TOKEN}"
    )
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read().decode("utf-8")


def test_a_database_error_with_a_number_and_a_subject_in_flight(pg_url, pg_stack) -> None:
    """The vault refuses every number and message (a CHECK constraint: PostgreSQL's error then
    quotes the whole failing row). Neither the number nor the subject reaches a log line or
    Rasa's tracker; the subject is not taken for an ordinary message afterwards, and once the
    vault works again it is kept and the request goes through."""
    number, other = "040 123 4567", "050 765 4321"
    subject = (
        "Tarvitsen apua tabletin kanssa, tyttäreni numero on " + other + " ja hän "
        "auttaa myös; tämä aihe on pidempi kuin kolmekymmentäkaksi merkkiä"
    )
    engine = sa.create_engine(pg_url)
    label = "pg-private"
    with engine.begin() as conn:
        conn.execute(
            sa.text("ALTER TABLE vault ADD CONSTRAINT no_values CHECK " "(length(value) <= 1)")
        )
    try:
        web(pg_stack.url, label, "asun Kuopiossa")
        assert "numeroon" in "\n".join(web(pg_stack.url, label, "voisiko joku soittaa minulle"))
        web(pg_stack.url, label, number)  # kept nowhere: masked in memory, the form goes on
        asked = "\n".join(web(pg_stack.url, label, "huomenna aamupäivällä"))
        assert "mitä asia koskee" in asked, asked
        refused = web(pg_stack.url, label, subject)
        assert refused == [texts.private_not_kept()], refused
        again = web(pg_stack.url, label, subject)  # the flag was not spent by the failure
        assert again == [texts.private_not_kept()], again
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE vault DROP CONSTRAINT no_values"))
        engine.dispose()
    kept = "\n".join(web(pg_stack.url, label, subject))
    assert "tallentaa puhelinnumerosi" in kept, kept  # the form went on: the subject was taken
    written = tracker(pg_stack, label)
    log = pg_stack.logs()
    for secret in (
        number,
        other,
        number.replace(" ", ""),
        other.replace(" ", ""),
        "358401234567",
        "358507654321",
        "tabletin kanssa",
        "tyttäreni",
    ):
        assert secret not in written, f"{secret!r} in Rasa's tracker"
        assert secret not in log, f"{secret!r} in the log:\n{log[-3000:]}"
    assert "IntegrityError" in log or "CheckViolation" in log, "the failure was not logged"
    assert conversation(pg_stack.url, label) not in log, "a conversation id in the log"


# -- SQLite ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_file(directory_url: str, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("outage") / "apuri.db"
    shutil.copy(Path(directory_url.removeprefix("sqlite:///")), path)
    return path


@pytest.fixture(scope="module")
def sqlite_stack(model_path, sqlite_file: Path, fake: FakeTelegram) -> Iterator[Apuri]:
    with running_apuri(
        f"sqlite:///{sqlite_file}", TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=fake.api_url
    ) as apuri:
        fake.wait_until_polling(timeout=60)
        yield apuri


def test_sqlite_unreadable_safety_first_on_every_channel_then_back(
    sqlite_file, sqlite_stack, fake
) -> None:
    """The file's bytes overwritten in place (every open connection sees it) and its mode 000."""
    assert "Kuopion Kamarikuoro" in directory_answers(sqlite_stack, "lite-before")
    saved = sqlite_file.read_bytes()
    with sqlite_file.open("r+b") as fh:
        fh.write(os.urandom(len(saved)))
    os.chmod(sqlite_file, 0)
    try:
        time.sleep(0.5)
        every_channel(sqlite_stack, fake, "lite-down")
    finally:
        os.chmod(sqlite_file, 0o600)
        with sqlite_file.open("r+b") as fh:
            fh.write(saved)
    assert "Kuopion Kamarikuoro" in directory_answers(sqlite_stack, "lite-after")
