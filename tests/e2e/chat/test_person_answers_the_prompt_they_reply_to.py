"""End to end: an answer goes to the prompt it replies to; drafts do not block forever."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlmodel import select

from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import AuditEvent, FormDraft
from tests.harness import Group, Harness, Person, World
from workflows.people.roles import Role
from workflows.problems.ledger import LedgerSpec, item_columns


def setup(world: World) -> tuple[Group, Person, Person, dict]:
    """The county's group, its liaison, the supervisor and the supervisor's private chat."""
    sup = world["督办张"]
    return world.group("轮台县"), world["李明"], sup, sup.private


def _state(bot: Harness, user_id: int) -> dict:
    with bot.database().unit_of_work() as s:
        row = s.exec(select(FormDraft).where(FormDraft.user_id == user_id)).one()
        return {k: v for k, v in row.state.items() if k != "prompts"}  # the answers


async def recorded(bot: Harness, user_id: int, prompt_id: int) -> None:
    """Wait until the prompt sent for the person's draft is written down with it."""
    for _ in range(200):
        with bot.database().unit_of_work() as s:
            row = s.exec(select(FormDraft).where(FormDraft.user_id == user_id)).one()
            if prompt_id in row.state.get("prompts", []):
                return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"prompt {prompt_id} not recorded")


async def test_a_reply_to_another_bot_message_is_not_fed_to_the_open_flow(
    bot: Harness, county: World
) -> None:
    group, li, sup, sup_chat = setup(county)
    await bot.command(sup_chat, sup, "/forward 轮台县 拖欠过渡安置费")
    case_post = await bot.api.next_message(group)
    first = await bot.command(group, li, "/new")
    second = await bot.answer(first, li, "团结路棚改项目未按期回迁")
    assert second["message_id"] != first["message_id"]
    before = _state(bot, li["id"])

    old = await bot.answer(first, li, "另一个名称")  # the old prompt
    assert old["text"].endswith(
        "这条回复不是对「新增问题」当前问题的回答，未记入；"
        "请回复最新的问题继续，或发送 /cancel 结束。"
    )
    on_case = await bot.answer(case_post, li, "已协调财政补发")  # the case post
    assert "未记入" in on_case["text"]
    assert _state(bot, li["id"]) == before

    third = await bot.answer(second, li, "群众反映逾期两年未回迁")  # the current one still works
    assert "未记入" not in third["text"]
    assert _state(bot, li["id"]) != before


async def test_an_edited_message_does_not_change_an_answer(bot: Harness, county: World) -> None:
    group, li, _, _ = setup(county)
    first = await bot.command(group, li, "/new")
    sent = await bot.api.reply(first, li, "团结路棚改项目未按期回迁")
    second = await bot.api.next_message(group)
    before = _state(bot, li["id"])
    li_text = "团结路棚改项目逾期未回迁"
    assert await bot.api.edit(sent, li_text)
    told = await bot.api.next_message(group)
    assert "修改已发送的消息不会更改答案" in told["text"]
    assert _state(bot, li["id"]) == before
    assert li_text not in str(before)
    third = await bot.answer(second, li, "群众反映逾期两年未回迁")
    assert "未记入" not in third["text"]


async def test_in_private_any_message_answers_the_open_flow(bot: Harness, county: World) -> None:
    _, li, _, _ = setup(county)
    chat = bot.api.private(li)
    await bot.command(chat, li, "/new")
    await bot.api.send(chat, li, "团结路棚改项目未按期回迁")  # no reply needed
    nxt = await bot.api.next_message(chat)
    assert "未记入" not in nxt["text"]
    assert _state(bot, li["id"])["values"]


