"""Slow work in its own bounded pools, so that no one kind of request can starve chat.

Each kind of blocking work (database calls, password hashing, speech synthesis) has its own
threads and its own cap on how much may wait. When a pool is full the caller gets `Busy` at once
and tells the user to try again, instead of everyone queueing behind one flood. The event loop
and the other pools go on meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Busy(Exception):
    """Too much of this kind of work is running or waiting; try again soon."""


class Pool:
    def __init__(self, name: str, workers: int, waiting: int) -> None:
        self.name = name
        self.workers = workers
        self.limit = workers + waiting
        self.in_flight = 0
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in one of this pool's threads; Busy when the pool is full."""
        if self.in_flight >= self.limit:
            raise Busy(self.name)
        self.in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args))
        finally:
            self.in_flight -= 1


# Chat's own database calls (the vault, live sessions) and the staff page's: short queries.
DATABASE = Pool("database", workers=4, waiting=200)
# scrypt at N=2^17 takes about 0.3 s of one core and 128 MiB: one at a time, a few waiting.
PASSWORDS = Pool("passwords", workers=1, waiting=4)
# espeak-ng, one process per answer read aloud.
SPEECH_OUT = Pool("speech-out", workers=1, waiting=4)
# E-mail deliveries, one at a time (the outbox sends one row at a time): a slow SMTP server
# holds up neither chat's database calls nor anything else.
MAIL = Pool("mail", workers=1, waiting=0)
