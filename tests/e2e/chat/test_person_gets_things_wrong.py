"""End to end: what people get wrong, and what they may not do."""

from __future__ import annotations

from sqlmodel import select

from storage import campaigns, people
from storage.audit import Stamp
from storage.models import Chat, FormDraft, Person
from tests.harness import Harness, MakeWorld, who

ANSWER_BY_REPLY = "请回复本消息作答；/back 返回上一步，/cancel 取消。"


async def test_someone_elses_button_is_refused_politely(bot: Harness) -> None:
    group = bot.api.group("轮台县联络群")
    ask = await bot.command(group, bot.admin, "/bind")
    other = bot.api.user(1101, "旁人")
    qid = await bot.api.press(ask, other, "轮台县")
    await bot.api.until(
        lambda: any(a["callback_query_id"] == qid for a in bot.api.callback_answers)
    )
    answer = next(a for a in bot.api.callback_answers if a["callback_query_id"] == qid)
    assert "其他同志" in answer["text"] and not answer.get("show_alert")  # a toast, not a dialog
    done = await bot.press(ask, bot.admin, "轮台县")  # the admin's own press still works
    assert "本群已绑定“轮台县”" in done["text"]


async def test_forged_and_stale_button_data_change_nothing(bot: Harness) -> None:
    group = bot.api.group("轮台县联络群")
    ask = await bot.command(group, bot.admin, "/bind")
    with bot.db.unit_of_work() as s:
        draft = s.exec(select(FormDraft)).one()
    for data in ("f:99999:0:0", f"f:{draft.id}:7:0", "bind:1", "x" * 64, f"f:{draft.id}:0:99"):
        qid = await bot.api.press(ask, bot.admin, data=data)
        await bot.api.until(
            lambda q=qid: any(a["callback_query_id"] == q for a in bot.api.callback_answers)
        )
    with bot.db.unit_of_work() as s:
        assert s.exec(select(Chat).where(Chat.chat_id == group["id"])).one().unit_id is None
    stale = [a for a in bot.api.callback_answers if "失效" in (a.get("text") or "")]
    assert len(stale) == 4
    again = await bot.api.next_message(group)  # the out-of-range press re-asks with the reason
    assert "按钮已失效" in again["text"]


async def test_back_skip_cancel_and_a_wrong_phone(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["尉犁县"], people=["孙"])
    group = world.group("尉犁县")
    li = world["孙"]
    prompt = await bot.command(group, li, "/register")
    prompt = await bot.answer(prompt, li, "孙丽")
    prompt = await bot.answer(prompt, li, "科员")
    wrong = await bot.answer(prompt, li, "12345")
    assert wrong["text"].splitlines() == [
        "孙",
        "⚠️ “12345”不是有效的电话号码。请输入11位手机号，或带区号的固定电话（如 0996-2029999）。",
        "请输入您的联系电话（手机或固定电话）：",
        ANSWER_BY_REPLY,
    ]
    back = await bot.command(group, li, "/back")
    assert back["text"].splitlines() == ["孙", "请输入您的职务：", ANSWER_BY_REPLY]
    cannot = await bot.command(group, li, "/skip")
    assert cannot["text"].splitlines() == [
        "孙",
        "⚠️ 本项为必填项，不能跳过。",
        "请输入您的职务：",
        ANSWER_BY_REPLY,
    ]
    prompt = await bot.answer(cannot, li, "副科长")
    summary = await bot.answer(prompt, li, "13912345678")
    assert summary["text"].splitlines() == [
        "孙",
        "联络员登记",
        "单位：尉犁县",
        "姓名：孙丽",
        "职务：副科长",
        "电话：13912345678",
        "请点击按钮；/back 返回上一步，/cancel 取消。",
    ]
    cancelled = await bot.command(group, li, "/cancel")
    assert cancelled["text"] == "已取消，未保存任何内容。"
    nothing = await bot.command(group, li, "/cancel")
    assert "当前没有进行中的事项" in nothing["text"]
    with bot.db.unit_of_work() as s:
        assert s.exec(select(Person).where(Person.user_id == li["id"])).one().name is None


async def test_oversized_text_is_refused_with_the_limit(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], people=["钱"])
    group = world.group("尉犁县")
    li = world["钱"]
    prompt = await bot.command(group, li, "/register")
    refused = await bot.answer(prompt, li, "名" * 21)
    assert "最多20字" in refused["text"]
    markup = '<b>钱 & "<i>'
    prompt = await bot.answer(refused, li, markup[:20])
    assert "职务" in prompt["text"]


async def test_a_second_flow_waits_for_the_first(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["尉犁县"], people=["周"])
    group = world.group("尉犁县")
    li = world["周"]
    await bot.command(group, li, "/register")
    busy = await bot.command(group, li, "/register")
    # one message: what is open, and its prompt again
    assert "未完成的“联络员登记”" in busy["text"] and "姓名" in busy["text"]
    assert busy.get("force_reply") and bot.api.unread(group) == []


async def test_unknown_commands_and_other_bots(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], people=["吴"])
    group = world.group("轮台县")
    li = world["吴"]
    await bot.api.send(group, li, "/weather@other_bot")
    unknown = await bot.command(group, li, "/foo")
    assert unknown["text"] == "无法识别命令 /foo，发送 /help 查看可用命令。"


