"""The demo's fast clock runs to each scene and stands still there, however late it wakes."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from bot.sandbox.demo import FastClock


async def test_a_late_wake_never_shows_a_moment_past_the_scene() -> None:
    start = datetime(2024, 4, 29, 0, 40, tzinfo=UTC)
    scene = start + timedelta(hours=1)
    clock = FastClock(start, speed=1_000_000, longest=0.3)
    running = asyncio.create_task(clock.run_to(scene))
    await asyncio.sleep(0)  # it runs: an hour at a million times is 3.6 ms
    time.sleep(0.05)  # a loaded machine: the loop wakes 50 ms late, 14 hours at this rate
    assert start < clock() <= scene  # a planner pass reading it now sees the scene, not beyond
    await running
    assert clock() == scene
    time.sleep(0.01)
    assert clock() == scene  # and it stands still there until the next scene
