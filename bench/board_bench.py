"""The supervisors' board at 300 units × 60 problems: its data, a unit's ledger, a problem,
the chart, the circular and the export through the Mini App's API, beside what the chat's own
commands cost on the same data in the same run.

The real bot and its web server on 127.0.0.1 (SQLite file), the planner and delivery jobs at
their production intervals (5 s, 1 s). The campaign's units are filled to `--units` by bulk
INSERTs, each with `--items` problems (a fifth closed, a fifth awaiting a close-out with a
photo, the rest open; due dates spread over the half year, so many are overdue), one progress
update each, two forwarded cases each (one overdue, every tenth unit's asking for more time),
and two units in three reporting this week. Each API call is timed from the request to its
answer (loopback: the server's time plus a few hundred microseconds). Baseline, interleaved
call by call so that the machine's other load weighs on both alike: the chat's commands as a
turn of the same pipeline with nothing sent (`/summary`'s figures alone; `/summary <unit>`;
`/summary` with its chart; `/summary 通报`; `/export`).

Run: .venv/bin/python -m bench.board_bench [--units 300] [--items 60] [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import func, insert
from sqlmodel import select

from bench.miniapp_bench import figures
from bench.population import unit_name
from bot.handlers.summary import campaign_summary
from bot.sandbox.sandbox import Sandbox, signed_init_data
from bot.serve import dispatch
from bot.serve.pipeline import Pipeline
from bot.telegram.source import Source, Speaker
from bot.telegram.turn import Turn
from storage import campaigns
from storage.models import ForwardedCase, LedgerItem, ProgressUpdate, Submission, Unit
from workflows.documents.summary import summary_week
from workflows.people.roles import Role
from workflows.words import name_key

SUPERVISOR = 880201


def populate(bot: Sandbox, units: int, items: int) -> tuple[int, int]:
    """Fill the campaign to `units` units of `items` problems; a unit's id and an item's id
    (one awaiting its close-out)."""
    db = bot.database()
    now = bot.clock()
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None and camp.id is not None
        have = s.exec(select(func.count()).select_from(Unit)).one()
        week = summary_week(campaigns.weekly_reports(camp), now, ZoneInfo(camp.timezone))
        camp_id = camp.id
    with db.engine.begin() as conn:
        conn.execute(
            insert(Unit),
            [
                {
                    "campaign_id": camp_id,
                    "name": unit_name(i, 3),
                    "name_key": name_key(unit_name(i, 3)),
                    "position": 100 + i,
                    "active": True,
                }
                for i in range(units - have)
            ],
        )
    with db.unit_of_work() as s:
        unit_ids = [u.id for u in campaigns.units_of(s, camp_id)]
    rows, progress = [], []
    for n, unit_id in enumerate(unit_ids):
        for k in range(items):
            status = ("open", "open", "open", "closed", "closing")[k % 5]
            rows.append(
                {
                    "unit_id": unit_id,
                    "code": f"U{n:03d}-{k + 1:03d}",
                    "seq": k + 1,
                    "name": f"第{k + 1}号问题：安置房逾期未交付",
                    "summary": "群众反映",
                    "category": "违规征收类",
                    "measures": "约谈、倒排工期",
                    "lead": "县住建局",
                    "due_on": date(2024, 1, 1) + timedelta(days=(n + 3 * k) % 180),
                    "status": status,
                    "fields": {},
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "closed_at": now if status == "closed" else None,
                }
            )
    with db.engine.begin() as conn:
        conn.execute(insert(LedgerItem), rows)
    with db.unit_of_work() as s:
        ids = list(s.exec(select(LedgerItem.id, LedgerItem.status)))
    photo = {"file_id": "P1", "name": "现场照片.jpg", "mime": "image/jpeg", "media": "photo"}
    for item_id, status in ids:
        done = status == "closing"
        progress.append(
            {
                "item_id": item_id,
                "week_of": date(2024, 1, 8),
                "status": "done" if done else "plan",
                "text": "按计划推进",
                "result": "已整改到位" if done else "",
                "reason": "",
                "files": [photo] if done else [],
                "created_at": now,
            }
        )
    cases, sent = [], []
    for n, unit_id in enumerate(unit_ids):
        for k in range(2):
            fields: dict[str, Any] = {}
            if k == 1 and n % 10 == 0:
                until = (now + timedelta(days=10)).isoformat()
                fields = {"extension": {"reason": "需协调", "until": until, "status": "pending"}}
            cases.append(
                {
                    "code": f"ZB-{2 * n + k + 1:04d}",
                    "unit_id": unit_id,
                    "text": "群众反映安置补偿不到位",
                    "received_at": now - timedelta(days=8),
                    "due_at": now - timedelta(days=4) if k == 0 else now + timedelta(days=2),
                    "status": "open",
                    "files": [],
                    "fields": fields,
                }
            )
        if n % 3:
            sent.append(
                {
                    "unit_id": unit_id,
                    "report_name": week.report,
                    "period_start": week.starts_on,
                    "submitted_at": now,
                    "on_time": n % 3 == 1,
                    "files": [],
                }
            )
    with db.engine.begin() as conn:
        conn.execute(insert(ProgressUpdate), progress)
        conn.execute(insert(ForwardedCase), cases)
        if sent:
            conn.execute(insert(Submission), sent)
    closing = next(i for i, st in ids if st == "closing")
    return int(unit_ids[0] or 0), int(closing or 0)


async def timed(samples: list[float], call: Callable[[], Awaitable[Any]]) -> Any:
    began = time.perf_counter()
    out = await call()
    samples.append(time.perf_counter() - began)
    return out


def page_weight() -> None:
    """The board's files as served (index.html, app.js and app.css are the form's too)."""
    total = zipped = 0
    for name in ("index.html", "app.js", "app.css", "board.js", "board.css"):
        raw = files("bot.web").joinpath("static", name).read_bytes()
        total += len(raw)
        zipped += len(gzip.compress(raw))
        print(f"  {name:<12} {len(raw) / 1024:6.1f} KB")
    print(f"  {'board':<12} {total / 1024:6.1f} KB  (gzip {zipped / 1024:5.1f} KB)")


async def main(units: int, items: int, runs: int) -> None:
    logging.getLogger("telegram").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        bot = Sandbox(
            f"sqlite:///{Path(tmp) / 'bench.db'}",
            mini_app=True,
            planner_interval=5.0,
            delivery_interval=1.0,
        )
        await bot.start()
        try:
            began = time.perf_counter()
            unit_id, item_id = populate(bot, units, items)
            print(
                f"populated {units} units × {items} problems in {time.perf_counter() - began:.1f} s"
            )
            user = bot.api.user(SUPERVISOR, "督办赵")
            bot.api.private(user)  # the private chats are open: notices go out, not refused
            bot.api.private(bot.admin)
            bot.grant(user, Role.SUPERVISOR)
            await run(bot, user, unit_id, item_id, runs)
        finally:
            await bot.stop()
    print(" page weight:")
    page_weight()


async def run(bot: Sandbox, user: dict[str, Any], unit_id: int, item_id: int, runs: int) -> None:
    app = bot.app
    assert app is not None
    pipeline: Pipeline = app.bot_data["pipeline"]
    speaker = Speaker(user["id"], None, user["first_name"])
    source = Source(user["id"], "private", user["first_name"], speaker, bot_username="taizhang_bot")
    headers = {"Authorization": "tma " + signed_init_data(bot.settings, user, bot.clock())}
    with bot.database().unit_of_work() as s:
        unit = s.get(Unit, unit_id)
        assert unit is not None
        name = unit.name
    t: dict[str, list[float]] = {}

    def samples(key: str) -> list[float]:
        return t.setdefault(key, [])

    async with aiohttp.ClientSession(base_url=bot.web_url) as http:

        async def get(path: str) -> bytes:
            async with http.get(path, headers=headers) as res:
                body = await res.read()
                if res.status != 200:
                    raise RuntimeError(f"GET {path}: {res.status} {body[:200]!r}")
                return body

        async def turn(body: Callable[[Turn], Any]) -> None:
            await pipeline.run(source, body, send=False)

        def command(name: str, *args: str) -> Callable[[], Awaitable[None]]:
            return lambda: turn(
                lambda tn: dispatch.command(tn, pipeline.registry, name, list(args))
            )

        def figures_only(tn: Turn) -> None:
            assert tn.campaign is not None
            campaign_summary(tn.session, tn.campaign, tn.stamp.at)

        heavy = max(3, runs // 4)
        calls = (  # (key, call, a document: timed in the first `heavy` runs only)
            ("board", lambda: get("api/board"), False),
            ("figures", lambda: turn(figures_only), False),
            ("unit", lambda: get(f"api/board/units/{unit_id}"), False),
            ("summary_unit", command("summary", name), False),
            ("item", lambda: get(f"api/board/items/{item_id}"), False),
            ("item_cmd", command("item", str(item_id)), False),
            ("chart", lambda: get("api/board/chart.png"), True),
            ("summary", command("summary"), True),
            ("circular", lambda: get("api/board/circular.docx"), True),
            ("circular_cmd", command("summary", "通报"), True),
            ("export", lambda: get("api/board/export.xlsx"), True),
            ("export_cmd", command("export"), True),
        )
        for n in range(runs):  # each call beside its baseline, so the machine's load is shared
            for key, call, document in calls:
                if n < heavy or not document:
                    await timed(samples(key), call)
        board = await get("api/board")
    print(f"The board, {runs} runs (documents {heavy}), SQLite, this machine:")
    print(
        f"  board JSON {len(board) / 1024:.0f} KB (gzip {len(gzip.compress(board)) / 1024:.0f} KB)"
    )
    for label, key, base_label, base in (
        ("board data (GET api/board)", "board", "/summary's figures (turn)", "figures"),
        (
            "a unit's ledger (GET api/board/units/…)",
            "unit",
            "/summary <unit> (turn)",
            "summary_unit",
        ),
        ("a problem (GET api/board/items/…)", "item", "/item (turn)", "item_cmd"),
        ("chart (GET api/board/chart.png)", "chart", "/summary with its chart (turn)", "summary"),
        (
            "circular (GET api/board/circular.docx)",
            "circular",
            "/summary 通报 (turn)",
            "circular_cmd",
        ),
        ("export (GET api/board/export.xlsx)", "export", "/export (turn)", "export_cmd"),
    ):
        figures(label, t[key])
        figures("  baseline: " + base_label, t[base])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.units, args.items, args.runs))
