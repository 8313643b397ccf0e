"""A Monday morning: every unit's liaison does the weekly update while the prompts go out.

The real bot runs on the local Bot API, which enforces Telegram's limits (20 sends and edits
a minute per group, 30 a second overall) and answers 429 beyond them; the bot keeps them with
its own limiter (`ChatBudget`, the production `Limits`). The campaign is the bazhou-2024
template with N units (default 300), each bound to a group with one liaison and 8 open
ledger items. The clock is Monday 19 February 2024, 08:05 in Beijing: the campaign began on
1 February, and the weekly prompt (due from 08:00, report due 18:00) goes to every group at
once. Everything the planner had to say before that Monday is marked as already sent, so the
only notifications are the prompts.

Each liaison starts at a random moment within the first minute and, at a person's pace (1 s
before each press, 3 s before each typed answer), presses the prompt's button (or types
/weekly if the prompt has not reached the group yet) and goes through the 8 items. A step's
latency: from the person's action to the bot's next message for them (for a button that is
answered by a toast alone, to the toast). Then the quiet-group probe: /deadlines in an idle
group while ten other groups each ask for 25 /help at once.

Baseline in the same run: a bare python-telegram-bot echo bot on the same local Bot API
(`bench.weekly_bench.echo_baseline`), one update at a time; printed as a ratio of p50s.

Everything runs in one process and one event loop (bot, Bot API, 300 people): latencies
include the loop's contention.

Run: .venv/bin/python -m bench.monday_bench [--groups 300] [--pace 1.0] [--echo 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bench.population import unit_name
from bench.weekly_bench import echo_baseline
from bot.sandbox.sandbox import Sandbox
from bot.serve.campaign_file import TEMPLATES
from bot.serve.jobs import plan_once
from bot.telegram.budget import ChatBudget, Limits
from bot.telegram.services import Services
from locales import Translator
from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import Chat, OutboxMessage
from workflows.people.roles import Role
from workflows.problems.ledger import ItemColumns

SUNDAY = datetime(2024, 2, 18, 4, 0, tzinfo=UTC)  # Sunday 12:00 in Beijing: the week before
MONDAY = datetime(2024, 2, 19, 0, 5, tzinfo=UTC)  # Monday 08:05 in Beijing: prompts are due
ITEMS = 8
PRESS, TYPE = 1.0, 3.0  # a person's seconds before a press and before a typed answer
STEP_TIMEOUT = 180.0  # no single step may take longer (a stuck step fails the run)
RUN_TIMEOUT = 1800.0  # the whole Monday morning
TELEGRAM_GROUP = (20, 60.0)
TELEGRAM_GLOBAL = (30, 1.0)
BUSY_GROUPS, BUSY_HELPS = 10, 25


class Tally(logging.Handler):
    """Counts the bot's log records by level and message (its failed updates, its 429s)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record."""
        key = f"{record.levelname} {record.name}: {record.msg}"
        self.counts[key] = self.counts.get(key, 0) + 1


TALLY = Tally()


@dataclass
class Inbox:
    """What the bot sent into one group, as the people there see it."""

    flow: asyncio.Queue[tuple[dict[str, Any], float]] = field(default_factory=asyncio.Queue)
    prompt: dict[str, Any] | None = None
    prompt_at: float | None = None


@dataclass
class Monday:
    """The figures of a run."""

    steps: list[float] = field(default_factory=list)  # every action, to the bot's answer
    messages: list[float] = field(default_factory=list)  # actions answered by a message
    toasts: list[float] = field(default_factory=list)  # presses answered by a toast alone
    by_prompt: int = 0  # liaisons who started from the prompt's button
    by_command: int = 0  # … who typed /weekly before the prompt reached their group
    prompt_delays: list[float] = field(default_factory=list)  # Monday start → prompt in group
    done: int = 0
    stuck: list[str] = field(default_factory=list)  # liaisons whose update did not finish
    wall: float = 0.0


