"""Planner and outbox at province scale.

1. One planner pass over 3,000 units x 10 deadlines x 5 reminder offsets, with 30,000 open
   ledger items in the database: time and peak memory, for the pass that plans a stage for
   every unit (30,000 notifications) and for a steady pass that finds nothing new. Baseline
   in the same run: reading the same rows with plain SELECTs.
2. One reminder fanned out to N groups (default 3,000) through the local Bot API, which
   enforces Telegram's limits (30 messages/s overall, 20 a minute per group): messages/s
   against the 30/s ceiling, and the number of 429s received.

Both on SQLite and on PostgreSQL, printed side by side, with an outbox drain (Telegram's
limits off) that shows the database's share of delivery.

Run: .venv/bin/python -m bench.planner_bench [--units 3000] [--fanout 3000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from telegram.ext import ExtBot

from bench.population import campaign_with_units, unit_name
from bot.config import Settings
from bot.delivery.sending import deliver_once
from bot.sandbox.api import LocalBotApi
from bot.serve.app import telegram_limits
from bot.serve.jobs import plan_once
from bot.telegram.budget import ChatBudget, Limits
from bot.telegram.services import Services
from locales import Translator
from storage.db import Database
from storage.models import Chat, Deadline, LedgerItem, OutboxMessage
from tests import pgserver

T = TypeVar("T")
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def populate(db: Database, units: int, deadlines: int, items: int) -> None:
    """A campaign of `units` bound groups, `deadlines` deliverables and `items` open items."""
    with db.engine.begin() as conn:
        campaign_with_units(
            conn, "基准测试", units, T0, reminders=[7 * 86400, 3 * 86400, 86400, 7200, 600]
        )
        conn.execute(
            insert(Chat),
            [
                {
                    "chat_id": -1000000000000 - i,
                    "kind": "supergroup",
                    "title": f"{unit_name(i, 4)}群",
                    "unit_id": i + 1,
                    "supervisors": False,
                    "waiting_notice_sent": False,
                }
                for i in range(units)
            ],
        )
        # every deadline is 2 hours + 10 minutes away: its "2h" stage is not yet due, "1d" is
        conn.execute(
            insert(Deadline),
            [
                {
                    "campaign_id": 1,
                    "deliverable": f"材料{j}",
                    "note": "",
                    "source_text": "",
                    "cancelled": False,
                    "from_file": True,
                    "created_at": T0 - timedelta(days=30),
                    "due_at": T0 + timedelta(hours=2, minutes=10 + j),
                }
                for j in range(deadlines)
            ],
        )
        conn.execute(
            insert(LedgerItem),
            [
                {
                    "unit_id": i % units + 1,
                    "code": f"U{i % units}-{i}",
                    "seq": i,
                    "name": "问题",
                    "status": "open",
                    "fields": {},
                    "version": 1,
                    "created_at": T0,
                    "updated_at": T0,
                }
                for i in range(items)
            ],
        )


def timed(label: str, fn: Callable[[], T], figures: dict[str, float]) -> T:
    """Wall time, and how far the process's peak resident memory rose (tracemalloc would
    slow the pass several times over, so it is not used)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"  {label:<46} {elapsed * 1000:9.1f} ms   peak RSS {peak / 1024:6.0f} MiB "
        f"(+{(peak - before) / 1024:.0f})"
    )
    figures[label] = elapsed * 1000
    return result


def planner(url: str, units: int) -> dict[str, float]:
    """Time a planning pass and a steady pass on the database at `url` (empty)."""
    db = Database.open(url)
    populate(db, units, 10, 30_000)
    settings = Settings(_env_file=None, telegram_bot_token="1:x", database_url=url)
    services = Services(db, settings, Translator.load(), Clock(T0))
    print(
        f"planner on {db.engine.dialect.name}: {units} units x 10 deadlines x 5 offsets, "
        "30,000 open items"
    )
    figures: dict[str, float] = {}

    def baseline() -> int:
        with db.engine.connect() as conn:
            n = 0
            for table in ("unit", "chat", "deadline", "submission", "notification"):
                n += len(conn.execute(text(f"select * from {table}")).all())
            return n

    timed(BASELINE, baseline, figures)
    planned = timed(FIRST, lambda: plan_once(services), figures)
    print(f"    planned {planned} notifications")
    timed(STEADY, lambda: plan_once(services), figures)
    db.engine.dispose()
    return figures


