"""A reply in a quiet chat: kept in the outbox with its turn (now) beside sent from memory
after the commit (before), in the same run, the same bot, the same chats.

Each step's latency is measured from the person's action to the arrival of the bot's answer,
through the local Bot API. Steps alternate between the two ways (`Pipeline.durable`), so that
whatever else the machine does weighs on both alike: a weekly update's steps in a group (a
press and a typed reply to the card, each answered by the next card), and private /help.
Telegram's limits are lifted, as in bench/weekly_bench.py, so that they do not hide the cost.
A quiet chat: each step follows a short pause (`--pause`, 50 ms; a person takes seconds), in
which what the bot does after an answer (noting it sent) is done, as it would be.

Run: .venv/bin/python -m bench.replies_bench [--items 30] [--helps 200] [--rounds 2]
                                             [--pause 0.05] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path

from bench.weekly_bench import PRODUCTION, figures, weekly_liaison
from bot.sandbox.sandbox import Sandbox as Harness
from bot.serve.pipeline import Pipeline
from tests.pgserver import ThrowawayServer

WAYS = ("kept in the outbox", "from memory")


class Timed:
    """Each step taken one way or the other, in turn; the latencies of each way."""

    def __init__(self, bot: Harness, pause: float) -> None:
        self.pause = pause
        pipeline = bot.app.bot_data["pipeline"]
        assert isinstance(pipeline, Pipeline)
        self.pipeline = pipeline
        self.samples: dict[str, dict[str, list[float]]] = {}

    async def step(self, what: str, action: Awaitable[object]) -> object:
        """Take one step the way its turn falls to; time it to the answer."""
        await asyncio.sleep(self.pause)
        ways = self.samples.setdefault(what, {w: [] for w in WAYS})
        way = WAYS[sum(map(len, ways.values())) % 2]  # each kind of step: one way, then the other
        self.pipeline.durable = way == WAYS[0]
        began = time.perf_counter()
        got = await action
        ways[way].append(time.perf_counter() - began)
        return got


async def one_round(
    url: str, items: int, helps: int, pause: float, timed: dict[str, dict[str, list[float]]]
) -> None:
    """A weekly update of `items` items in a group, then `helps` private /help."""
    bot = Harness(url, **PRODUCTION)
    group, li = await weekly_liaison(bot, items)  # started, with Telegram's limits lifted
    try:
        steps = Timed(bot, pause)
        prompt = await bot.command(group, li, "/weekly")
        for i in range(items):
            await steps.step("press (a toast)", bot.tap(prompt, li, "按计划推进"))
            got = await steps.step(
                "typed reply in a group", bot.answer(prompt, li, f"第{i + 1}项本周按计划推进")
            )
            assert isinstance(got, dict)
            prompt = got
        chat = bot.api.private(li)
        await bot.command(chat, li, "/help")  # the chat's row made
        for _ in range(helps):
            await steps.step("private /help", bot.command(chat, li, "/help"))
        await bot.drained()
        for what, ways in steps.samples.items():
            for way, samples in ways.items():
                timed.setdefault(what, {w: [] for w in WAYS})[way] += samples
    finally:
        await bot.stop()


async def main(items: int, helps: int, rounds: int, pause: float, postgres: bool) -> None:
    print(
        f"{rounds} rounds of a {items}-item weekly update in a group and {helps} private "
        f"/help on {'PostgreSQL' if postgres else 'SQLite'}; the steps alternate between a "
        "reply kept in the outbox (now) and one sent from memory (before)"
    )
    timed: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(rounds):
            server = ThrowawayServer() if postgres else None
            url = server.start() if server else f"sqlite:///{Path(tmp) / f'r{n}.db'}"
            try:
                await one_round(url, items, helps, pause, timed)
            finally:
                if server:
                    server.stop()
    for what, ways in timed.items():
        print(what)
        now = figures(WAYS[0], ways[WAYS[0]])
        before = figures(WAYS[1], ways[WAYS[1]])
        print(f"  p50 kept / p50 from memory: {now / before:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--helps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.05, help="seconds before each step")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.items, args.helps, args.rounds, args.pause, args.postgres))