def weekly_data(message: dict[str, Any]) -> str | None:
    """The callback data of a weekly prompt's start button (None: not a prompt)."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            data = str(button.get("callback_data", ""))
            if data.startswith("a:weekly:"):
                return data
    return None


def campaign_file(directory: Path, groups: int) -> Path:
    """The bazhou-2024 template with `groups` units."""
    template = (TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8")
    units = ", ".join(unit_name(i, 4) for i in range(groups))
    spec, count = re.subn(r"(?m)^units: \[.*\]$", f"units: [{units}]", template)
    if count != 1:
        raise RuntimeError("the template's units line was not found")
    path = directory / "monday.yaml"
    path.write_text(spec, encoding="utf-8")
    return path


def populate(bot: Sandbox, groups: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Bind a group per unit, appoint its liaison and give it 8 open items."""
    chats, liaisons = [], []
    db = bot.database()
    for i in range(groups):
        name = unit_name(i, 4)
        chat = bot.api.group(f"{name}联络群")
        person = bot.api.user(800000 + i, f"联络员{i}")
        bot.grant(person, Role.LIAISON, name)
        with db.unit_of_work() as s:
            camp = campaigns.active_campaign(s)
            assert camp is not None and camp.id is not None
            unit = campaigns.unit_named(s, camp.id, name)
            s.add(
                Chat(
                    chat_id=chat["id"],
                    kind="supergroup",
                    title=chat["title"],
                    unit_id=unit.id,
                    bound_by=bot.admin["id"],
                    bound_at=bot.clock(),
                )
            )
            for n in range(ITEMS):
                ledger.create_item(
                    s,
                    unit,
                    ItemColumns(name=f"问题{n + 1}", due_on=date(2024, 6, 30)),
                    Stamp(bot.clock(), person["id"]),
                )
        chats.append(chat)
        liaisons.append(person)
    return chats, liaisons


def history(bot: Sandbox) -> int:
    """Plan everything due before Monday and mark it sent (last week's messages)."""
    services = Services(
        bot.database(),
        bot.settings,
        Translator.load(bot.locale, strict=True),
        bot.clock,
    )
    planned = plan_once(services)
    with bot.database().engine.begin() as conn:
        conn.execute(update(OutboxMessage).values(status="sent", sent_at=bot.clock()))
    return planned


async def attempt(
    bot: Sandbox,
    chat: dict[str, Any],
    person: dict[str, Any],
    inbox: Inbox,
    offset: float,
    pace: float,
    out: Monday,
) -> None:
    """A liaison's update; a step that fails or times out is recorded, not raised."""
    try:
        await liaison(bot, chat, person, inbox, offset, pace, out)
    except (AssertionError, TimeoutError) as err:
        out.stuck.append(f"{chat['title']}: {type(err).__name__} {str(err)[:120]}")


async def liaison(
    bot: Sandbox,
    chat: dict[str, Any],
    person: dict[str, Any],
    inbox: Inbox,
    offset: float,
    pace: float,
    out: Monday,
) -> None:
    """One liaison's weekly update of 8 items, at a person's pace."""
    api = bot.api
    answered: dict[str, asyncio.Event] = bot_toasts(bot)

    async def message_after(action: float) -> dict[str, Any]:
        message, at = await asyncio.wait_for(inbox.flow.get(), STEP_TIMEOUT)
        out.steps.append(at - action)
        out.messages.append(at - action)
        return message

    async def press(message: dict[str, Any], label: str) -> dict[str, Any]:
        await asyncio.sleep(PRESS * pace)
        began = time.perf_counter()
        await api.press(message, person, label)
        return await message_after(began)

    async def tap(message: dict[str, Any], label: str) -> None:
        await asyncio.sleep(PRESS * pace)
        began = time.perf_counter()
        qid = await api.press(message, person, label)
        event = answered.setdefault(qid, asyncio.Event())
        await asyncio.wait_for(event.wait(), STEP_TIMEOUT)
        took = time.perf_counter() - began
        out.steps.append(took)
        out.toasts.append(took)

    async def answer(message: dict[str, Any], words: str) -> dict[str, Any]:
        await asyncio.sleep(TYPE * pace)
        began = time.perf_counter()
        await api.reply(message, person, words)
        return await message_after(began)

    await asyncio.sleep(offset + PRESS * pace)
    began = time.perf_counter()
    if inbox.prompt is not None:
        data = weekly_data(inbox.prompt)
        out.by_prompt += 1
        await api.press(inbox.prompt, person, data=data)
    else:
        out.by_command += 1
        await api.send(chat, person, "/weekly")
    card = await message_after(began)
    for n in range(ITEMS):
        if f"（{n + 1}/{ITEMS}）" not in card["text"]:
            raise AssertionError(f"{chat['title']}: item {n + 1} expected: {card['text'][:80]}")
        if n % 2:
            card = await press(card, "本周无变化")
        else:
            await tap(card, "按计划推进")
            card = await answer(card, f"第{n + 1}项按计划推进")
    confirm = await press(card, "没有")
    done = await press(confirm, "确认提交")
    if "已报送本周" not in done["text"]:
        raise AssertionError(f"{chat['title']}: not submitted: {done['text'][:80]}")
    out.done += 1