async def test_an_idle_weekly_update_is_taken_over_after_half_an_hour(
    bot: Harness, county: World
) -> None:
    group, li, _, _ = setup(county)
    wang = bot.api.user(7003, "王芳")
    bot.grant(wang, Role.LIAISON, "轮台县")
    with bot.database().unit_of_work() as s:  # one item to update
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, "轮台县")
        ledger.create_item(
            s,
            unit,
            item_columns({"name": "过渡安置费拖欠"}, LedgerSpec()),
            Stamp(bot.clock(), li["id"]),
        )
    first = await bot.command(group, li, "/weekly")
    assert "（1/1）" in first["text"]
    busy = await bot.command(group, wang, "/weekly")
    assert busy["text"] == "李明正在更新轮台县本周台账，请稍候或与其联系。"
    bot.clock.advance(minutes=31)
    taken = await bot.command(group, wang, "/weekly")
    assert "（1/1）" in taken["text"]
    await bot.drained()
    told = [m["text"] for m in bot.api.unread(group) if "已接手" in m["text"]]
    assert told == ["李明：您的轮台县台账更新已30分钟未操作，王芳已接手；您已填写的内容已存档。"]
    bot.api.mark_read(group)
    with bot.database().unit_of_work() as s:
        kept = s.exec(select(AuditEvent).where(AuditEvent.action == "draft.taken_over")).one()
        assert kept.before["user_id"] == li["id"] and kept.before["state"]["flow"] == "weekly"
    mine = await bot.answer(first, li, "已完成")  # li's old card: no longer theirs
    assert "没有进行中的事项" in mine["text"]


async def test_a_weekly_draft_is_closed_when_its_week_is_over(bot: Harness, county: World) -> None:
    group, li, _, _ = setup(county)
    first = await bot.command(group, li, "/weekly")
    with bot.database().unit_of_work() as s:
        row = s.exec(select(FormDraft).where(FormDraft.user_id == li["id"])).one()
        due = datetime.fromisoformat(row.state["context"]["due"])
        assert row.unit_id is not None
    bot.clock.at = due + timedelta(days=7, minutes=1)  # the next reporting day's due time
    await bot.drained()
    told = [m["text"] for m in bot.api.unread(group) if "该周已结束" in m["text"]]
    assert len(told) == 1 and told[0].startswith("李明：轮台县")
    bot.api.mark_read(group)
    with bot.database().unit_of_work() as s:
        assert s.exec(select(FormDraft).where(FormDraft.user_id == li["id"])).first() is None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "draft.expired")).one()
    late = await bot.answer(first, li, "已完成")
    assert "没有进行中的事项" in late["text"]


async def test_a_reply_to_a_message_posted_after_the_prompt_is_not_an_answer_either(
    bot: Harness, county: World
) -> None:
    """A case forwarded while the liaison is half-way through /new: the case post is newer
    than the prompt, and a reply to it is still not the flow's answer."""
    group, li, sup, sup_chat = setup(county)
    prompt = await bot.command(group, li, "/new")
    await bot.command(sup_chat, sup, "/forward 轮台县 拖欠过渡安置费")
    case_post = await bot.api.next_message(group)
    assert case_post["message_id"] > prompt["message_id"]
    await recorded(bot, li["id"], prompt["message_id"])  # a delivery tick writes it down
    before = _state(bot, li["id"])
    on_case = await bot.answer(case_post, li, "已协调财政补发")
    assert "未记入" in on_case["text"]
    assert _state(bot, li["id"]) == before
    named = await bot.answer(prompt, li, "团结路棚改项目未按期回迁")
    assert "未记入" not in named["text"] and _state(bot, li["id"]) != before


async def test_a_draft_an_older_version_saved_is_closed_with_a_word_to_its_owner(
    bot: Harness, county: World
) -> None:
    """A draft whose context this version's flow cannot read (a field it now needs is missing)
    is closed, what was typed kept in the audit trail; the person starts afresh."""
    group, li, _, _ = setup(county)
    with bot.database().unit_of_work() as s:
        s.add(
            FormDraft(
                chat_id=group["id"],
                user_id=li["id"],
                flow="close",
                state={"flow": "close", "step": 1, "values": {"result": "已整改"}, "context": {}},
                created_at=bot.clock(),
                updated_at=bot.clock(),
            )
        )
    said = await bot.command(group, li, "/new")
    assert said["text"].splitlines()[1].startswith("您之前未完成的填写因系统更新已无法继续，已关闭")
    assert "问题名称" in said["text"]  # /new's first step, in the same message
    with bot.database().unit_of_work() as s:
        (row,) = s.exec(select(FormDraft).where(FormDraft.user_id == li["id"])).all()
        assert row.flow == "new"
        closed = s.exec(select(AuditEvent).where(AuditEvent.action == "draft.outdated")).one()
        assert closed.before is not None and closed.before["state"]["values"] == {
            "result": "已整改"
        }
