"""End to end: every card tells the truth — names, not internal values; the state, not the past.

Each test runs in zh_CN and in en, and reads the messages and their buttons as a person sees
them in the chat.
"""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.delivery.enqueue import enqueue
from bot.usecases.case_import import import_cases
from tests.e2e.cases.test_unit_answers_a_forwarded_case import setup as unit_group
from tests.harness import Harness, MakeWorld, World
from workflows.people.roles import Role

# What each script presses, in the language the bot speaks.
LABELS = {
    "zh_CN": {
        "confirm": "确认提交",
        "ok": "正确",
        "done": "完成",
        "supervisors": "专班督办人员群",
        "category": "征收补偿环节",
        "source": "群众举报",
        "plan": "按计划推进",
        "no": "没有",
        "some": "部分单位",
        "cancel1": "取消1",
        "ongoing": "正在办理",
        "closed": "已办结",
        "sign": "签收",
        "feedback": "反馈",
        "extend": "申请延期",
        "reject": "不同意",
        "roster": "联络员名单（2月6日（周二）18:00）",
        "weekly": "工作台账（2月5日（周一）18:00）",
    },
    "en": {
        "confirm": "Confirm",
        "ok": "Correct",
        "done": "Done",
        "supervisors": "Supervisors' group",
        "category": "征收补偿环节",
        "source": "群众举报",
        "plan": "On track",
        "no": "No",
        "some": "Some units",
        "cancel1": "Cancel 1",
        "ongoing": "In progress",
        "closed": "Closed",
        "sign": "Acknowledge",
        "feedback": "Answer",
        "extend": "Ask for more time",
        "reject": "Reject",
        "roster": "联络员名单 (Tue 6 Feb 18:00)",
        "weekly": "工作台账 (Mon 5 Feb 18:00)",
    },
}
# Internal values that must never reach a person: button data, placeholders, Python's None,
# sentinel option values, and the blank mark where a name belongs.
RAW = re.compile(r"\b[adfw]:\S|\bNone\b|__\w+__|[{}]")
EMPTY = {"zh_CN": "（未填）", "en": "(blank)"}


@pytest.fixture(params=["zh_CN", "en"])
async def bot(request: pytest.FixtureRequest, db_url: str) -> AsyncIterator[Harness]:
    """The bot speaking one language by default, the seed-000 campaign loaded."""
    harness = Harness(db_url, locale=request.param)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


class Script:
    """A person's moves, pressing buttons by what they say in the bot's language."""

    def __init__(self, bot: Harness) -> None:
        self.bot = bot
        self.labels = LABELS[bot.locale]
        self.cards: list[tuple[str, dict[str, Any]]] = []

    async def press(self, message: dict[str, Any], user: dict[str, Any], key: str) -> dict:
        """Press the button named by `key` and return the bot's next message."""
        return await self.bot.press(message, user, self.labels.get(key, key))

    def card(self, name: str, message: dict[str, Any]) -> dict[str, Any]:
        """Keep a card as it reads now (a later press may take its buttons off)."""
        self.cards.append((name, copy.deepcopy(message)))
        return message


def buttons(message: dict[str, Any]) -> list[str]:
    """The labels of a message's buttons, in order."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def toast(bot: Harness, message: dict[str, Any], user: dict[str, Any], label: str) -> str:
    """Press a button and return what the press's answer says (no message follows)."""
    qid = await bot.api.press(message, user, label)
    await bot.api.until(
        lambda: any(a["callback_query_id"] == qid for a in bot.api.callback_answers)
    )
    return next(a for a in bot.api.callback_answers if a["callback_query_id"] == qid)["text"]


def shown(message: dict[str, Any]) -> str:
    """A message's text and its buttons' labels, as on the screen."""
    return "\n".join([message["text"], *buttons(message)])


