"""The handoff store on real SQLite and PostgreSQL: requests and their status, the outbox's
claims (one at a time, with a token only the claimer can mark with), back-off and exactly-once
marking, the vault, live sessions, purge (of requests of any status, their chat ids and live
sessions), staff logins and the `apuri handoff` / `apuri staff` commands."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from core import clock
from store.handoff import Handoffs
from store.handoff.outbox import LEASE
from store.handoff.staff import Staff, StaffError
from tests.conftest import BIN, ROOT

MAIJA = {"id": "p-1", "name": "Maija Esimerkki", "telegram_chat_id": 7001}


@pytest.fixture
def store(each_database: str) -> Handoffs:
    return Handoffs(each_database)


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


def callback(store: Handoffs, person: dict | None = MAIJA, conversation: str = "web-1") -> dict:
    routes = [("telegram", "7001")] if person else []
    return store.create(
        "callback",
        person,
        routes,
        municipality="Kuopio",
        topic="kulttuuri",
        phone="+358401234567",
        preferred_text="huomenna klo 9–12",
        subject="Kuoroon liittyminen",
        conversation=conversation,
    )


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


def test_a_request_moves_only_as_its_status_allows(store: Handoffs) -> None:
    """Handled is not taken again, nor taken twice; reopened, it can be taken."""
    record = callback(store)
    assert not store.set_status(record["id"], "open")
    assert store.set_status(record["id"], "taken", "hoitaja")
    assert not store.set_status(record["id"], "taken", "toinen")
    assert store.get(record["id"])["taken_by"] == "hoitaja"
    assert store.set_status(record["id"], "done")
    assert not store.set_status(record["id"], "taken", "toinen")
    assert store.get(record["id"])["status"] == "done"
    assert store.set_status(record["id"], "open") and store.set_status(record["id"], "taken")


def test_deliveries_are_claimed_once_retried_with_backoff_and_marked_sent(
    store: Handoffs, frozen
) -> None:
    record = callback(store)
    [claim] = store.claim_due(("telegram",))
    assert claim["handoff_id"] == record["id"] and claim["phone"] == "+358401234567"
    assert store.claim_due(("telegram",)) == []  # claimed: nobody else takes it
    assert store.failed(claim["id"], claim["claim_token"], claim["attempts"], "NetworkError")
    assert store.claim_due(("telegram",)) == []  # backing off
    frozen.move(seconds=6)
    [again] = store.claim_due(("telegram",))
    assert again["attempts"] == 1
    frozen.move(seconds=LEASE.total_seconds() + 1)  # the claimer died: someone else takes it
    [third] = store.claim_due(("telegram",))
    assert store.sent(third["id"], third["claim_token"])
    assert store.get(record["id"])["delivered_at"] is not None
    frozen.move(minutes=5)
    assert store.claim_due(("telegram", "email")) == []  # sent once, never again
    assert store.claim_due(("email",)) == []


def test_a_restart_retries_at_once(store: Handoffs, frozen) -> None:
    callback(store)
    [claim] = store.claim_due(("telegram",))
    store.failed(claim["id"], claim["claim_token"], 5, "NetworkError")  # a minute away
    assert store.claim_due(("telegram",)) == []
    assert store.retry_now() == 1
    assert len(store.claim_due(("telegram",))) == 1


def test_a_claim_whose_lease_ran_out_marks_nothing(store: Handoffs, frozen) -> None:
    """Two gateways: the first is slow, its lease runs out and the second claims the row; the
    first's late answer, sent or failed, must neither mark the row nor release the claim."""
    record = callback(store)
    [first] = store.claim_due(("telegram",))
    frozen.move(seconds=LEASE.total_seconds() + 1)
    [second] = store.claim_due(("telegram",))
    assert second["id"] == first["id"] and second["claim_token"] != first["claim_token"]
    assert not store.sent(first["id"], first["claim_token"])
    assert not store.failed(first["id"], first["claim_token"], first["attempts"], "TimedOut")
    [row] = store.deliveries(record["id"])
    assert row["sent_at"] is None and row["attempts"] == 0
    assert row["claim_token"] == second["claim_token"]
    assert store.get(record["id"])["delivered_at"] is None
    assert store.claim_due(("telegram",)) == []  # still the second's
    assert store.sent(second["id"], second["claim_token"])
    assert not store.sent(second["id"], second["claim_token"])  # once
    assert store.get(record["id"])["delivered_at"] is not None
    frozen.move(seconds=LEASE.total_seconds() + 1)
    assert store.claim_due(("telegram",)) == []


def test_one_row_is_claimed_at_a_time(store: Handoffs, frozen) -> None:
    """A batch claimed at once could outlast its lease behind a slow channel."""
    first, second = callback(store), callback(store)
    [claim] = store.claim_due(("telegram",))
    assert claim["handoff_id"] == first["id"]
    [claim] = store.claim_due(("telegram",))
    assert claim["handoff_id"] == second["id"]
    assert store.claim_due(("telegram",)) == []


def test_a_restart_does_not_take_a_row_another_gateway_holds(store: Handoffs, frozen) -> None:
    held, waiting = callback(store), callback(store)
    [claim] = store.claim_due(("telegram",))
    assert claim["handoff_id"] == held["id"]
    [other] = store.claim_due(("telegram",))
    store.failed(other["id"], other["claim_token"], 5, "NetworkError")
    assert store.retry_now() == 1  # only the free one
    [again] = store.claim_due(("telegram",))
    assert again["handoff_id"] == waiting["id"]
    assert store.sent(claim["id"], claim["claim_token"])  # the first claim still stands


