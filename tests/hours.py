"""Time zones chosen by the hour it is there now, so wall-clock tests pin their quiet hours.

A test that runs a real process on the wall clock cannot move the clock, so it moves the
campaign instead: to a zone where it is midday now, far from the quiet hours (21:00–08:00).
CI runs its PostgreSQL pass with `TAIZHANG_TIMEZONE` set to a zone where it is night
(`python -m tests.hours 3`), so that a test that forgot to pin its zone fails at any hour.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime


def zone_where_it_is(hour: int, now: datetime | None = None) -> str:
    """An `Etc/GMT±N` zone whose local time is now between `hour`:00 and `hour`:59."""
    utc_hour = (now or datetime.now(UTC)).astimezone(UTC).hour
    offset = (hour - utc_hour + 12) % 24 - 12  # hours east of UTC, -12 … +11
    if offset == 0:
        return "Etc/GMT"
    # POSIX signs: Etc/GMT-8 is eight hours east of Greenwich
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def midday_zone(now: datetime | None = None) -> str:
    """A zone where it is now 12:xx: reminders are not held, whatever the wall clock says."""
    return zone_where_it_is(12, now)


if __name__ == "__main__":
    print(zone_where_it_is(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
