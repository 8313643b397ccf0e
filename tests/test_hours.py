"""The zones the wall-clock tests pick really have the hour they were asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.hours import midday_zone, zone_where_it_is


@pytest.mark.parametrize("hour", [0, 3, 8, 12, 21, 23])
def test_every_utc_hour_gets_a_zone_at_the_hour_asked(hour: int) -> None:
    start = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)
    for step in range(24):
        now = start + timedelta(hours=step)
        assert now.astimezone(ZoneInfo(zone_where_it_is(hour, now))).hour == hour


def test_midday_is_outside_the_quiet_hours() -> None:
    now = datetime(2026, 11, 28, 13, 5, tzinfo=UTC)  # 21:05 in Beijing: quiet there
    assert now.astimezone(ZoneInfo(midday_zone(now))).hour == 12
