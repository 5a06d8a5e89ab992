"""The gateway's background loops: an expected failure is a warning and the next round; a bug
is logged with its trace (never as "database down") and the loop goes on."""

from __future__ import annotations

import asyncio
import logging

from gateway.records import DOWN
from gateway.workers import one_round
from store.database import StoreUnavailable


def test_an_outage_is_a_warning_and_a_bug_keeps_its_trace(caplog) -> None:
    async def down() -> None:
        raise StoreUnavailable("the database is unavailable (OperationalError)")

    async def bug() -> None:
        raise KeyError("no such field")

    async def fine() -> None:
        return None

    with caplog.at_level(logging.WARNING, logger="gateway.workers"):
        assert asyncio.run(one_round(down, "outbox", DOWN)) is False
        assert asyncio.run(one_round(bug, "outbox", DOWN)) is False
        assert asyncio.run(one_round(fine, "outbox", DOWN)) is True
    outage, error = caplog.records
    assert outage.levelno == logging.WARNING and "StoreUnavailable" in outage.getMessage()
    assert outage.exc_info is None
    assert error.levelno == logging.ERROR and error.exc_info[0] is KeyError
