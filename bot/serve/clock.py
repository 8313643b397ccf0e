"""The bot's clock: the wall clock, or the testing clock `TAIZHANG_CLOCK=<ISO start
time>@<speed>[@<ISO real time>]`, a fast clock for soaks.

It starts at the given moment when the process starts (or, with a real time, stood at it at
that real moment: every process given the same value shares one time, however late it
starts) and runs `speed` times faster than real time. Nothing is persisted: a soak driver that
restarts the bot passes the simulated time of the restart as the new start, or the same
value again. It is only accepted against a Bot API on a loopback address, so that a fast
clock never reaches real people.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from bot.config import Settings, is_loopback_host
from workflows.messages import Msg, msg


def wall_clock() -> datetime:
    """The real time, in UTC; the only clock in production."""
    return datetime.now(UTC)


class RunningClock:
    """Time from `start`, running `speed` times faster than the wall clock."""

    def __init__(self, start: datetime, speed: float, at: datetime | None = None) -> None:
        self.start, self.speed = start.astimezone(UTC), speed
        # `at`: the real moment the clock stood at `start` (else: now)
        self.since = time.monotonic() - (time.time() - at.timestamp() if at else 0.0)

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.since) * self.speed)


def parse_clock(value: str) -> tuple[datetime, float, datetime | None] | None:
    """`<ISO start time with its offset>@<speed>[@<ISO real time with its offset>]` read, or
    None when it is not that."""
    parts = value.strip().split("@")
    if len(parts) not in (2, 3):
        return None
    try:
        start = datetime.fromisoformat(parts[0].strip())
        speed = float(parts[1])
        at = datetime.fromisoformat(parts[2].strip()) if len(parts) == 3 else None
    except ValueError:
        return None
    if start.tzinfo is None or (at is not None and at.tzinfo is None):
        return None
    if not 0 < speed < 1e7:  # nan fails this too
        return None
    return start, speed, at


def is_loopback(url: str) -> bool:
    """Whether the URL's host is localhost or in 127.0.0.0/8 or ::1."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return is_loopback_host(host)


def clock_refusal(settings: Settings) -> Msg | None:
    """Why TAIZHANG_CLOCK cannot be used, or None when it is unset or usable."""
    if not settings.taizhang_clock:
        return None
    if parse_clock(settings.taizhang_clock) is None:
        return msg("soak.clock_invalid", value=settings.taizhang_clock)
    if not is_loopback(settings.telegram_api_base_url):
        return msg("soak.clock_not_loopback", url=settings.telegram_api_base_url)
    return None


def clock_of(settings: Settings) -> Callable[[], datetime] | Msg:
    """The wall clock, or the testing clock of TAIZHANG_CLOCK; a message when it is refused."""
    refused = clock_refusal(settings)
    if refused is not None:
        return refused
    parsed = parse_clock(settings.taizhang_clock) if settings.taizhang_clock else None
    return wall_clock if parsed is None else RunningClock(*parsed)
