"""The gateway's background loops (the outbox, live-chat time-outs) run their rounds through
one helper: an expected failure (the database down, Telegram away) is a warning and the next
round; anything else is a bug, logged with its trace, and the loop still goes on, so a bug
never looks like "database down" and never stops the outbox for good."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


async def one_round(
    work: Callable[[], Awaitable[object]],
    what: str,
    expected: tuple[type[BaseException], ...],
) -> bool:
    """Runs one round of a loop; False when it failed (said in the log as above)."""
    try:
        await work()
    except asyncio.CancelledError:
        raise
    except expected as err:
        logger.warning("%s: not now (%s); trying again soon", what, type(err).__name__)
        return False
    except Exception:  # noqa: BLE001 - a bug: its trace in the log, and the loop goes on
        logger.exception("%s failed", what)
        return False
    return True
