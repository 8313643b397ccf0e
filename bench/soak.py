"""A soak: a campaign fortnight of 30 units on a fast clock, with failures and SIGKILLs.

The bot runs as a real `taizhang run` process against the local Bot API, on the testing
clock `TAIZHANG_CLOCK=<campaign time>@<speed>`. 5% of the API calls fail (429 with
retry_after, 500, or a connection dropped before the call is handled), and the process is
killed with SIGKILL at random moments and started again on the campaign time it had
reached (campaign time stands still while the process starts). Nobody submits anything,
so every unit is owed every reminder stage, overdue notice and weekly prompt.

Expected: every outbox message the planner created for a notification, due within the
campaign window. Delivered: the messages the local Bot API accepted. A delivered message
is matched to its outbox row by its Telegram message id; a delivered message that no row
claims was sent twice (the first send was not recorded). Late: delivered more than 60 s of
campaign time after its planned time (`not_before`).

Run: .venv/bin/python -m bench.soak [--units 30] [--days 14] [--speed 3600] [--kills 6]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import random
import re
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.config import Settings
from bot.sandbox.api import LocalBotApi
from bot.serve.campaign_file import read_campaign_file
from storage import campaigns, chats, planning
from storage.audit import Stamp
from storage.calendar import work_calendar
from storage.db import Database
from storage.models import Notification, OutboxMessage
from tests.processes import BotProcess, bot_env, wait_until
from workflows.guards import required
from workflows.planner import due_notifications

START = datetime.fromisoformat("2024-04-29T08:00+08:00")
LATE = timedelta(seconds=60)
EDGE = timedelta(hours=1)  # the planners are compared up to an hour before the window's end
CAMPAIGN = """name: 浸泡测试专项整治
year: 2024
timezone: Asia/Shanghai
units: [{units}]
deadlines:
  - {{due: "2024年5月3日18:00", deliverable: 联络员名单}}
  - {{due: "2024年5月8日12:00", deliverable: 自查自纠阶段总结}}
  - {{due: "2024年5月10日18:00", deliverable: 问题清单}}
weekly_report:
  - {{weekday: 周一, time: "18:00", name: 工作台账}}
  - {{weekday: 周三, time: "18:00", name: 工作简报}}
reminders: [3d, 1d, 2h]
"""


class SoakClock:
    """Campaign time as the driver sees it: it runs at `speed`, and stands still while the
    bot process starts (the process starts its clock where the driver's stood)."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.at, self.speed, self.since, self.running = start, speed, time.monotonic(), False

    def __call__(self) -> datetime:
        if not self.running:
            return self.at
        return self.at + timedelta(seconds=(time.monotonic() - self.since) * self.speed)

    def stop(self) -> datetime:
        """Stand still at the present campaign time; returns it."""
        self.at, self.running = self(), False
        return self.at

    def go(self) -> None:
        """Run on from where it stood."""
        self.since, self.running = time.monotonic(), True


def setup(api: LocalBotApi, db: Database, tmp: Path, units: int) -> list[dict[str, Any]]:
    """The campaign, loaded at its start, with one bound group per unit."""
    names = [f"单位{i:02d}" for i in range(1, units + 1)]
    path = tmp / "soak.yaml"
    path.write_text(CAMPAIGN.format(units=", ".join(names)), encoding="utf-8")
    stamp = Stamp(START.astimezone(UTC))
    groups = [api.group(f"{name}联络群") for name in names]
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(
            s, read_campaign_file(str(path), Settings(_env_file=None)), stamp
        )
        ids = {u.name: u.id or 0 for u in campaigns.units_of(s, camp.id or 0)}
        for group, name in zip(groups, names, strict=True):
            chat = chats.ensure_chat(
                s, chat_id=group["id"], kind="supergroup", title=group["title"]
            )
            chats.bind(s, chat, ids[name], stamp)
    return groups


async def start_bot(env: dict[str, str], log: Path, clock: SoakClock, starts: int) -> BotProcess:
    """Start the bot on the driver's campaign time; the clock runs again once it has."""
    at = clock.stop()
    proc = BotProcess({**env, "TAIZHANG_CLOCK": f"{at.isoformat()}@{clock.speed:g}"}, log)
    proc.start()
    marker = "测试时钟"
    await wait_until(lambda: proc.output().count(marker) > starts, timeout=60)
    clock.go()
    return proc


def _utc(at: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def pending(db: Database, end: datetime) -> int:
    """Outbox messages due by `end` that are not settled yet."""
    with db.unit_of_work() as s:
        rows = s.exec(
            select(OutboxMessage, Notification)
            .join(Notification, OutboxMessage.notification_id == Notification.id)  # type: ignore[arg-type]
            .where(
                OutboxMessage.status.in_(("pending", "sending")),  # type: ignore[attr-defined]
                Notification.planned_for <= end,
            )
        ).all()
    return len(rows)


def pure_keys(db: Database, start: datetime, end: datetime, step: timedelta) -> set[str]:
    """The keys a pure run of the planner plans over the window, every `step` of it."""
    with db.unit_of_work() as s:
        camp = required(campaigns.active_campaign(s), "the soak's campaign")
        state = planning.planner_state(s, camp, admin_ids=(), now=end)
        cal = work_calendar(s)
    keys: set[str] = set()
    now = start
    while now <= end:
        state = dataclasses.replace(state, planned=frozenset(keys))
        found = due_notifications(state, now=now, cal=cal)
        keys.update(p.key for p in found if p.not_before <= end - EDGE)
        now += step
    return keys


def bot_keys(db: Database, end: datetime) -> set[str]:
    """The keys the bot planned for the window."""
    with db.unit_of_work() as s:
        rows = s.exec(select(Notification)).all()
        return {n.key for n in rows if _utc(n.planned_for) <= end - EDGE}


def tally(sent: list[dict[str, Any]], db: Database, end: datetime) -> dict[str, Any]:
    """Expected against delivered: lost, doubled, late and the worst delay."""
    with db.unit_of_work() as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.notification_id.is_not(None))).all()  # type: ignore[union-attr]
        planned = {n.id: _utc(n.planned_for) for n in s.exec(select(Notification)).all()}
    delivered = {(m["chat"]["id"], m["message_id"]): m for m in sent}
    claimed = {(r.chat_id, r.telegram_message_id) for r in rows if r.telegram_message_id}
    expected = [r for r in rows if r.status != "withdrawn" and planned[r.notification_id] <= end]
    lost, delays = [], []
    for row in expected:
        message = delivered.get((row.chat_id, row.telegram_message_id or 0))
        if message is None:
            lost.append(row)
            continue
        delays.append(message["date"] - planned[row.notification_id].timestamp())
    doubled = [m for key, m in delivered.items() if key not in claimed]
    in_window = {(r.chat_id, r.telegram_message_id) for r in expected}
    outside = sum(1 for key in delivered if key in claimed and key not in in_window)
    return {
        "expected": len(expected),
        "delivered": len(sent) - outside,
        "lost": lost,
        "doubled": doubled,
        "late": sum(1 for d in delays if d > LATE.total_seconds()),
        "worst": max(delays, default=0.0),
        "withdrawn": sum(1 for r in rows if r.status == "withdrawn"),
    }


