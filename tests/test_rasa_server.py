"""bot.rasa_server: Rasa's check of custom action answers, with a validator built once, keeps
accepting good answers and refusing bad ones the way Rasa does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError


@pytest.fixture(scope="module")
def remote_action():
    from rasa.core.actions.action import RemoteAction

    from bot.rasa_server import fast_action_validation

    original = RemoteAction._validate_action_result
    fast_action_validation()
    yield RemoteAction("action_x", None)
    RemoteAction._validate_action_result = original


def test_a_good_answer_passes(remote_action) -> None:
    answer = {
        "events": [{"event": "slot", "name": "region", "value": "Lappi"}],
        "responses": [{"text": "Hei"}],
    }
    assert remote_action._validate_action_result(answer) is True


@pytest.mark.parametrize(
    "answer",
    [{"events": [{"name": "region"}]}, {"events": "x"}, {"responses": [5]}],
)
def test_a_bad_answer_is_refused_with_rasas_words(remote_action, answer) -> None:
    with pytest.raises(ValidationError) as err:
        remote_action._validate_action_result(answer)
    assert "Failed to validate Action server response" in err.value.message