async def test_every_confirm_card_shows_names_not_internal_values(
    bot: Harness, make_world: MakeWorld
) -> None:
    s = Script(bot)
    world = await make_world(units=["轮台县"], supervisors=["督办张"], people=["李明"])
    group, li, sup = world.group("轮台县"), world["李明"], world["督办张"]
    sup_chat, admin_chat = sup.private, world.admin.private
    await bot.settle(sup_chat, admin_chat)

    prompt = await bot.command(group, li, "/register")  # register
    for answer in ("李明", "科员", "13912345678"):
        prompt = await bot.answer(prompt, li, answer)
    s.card("register", prompt)
    await s.press(prompt, li, "confirm")
    bot.grant(li, Role.LIAISON, "轮台县")

    pick = await bot.command(group, li, "/submit")  # submit, in the unit's group
    note = await s.press(pick, li, "weekly")
    more = await bot.answer(note, li, "已报送纸质件")
    submit = s.card("submit", await s.press(more, li, "done"))
    assert "轮台县" in submit["text"] and "工作台账" in submit["text"]
    await bot.command(group, li, "/cancel")

    pick = await bot.command(admin_chat, bot.admin, "/submit")  # submit, for a unit picked
    pick = await bot.press(pick, bot.admin, "尉犁县")
    note = await s.press(pick, bot.admin, "roster")
    more = await bot.answer(note, bot.admin, "名单见附件")
    on_behalf = s.card("submit (admin)", await s.press(more, bot.admin, "done"))
    assert "尉犁县" in on_behalf["text"] and "联络员名单" in on_behalf["text"]
    await bot.command(admin_chat, bot.admin, "/cancel")

    prompt = await bot.command(group, li, "/new")  # new
    prompt = await bot.answer(prompt, li, "团结路棚改项目未按期回迁")
    prompt = await bot.answer(prompt, li, "群众反映逾期未回迁")
    prompt = await bot.answer(await s.press(prompt, li, "category"), li, "倒排工期")
    prompt = await s.press(await bot.answer(prompt, li, "6月30日"), li, "ok")
    prompt = await bot.answer(prompt, li, "县住建局 张三")
    prompt = await bot.command(group, li, "/skip")
    new = s.card("new", await s.press(prompt, li, "source"))
    assert "轮台县" in new["text"].splitlines()[1]  # whose ledger the problem goes into
    await s.press(new, li, "confirm")  # saved, and the item's card: one message

    first = await bot.command(group, li, "/weekly")  # weekly: what it covers and the 1st card
    new_q = await bot.answer(first, li, "已完成主体结构验收")
    s.card("weekly", await s.press(new_q, li, "no"))
    await bot.command(group, li, "/cancel")

    result = await bot.command(group, li, "/close 轮台-001")  # close
    evidence = await bot.answer(result, li, "已全部回迁")
    await bot.api.send_file(group, li, name="回迁凭证.pdf", size=1000, reply_to=evidence)
    got = await bot.api.next_message(group)
    close = s.card("close", await s.press(got, li, "done"))
    await s.press(close, li, "confirm")
    request = s.card("close-out request", await bot.api.next_message(sup_chat))
    s.card("reject", await s.press(request, sup, "reject"))
    await bot.command(sup_chat, sup, "/cancel")  # the supervisor thinks better of it

    done = await bot.command(sup_chat, sup, "/forward 轮台县 #XF-1 反映安置房逾期未交付")  # forward
    s.card("forward", done)
    posted = s.card("posted case", await bot.api.next_message(group))

    reason = await s.press(posted, li, "extend")  # extension
    until = await bot.answer(reason, li, "需不动产登记中心配合")
    extension = s.card("extension", await s.press(await bot.answer(until, li, "1月19日"), li, "ok"))
    await s.press(extension, li, "confirm")
    s.card("extension request", await bot.api.next_message(sup_chat))

    await bot.api.press(posted, li, s.labels["sign"])  # sign: the card itself changes
    card = bot.api.messages[group["id"]][posted["message_id"]]
    await bot.api.until(lambda: "✅" in card["text"])
    s.card("signed case", card)
    ask = await s.press(card, li, "feedback")  # feedback
    status = await bot.answer(ask, li, "已约谈项目单位")
    expected = await s.press(status, li, "ongoing")
    await s.press(await bot.answer(expected, li, "1月31日"), li, "ok")
    feedback = s.card("feedback", await bot.command(group, li, "/skip"))
    assert s.labels["ongoing"] in feedback["text"]  # the status as its button read
    await s.press(feedback, li, "confirm")
    report = s.card("feedback report", await bot.api.next_message(sup_chat))
    assert s.labels["ongoing"].lower() in report["text"].lower()

    scope = await bot.command(admin_chat, bot.admin, "/deadline 1月12日18:00 整改情况报告")
    ask_units = await s.press(scope, bot.admin, "some")  # deadline
    deadline = s.card("deadline", await bot.answer(ask_units, bot.admin, "轮台县 尉犁县"))
    await s.press(deadline, bot.admin, "confirm")
    listing = s.card("deadline list", await bot.command(admin_chat, bot.admin, "/deadline"))
    s.card("deadline cancel", await s.press(listing, bot.admin, "cancel1"))
    await bot.command(admin_chat, bot.admin, "/cancel")

    notice = (
        "国务院办公厅关于2025年部分节假日安排的通知\n一、元旦：1月1日（周三）放假1天，不调休。\n"
    )
    ask = await bot.command(admin_chat, bot.admin, "/workday import 2025")  # workday import
    s.card("workday import", await bot.answer(ask, bot.admin, notice))

    await bot.settle(group)  # the new deadline's reminder
    ask = await bot.command(group, bot.admin, "/bind")  # bind, to the supervisors' group
    s.card("bind", await s.press(ask, bot.admin, "supervisors"))

    for name, message in s.cards:
        screen = shown(message)
        assert not RAW.search(screen), f"{name}: {screen}"
        assert EMPTY[bot.locale] not in screen or name in ("new", "feedback"), f"{name}: {screen}"