_TOASTS: dict[int, dict[str, asyncio.Event]] = {}


def bot_toasts(bot: Sandbox) -> dict[str, asyncio.Event]:
    """An event per callback query, set when the bot answers it (wraps the API's handler)."""
    key = id(bot.api)
    if key in _TOASTS:
        return _TOASTS[key]
    events: dict[str, asyncio.Event] = {}
    original = bot.api.api_answercallbackquery

    async def answered(p: dict[str, Any]) -> bool:
        result = await original(p)
        events.setdefault(str(p["callback_query_id"]), asyncio.Event()).set()
        return result

    bot.api.api_answercallbackquery = answered  # type: ignore[method-assign]
    _TOASTS[key] = events
    return events


def route(bot: Sandbox, inboxes: dict[int, Inbox]) -> None:
    """Sort the bot's messages into each group's inbox as they are stored."""
    bot_id = bot.api.bot_user["id"]

    def listener(kind: str, event: dict[str, Any]) -> None:
        if kind != "message" or event["from"]["id"] != bot_id:
            return
        inbox = inboxes.get(event["chat"]["id"])
        if inbox is None:
            return
        now = time.perf_counter()
        if weekly_data(event) is not None and inbox.prompt is None:
            inbox.prompt, inbox.prompt_at = event, now
            return
        inbox.flow.put_nowait((event, now))

    bot.api.listeners.append(listener)


def in_any_minute(times: list[float]) -> int:
    """The most sends in any 60 s of a group's log."""
    return max((sum(1 for t in times if s <= t < s + 60) for s in times), default=0)


async def quiet_probe(
    bot: Sandbox, quiet: dict[str, Any], inbox: Inbox, busy: list[dict[str, Any]]
) -> tuple[float, int]:
    """/deadlines in an idle group while the busy ones are saturated: its latency, 429s."""
    api = bot.api
    before = api.too_many
    crowds = [api.user(799000 + k, f"群众{k}") for k in range(len(busy))]
    for group, crowd in zip(busy, crowds, strict=True):  # one person each: see the report
        for _ in range(BUSY_HELPS):
            await api.send(group, crowd, "/help")
    await api.until(
        lambda: all(len(api.group_log[g["id"]]) >= TELEGRAM_GROUP[0] for g in busy), timeout=60
    )
    while not inbox.flow.empty():
        inbox.flow.get_nowait()
    began = time.perf_counter()
    await api.send(quiet, bot.admin, "/deadlines")
    _, at = await asyncio.wait_for(inbox.flow.get(), STEP_TIMEOUT)
    return at - began, api.too_many - before


Counters = tuple[int, int, int, int, list[int], int]


async def morning(
    bot: Sandbox,
    chats: list[dict[str, Any]],
    liaisons: list[dict[str, Any]],
    inboxes: dict[int, Inbox],
    rng: random.Random,
    pace: float,
    out: Monday,
    start: float,
) -> tuple[float, int, int, list[dict[str, Any]], Counters]:
    """The liaisons' updates, the limiter's counters, then the quiet-group probe."""
    offsets = [rng.uniform(0, 60 * pace) for _ in chats]
    try:
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    attempt(bot, c, p, inboxes[c["id"]], o, pace, out)
                    for c, p, o in zip(chats, liaisons, offsets, strict=True)
                )
            ),
            RUN_TIMEOUT,
        )
    finally:
        out.wall = time.perf_counter() - start
    await bot.api.until(lambda: all(i.prompt is not None for i in inboxes.values()), 120)
    out.prompt_delays = [(i.prompt_at or start) - start for i in inboxes.values()]
    limiter = bot.app.bot.rate_limiter if bot.app else None
    assert isinstance(limiter, ChatBudget)
    delayed, refused, ours_429 = limiter.delayed, limiter.refused, limiter.too_many
    logs = [bot.api.group_log[c["id"]] for c in chats]
    used = [len(log) for log in logs]
    worst_minute = max(in_any_minute(log) for log in logs)
    api_429 = bot.api.too_many
    by_last_send = sorted(chats, key=lambda c: max(bot.api.group_log[c["id"]], default=0.0))
    quiet, busy = by_last_send[0], by_last_send[-BUSY_GROUPS:]  # idle longest; latest
    probe, probe_429 = await quiet_probe(bot, quiet, inboxes[quiet["id"]], busy)
    probe_delayed = limiter.delayed - delayed
    counters = (delayed, refused, ours_429, api_429, used, worst_minute)
    return probe, probe_429, probe_delayed, busy, counters


