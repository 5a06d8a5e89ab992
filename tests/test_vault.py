"""Personal data on SQLite and PostgreSQL (issue 17 §2): the vault keeps a callback's subject of
any length; the "next message is private" flag is spent only together with the stored value;
a vault whose database is down says so instead of letting text through; a database error's
text never reaches a log line; a long question does not build one join per word."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import privacy
from gateway import texts
from gateway.records import Records
from gateway.vault import PRIVATE_NEXT, Vault, VaultDown
from store.directory import Directory
from store.handoff import Handoffs
from store.handoff.vault import PrivateNotKept
from tests.conftest import fixture_document

SUBJECT = "Tarvitsen apua tabletin kanssa, ja tyttäreni numero on 050 765 4321. " * 28


def refuse_values(url: str) -> None:
    """From now on the vault refuses any value longer than one character (a flag is "1")."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if url.startswith("sqlite"):
            conn.execute(
                sa.text(
                    "CREATE TRIGGER no_values BEFORE INSERT ON vault "
                    "WHEN length(NEW.value) > 1 "
                    "BEGIN SELECT RAISE(ABORT, 'no values'); END"
                )
            )
        else:
            conn.execute(
                sa.text("ALTER TABLE vault ADD CONSTRAINT no_values " "CHECK (length(value) <= 1)")
            )
    engine.dispose()


def test_a_long_subject_is_kept_and_the_flag_spent_with_it(each_database) -> None:
    store = Handoffs(each_database)
    assert store.keep_private("web-a", PRIVATE_NEXT, "ei yksityinen") is None  # no flag set
    store.keep_flag("web-a", PRIVATE_NEXT)
    text = SUBJECT[:2000]
    tag = store.keep_private("web-a", PRIVATE_NEXT, text)
    assert tag == "viesti1" and store.numbers("web-a")[tag] == text
    assert not store.take_flag("web-a", PRIVATE_NEXT), "the flag was spent"


def test_a_subject_that_cannot_be_stored_leaves_the_flag(each_database) -> None:
    store = Handoffs(each_database)
    store.keep_flag("web-b", PRIVATE_NEXT)
    refuse_values(each_database)
    with pytest.raises(PrivateNotKept):
        store.keep_private("web-b", PRIVATE_NEXT, SUBJECT[:55])
    assert store.take_flag("web-b", PRIVATE_NEXT), "the failure spent the flag"
    assert "viesti1" not in store.numbers("web-b")


def test_the_gateway_vault_says_private_not_kept_and_never_lets_it_through(each_database) -> None:
    vault = Vault(Records(each_database))
    store = Handoffs(each_database)

    async def run() -> None:
        await vault.reveal(
            "web-c",
            [{"text": "Mitä asia koskee?", "buttons": [], "custom": {"private_next": True}}],
        )
        refuse_values(each_database)
        for _ in range(2):  # the second try is private too
            with pytest.raises(PrivateNotKept):
                await vault.hide("web-c", SUBJECT[:300])
        with pytest.raises(VaultDown):  # a number that cannot be kept: masked by the caller
            await vault.hide("web-d", "soita 040 123 4567")

    asyncio.run(run())
    assert store.take_flag("web-c", PRIVATE_NEXT)


def test_a_vault_on_an_unreadable_database_is_down_not_broken(tmp_path) -> None:
    path = tmp_path / "broken.db"
    url = f"sqlite:///{path}"
    vault = Vault(Records(url))
    Handoffs(url).keep_number("web-e", "+358401234567")
    path.write_bytes(os.urandom(path.stat().st_size))  # every byte replaced

    async def run() -> None:
        with pytest.raises(VaultDown):
            await vault.hide("web-e", "numeroni on 040 123 4567")
        with pytest.raises(VaultDown):  # the private question cannot be remembered
            await vault.reveal(
                "web-e",
                [{"text": "Mitä asia koskee?", "buttons": [], "custom": {"private_next": True}}],
            )
        shown = await vault.reveal(
            "web-e", [{"text": "Soitetaanko numeroon puhelinnumero1?", "buttons": [], "custom": {}}]
        )
        assert shown[0]["text"] == "Soitetaanko numeroon antamasi numero?"

    asyncio.run(run())


def test_numbers_are_masked_in_memory() -> None:
    masked = privacy.mask_numbers("soita 040 123 4567 tai +358 50 765 4321, kiitos")
    assert masked == f"soita {privacy.MASKED_NUMBER} tai {privacy.MASKED_NUMBER}, kiitos"
    assert privacy.reveal(masked, {}, texts.HIDDEN) == (
        "soita antamasi numero tai antamasi " "numero, kiitos"
    )


def test_a_database_error_is_logged_without_its_text(each_database, caplog) -> None:
    """PostgreSQL's DETAIL quotes the failing row; SQLAlchemy's message quotes the parameters
    unless hidden. Neither may reach a log line, whoever logs the error."""
    privacy.keep_logs_clean()
    store = Handoffs(each_database)
    refuse_values(each_database)
    with caplog.at_level(logging.INFO):
        try:
            store.keep_message("web-f", SUBJECT[:80])
        except sa.exc.SQLAlchemyError as err:
            assert "tyttäreni" not in str(err).split("DETAIL")[0], "parameters not hidden"
            logging.getLogger("apuri.test").exception("storing failed")
        logging.getLogger("apuri.test").warning("soita 040 123 4567 heti")
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "storing failed" in logged
    assert "tyttäreni" not in logged and "tabletin" not in logged, logged
    assert "765 4321" not in logged and "040 123 4567" not in logged, logged
    assert "IntegrityError" in logged or "DatabaseError" in logged, logged


def test_a_question_of_many_words_is_searched_not_refused(tmp_path) -> None:
    """80 different words used to join 80 tables (SQLite stops at 64, and the bot then said
    the directory was down)."""
    directory = Directory(f"sqlite:///{tmp_path / 'dir.db'}")
    directory.import_document(fixture_document())
    words = " ".join(f"sana{i}kuoro" for i in range(80)) + " kuoroja Kuopiossa"
    assert directory.find("organizations", municipality="Kuopio", text=words) == []
    found, scope = directory.search(
        "organizations", "Kuopio", alternatives=[{"text": words}, {"topic": "kulttuuri"}]
    )
    assert found and scope == "municipality"


def test_sqlite_files_are_for_their_owner_only(tmp_path) -> None:
    path = tmp_path / "private.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    Handoffs(f"sqlite:///{path}").keep_number("web-g", "+358401234567")
    assert Path(path).stat().st_mode & 0o777 == 0o600
