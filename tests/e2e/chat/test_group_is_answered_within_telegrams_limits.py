"""Group chats at the speed of the chat, with the local Bot API counting Telegram's limits
(20 sends and edits a minute per group) and the bot's own limiter keeping them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import col, select

from bot.telegram.budget import Limits
from storage import campaigns
from storage.models import OutboxMessage, ProgressUpdate, SendLog, Submission
from tests.e2e.weekly.test_liaison_updates_the_week_by_workbook import send_filled_form
from tests.harness import Harness, MakeWorld, build_world
from workflows.forms.deeplink import WeeklyLink, link_key, make_payload

TELEGRAM = (20, 60.0)


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    """The bot with Telegram's real per-group limits, counted by the local Bot API too."""
    harness = Harness(db_url, limits=Limits())
    await harness.start()
    harness.api.group_limit = TELEGRAM
    try:
        yield harness
    finally:
        await harness.stop()


def budget_used(bot: Harness, group: dict) -> int:
    """Sends and edits the group received (what Telegram counts against its budget)."""
    return len(bot.api.group_log[group["id"]])


def in_any_window(bot: Harness, group: dict, span: float = 60.0) -> int:
    """The most sends and edits the group received within any `span` seconds."""
    times = bot.api.group_log[group["id"]]
    return max((sum(1 for t in times if s <= t < s + span) for s in times), default=0)


async def timed(step: asyncio.Future | object) -> tuple[dict, float]:
    started = time.monotonic()
    got = await step  # type: ignore[misc]
    return got, time.monotonic() - started