async def test_help_lists_what_the_role_may_do(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], people=["郑"])
    group = world.group("轮台县")
    li = world["郑"]
    liaison_help = await bot.command(group, li, "/help")
    assert "/register" in liaison_help["text"] and "/bind" not in liaison_help["text"]
    assert "/roster" not in liaison_help["text"]  # no role yet
    admin_help = await bot.command(group, bot.admin, "/help")
    assert "/bind" in admin_help["text"] and "/role" in admin_help["text"]
    private = bot.api.private(li)
    private_help = await bot.command(private, li, "/help")
    assert "/register" not in private_help["text"]  # a group command


async def test_roles_by_reply_and_by_username(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], people=[who("冯", id=1107, username="feng_sup")])
    group = world.group("轮台县")
    sup = world["冯"]
    said = await bot.api.send(group, sup, "/start")
    greeting = await bot.api.next_message(group)  # the greeting and the commands: one message
    assert "/register" in greeting["text"]
    denied = await bot.command(group, sup, "/role @wang_admin none")
    assert "没有使用 /role 的权限" in denied["text"]
    await bot.api.send(group, bot.admin, "/role supervisor", reply_to=said)
    done = await bot.api.next_message(group)
    assert "冯 设为督办人员" in done["text"]
    liaison = await bot.command(group, bot.admin, "/role @feng_sup liaison")
    assert "联络员（轮台县）" in liaison["text"]
    unknown = await bot.command(group, bot.admin, "/role @nobody liaison")
    assert "未找到@nobody" in unknown["text"]
    private = bot.api.private(bot.admin)
    no_unit = await bot.command(private, bot.admin, "/role 1107 liaison")
    assert "需指明单位" in no_unit["text"]
    named = await bot.command(private, bot.admin, "/role 1107 liaison 尉犁县")
    assert "联络员（尉犁县）" in named["text"]
    itself = await bot.command(private, bot.admin, f"/role {bot.admin['id']} none")
    assert "不能修改自己的角色" in itself["text"]


async def test_language_of_a_group(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], people=["陈"])
    group = world.group("轮台县")
    stranger = world["陈"]
    refused = await bot.command(group, stranger, "/lang en")
    assert "仅本单位联络员或管理员" in refused["text"]
    done = await bot.command(group, bot.admin, "/lang en")
    assert done["text"] == "Language set to English."
    prompt = await bot.command(group, stranger, "/register")
    assert prompt["text"].endswith(
        "Your full name:\n<i>Reply to this message to answer; /back "
        "for the previous step, /cancel to stop.</i>".replace("<i>", "").replace("</i>", "")
    )


async def test_rebinding_asks_to_confirm(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], titles={"轮台县": "联络群"})
    group = world.group("轮台县")
    confirm = await bot.command(group, bot.admin, "/bind 尉犁县")
    assert "目前绑定“轮台县”，确认改为绑定“尉犁县”" in confirm["text"]
    done = await bot.press(confirm, bot.admin, "确认提交")
    assert "本群已绑定“尉犁县”" in done["text"]


async def test_added_to_a_group_the_bot_says_once_it_waits(bot: Harness) -> None:
    group = bot.api.group("新群")
    await bot.api.add_bot_to(group, bot.admin)
    notice = await bot.api.next_message(group)
    assert notice["text"] == "本群尚未绑定单位，请管理员发送 /bind 完成绑定。"
    bound = await bot.command(group, bot.admin, "/bind 若羌县")
    assert "若羌县" in bound["text"]


async def test_a_long_roster_comes_in_several_messages(bot: Harness) -> None:
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None and camp.id is not None
        for i, unit in enumerate(campaigns.units_of(s, camp.id) * 12):
            stamp = Stamp(bot.clock(), 5000 + i)
            person = people.touch_person(
                s, user_id=5000 + i, username=None, display_name=f"u{i}", stamp=stamp
            )
            people.register_liaison(
                s,
                person,
                name=f"联络员{i:03d}",
                position="综合协调科科长" * 3,
                phone="13900000000",
                unit_id=unit.id or 0,
                stamp=stamp,
            )
    private = bot.api.private(bot.admin)
    await bot.api.send(private, bot.admin, "/roster")
    first = await bot.api.next_message(private)
    await bot.api.until(lambda: "联络员119" in bot.api.bot_messages(private)[-1]["text"])
    parts = [first, *bot.api.unread(private)]
    assert len(parts) > 1 and all(len(p["text"]) <= 4096 for p in parts)
    text = "\n".join(p["text"] for p in parts)
    assert all(f"联络员{i:03d}" in text for i in range(120))


async def test_a_role_for_someone_who_never_wrote_to_the_bot(bot: Harness) -> None:
    chat = bot.api.private(bot.admin)
    done = await bot.command(chat, bot.admin, "/role 777001 supervisor")
    assert done["text"] == "已将 777001 设为督办人员。"
    newcomer = bot.api.user(777001, "新督办")
    hello = await bot.command(bot.api.private(newcomer), newcomer, "/start")
    assert hello["text"].startswith("新督办，您好") and "督办人员" in hello["text"]


async def test_registering_is_the_roster_deliverable(bot: Harness, make_world: MakeWorld) -> None:
    from sqlmodel import select as select_

    from storage.models import Deadline, Submission

    world = await make_world(units=["轮台县"], people=["冯"])
    group = world.group("轮台县")
    li = world["冯"]
    prompt = await bot.command(group, li, "/register")
    for answer in ("冯涛", "科员", "13912340000"):
        prompt = await bot.answer(prompt, li, answer)
    await bot.press(prompt, li, "确认提交")
    with bot.db.unit_of_work() as s:
        sub = s.exec(select_(Submission)).one()
        deadline = s.get(Deadline, sub.deadline_id)
    assert deadline.deliverable == "联络员名单" and sub.on_time is True