def figures(label: str, samples: list[float]) -> float:
    """Print n, p50, p99 and max in ms; returns p50."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"  {label:<38} n={len(ordered):5d}  p50 {p50 * 1000:8.1f} ms"
        f"  p99 {p99 * 1000:8.1f} ms  max {ordered[-1] * 1000:8.1f} ms"
    )
    return p50


async def monday(groups: int, pace: float, echo_count: int, seed: int) -> None:
    """Set up the campaign, run the Monday morning and the probe, print the figures."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = campaign_file(Path(tmp), groups)
        bot = Sandbox(
            f"sqlite:///{Path(tmp) / 'monday.db'}",
            template=str(path),
            limits=Limits(),
            start=SUNDAY,
        )
        set_up = time.perf_counter()
        await bot.start()
        await bot.stop_bot()  # set up without a planner running
        chats, liaisons = populate(bot, groups)
        planned = history(bot)
        print(
            f"set-up: {groups} units, groups, liaisons, {groups * ITEMS} items;"
            f" {planned} earlier notifications marked sent; {time.perf_counter() - set_up:.1f} s"
        )
        bot.api.group_limit = TELEGRAM_GROUP
        bot.api.global_limit = TELEGRAM_GLOBAL
        inboxes = {c["id"]: Inbox() for c in chats}
        route(bot, inboxes)
        bot_toasts(bot)
        bot.clock.at = MONDAY
        out = Monday()
        start = time.perf_counter()
        try:
            await bot.start_bot()
            probe, probe_429, probe_delayed, busy, counters = await morning(
                bot, chats, liaisons, inboxes, rng, pace, out, start
            )
        finally:
            await bot.stop()
    delayed, refused, ours_429, api_429, used, worst_minute = counters
    actions = len(out.steps) // max(out.done, 1)
    answers = len(out.messages) // max(out.done, 1)
    print(
        f"Monday 2024-02-19 08:05 Beijing: {groups} groups x 1 liaison x {ITEMS} items,"
        f" pace x{pace:g}, starts within {60 * pace:.0f} s; {out.done}/{groups} submitted"
    )
    print(
        f"  started from the prompt's button: {out.by_prompt}; by /weekly (prompt not yet"
        f" there): {out.by_command}"
    )
    ours = figures("every step (action -> bot's answer)", out.steps)
    figures(f"  answered by a message ({answers}/update)", out.messages)
    figures(f"  answered by a toast ({actions - answers}/update)", out.toasts)
    figures("weekly prompt reached its group", out.prompt_delays)
    print(
        f"  group budget: {statistics.mean(used):.1f} sends+edits per group"
        f" (prompt included) for {actions} steps = {statistics.mean(used) / actions:.2f}/step"
        f" (max {max(used)}; most in any 60 s: {worst_minute}/20)"
    )
    print(
        f"  limiter: delayed {delayed} answers, refused {refused} notifications"
        f" (kept in the outbox); 429s: {api_429} from the API ({ours_429} seen by the bot)"
    )
    print(f"  wall time of the morning: {out.wall:.1f} s")
    for line in out.stuck[:10]:
        print(f"  STUCK {line}")
    for key, count in sorted(TALLY.counts.items()):
        print(f"  log: {count} x {key}")
    print(
        f"quiet group: /deadlines answered in {probe * 1000:.1f} ms while {len(busy)} groups"
        f" asked for {BUSY_HELPS} /help each ({probe_delayed} answers delayed; 429s: {probe_429})"
    )
    echo = await echo_baseline(echo_count)
    base = figures("baseline: PTB echo bot, one at a time", echo)
    print(f"  Monday step p50 / echo p50: {ours / base:.1f}x")


async def main(groups: int, pace: float, echo: int, seed: int) -> None:
    """The Monday morning, then the echo baseline on a fresh local Bot API."""
    began = time.perf_counter()
    await monday(groups, pace, echo, seed)
    print(f"total wall time: {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--pace", type=float, default=1.0, help="scale of the people's pauses")
    parser.add_argument("--echo", type=int, default=200, help="echo bot updates (baseline)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger().addHandler(TALLY)
    logging.getLogger().setLevel(logging.WARNING)
    asyncio.run(main(args.groups, args.pace, args.echo, args.seed))
