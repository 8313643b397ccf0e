"""End to end: a liaison's real weekly update in a group, by replies and button presses."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import LedgerItem, ProgressUpdate, Submission
from tests.harness import Harness, MakeWorld, build_world
from workflows.problems.ledger import LedgerSpec, item_columns


async def new_item(bot: Harness, group: dict, li: dict, answers: list[str]) -> dict:
    """A liaison adds a problem with /new, answering each step in turn."""
    prompt = await bot.command(group, li, "/new")
    for answer in answers:
        if prompt.get("reply_markup"):
            prompt = await bot.press(prompt, li, answer)
        else:
            prompt = await bot.answer(prompt, li, answer)
    return prompt


async def test_a_whole_weekly_update_with_a_close_out_and_a_restart(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"], liaisons={"轮台县": ["李明", "王芳"]}, supervisors=["督办赵"]
    )
    luntai, yuli = world.group("轮台县"), world.group("尉犁县")
    li, wang, sup = world["李明"], world["王芳"], world["督办赵"]
    sup_chat = sup.private
    await bot.settle(sup_chat)

    answers = [
        "团结路棚改项目未按期回迁",
        "群众反映逾期两年未回迁",
        "征收补偿环节",
        "约谈项目单位，倒排工期",
        "6月30日",
        "正确",
        "县住建局 张三",
        "/skip",
        "群众举报",
    ]
    confirm = await new_item(bot, luntai, li, answers)
    assert "突出问题名称：团结路棚改项目未按期回迁" in confirm["text"]
    assert "办结时间：6月30日（周日）" in confirm["text"]
    card = await bot.press(confirm, li, "确认提交")
    # one message: saved, and the item's card
    assert card["text"].startswith("已新增问题 轮台-001。\n\n轮台-001 团结路棚改项目未按期回迁")
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, "轮台县")
        ledger.create_item(
            s,
            unit,
            item_columns(
                {"name": "过渡安置费拖欠", "due_on": "2024-03-31", "category": "征收补偿环节"},
                LedgerSpec(),
            ),
            Stamp(bot.clock(), li["id"]),
        )

    first = await bot.command(luntai, li, "/weekly")  # what it covers and the first item: one
    assert "共2个整改中的问题" in first["text"]
    assert "（1/2）轮台-001" in first["text"] and "本周进展如何" in first["text"]
    labels = [b["text"] for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[-2:] == ["下载填报表", "私聊填写"]
    busy = await bot.command(luntai, wang, "/weekly")
    assert busy["text"] == "李明正在更新轮台县本周台账，请稍候或与其联系。"

    toast = await bot.tap(first, li, "按计划推进")  # acknowledged by the press's answer
    assert toast == "已选“按计划推进”，请回复该问题卡片填写本周进展。"
    assert bot.api.unread(luntai) == []
    second = await bot.answer(first, li, "已完成主体结构验收")
    assert "（2/2）轮台-002" in second["text"]
    await bot.restart()  # the bot goes down in the middle of the update
    result = await bot.press(second, li, "已完成，申请销号")
    evidence = await bot.answer(result, li, "拖欠的过渡安置费已全部补发到户")
    assert "至少一个" in evidence["text"]
    await bot.api.send_file(
        luntai, li, name="发放凭证.jpg", size=350_000, photo=True, reply_to=evidence
    )
    got = await bot.api.next_message(luntai)
    assert "已收到" in got["text"]
    new_q = await bot.press(got, li, "完成")
    assert "有新发现的问题吗" in new_q["text"]
    summary = await bot.press(new_q, li, "没有")
    assert "轮台-001 团结路棚改项目未按期回迁：按计划推进" in summary["text"]
    assert "轮台-002 过渡安置费拖欠：已完成，申请销号" in summary["text"]
    done = await bot.press(summary, li, "确认提交")
    # before the campaign's first phase (2月1日) the first report is due: on time
    assert done["text"].startswith("✅ 轮台县已报送本周“工作台账”（按时报送）")
    again = await bot.command(luntai, wang, "/weekly")
    assert "无需重复报送" in again["text"]

    request = await bot.api.next_message(sup_chat)
    assert "轮台县申请销号：轮台-002 过渡安置费拖欠" in request["text"]
    assert "印证材料：photo_" in request["text"]  # photos carry no file name on Telegram
    approved = await bot.press(request, sup, "同意销号")
    assert approved["text"].startswith("✅ 问题 轮台-002（过渡安置费拖欠）已于")
    told = await bot.api.next_message(luntai)
    assert told["text"] == approved["text"]

    with bot.db.unit_of_work() as s:
        items = {i.code: i for i in s.exec(select(LedgerItem))}
        assert items["轮台-002"].status == "closed" and items["轮台-001"].status == "open"
        updates = s.exec(select(ProgressUpdate)).all()
        assert {u.status for u in updates} == {"plan", "done"}
        photo = next(u for u in updates if u.status == "done").files[0]
        assert photo["media"] == "photo" and photo["size"] == 350_000 and photo["file_id"]
        assert s.exec(select(Submission)).one().on_time is True

    history = await bot.command(luntai, li, "/item 轮台-002")
    assert (
        "已销号" in history["text"]
        and "已完成，申请销号：拖欠的过渡安置费已全部补发到户" in history["text"]
    )
    assert history["text"].endswith("印证材料（1个）：")  # the history and its files' title: one
    assert "photo" in await bot.api.next_message(luntai)  # the evidence itself, by its file id
    listing = await bot.command(luntai, li, "/items")
    assert "轮台-001 团结路棚改项目未按期回迁 — 整改中" in listing["text"]
    other_unit = await bot.command(yuli, li, "/weekly")
    assert "仅尉犁县的联络员可以报送" in other_unit["text"]


async def test_the_annex_2_rules_are_checked_as_numbers_are_typed(
    db_url: str, tmp_path: Path
) -> None:
    bot = Harness(db_url, template="jincheng-2024")
    await bot.start()
    try:
        world = await build_world(
            bot,
            units=["泽州县住建局"],
            titles={"泽州县住建局": "泽州县群"},
            liaisons={"泽州县住建局": "刘"},
        )
        group, li = world.group("泽州县住建局"), world["刘"]
        await bot.settle(group)  # Wednesday: the briefing's prompt is due in the group
        prompt = await new_item(
            bot,
            group,
            li,
            [
                "金村棚改项目",
                "资金缺口导致停工",
                "逾期未回迁安置",
                "争取专项债资金复工",
                "2025-06-30",
                "正确",
                "泽州县住建局 李四",
                "320",
            ],
        )
        assert "开工套数" in prompt["text"]
        broken = await bot.answer(prompt, li, "300")
        assert "数据不一致：开工套数应大于等于应安置棚改居民户数" in broken["text"]
        built = await bot.answer(broken, li, "330")
        settled = await bot.answer(built, li, "200")
        wrong = await bot.answer(settled, li, "250")
        assert "已安置棚改居民户数应小于等于已建成套数" in wrong["text"]
        progress = await bot.answer(wrong, li, "180")
        assert progress["reply_markup"]["inline_keyboard"][0][0]["text"] == "1 未开工"
    finally:
        await bot.stop()


async def test_a_second_writer_of_an_item_is_told_and_nothing_is_overwritten(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": ["李明", "王芳"]})
    group, li, wang = world.group("轮台县"), world["李明"], world["王芳"]
    world.add_items("轮台县", 2, due_on="2024-06-30", by=li)  # on plan needs no reason
    first = await bot.command(group, li, "/weekly")

    private = bot.api.private(wang)  # meanwhile, from a private chat
    result = await bot.command(private, wang, "/close 轮台-001")
    evidence = await bot.answer(result, wang, "已整改到位")
    await bot.api.send_file(private, wang, name="验收单.pdf", size=80_000, reply_to=evidence)
    more = await bot.api.next_message(private)
    summary = await bot.press(more, wang, "完成")
    sent = await bot.press(summary, wang, "确认提交")
    assert sent["text"] == "已提交 轮台-001 销号申请，等待督办人员审核。"

    second = await bot.answer(first, li, "本周推进顺利")  # a reply alone: on schedule
    new_q = await bot.press(second, li, "本周无变化")  # nothing to type: the next step
    assert "有新发现的问题吗" in new_q["text"]
    confirm = await bot.press(new_q, li, "没有")
    done = await bot.press(confirm, li, "确认提交")
    assert "更新1个问题" in done["text"]  # and, in the same message, what was not saved
    assert "以下问题已被他人修改，本次未覆盖：轮台-001" in done["text"]
    with bot.db.unit_of_work() as s:
        one = ledger.item_by_code(s, "轮台-001")
        texts = [p.result or p.text for p in ledger.progress_of(s, one.id)]
    assert one.status == "closing" and texts == ["已整改到位"]


async def test_items_are_paged_and_overdue_ones_marked(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    world.add_items("轮台县", 12, by=li)
    page = await bot.command(group, li, "/items")
    assert "共12个，第1/2页" in page["text"] and page["text"].count("⚠️逾期") == 10
    await bot.api.press(page, li, "下一页 ▶")
    edited = lambda: "第2/2页" in bot.api.messages[group["id"]][page["message_id"]]["text"]  # noqa: E731
    await bot.api.until(edited)
    assert "轮台-012" in bot.api.messages[group["id"]][page["message_id"]]["text"]


async def test_a_closeout_rejected_while_another_supervisor_approved_it_is_told(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵", "督办钱"]
    )
    group, li, zhao, qian = world.group("轮台县"), world["李明"], world["督办赵"], world["督办钱"]
    await bot.settle(bot.api.private(zhao), bot.api.private(qian))
    world.add_items("轮台县", 1, by=li)
    result = await bot.command(group, li, "/close 轮台-001")
    evidence = await bot.answer(result, li, "已整改到位")
    await bot.api.send_file(group, li, name="验收单.pdf", size=80_000, reply_to=evidence)
    summary = await bot.press(await bot.api.next_message(group), li, "完成")
    await bot.press(summary, li, "确认提交")
    asks = [await bot.api.next_message(bot.api.private(s)) for s in (zhao, qian)]

    reason = await bot.press(asks[0], zhao, "不同意")  # 赵 starts to write his reason …
    assert "理由" in reason["text"]
    approved = await bot.press(asks[1], qian, "同意销号")  # … while 钱 approves
    assert approved["text"].startswith("✅ 问题 轮台-001（问题1）已于")
    told = await bot.answer(reason, zhao, "材料不全")
    assert told["text"] == "问题 轮台-001 已处理（已销号）。"
    with bot.db.unit_of_work() as s:
        item = ledger.item_by_code(s, "轮台-001")
        statuses = [p.status for p in ledger.progress_of(s, item.id)]
    assert item.status == "closed" and "rejected" not in statuses


async def ask_closeout(bot: Harness, group: dict, li: dict, code: str, result: str) -> None:
    """A liaison asks for a close-out with /close, a result and one file."""
    prompt = await bot.command(group, li, f"/close {code}")
    evidence = await bot.answer(prompt, li, result)
    await bot.api.send_file(group, li, name="验收单.pdf", size=80_000, reply_to=evidence)
    summary = await bot.press(await bot.api.next_message(group), li, "完成")
    await bot.press(summary, li, "确认提交")


async def closing_item(bot: Harness, make_world: MakeWorld) -> tuple[dict, dict, dict]:
    """轮台县's group, its liaison and a supervisor, once 轮台-001's close-out is asked."""
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办赵"])
    group, li, zhao = world.group("轮台县"), world["李明"], world["督办赵"]
    await bot.settle(bot.api.private(zhao))
    world.add_items("轮台县", 1, by=li)
    await ask_closeout(bot, group, li, "轮台-001", "已整改到位")
    return group, li, zhao


async def test_a_rejected_asks_buttons_do_not_approve_the_evidence_sent_since(
    bot: Harness, make_world: MakeWorld
) -> None:
    group, li, zhao = await closing_item(bot, make_world)
    chat = bot.api.private(zhao)
    first = await bot.api.next_message(chat)
    reason = await bot.press(first, zhao, "不同意")
    told = await bot.answer(reason, zhao, "材料不全")
    assert told["text"] == "问题 轮台-001（问题1）销号未通过：材料不全。已退回整改中。"
    await bot.settle(group)
    await ask_closeout(bot, group, li, "轮台-001", "已补齐验收材料")
    second = await bot.api.next_message(chat)
    assert "已补齐验收材料" in second["text"]

    # the first request is still on 赵's screen: its buttons name the rejected ask
    stale = "问题 轮台-001 已重新申请销号，此申请已失效，请在最新的销号申请上审核。"
    assert await bot.tap(first, zhao, "同意销号") == stale
    assert await bot.tap(first, zhao, "不同意") == stale
    with bot.db.unit_of_work() as s:
        assert ledger.item_by_code(s, "轮台-001").status == "closing"
    approved = await bot.press(second, zhao, "同意销号")
    assert approved["text"].startswith("✅ 问题 轮台-001（问题1）已于")
    with bot.db.unit_of_work() as s:
        assert ledger.item_by_code(s, "轮台-001").status == "closed"


async def test_a_close_out_button_sent_before_buttons_named_their_ask_still_decides(
    bot: Harness, make_world: MakeWorld
) -> None:
    *_, zhao = await closing_item(bot, make_world)
    chat = bot.api.private(zhao)
    request = await bot.api.next_message(chat)
    with bot.db.unit_of_work() as s:
        item_id = ledger.item_by_code(s, "轮台-001").id
    await bot.api.press(request, zhao, data=f"a:co_ok:{item_id}")  # as the bot sent them before
    approved = await bot.api.next_message(chat)
    assert approved["text"].startswith("✅ 问题 轮台-001（问题1）已于")
