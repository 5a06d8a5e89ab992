"""`rasa` as `apuri run` starts it, with one change: custom action answers are checked against
Rasa's JSON schema with a validator built once.

Rasa 3.6 calls `jsonschema.validate` for every custom action's answer, which checks the schema
itself each time; that took about 40 ms of the 55 ms a message with one custom action costs
here (py-spy). The same schema and the same errors, checked by a validator made once, cost well
under a millisecond. `python -m bot.rasa_server run …` takes the same arguments as `rasa`, and
`--auth-token` from APURI_RASA_TOKEN.
"""

from __future__ import annotations

import sys
from typing import Any

from bot.privacy import keep_logs_clean
from core import settings


def fast_action_validation() -> None:
    """Replace RemoteAction's answer check by the same check with a validator built once."""
    from jsonschema import ValidationError, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)
    explanation = (  # Rasa's own words
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )

    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as err:
            err.message += explanation
            raise
        return True

    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]


def token_from_environment(argv: list[str]) -> list[str]:
    """The arguments with `--auth-token` from APURI_RASA_TOKEN added: the token stays out of the
    process's command line, which every user of the machine can read with `ps`."""
    token = settings.rasa_token()
    if not token or "--auth-token" in argv or argv[1:2] != ["run"]:
        return argv
    return [*argv, "--auth-token", token]


def main() -> None:
    keep_logs_clean()
    fast_action_validation()
    sys.argv = token_from_environment(sys.argv)  # Python's copy; /proc/<pid>/cmdline keeps none
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
