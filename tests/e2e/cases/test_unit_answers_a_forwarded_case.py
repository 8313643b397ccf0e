"""End to end: forwarded cases, feedback within two working days, extensions, escalation."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlmodel import select

from bot.delivery.enqueue import enqueue
from bot.serve.jobs import plan_once
from bot.usecases.case_import import import_cases
from storage.models import ForwardedCase
from tests.harness import Group, Harness, Person, World


def setup(world: World) -> tuple[Group, Person, Person, dict]:
    """The county's group, its liaison, the supervisor and the supervisor's private chat."""
    sup = world["督办张"]
    return world.group("轮台县"), world["李明"], sup, sup.private


async def test_forward_sign_and_answer_in_time(bot: Harness, county: World) -> None:
    group, li, sup, sup_chat = setup(county)
    done = await bot.command(sup_chat, sup, "/forward 轮台县 #XF-2024-001 反映安置房逾期未交付")
    assert done["text"] == "已转办 ZB-0001 至轮台县，须于1月12日（周五）18:00前反馈。"
    posted = await bot.api.next_message(group)
    assert "转办件 ZB-0001（信访件编号：XF-2024-001）" in posted["text"]
    assert "请于1月12日（周五）18:00前反馈（2个工作日）" in posted["text"]
    await bot.api.press(posted, li, "签收")  # the card itself says who signed, and when
    card = bot.api.messages[group["id"]][posted["message_id"]]
    await bot.api.until(lambda: "✅ 李明已于1月10日（周三）10:00签收" in card["text"])
    ask = await bot.press(card, li, "反馈")
    status = await bot.answer(ask, li, "已约谈项目单位，承诺1月底前交付")
    material = await bot.press(status, li, "已办结")
    summary = await bot.command(group, li, "/skip")
    assert "办理情况：已约谈项目单位" in summary["text"]
    answered = await bot.press(summary, li, "确认提交")
    assert answered["text"] == "✅ 转办件 ZB-0001 已反馈（按时反馈）。"
    report = await bot.api.next_message(sup_chat)
    assert report["text"].startswith("📩 轮台县反馈转办件 ZB-0001（按时反馈，李明）")
    assert "状态：已办结" in report["text"]
    listing = await bot.command(sup_chat, sup, "/cases")
    assert "ZB-0001 轮台县 — 已反馈" in listing["text"]
    timeline = await bot.command(sup_chat, sup, "/case zb-0001")
    steps = [line.split("  ")[-1] for line in timeline["text"].splitlines()[3:]]
    assert steps == ["转办", "签收", "反馈", "办结反馈记录"]
    assert "印证材料" in material["text"] and "/skip" in material["text"]


async def test_a_reply_to_the_case_starts_a_late_answer(bot: Harness, county: World) -> None:
    group, li, sup, sup_chat = setup(county)
    await bot.command(sup_chat, sup, "/forward 轮台县 拖欠过渡安置费")
    posted = await bot.api.next_message(group)
    bot.clock.at = datetime(2024, 1, 16, 3, 0, tzinfo=UTC)  # Tuesday 16 Jan: two working days late
    await bot.drained()
    escalated = [m for m in bot.api.bot_messages(sup_chat) if "催办：" in m["text"]]
    assert len(escalated) == 1
    stranger = bot.api.user(3003, "外单位")
    refused = await bot.answer(posted, stranger, "不是我们的")
    assert "仅承办单位的联络员" in refused["text"]
    status = await bot.answer(posted, li, "已协调财政补发")
    assert "办理状态" in status["text"]
    expected = await bot.press(status, li, "正在办理")
    confirm = await bot.answer(expected, li, "1月31日")
    assert "1月31日（周三）" in confirm["text"]
    material = await bot.press(confirm, li, "正确")
    summary = await bot.command(group, li, "/skip")
    done = await bot.press(summary, li, "确认提交")
    assert done["text"] == "✅ 转办件 ZB-0001 已反馈（逾期2个工作日反馈）。"
    assert "印证材料" in material["text"] and "/skip" in material["text"]


async def test_an_approved_extension_moves_the_due_time(bot: Harness, county: World) -> None:
    group, li, sup, sup_chat = setup(county)
    await bot.command(sup_chat, sup, "/forward 轮台县 安置房产权证办理")
    posted = await bot.api.next_message(group)
    reason = await bot.press(posted, li, "申请延期")
    until = await bot.answer(reason, li, "需不动产登记中心配合")
    earlier = await bot.answer(until, li, "1月11日")  # before the due time: asked again
    refused, prompt = earlier["text"].split("\n")[1:3]  # one message: why, and the step again
    assert refused == "⚠️ “1月11日”不晚于现办理时限1月12日（周五）18:00，请输入更晚的时间。"
    assert prompt.startswith("请输入申请延期至")
    check = await bot.answer(earlier, li, "1月19日18:00")
    summary = await bot.press(check, li, "正确")
    assert "原期限：1月12日（周五）18:00" in summary["text"]
    sent = await bot.press(summary, li, "确认提交")
    assert "延期申请已提交" in sent["text"]
    request = await bot.api.next_message(sup_chat)
    approved = await bot.press(request, sup, "同意")
    assert approved["text"] == "转办件 ZB-0001 延期已批准，新期限：1月19日（周五）18:00。"
    told = await bot.api.next_message(group)
    assert told["text"] == approved["text"]
    qid = await bot.api.press(request, sup, "不同意")  # decided already: refused, nothing changes
    await bot.api.until(
        lambda: any(a["callback_query_id"] == qid for a in bot.api.callback_answers)
    )
    alert = next(a for a in bot.api.callback_answers if a["callback_query_id"] == qid)
    assert "已失效" in alert["text"]
    with bot.db.unit_of_work() as s:
        case = s.exec(select(ForwardedCase)).one()
        assert case.due_at == datetime(2024, 1, 19, 10, tzinfo=UTC)
        assert case.fields["extension"]["status"] == "approved"


async def test_an_imported_overdue_case_escalates_once_even_across_a_restart(
    bot: Harness, county: World, tmp_path: Path
) -> None:
    group, _, _, sup_chat = setup(county)
    admin_chat = bot.api.private(bot.admin)
    ledger = tmp_path / "登记办理台账.csv"
    ledger.write_text(
        "整治棚改居民逾期未回迁安置问题专项行动登记办理台账\n"
        "序号,投诉/举报人及联系方式,原住房具体位置,问题内容简要,信息来源,受理和收到时间,"
        "承办科室,是否办结\n"
        "1,王某 139****0001,轮台县团结路棚改小区3排2号,逾期未回迁,信访转办,"
        "2024-01-03 10:00,房产科,否\n"
        "2,赵某,轮台县,已回迁安置,来信来访来电,2024-01-02 09:00,房产科,是\n",
        encoding="utf-8",
    )
    count, reading = import_cases(
        bot.services().db,
        bot.services().clock,
        partial(enqueue, bot.services()),
        ledger,
        "轮台县",
    )
    assert (count, reading.problems) == (2, [])
    posted = await bot.api.next_message(group)
    assert "逾期未回迁" in posted["text"] and "1月5日（周五）18:00前反馈" in posted["text"]
    assert "已逾期3个工作日" in posted["text"]
    escalation = await bot.api.next_message(sup_chat)
    assert escalation["text"].startswith("（补发）催办：轮台县的转办件 ZB-0001")
    admins = await bot.api.next_message(admin_chat)  # one 督办, not two at once
    assert (
        admins["text"].startswith("督办：轮台县的转办件 ZB-0001")
        and "已逾期3个工作日" in admins["text"]
    )
    await bot.restart()
    assert plan_once(bot.services()) == 0
    await bot.drained()
    assert bot.api.unread(sup_chat) == [] and bot.api.unread(admin_chat) == []
    assert len([m for m in bot.api.bot_messages(group) if "ZB-0002" in m["text"]]) == 0
