"""Where one update's CPU goes: private /help and the weekly step, through the real pipeline.

Runs `bench.weekly_bench`'s two scenarios, and its echo bot alone, under cProfile: one profiler
on the event loop, and one for every call the loop hands to a worker thread (the turn's unit of
work, the outbox's bookkeeping), merged; and counts the SQL statements each update sends.

Run: .venv/bin/python -m bench.turn_profile [--helps 300] [--items 30] [--top 40]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import logging
import pstats
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event

from bench.weekly_bench import PRODUCTION, EchoBot, weekly_liaison
from bot.sandbox.sandbox import Sandbox
from workflows.people.roles import Role

T = TypeVar("T")


class Profiles:
    """The event loop's profile and those of the calls run in worker threads."""

    def __init__(self, profile: bool = True) -> None:
        self.profile = profile  # False: only the CPU times, without cProfile's overhead
        self.loop = cProfile.Profile(time.thread_time)  # CPU, not waits
        self.threads: list[cProfile.Profile] = []
        self.thread_cpu = 0.0
        self._lock = threading.Lock()
        self._to_thread = asyncio.to_thread

    def wrap(self, func: Callable[..., T]) -> Callable[..., T]:
        """`func` profiled in the thread it runs in."""

        @functools.wraps(func)
        def profiled(*args: Any, **kwargs: Any) -> T:
            prof = cProfile.Profile(time.thread_time)
            began = time.thread_time()
            if self.profile:
                prof.enable()
            try:
                return func(*args, **kwargs)
            finally:
                prof.disable()
                with self._lock:
                    self.thread_cpu += time.thread_time() - began
                    if self.profile:
                        self.threads.append(prof)

        return profiled

    def __enter__(self) -> Profiles:
        original = self._to_thread

        async def to_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
            return await original(self.wrap(func), *args, **kwargs)

        asyncio.to_thread = to_thread  # type: ignore[assignment]
        self.loop_began = time.thread_time()
        if self.profile:
            self.loop.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.disable()
        self.loop_cpu = time.thread_time() - self.loop_began
        asyncio.to_thread = self._to_thread

    def report(self, label: str, updates: int, top: int, sort: str) -> None:
        """Both profiles' heaviest functions, and the CPU per update in each."""
        print(
            f"\n=== {label}: {updates} updates; CPU per update: event loop "
            f"{self.loop_cpu / updates * 1000:.2f} ms, worker threads "
            f"{self.thread_cpu / updates * 1000:.2f} ms"
        )
        if not self.profile:
            return
        for name, profs in (("event loop", [self.loop]), ("worker threads", self.threads)):
            if not profs:
                continue
            out = io.StringIO()
            stats = pstats.Stats(profs[0], stream=out)
            for p in profs[1:]:
                stats.add(p)
            stats.sort_stats(sort).print_stats(top)
            print(f"--- {name} ({sort}) ---")
            print("\n".join(out.getvalue().splitlines()[4:]))


class Statements:
    """The SQL statements an engine sends, counted."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()

    def listen(self, engine: Any) -> None:
        """Count every statement the engine executes from now."""

        @event.listens_for(engine, "before_cursor_execute")
        def counted(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            self.count[" ".join(statement.split())[:110]] += 1

    def report(self, updates: int) -> None:
        """Statements per update, the most frequent first."""
        total = sum(self.count.values())
        print(f"SQL statements: {total} for {updates} updates: {total / updates:.2f} each")
        for text, n in self.count.most_common(15):
            print(f"  {n / updates:5.2f}  {text}")


async def echoes(count: int, top: int, sort: str, profile: bool) -> None:
    """The baseline's echoes, `count` of them, profiled the same way (no worker threads)."""
    echo = EchoBot()
    await echo.start()
    for _ in range(20):
        await echo.once()
    with Profiles(profile) as profiles:
        for _ in range(count):
            await echo.once()
    await echo.stop()
    profiles.report("echo bot (the baseline)", count, top, sort)


async def private_help(count: int, top: int, sort: str, profile: bool) -> None:
    """/help in a liaison's private chat, `count` times, profiled."""
    with tempfile.TemporaryDirectory() as tmp:
        bot = Sandbox(f"sqlite:///{Path(tmp) / 'h.db'}", **PRODUCTION)
        await bot.start()
        bot.app.bot.rate_limiter._base_limiter = None  # type: ignore[union-attr]
        li = bot.api.user(7001, "李明")
        bot.grant(li, Role.LIAISON, "轮台县")
        chat = bot.api.private(li)
        for _ in range(20):  # warm: the chat's row, the caches
            await bot.command(chat, li, "/help")
        sql = Statements()
        sql.listen(bot.services().db.engine)
        with Profiles(profile) as profiles:
            for _ in range(count):
                await bot.command(chat, li, "/help")
        await bot.stop()
    profiles.report("private /help", count, top, sort)
    sql.report(count)


async def weekly(items: int, top: int, sort: str, profile: bool) -> None:
    """A weekly update of `items` items (a press and a reply each), profiled."""
    with tempfile.TemporaryDirectory() as tmp:
        bot = Sandbox(f"sqlite:///{Path(tmp) / 'w.db'}", **PRODUCTION)
        group, li = await weekly_liaison(bot, items)
        prompt = await bot.command(group, li, "/weekly")
        sql = Statements()
        sql.listen(bot.services().db.engine)
        with Profiles(profile) as profiles:
            for i in range(items):
                await bot.tap(prompt, li, "按计划推进")
                got = await bot.answer(prompt, li, f"第{i + 1}项本周按计划推进")
                assert isinstance(got, dict)
                prompt = got
            confirm = await bot.press(prompt, li, "没有")
            done = await bot.press(confirm, li, "确认提交")
        assert "已报送本周" in done["text"], done
        await bot.stop()
    profiles.report("weekly step", 2 * items + 2, top, sort)
    sql.report(2 * items + 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--helps", type=int, default=300)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--cpu", action="store_true", help="CPU times only, no cProfile")
    parser.add_argument("--only", choices=("echo", "help", "weekly"), default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.only in (None, "echo"):
        asyncio.run(echoes(args.helps, args.top, args.sort, not args.cpu))
    if args.only in (None, "help"):
        asyncio.run(private_help(args.helps, args.top, args.sort, not args.cpu))
    if args.only in (None, "weekly"):
        asyncio.run(weekly(args.items, args.top, args.sort, not args.cpu))