async def test_a_weekly_update_of_eight_items_spends_one_message_a_step(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group = world.group("轮台县")
    li = world["李明"]
    world.add_items("轮台县", 8, due_on="2024-06-30")
    before = budget_used(bot, group)
    card, waited = await timed(bot.command(group, li, "/weekly"))
    waits = [waited]
    for n in range(8):
        assert f"（{n + 1}/8）" in card["text"]
        if n % 2:
            card, waited = await timed(bot.press(card, li, "本周无变化"))
        else:
            toast = await bot.tap(card, li, "按计划推进")  # a toast, no message
            assert "按计划推进" in toast
            card, waited = await timed(bot.answer(card, li, f"第{n + 1}项按计划推进"))
        waits.append(waited)
    confirm, waited = await timed(bot.press(card, li, "没有"))
    done, waited2 = await timed(bot.press(confirm, li, "确认提交"))
    waits += [waited, waited2]
    assert done["text"].startswith("✅ 轮台县已报送本周“工作台账”")
    spent = budget_used(bot, group) - before
    # eight cards, "new problems?", the confirm card, the summary
    assert spent == 8 + 3, [m["text"][:20] for m in bot.api.bot_messages(group)]
    assert bot.api.edits == 0 and bot.api.too_many == 0
    assert max(waits) < 2.0
    with bot.db.unit_of_work() as s:
        statuses = sorted(p.status for p in s.exec(select(ProgressUpdate)))
        assert statuses == ["plan"] * 4 + ["same"] * 4
        assert s.exec(select(Submission)).one().on_time


async def test_a_quiet_chat_is_answered_at_once_while_other_groups_are_saturated(
    db_url: str,
) -> None:
    # Telegram's 20 a group, in a window of 15 s rather than 60: the answers the busy groups
    # are still owed when the test ends are sent (shutting down waits for them) 15 s later
    window = (20, 15.0)
    bot = Harness(db_url, limits=Limits(group=window))
    await bot.start()
    bot.api.group_limit = window
    try:
        world = await build_world(
            bot, units=["库尔勒市", "尉犁县", "若羌县", "轮台县"], people=["群众"]
        )
        busy = [world.group(unit) for unit in ("库尔勒市", "尉犁县", "若羌县")]
        quiet, crowd = world.group("轮台县"), world["群众"]
        for group in busy:  # each busy group asks for more answers than its window allows
            for _ in range(22):
                await bot.api.send(group, crowd, "/help")
        await bot.api.until(lambda: all(budget_used(bot, g) >= 20 for g in busy), timeout=20)
        answer, waited = await timed(bot.command(quiet, bot.admin, "/deadlines"))
        assert answer["text"].startswith("报送节点")  # the listing itself, not a catch-up
        assert waited < 1.0
        private = bot.api.private(bot.admin)
        _, waited = await timed(bot.command(private, bot.admin, "/deadlines"))
        assert waited < 1.0
        assert all(in_any_window(bot, g, window[1]) <= 20 for g in busy)
        assert bot.api.too_many == 0
    finally:
        await bot.stop()


async def test_three_liaisons_register_at_once_in_one_group(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"])
    group = world.group("轮台县")
    people = [bot.api.user(7200 + i, name) for i, name in enumerate(("李", "王", "张"))]
    waits: list[float] = []

    def mine(user: dict) -> dict | None:
        for m in reversed(bot.api.bot_messages(group)):
            if f"tg://user?id={user['id']}" in m.get("html", ""):
                return m
        return None

    async def register(user: dict, phone: str) -> str:
        await bot.api.send(group, user, "/register")
        prompt: dict | None = None
        for answer in (user["first_name"] + "明", "科员", phone):
            started = time.monotonic()
            await bot.api.until(lambda p=prompt: mine(user) not in (None, p), timeout=15)
            waits.append(time.monotonic() - started)
            prompt = mine(user)
            await bot.api.reply(prompt, user, answer)
        started = time.monotonic()
        await bot.api.until(lambda p=prompt: mine(user) is not p, timeout=15)
        waits.append(time.monotonic() - started)
        await bot.api.press(mine(user), user, "确认提交")
        await bot.api.until(
            lambda: any(
                "已登记：" + user["first_name"] in m["text"] for m in bot.api.bot_messages(group)
            ),
            timeout=15,
        )
        return user["first_name"]

    done = await asyncio.gather(*(register(u, f"1390000000{i}") for i, u in enumerate(people)))
    assert sorted(done) == ["张", "李", "王"]
    assert max(waits) < 15 and bot.api.too_many == 0 and bot.api.edits == 0
    assert in_any_window(bot, group) <= 20


async def test_a_group_bound_late_gets_one_catch_up_and_a_person_is_answered_at_once(
    bot: Harness, make_world: MakeWorld
) -> None:
    bot.clock.at = datetime(2024, 5, 10, 2, 0, tzinfo=UTC)  # 2月6日 and 5月5日 have passed
    await bot.drained()
    world = await make_world(units=["轮台县"])
    group = world.group("轮台县")
    await bot.drained()
    catch_up = [m for m in bot.api.unread(group) if "补发" in m["text"]]
    assert len(catch_up) == 1
    text = catch_up[0]["text"]
    assert text.index("自查自纠阶段总结") < text.index("联络员名单")  # the newest first
    labels = [b["text"] for row in catch_up[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["1. 立即报送", "2. 立即报送"]
    bot.api.mark_read(group)
    li = bot.api.user(7301, "李明")
    prompt, waited = await timed(bot.command(group, li, "/register"))
    assert "姓名" in prompt["text"] and waited < 1.0


async def test_notifications_leave_people_their_share_of_a_busy_group(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], people=["李明"])
    group = world.group("轮台县")
    li = world["李明"]
    prompt = await bot.command(group, li, "/register")  # someone is in a flow here
    with bot.db.unit_of_work() as s:
        for n in range(30):
            s.add(
                OutboxMessage(
                    chat_id=group["id"],
                    text=f"通知{n}",
                    not_before=bot.clock(),
                    created_at=bot.clock(),
                )
            )
    await bot.api.until(lambda: budget_used(bot, group) >= 14, timeout=10)
    await asyncio.sleep(0.5)  # the outbox has had its chance to take more
    assert budget_used(bot, group) <= 20 - Limits().keep_for_people
    started = time.monotonic()
    await bot.api.reply(prompt, li, "李明")  # the person goes first
    await bot.api.until(lambda: any("职务" in m["text"] for m in bot.api.bot_messages(group)))
    assert time.monotonic() - started < 1.0
    with bot.db.unit_of_work() as s:
        waiting = s.exec(select(OutboxMessage).where(col(OutboxMessage.status) == "pending")).all()
    assert waiting and all(m.attempts == 0 for m in waiting)  # waiting, not failing
    sent = [m["text"] for m in bot.api.bot_messages(group) if m["text"].startswith("通知")]
    assert sent == [f"通知{n}" for n in range(len(sent))]  # in the order they were planned
    assert bot.api.too_many == 0


async def test_after_a_restart_the_last_minute_still_counts(db_url: str) -> None:
    window = (5, 4.0)
    bot = Harness(db_url, limits=Limits(group=window))
    await bot.start()
    bot.api.group_limit = window
    try:
        group = (await build_world(bot, units=["轮台县"])).group("轮台县")
        for _ in range(3):
            await bot.command(group, bot.admin, "/help")
        # a restart at once, before any delivery tick: stopping writes down what was sent
        await bot.restart()
        with bot.db.unit_of_work() as s:
            logged = [
                r.sent_at for r in s.exec(select(SendLog).where(SendLog.chat_id == group["id"]))
            ]
        assert len(logged) == len(bot.api.group_log[group["id"]])
        for _ in range(3):
            await bot.command(group, bot.admin, "/help")
        assert bot.api.too_many == 0  # the new process waited instead of bursting
        times = bot.api.group_log[group["id"]]
        assert all(sum(1 for t in times if s <= t < s + 4.0) <= 5 for s in times)
    finally:
        await bot.stop()


async def test_a_press_in_a_group_whose_budget_is_spent_is_answered_at_once(db_url: str) -> None:
    """A filled 填报表's 确认提交, pressed while the group's minute is spent: the press is
    answered at once; the summary waits for the budget (here 5 messages in 6 s)."""
    window = (5, 6.0)
    bot = Harness(db_url, limits=Limits(group=window))
    await bot.start()
    bot.api.group_limit = window
    try:
        world = await build_world(bot, units=["尉犁县"], liaisons={"尉犁县": "刘芳"})
        group, liu = world.group("尉犁县"), world["刘芳"]
        world.add_items("尉犁县", 2, due_on="2024-06-30")
        week = [("按计划推进", "主体已验收", None, None, None)] * 2
        _, preview = await send_filled_form(bot, group, liu, week)
        assert "确认提交后将一并保存。" in preview["text"]
        for _ in range(6):  # the group's budget spent, and one answer more waiting for it
            await bot.api.send(group, bot.admin, "/help")
        await bot.api.until(lambda: in_any_window(bot, group, window[1]) >= window[0])
        pressed = await bot.api.press(preview, liu, "确认提交")
        await bot.api.until(
            lambda: any(a["callback_query_id"] == pressed for a in bot.api.callback_answers)
        )
        assert bot.api.answer_delays[-1] < 1.0
        await bot.api.until(
            lambda: any("已报送本周" in m["text"] for m in bot.api.unread(group)), timeout=20
        )
        (summary,) = [m for m in bot.api.unread(group) if "已报送本周" in m["text"]]
        assert summary["text"].startswith("✅ 尉犁县已报送本周“工作台账”")
        assert bot.api.too_many == 0 and bot.api.late_answers == 0
    finally:
        await bot.stop()


async def test_the_weekly_update_in_private_posts_one_summary_to_the_group(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group = world.group("轮台县")
    li = world["李明"]
    world.add_items("轮台县", 2, due_on="2024-06-30")
    stranger = bot.api.user(7502, "旁人")
    card = await bot.command(group, li, "/weekly")
    refused = await bot.tap(card, stranger, "私聊填写")
    assert "仅轮台县的联络员" in refused
    await bot.tap(card, li, "私聊填写")
    url = bot.api.callback_answers[-1]["url"]
    parsed = urlparse(url)
    assert parsed.netloc == "t.me" and parsed.path == "/taizhang_bot"
    payload = parse_qs(parsed.query)["start"][0]
    assert len(payload) <= 64

    other_private = bot.api.private(stranger)
    not_yours = await bot.command(other_private, stranger, f"/start {payload}")
    assert "其他联络员" in not_yours["text"]
    forged = await bot.command(other_private, stranger, f"/start {payload[:-2]}xx")
    assert "链接无效" in forged["text"]
    key = link_key(bot.settings.telegram_bot_token)
    old = WeeklyLink(li["id"], 2, datetime(2024, 2, 5).date(), bot.clock() - timedelta(minutes=1))
    private = bot.api.private(li)
    expired = await bot.command(private, li, f"/start {make_payload(key, old)}")
    assert "已过期" in expired["text"]
    with bot.db.unit_of_work() as s:  # a genuine link, for a unit this liaison does not report for
        yuli = campaigns.unit_named(s, campaigns.active_campaign(s).id, "尉犁县").id
    elsewhere = WeeklyLink(li["id"], yuli, old.period, bot.clock() + timedelta(hours=1))
    wrong_unit = await bot.command(private, li, f"/start {make_payload(key, elsewhere)}")
    assert "仅尉犁县的联络员" in wrong_unit["text"]

    before = len(bot.api.bot_messages(group))
    moved = await bot.command(private, li, f"/start {payload}")  # begun in the group: carried
    assert "转到私聊" in moved["text"] and "（1/2）" in moved["text"]
    second = await bot.answer(moved, li, "第一项按计划推进")
    new_q = await bot.press(second, li, "本周无变化")
    confirm = await bot.press(new_q, li, "没有")
    done = await bot.press(confirm, li, "确认提交")
    assert done["text"].startswith("✅ 轮台县已报送本周“工作台账”")
    await bot.drained()
    posted = bot.api.bot_messages(group)[before:]
    assert [m["text"] for m in posted] == [done["text"]]  # one summary in the group
    stale = await bot.tap(card, li, "本周无变化")  # the group's old card
    assert "失效" in stale
