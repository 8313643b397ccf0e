"""Workbooks are read on a small pool of their own, never on the default executor that every
chat update and page call runs its unit of work on: six slow files at once then queue behind
each other, not in front of everyone's `/help`. One person reads one file at a time.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
READERS = 2  # workbooks read at once in this process; the rest wait their turn
PER_PERSON = 1  # files one person may have in reading at once

_pool = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="workbook")
_lock = threading.Lock()
_reading: dict[int, int] = {}  # user id → their files being read now


async def off_loop(work: Callable[[], T]) -> T:
    """Run `work` on the workbook pool, off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, functools.partial(work))


def busy(user_id: int) -> bool:
    """Whether this person already has as many files in reading as one may."""
    with _lock:
        return _reading.get(user_id, 0) >= PER_PERSON


@contextmanager
def reading(user_id: int) -> Iterator[None]:
    """Count a file as this person's while it is read."""
    with _lock:
        _reading[user_id] = _reading.get(user_id, 0) + 1
    try:
        yield
    finally:
        with _lock:
            left = _reading.pop(user_id, 1) - 1
            if left > 0:
                _reading[user_id] = left


def in_reading() -> int:
    """Files being read in this process now (for /healthz)."""
    with _lock:
        return sum(_reading.values())
