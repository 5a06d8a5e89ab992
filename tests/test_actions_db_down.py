"""When the directory database is down, the actions still answer and name a human."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import directory_actions, slots
from cli.services import free_port


@pytest.fixture
def database_down(monkeypatch):
    # a real connection attempt to a port where nothing listens
    monkeypatch.setenv("APURI_DB_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    slots.directory.cache_clear()
    yield
    slots.directory.cache_clear()


def tracker(**slots) -> Tracker:
    values = {"municipality": None, "region": None, "topic": None, "pending_search": None, **slots}
    return Tracker("u", values, {"text": "x", "entities": []}, [], False, None, {}, "")


@pytest.mark.parametrize(
    "action",
    [
        directory_actions.ActionFindAssociation(),
        directory_actions.ActionAskEvents(),
        directory_actions.ActionRequestHuman(),
        directory_actions.ActionAskTraining(),
        directory_actions.ActionDigitalHelp(),
        directory_actions.ActionFeedback(),
    ],
)
def test_actions_answer_when_the_database_is_down(database_down, action) -> None:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker(municipality="Kuopio", region="Pohjois-Savo"), {})
    responses = [m.get("response") for m in dispatcher.messages]
    assert "utter_directory_unavailable" in responses
    people = [m for m in dispatcher.messages if m.get("response") == "utter_contact_person"]
    assert people and "040 555 0100" in people[0]["person"]  # the general contact


def test_the_general_contact_comes_from_the_environment(database_down, monkeypatch) -> None:
    monkeypatch.setenv("APURI_FALLBACK_NAME", "Testi Henkilö")
    monkeypatch.setenv("APURI_FALLBACK_PHONE", "+358401112233")
    dispatcher = CollectingDispatcher()
    directory_actions.ActionRequestHuman().run(dispatcher, tracker(municipality="Ii"), {})
    person = next(m["person"] for m in dispatcher.messages if m.get("person"))
    assert person.startswith("Testi Henkilö") and "040 111 2233" in person


def test_an_outage_is_store_unavailable_and_a_bug_is_not(tmp_path) -> None:
    """A database that cannot be reached raises the one named error the actions answer; bad
    SQL keeps its own type (and trace), so a bug never looks like "database down"."""
    import sqlalchemy as sa

    from store.database import StoreUnavailable
    from store.directory import Directory

    with pytest.raises(StoreUnavailable):
        Directory(f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    store = Directory(f"sqlite:///{tmp_path / 'directory.db'}")
    with pytest.raises(sa.exc.OperationalError) as caught, store.engine.connect() as conn:
        conn.execute(sa.text("select * from no_such_table"))
    assert not isinstance(caught.value, StoreUnavailable)
