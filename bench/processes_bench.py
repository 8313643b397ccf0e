"""Webhook throughput on PostgreSQL: two bot processes against one.

Liaisons of N units (default 150) each start a registration in their group and answer its
three prompts, all at once: 4 updates each, every one a unit of work that loads and saves a
draft. Telegram posts the updates with up to 16 connections, alternating between the
processes as a reverse proxy would. The figure is updates/s from the first update to the
last answer; the processes' own pacing of Telegram's 30 messages/s is lifted (the local Bot
API has no limits here), so that it measures what the processes can handle, not Telegram.

Run: .venv/bin/python -m bench.processes_bench [--units 150] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path

from bot.sandbox.api import LocalBotApi
from storage.db import Database
from tests import pgserver
from tests.processes import BotProcess, bot_env, campaign_with_groups, wait_until

STEPS = 4  # /register, then name, position and phone


async def liaison(api: LocalBotApi, group: dict, n: int) -> None:
    user = api.user(700000 + n, f"联络员{n}")
    await api.send(group, user, "/register")
    prompt = await api.next_message(group, timeout=120)
    for answer in (f"联络员{n}", "办公室主任", f"1380000{n:04d}"):
        await api.reply(prompt, user, answer)
        prompt = await api.next_message(group, timeout=120)
    assert f"联络员{n}" in prompt["text"], prompt["text"]


async def run(server: str, processes: int, units: int, tmp: Path) -> float:
    """Updates/s with that many processes on a fresh database."""
    with pgserver.database(server, "template0") as url:
        return await _run(url, processes, units, tmp)


async def _run(url: str, processes: int, units: int, tmp: Path) -> float:
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(url)
    names = [f"单位{i:03d}" for i in range(units)]
    _, groups = campaign_with_groups(api, db, tmp, names, "1d")
    env = bot_env(api, base, url, TAIZHANG_SEND_RATE="10000")
    procs = [BotProcess.webhook(env, tmp / f"p{processes}-{i}.log") for i in range(processes)]
    api.hook.backends = [p.backend for p in procs]
    api.hook.parallel = 16
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            await proc.ready()
        await wait_until(lambda: api.requests["setWebhook"] >= processes)
        start = time.perf_counter()
        await asyncio.gather(*(liaison(api, g, i) for i, g in enumerate(groups)))
        elapsed = time.perf_counter() - start
    finally:
        for proc in procs:
            proc.stop()
        await api.stop()
        db.engine.dispose()
    updates = units * STEPS
    share = ", ".join(str(api.hook.posts[p.backend]) for p in procs)
    print(
        f"  {processes} process(es): {updates} updates in {elapsed:.2f} s = "
        f"{updates / elapsed:6.1f} updates/s (per process: {share})"
    )
    return updates / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument(
        "--postgres", help="a PostgreSQL server's URL (default: a throwaway server for the run)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"webhook throughput on PostgreSQL, {args.units} liaisons x {STEPS} updates, 2 cores")
    with pgserver.server(args.postgres) as pg, tempfile.TemporaryDirectory() as tmp:
        one = asyncio.run(run(pg, 1, args.units, Path(tmp)))
        two = asyncio.run(run(pg, 2, args.units, Path(tmp)))
    print(f"two processes against one: {two / one:.2f}x")


if __name__ == "__main__":
    main()
