"""A whole weekly update of 30 items through the bot and the local Bot API, beside an echo bot.

Each step is one user action (a button press or a reply) and the bot's answer to it; its
latency is measured from sending the action to the arrival of the answer. The baseline, in
the same run against the same server: a bare python-telegram-bot echo bot answering text
messages. Both use a rate limiter wide enough that Telegram's caps do not hide the cost of
an update. Target: each step within 3x the echo bot's per-update cost.

Run: .venv/bin/python -m bench.weekly_bench [--items 30] [--echo 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters

from bot.sandbox.api import LocalBotApi
from bot.sandbox.sandbox import Sandbox as Harness
from storage import campaigns, ledger
from storage.audit import Stamp
from workflows.ledger import ItemColumns
from workflows.roles import Role


def figures(label: str, samples: list[float]) -> float:
    """Print p50/p99 (ms) and the rate; returns p50."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"  {label:<34} n={len(samples):4d}  p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
        f"  {1 / statistics.mean(ordered):6.1f} updates/s"
    )
    return p50


async def echo_baseline(count: int) -> list[float]:
    api = LocalBotApi()
    base = await api.start()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = (
        Application.builder()
        .token(api.token)
        .base_url(base)
        .rate_limiter(AIORateLimiter(overall_max_rate=1000, group_max_rate=1000))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    user = api.user(1, "回声")
    chat = api.private(user)
    samples = []
    for i in range(count):
        began = time.perf_counter()
        await api.send(chat, user, f"第{i}条")
        await api.next_message(chat)
        samples.append(time.perf_counter() - began)
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    await api.stop()
    return samples


async def weekly(items: int) -> tuple[list[float], list[float], list[float], float]:
    with tempfile.TemporaryDirectory() as tmp:
        bot = Harness(f"sqlite:///{Path(tmp) / 'w.db'}")
        await bot.start()
        bot.app.bot.rate_limiter._base_limiter = None  # type: ignore[union-attr]
        group = bot.api.group("轮台县联络群")
        await bot.bind(group, "轮台县")
        li = bot.api.user(7001, "李明")
        bot.grant(li, Role.LIAISON, "轮台县")
        with bot.db.unit_of_work() as s:
            camp = campaigns.active_campaign(s)
            unit = campaigns.unit_named(s, camp.id, "轮台县")
            for i in range(items):
                ledger.create_item(
                    s,
                    unit,
                    ItemColumns(name=f"问题{i + 1}", due_on=date(2024, 6, 30)),
                    Stamp(bot.clock(), li["id"]),
                )
        prompt = await bot.command(group, li, "/weekly")  # the first item's step
        samples = []
        presses, replies = [], []
        began_all = time.perf_counter()
        for i in range(items):
            began = time.perf_counter()
            await bot.tap(prompt, li, "按计划推进")  # answered by a toast; the step stays
            presses.append(time.perf_counter() - began)
            began = time.perf_counter()
            prompt = await bot.answer(prompt, li, f"第{i + 1}项本周按计划推进")
            replies.append(time.perf_counter() - began)
        samples = presses + replies
        began = time.perf_counter()
        confirm = await bot.press(prompt, li, "没有")
        samples.append(time.perf_counter() - began)
        began = time.perf_counter()
        done = await bot.press(confirm, li, "确认提交")
        samples.append(time.perf_counter() - began)
        total = time.perf_counter() - began_all
        assert "已报送本周" in done["text"], done["text"]
        await bot.stop()
        return samples, presses, replies, total


async def main(items: int, echo_count: int) -> None:
    print(f"weekly update of {items} items ({2 * items + 2} steps), then {echo_count} echoes")
    samples, presses, replies, total = await weekly(items)
    echo = await echo_baseline(echo_count)
    ours = figures("weekly update, every step", samples)
    figures("  typed replies (1 Bot API call)", replies)
    figures("  button presses (a toast: 1 free Bot API call)", presses)
    base = figures("baseline: PTB echo bot (1 call)", echo)
    print(
        f"  whole update: {total:.1f} s; per-step p50 / echo p50: {ours / base:.2f}x (target: 3x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--echo", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.items, args.echo))
