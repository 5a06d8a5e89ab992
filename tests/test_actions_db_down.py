"""When the directory database is down, the actions still answer and offer help."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import directory_actions
from tests.conftest import free_port


@pytest.fixture
def database_down(monkeypatch):
    # a real connection attempt to a port where nothing listens
    monkeypatch.setenv("APURI_DB_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    directory_actions.directory.cache_clear()
    yield
    directory_actions.directory.cache_clear()


def tracker(**slots) -> Tracker:
    values = {"municipality": None, "region": None, "topic": None, "pending_search": None, **slots}
    return Tracker("u", values, {"text": "x", "entities": []}, [], False, None, {}, "")


@pytest.mark.parametrize(
    "action",
    [directory_actions.ActionFindAssociation(), directory_actions.ActionAskEvents(),
     directory_actions.ActionRequestHuman(), directory_actions.ActionAskTraining()],
)  # fmt: skip
def test_actions_answer_when_the_database_is_down(database_down, action) -> None:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker(municipality="Kuopio", region="Pohjois-Savo"), {})
    responses = [m.get("response") for m in dispatcher.messages]
    assert "utter_directory_unavailable" in responses
