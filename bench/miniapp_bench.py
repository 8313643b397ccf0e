"""A 60-problem week saved through the Mini App's API, beside the same week through the chat
flow's use case, in the same run; and the page's weight.

Mini App: the real bot's web server on 127.0.0.1 (SQLite file), one liaison's page: GET the
week, one PUT per problem as the page saves it, the submit. Each call is timed from the
request to its answer (loopback: the server's time, plus a few hundred microseconds).
Baseline: the same 60 answers given to the chat flow's use case in the same bot — each a turn
of the same pipeline with the dispatcher's `answer` (a status press, then the reply to the
card), its replies not sent — and its final confirm, which saves the week.

Run: .venv/bin/python -m bench.miniapp_bench [--items 60] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import aiohttp
from sqlmodel import select

from bot.sandbox.sandbox import Sandbox, signed_init_data
from bot.serve import dispatch
from bot.serve.pipeline import Pipeline
from bot.telegram.source import Source, Speaker
from bot.telegram.turn import Turn
from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import ProgressUpdate, Submission
from workflows.forms.inputs import ChoiceAnswer, TextAnswer
from workflows.people.roles import Role
from workflows.problems.ledger import ItemColumns


def figures(label: str, samples: list[float]) -> tuple[float, float]:
    """Print p50/p99 (ms); return them."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"  {label:<44} n={len(samples):4d}  p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms")
    return p50, p99


def seed(bot: Sandbox, unit: str, count: int) -> None:
    with bot.database().unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None and camp.id is not None
        target = campaigns.unit_named(s, camp.id, unit)
        assert target is not None
        for i in range(count):
            columns = ItemColumns(name=f"问题{i + 1}", due_on=date(2024, 6, 30))
            ledger.create_item(s, target, columns, Stamp(bot.clock()))


async def in_the_form(bot: Sandbox, group: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The week through the API; each call's time."""
    headers = {"Authorization": "tma " + signed_init_data(bot.settings, user, bot.clock())}
    times: dict[str, list[float]] = {"open": [], "answer": [], "submit": []}
    async with aiohttp.ClientSession(base_url=bot.web_url) as http:

        async def call(kind: str, method: str, path: str, **kw: Any) -> dict[str, Any]:
            began = time.perf_counter()
            async with http.request(method, path, headers=headers, **kw) as res:
                data: dict[str, Any] = await res.json()
                if res.status != 200:
                    raise RuntimeError(f"{method} {path}: {res.status} {data}")
            times[kind].append(time.perf_counter() - began)
            return data

        week = await call("open", "GET", "api/week")
        for n, item in enumerate(week["items"]):
            answer = {"status": "plan", "progress": f"第{n + 1}项已完成入户调查"}
            await call("answer", "PUT", f"api/week/items/{item['id']}", json=answer)
        await call("submit", "POST", "api/week/submit")
    return times


async def in_the_chat(bot: Sandbox, group: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The same answers to the chat flow's use case, a turn each, nothing sent to Telegram."""
    app = bot.app
    assert app is not None
    pipeline: Pipeline = app.bot_data["pipeline"]
    speaker = Speaker(user["id"], user.get("username"), user["first_name"])
    source = Source(group["id"], "supergroup", group["title"], speaker, bot_username="taizhang_bot")
    times: dict[str, list[float]] = {"open": [], "answer": [], "submit": []}

    async def turn(kind: str, body: Callable[[Turn], Any]) -> None:
        began = time.perf_counter()
        await pipeline.run(source, body, send=False)
        times[kind].append(time.perf_counter() - began)

    await turn("open", lambda t: dispatch.command(t, pipeline.registry, "weekly", []))
    with bot.database().unit_of_work() as s:
        count = len(ledger.open_items(s, _unit_id(s, "尉犁县")))
    for n in range(count):
        await turn("answer", lambda t: dispatch.answer(t, pipeline.registry, ChoiceAnswer(0)))
        reply = TextAnswer(f"第{n + 1}项已完成入户调查")
        await turn("answer", lambda t, r=reply: dispatch.answer(t, pipeline.registry, r))
    await turn("answer", lambda t: dispatch.answer(t, pipeline.registry, ChoiceAnswer(1)))  # 没有
    await turn("submit", lambda t: dispatch.answer(t, pipeline.registry, ChoiceAnswer(0)))
    return times


def _unit_id(s: Any, name: str) -> int:
    camp = campaigns.active_campaign(s)
    assert camp is not None and camp.id is not None
    unit = campaigns.unit_named(s, camp.id, name)
    assert unit is not None and unit.id is not None
    return unit.id


def page_weight() -> None:
    """The page's files as served, raw and gzipped."""
    total = zipped = 0
    for name in ("index.html", "app.js", "app.css"):
        raw = files("bot.web").joinpath("static", name).read_bytes()
        total += len(raw)
        packed = len(gzip.compress(raw))
        zipped += packed
        print(f"  {name:<12} {len(raw) / 1024:6.1f} KB  (gzip {packed / 1024:5.1f} KB)")
    print(f"  {'page':<12} {total / 1024:6.1f} KB  (gzip {zipped / 1024:5.1f} KB); limit 100 KB")


async def one_run(items: int) -> tuple[dict[str, Any], dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        bot = Sandbox(f"sqlite:///{Path(tmp) / 'bench.db'}", mini_app=True)
        await bot.start()
        try:
            form_group = bot.api.group("轮台县联络群")
            chat_group = bot.api.group("尉犁县联络群")
            await bot.bind(form_group, "轮台县")
            await bot.bind(chat_group, "尉犁县")
            form_li = bot.api.user(880101, "李明")
            chat_li = bot.api.user(880102, "刘芳")
            bot.grant(form_li, Role.LIAISON, "轮台县")
            bot.grant(chat_li, Role.LIAISON, "尉犁县")
            seed(bot, "轮台县", items)
            seed(bot, "尉犁县", items)
            chat = await in_the_chat(bot, chat_group, chat_li)
            form = await in_the_form(bot, form_group, form_li)
            with bot.database().unit_of_work() as s:  # both weeks were saved, each whole
                weeks = s.exec(select(Submission)).all()
                updates = s.exec(select(ProgressUpdate)).all()
                if len(weeks) != 2 or len(updates) != 2 * items:
                    raise RuntimeError(f"saved {len(weeks)} weeks, {len(updates)} updates")
            return form, chat
        finally:
            await bot.stop()


async def main(items: int, runs: int) -> None:
    logging.getLogger("telegram").setLevel(logging.WARNING)
    form: dict[str, list[float]] = {"open": [], "answer": [], "submit": []}
    chat: dict[str, list[float]] = {"open": [], "answer": [], "submit": []}
    for _ in range(runs):
        f, c = await one_run(items)
        for k in form:
            form[k] += f[k]
            chat[k] += c[k]
    print(f"A {items}-problem week, {runs} run(s), SQLite, this machine:")
    print(" Mini App (HTTP to the bot's web server, each call):")
    for kind in ("open", "answer", "submit"):
        figures(f"{kind}", form[kind])
    print(" chat flow's use case (a turn of the same pipeline, nothing sent):")
    for kind in ("open", "answer", "submit"):
        figures(f"{kind}", chat[kind])
    whole_form = (sum(sum(v) for v in form.values())) / runs
    whole_chat = (sum(sum(v) for v in chat.values())) / runs
    print(
        f"  whole week: Mini App {whole_form * 1000:.0f} ms in {items + 2} calls; "
        f"chat use case {whole_chat * 1000:.0f} ms in {2 * items + 3} turns"
    )
    print(" page weight:")
    page_weight()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.items, args.runs))