SUBMIT_CARD = {
    "zh_CN": "单位：轮台县\n材料：联络员名单（2月6日（周二）18:00）\n附件：说明：名单已盖章报送",
    "en": "Unit: 轮台县\nDeliverable: 联络员名单 (Tue 6 Feb 18:00)\nAttached: note: 名单已盖章报送",
}


async def test_the_submit_card_names_the_unit_and_the_deliverable(
    bot: Harness, county: World
) -> None:
    s = Script(bot)
    group, li, _, _ = unit_group(county)
    pick = await bot.command(group, li, "/submit")
    note = await s.press(pick, li, "roster")
    more = await bot.answer(note, li, "名单已盖章报送")
    card = await s.press(more, li, "done")
    assert SUBMIT_CARD[bot.locale] in card["text"]


OVERDUE = {
    "zh_CN": (
        "⚠️ 应于1月5日（周五）18:00前反馈，已逾期3个工作日，已向督办人员催办，请尽快反馈。",
        "已逾期3个工作日",
    ),
    "en": (
        "⚠️ The answer was due by Fri 5 Jan 18:00: 3 working days overdue; the supervisors "
        "have been told. Please answer now.",
        "3 working days overdue",
    ),
}


async def test_an_imported_overdue_case_says_so_and_the_admins_hear_once(
    bot: Harness, county: World, tmp_path: Path
) -> None:
    group, _, _, sup_chat = unit_group(county)
    admin_chat = bot.api.private(bot.admin)
    ledger = tmp_path / "登记办理台账.csv"
    ledger.write_text(  # received Wednesday 3 Jan: due Friday 5 Jan 18:00, a week ago
        "序号,问题内容简要,受理和收到时间,是否办结\n1,逾期未回迁,2024-01-03 10:00,否\n",
        encoding="utf-8",
    )
    assert (
        import_cases(
            bot.services().db,
            bot.services().clock,
            partial(enqueue, bot.services()),
            ledger,
            "轮台县",
        )[0]
        == 1
    )
    posted = await bot.api.next_message(group)
    says, late = OVERDUE[bot.locale]
    assert posted["text"].endswith(says)
    await bot.api.next_message(sup_chat)  # 催办, as the card says
    await bot.drained()
    told = [m["text"] for m in bot.api.unread(admin_chat)]
    assert len(told) == 1 and "ZB-0001" in told[0] and late in told[0]


SIGNED = {
    "zh_CN": (
        "\n✅ 李明已于1月10日（周三）10:00签收",
        ["反馈", "申请延期"],
        "转办件 ZB-0001 已由李明于1月10日（周三）10:00签收。",
        "转办件 ZB-0001 已反馈。",
    ),
    "en": (
        "\n✅ Acknowledged by 李明 at Wed 10 Jan 10:00",
        ["Answer", "Ask for more time"],
        "Case ZB-0001 was acknowledged by 李明 at Wed 10 Jan 10:00.",
        "Case ZB-0001 has already been answered.",
    ),
}


async def test_a_signed_case_shows_who_signed_and_offers_only_what_is_left(
    bot: Harness,
    county: World,
) -> None:
    s = Script(bot)
    group, li, sup, sup_chat = unit_group(county)
    await bot.command(sup_chat, sup, "/forward 轮台县 反映安置房逾期未交付")
    posted = await bot.api.next_message(group)
    stale = copy.deepcopy(posted)  # what another member's screen still shows
    assert buttons(posted) == [s.labels[k] for k in ("sign", "feedback", "extend")]
    signed_line, left, already_signed, already_answered = SIGNED[bot.locale]

    await bot.api.press(posted, li, s.labels["sign"])
    card = bot.api.messages[group["id"]][posted["message_id"]]
    await bot.api.until(lambda: signed_line in card["text"])
    assert card["text"].endswith(signed_line) and buttons(card) == left
    assert bot.api.unread(group) == []  # the card changed; no message was added
    assert await toast(bot, stale, li, s.labels["sign"]) == already_signed

    ask = await s.press(card, li, "feedback")  # 反馈 still works, and the case is answered
    await s.press(await bot.answer(ask, li, "已交付"), li, "closed")
    summary = await bot.command(group, li, "/skip")
    await s.press(summary, li, "confirm")
    for label in left:
        assert await toast(bot, card, li, label) == already_answered