BASELINE = "baseline: plain SELECT of the rows it reads"
FIRST = "pass planning a stage for every unit"
STEADY = "steady pass (nothing new)"
DRAIN = "outbox drained, no rate limit (msg/s)"


async def send_all(url: str, groups: int, *, limits: bool) -> tuple[int, float, int]:
    """Put one message per group in the outbox and drain it; (sent, seconds, 429s).

    With `limits`, the local Bot API enforces Telegram's (30/s overall, 20 a minute per
    group) and the bot paces itself; without, the figure is the bot's and database's own.
    """
    api = LocalBotApi()
    base = await api.start()
    if limits:
        api.global_limit, api.group_limit = (30, 1.0), (20, 60.0)
    db = Database.open(url)
    with db.unit_of_work() as s:
        for i in range(groups):
            chat = api.group(f"群{i}")
            s.add(
                OutboxMessage(chat_id=chat["id"], text=f"⏰ 提醒 {i}", not_before=T0, created_at=T0)
            )
    settings = Settings(_env_file=None, telegram_bot_token=api.token, database_url=url)
    services = Services(db, settings, Translator.load(), Clock(T0))
    # limits off: a limiter all the same (the outbox marks its sends as notifications), with
    # windows wide enough never to hold one
    wide = ChatBudget(Limits(group=(10**6, 1.0), private=(10**6, 1.0), overall=(10**6, 1.0)))
    bot = ExtBot(api.token, base_url=base, rate_limiter=telegram_limits() if limits else wide)
    await bot.initialize()
    start = time.perf_counter()
    # as the delivery job does: what waits for a budget is tried again on the next tick
    while len(api.sent) < groups and time.perf_counter() - start < groups:
        if await deliver_once(bot, services, limit=60) == 0:
            await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - start
    await bot.shutdown()
    await api.stop()
    db.engine.dispose()
    return len(api.sent), elapsed, api.too_many


def drain(url: str, messages: int) -> float:
    """Messages/s the outbox gives up with Telegram's limits off: the database's share."""
    sent, elapsed, _ = asyncio.run(send_all(url, messages, limits=False))
    assert sent == messages
    print(f"  outbox on {make_url(url).get_backend_name()}: {sent} sent in {elapsed:.2f} s")
    return sent / elapsed


def fanout(groups: int) -> None:
    """One reminder to every group within Telegram's limits (SQLite)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'fanout.db'}"
        sent, elapsed, too_many = asyncio.run(send_all(url, groups, limits=True))
    print(
        f"fan-out to {groups} groups: {sent} sent in {elapsed:.1f} s = {sent / elapsed:.1f} "
        f"msg/s (Telegram's ceiling: 30/s; target above 25/s); 429s received: {too_many}"
    )


def side_by_side(results: dict[str, dict[str, float]]) -> None:
    """One table: a row per figure, a column per database."""
    names = list(results)
    print("\n" + " " * 48 + "".join(f"{n:>14}" for n in names))
    for label in (BASELINE, FIRST, STEADY):
        print(f"{label + ' (ms)':<48}" + "".join(f"{results[n][label]:14.1f}" for n in names))
    print(f"{DRAIN:<48}" + "".join(f"{results[n][DRAIN]:14.1f}" for n in names))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--fanout", type=int, default=3000)
    parser.add_argument("--drain", type=int, default=3000, help="outbox messages to drain")
    parser.add_argument(
        "--postgres", help="a PostgreSQL server's URL (default: a throwaway server for the run)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results: dict[str, dict[str, float]] = {}
    with pgserver.server(args.postgres) as pg:
        with tempfile.TemporaryDirectory() as tmp:
            results["sqlite"] = planner(f"sqlite:///{Path(tmp) / 'planner.db'}", args.units)
            results["sqlite"][DRAIN] = drain(f"sqlite:///{Path(tmp) / 'drain.db'}", args.drain)
        with pgserver.database(pg, "template0") as url:
            results["postgresql"] = planner(url, args.units)
        with pgserver.database(pg, "template0") as url:
            results["postgresql"][DRAIN] = drain(url, args.drain)
    side_by_side(results)
    if args.fanout:
        fanout(args.fanout)


if __name__ == "__main__":
    main()
