"""The handoff store on real SQLite and PostgreSQL: requests and their status, the outbox's
claims, back-off and exactly-once marking, the vault, live sessions, purge, staff logins and
the `apuri handoff` / `apuri staff` commands."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from actions.handoff import Handoffs
from actions.handoff.staff import Staff, StaffError
from bot import clock
from tests.conftest import BIN, ROOT

MAIJA = {"id": "p-1", "name": "Maija Esimerkki", "telegram_chat_id": 7001}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> Handoffs:
    if request.param == "sqlite":
        return Handoffs(f"sqlite:///{tmp_path / 'apuri.db'}")
    return Handoffs(request.getfixturevalue("postgres_url"))


@pytest.fixture
def frozen():
    """The clock held still; moved with frozen.move(minutes)."""

    class Clock:
        now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=clock.HELSINKI)

        def move(self, **delta: float) -> None:
            self.now += dt.timedelta(**delta)
            clock.set_now(self.now)

    c = Clock()
    clock.set_now(c.now)
    yield c
    clock.set_now(None)


def callback(store: Handoffs, person: dict | None = MAIJA) -> dict:
    routes = [("telegram", "7001")] if person else []
    return store.create("callback", person, routes, municipality="Kuopio", topic="kulttuuri",
                        phone="+358401234567", preferred_text="huomenna klo 9–12",
                        subject="Kuoroon liittyminen", conversation="web-1")  # fmt: skip


def test_a_request_and_its_status(store: Handoffs) -> None:
    record = callback(store)
    [listed] = store.list()
    assert listed["id"] == record["id"] and listed["status"] == "open"
    assert listed["phone"] == "+358401234567" and listed["delivered_at"] is None
    assert store.set_status(record["id"], "taken", "hoitaja")
    assert store.get(record["id"])["taken_at"] and store.get(record["id"])["taken_by"] == "hoitaja"
    assert store.set_status(record["id"], "done")
    assert [r["id"] for r in store.list("done")] == [record["id"]] and store.list("open") == []
    assert not store.set_status("nope", "done")
    with pytest.raises(ValueError):
        store.set_status(record["id"], "lost")


def test_deliveries_are_claimed_once_retried_with_backoff_and_marked_sent(
    store: Handoffs, frozen
) -> None:
    record = callback(store)
    [claim] = store.claim_due(("telegram",))
    assert claim["handoff_id"] == record["id"] and claim["phone"] == "+358401234567"
    assert store.claim_due(("telegram",)) == []  # claimed: nobody else takes it
    store.failed(claim["id"], claim["attempts"], "NetworkError")
    assert store.claim_due(("telegram",)) == []  # backing off
    frozen.move(seconds=6)
    [again] = store.claim_due(("telegram",))
    assert again["attempts"] == 1
    frozen.move(seconds=61)  # the claimer died: the lease runs out, someone else takes it
    [third] = store.claim_due(("telegram",))
    store.sent(third["id"])
    assert store.get(record["id"])["delivered_at"] is not None
    frozen.move(minutes=5)
    assert store.claim_due(("telegram", "email")) == []  # sent once, never again
    assert store.claim_due(("email",)) == []


def test_a_restart_retries_at_once(store: Handoffs, frozen) -> None:
    callback(store)
    [claim] = store.claim_due(("telegram",))
    store.failed(claim["id"], 5, "NetworkError")  # the next try would be a minute away
    assert store.claim_due(("telegram",)) == []
    assert store.retry_now() == 1
    assert len(store.claim_due(("telegram",))) == 1


def test_without_telegram_or_email_a_request_waits_for_the_staff_page(store: Handoffs) -> None:
    record = callback(store, person=None)
    assert store.deliveries(record["id"]) == []
    assert store.list("open")[0]["person_id"] is None


def test_the_vault_keeps_numbers_and_messages_per_conversation(store: Handoffs) -> None:
    tag = store.keep_number("web-1", "+358401234567")
    assert tag == "puhelinnumero1" and store.keep_number("web-1", "+358401234567") == tag
    assert store.keep_number("web-1", "+358501112222") == "puhelinnumero2"
    assert store.keep_number("web-2", "+358501112222") == "puhelinnumero1"
    assert store.keep_message("web-1", "Kuoroon liittyminen") == "viesti1"
    assert store.numbers("web-1") == {"puhelinnumero1": "+358401234567",
                                      "puhelinnumero2": "+358501112222",
                                      "viesti1": "Kuoroon liittyminen"}  # fmt: skip
    assert not store.take_flag("web-1", "_private_next")
    store.keep_flag("web-1", "_private_next")
    assert store.take_flag("web-1", "_private_next")
    assert not store.take_flag("web-1", "_private_next")


def test_forget_and_purge_remove_personal_data(store: Handoffs, frozen) -> None:
    old, new, open_one = callback(store), callback(store), callback(store)
    store.set_status(old["id"], "done")
    store.keep_number("web-1", "+358401234567")
    frozen.move(days=31)
    store.set_status(new["id"], "done")
    assert store.purge(30) == 1
    gone = store.get(old["id"])
    assert gone["phone"] is None and gone["subject"] is None and gone["purged_at"]
    assert store.get(new["id"])["phone"] == "+358401234567"  # done, but not yet 30 days ago
    assert store.get(open_one["id"])["phone"] == "+358401234567"  # not done: kept
    assert store.numbers("web-1") == {}  # old vault rows go too
    assert store.forget(open_one["id"]) and store.get(open_one["id"])["phone"] is None


def test_live_sessions(store: Handoffs, frozen) -> None:
    first = store.start_live(MAIJA, "web-1", municipality="Kuopio")
    frozen.move(seconds=1)
    store.start_live(MAIJA, "tg-99", municipality="Kuopio")
    assert first["kind"] == "chat" and store.deliveries(first["id"])[0]["recipient"] == "7001"
    assert store.queue_position("web-1") == 1 and store.queue_position("tg-99") == 2
    assert store.active_for("7001") is None
    store.set_live("web-1", "active")
    assert store.active_for("7001")["conversation"] == "web-1"
    assert store.queue_position("tg-99") == 1
    frozen.move(minutes=6)
    stale = store.stale_live(dt.timedelta(minutes=5), dt.timedelta(minutes=20))
    assert [s["conversation"] for s in stale] == ["tg-99"]  # waited too long; web-1 is active
    store.set_live("web-1", "ended")
    assert store.live("web-1") is None


def test_staff_logins(store: Handoffs, frozen) -> None:
    staff = Staff(store)
    for name, password in (("Maija!", "Hyvä-salasana-1"), ("maija", "lyhyt"),
                           ("maija", "kaikkipienillä")):  # fmt: skip
        with pytest.raises(StaffError):
            staff.add(name, password)
    staff.add("maija", "Hyvä-salasana-1")
    with pytest.raises(StaffError):
        staff.add("maija", "Toinen-salasana-2")
    token, csrf = staff.login("maija", "Hyvä-salasana-1")
    assert staff.session(token) == {"username": "maija", "csrf": csrf}
    assert staff.session("forged") is None and staff.login("nobody", "x") == "wrong"
    for _ in range(4):
        assert staff.login("maija", "väärä") == "wrong"
    assert staff.login("maija", "väärä") == "locked"
    assert staff.login("maija", "Hyvä-salasana-1") == "locked"
    frozen.move(minutes=16)
    assert isinstance(staff.login("maija", "Hyvä-salasana-1"), tuple)
    frozen.move(hours=9)
    assert staff.session(token) is None  # sessions end
    staff.logout(token)


def run(*args: str, db: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "apuri"), *args], cwd=ROOT, input=stdin, text=True,
                          env={**os.environ, "APURI_DB_URL": db}, capture_output=True,
                          timeout=120)  # fmt: skip


def test_the_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'apuri.db'}"
    store = Handoffs(db)
    record = callback(store)
    listed = json.loads(run("handoff", "list", "--json", db=db).stdout)
    assert listed[0]["id"] == record["id"] and listed[0]["phone"] == "+358401234567"
    for field in ("id", "kind", "status", "person_id", "municipality", "topic", "phone",
                  "preferred_time", "created_at", "delivered_at"):  # fmt: skip
        assert field in listed[0]
    assert json.loads(run("handoff", "list", "--json", "--status", "done", db=db).stdout) == []
    assert record["id"] in run("handoff", "list", db=db).stdout
    assert run("staff", "add", "liisa", db=db, stdin="heikko\n").returncode == 2
    made = run("staff", "add", "liisa", db=db, stdin="Vahva-salasana-7\n")
    assert made.returncode == 0 and "Vahva" not in made.stdout + made.stderr
    purged = run("handoff", "purge", db=db)
    assert purged.returncode == 0 and "0 done requests" in purged.stdout