async def soak(units: int, days: float, speed: float, kills: int, tmp: Path, seed: int) -> dict:
    """One run; returns its tally."""
    rng = random.Random(seed)
    api = LocalBotApi()
    base = await api.start()
    url = f"sqlite:///{tmp / 'soak.db'}"
    db = Database.open(url)
    setup(api, db, tmp, units)
    clock = SoakClock(START.astimezone(UTC), speed)
    api.now = lambda: clock().timestamp()
    env = bot_env(
        api,
        base,
        url,
        TAIZHANG_PLANNER_INTERVAL="0.1",
        TAIZHANG_DELIVERY_INTERVAL="0.05",
        TAIZHANG_CLAIM_TIMEOUT=str(30 * speed),  # 30 real seconds, in campaign seconds
    )
    end = clock.at + timedelta(days=days)
    span = (end - clock.at).total_seconds() / speed  # real seconds of campaign time
    moments = sorted(rng.uniform(0.05, 0.95) * span for _ in range(kills))
    log = tmp / "bot.log"
    api.failure_rate = 0.05
    counted = 0
    proc = await start_bot(env, log, clock, 0)
    starts, real = 1, 0.0
    try:
        for moment in moments:
            await asyncio.sleep(max(0.0, moment - real))
            real = moment
            proc.kill()
            proc = await start_bot(env, log, clock, starts)
            starts += 1
        while clock() < end:
            await asyncio.sleep(0.2)
        api.failure_rate = 0.0  # the tail drains without new failures
        with contextlib.suppress(TimeoutError):
            await wait_until(lambda: pending(db, end) == 0, timeout=120)
        counted = len(api.sent)  # later sends are for after the window, maybe not yet settled
        await asyncio.sleep(1)
    finally:
        proc.kill()
        await api.stop()
    result = tally(api.sent[:counted], db, end)
    pure, planned = (
        pure_keys(db, START.astimezone(UTC), end, timedelta(minutes=1)),
        bot_keys(db, end),
    )
    result["not_planned"] = sorted(pure - planned)
    result["unexpected"] = sorted(planned - pure)
    result["kills"] = len(moments)
    result["failures"] = dict(api.random_failures)
    result["log"] = log.read_text(encoding="utf-8", errors="replace")
    db.engine.dispose()
    return result


def report(n: int, r: dict[str, Any]) -> None:
    """One line per run, and what was lost or doubled."""
    fails = ", ".join(f"{k} {v}" for k, v in sorted(r["failures"].items()))
    print(
        f"run {n}: {r['kills']} kills, failures injected: {fails}; expected {r['expected']}, "
        f"delivered {r['delivered']}: lost {len(r['lost'])}, doubled {len(r['doubled'])}, "
        f"late {r['late']}, worst delay {r['worst']:.0f} s of campaign time; "
        f"a pure planner run: {len(r['not_planned'])} not planned by the bot, "
        f"{len(r['unexpected'])} planned by the bot only"
    )
    for key in (r["not_planned"] + r["unexpected"])[:10]:
        print(f"  planner difference: {key}")
    for row in r["lost"][:10]:
        print(
            f"  lost: outbox {row.id} chat {row.chat_id} {row.status} {row.not_before} "
            f"{row.last_error!r}"
        )
    for m in r["doubled"][:10]:
        print(f"  doubled: chat {m['chat']['id']} message {m['message_id']}: {m['text'][:60]!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--days", type=float, default=14.0)
    parser.add_argument("--speed", type=float, default=3600.0)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(
        f"soak: {args.units} units, {args.days:g} days from {START.isoformat()} at "
        f"{args.speed:g}x, 5% of calls failing, {args.kills} SIGKILLs a run (seed {seed})"
    )
    for n in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(
                soak(args.units, args.days, args.speed, args.kills, Path(tmp), seed + n)
            )
        report(n, result)
        errors = Counter(
            line.split(":")[0]
            for line in result["log"].splitlines()
            if re.match(r"^[\w.]+(Error|Exception)\b", line)
        )
        print(f"  exceptions in the bot's log: {dict(errors) or 'none'}")


if __name__ == "__main__":
    main()