def test_claimers_racing_take_each_row_once(store: Handoffs) -> None:
    """Four senders at once, each claiming until nothing is left: every row exactly once."""
    made = {callback(store)["id"] for _ in range(12)}
    taken: list[str] = []
    marked: list[bool | Exception] = []

    def sender() -> None:
        try:
            while rows := store.claim_due(("telegram",)):
                taken.append(rows[0]["handoff_id"])
                marked.append(store.sent(rows[0]["id"], rows[0]["claim_token"]))
        except Exception as err:  # noqa: BLE001 - reported below, in the test's thread
            marked.append(err)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken) == sorted(made) and marked == [True] * len(made)


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
    assert store.numbers("web-1") == {
        "puhelinnumero1": "+358401234567",
        "puhelinnumero2": "+358501112222",
        "viesti1": "Kuoroon liittyminen",
    }
    assert not store.take_flag("web-1", "_private_next")
    store.keep_flag("web-1", "_private_next")
    assert store.take_flag("web-1", "_private_next")
    assert not store.take_flag("web-1", "_private_next")


def test_forget_and_purge_remove_personal_data(store: Handoffs, frozen) -> None:
    old, new = callback(store), callback(store)
    store.set_status(old["id"], "done")
    store.keep_number("web-1", "+358401234567")
    frozen.move(days=31)
    store.set_status(new["id"], "done")
    open_one = callback(store)
    assert store.purge(30) == 1
    gone = store.get(old["id"])
    assert gone["phone"] is None and gone["subject"] is None and gone["purged_at"]
    assert store.get(new["id"])["phone"] == "+358401234567"  # done, but not yet 30 days ago
    assert store.get(open_one["id"])["phone"] == "+358401234567"  # made today: kept
    assert store.numbers("web-1") == {}  # old vault rows go too
    assert store.forget(open_one["id"]) and store.get(open_one["id"])["phone"] is None


def test_open_and_taken_requests_are_purged_too(store: Handoffs, frozen) -> None:
    """Nobody finished them: they lose their personal data `days` after they were made."""
    open_one, taken = callback(store), callback(store)
    store.set_status(taken["id"], "taken", "hoitaja")
    frozen.move(days=29)
    assert store.purge(30) == 0
    fresh = callback(store)
    frozen.move(days=2)
    assert store.purge(30) == 2
    for record, status in ((open_one, "open"), (taken, "taken")):
        gone = store.get(record["id"])
        assert gone["status"] == status and gone["purged_at"]
        assert gone["phone"] is gone["subject"] is gone["preferred_text"] is None
    assert store.get(fresh["id"])["phone"] == "+358401234567"
    claims = store.claim_due(("telegram",), limit=10)
    assert [c["handoff_id"] for c in claims] == [fresh["id"]]  # purged ones are not sent
    assert store.purge(30) == 0  # each once


def test_purged_and_forgotten_requests_keep_no_chat_id(store: Handoffs, frozen) -> None:
    old, asked = callback(store, conversation="tg-8123"), callback(store, conversation="tg-8124")
    store.set_status(old["id"], "done")
    assert store.forget(asked["id"])
    assert store.get(asked["id"])["conversation"] is None
    frozen.move(days=31)
    assert store.purge(30) == 1
    assert store.get(old["id"])["conversation"] is None
    assert not [r for r in store.list() if r["conversation"]]


def test_purge_and_forget_delete_live_sessions(store: Handoffs, frozen) -> None:
    ended = store.start_live(MAIJA, "tg-8001", municipality="Kuopio")
    store.set_live("tg-8001", "ended")
    waiting = store.start_live(MAIJA, "tg-8002", municipality="Kuopio")
    assert store.purge(30) == 0
    assert store.live_by_handoff(ended["id"]) is None  # over: nothing left to relay
    assert store.live("tg-8002")["handoff_id"] == waiting["id"]
    frozen.move(days=31)
    current = store.start_live(MAIJA, "tg-8003", municipality="Kuopio")
    assert store.purge(30) == 2  # both old chat requests, never done
    assert store.live_by_handoff(waiting["id"]) is None  # its request was purged
    assert store.live("tg-8003")["handoff_id"] == current["id"]
    assert store.forget(current["id"])
    assert store.live("tg-8003") is None and store.live_by_handoff(current["id"]) is None


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
    for name, password in (
        ("Maija!", "Hyvä-salasana-1"),
        ("maija", "lyhyt"),
        ("maija", "kaikkipienillä"),
    ):
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
    return subprocess.run(
        [str(BIN / "apuri"), *args],
        cwd=ROOT,
        input=stdin,
        text=True,
        env={**os.environ, "APURI_DB_URL": db},
        capture_output=True,
        timeout=120,
    )


def test_the_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'apuri.db'}"
    store = Handoffs(db)
    record = callback(store)
    listed = json.loads(run("handoff", "list", "--json", db=db).stdout)
    assert listed[0]["id"] == record["id"] and listed[0]["phone"] == "+358401234567"
    for field in (
        "id",
        "kind",
        "status",
        "person_id",
        "municipality",
        "topic",
        "phone",
        "preferred_time",
        "created_at",
        "delivered_at",
    ):
        assert field in listed[0]
    assert json.loads(run("handoff", "list", "--json", "--status", "done", db=db).stdout) == []
    assert record["id"] in run("handoff", "list", db=db).stdout
    assert run("staff", "add", "liisa", db=db, stdin="heikko\n").returncode == 2
    made = run("staff", "add", "liisa", db=db, stdin="Vahva-salasana-7\n")
    assert made.returncode == 0 and "Vahva" not in made.stdout + made.stderr
    purged = run("handoff", "purge", db=db)
    assert purged.returncode == 0 and "0 requests" in purged.stdout
