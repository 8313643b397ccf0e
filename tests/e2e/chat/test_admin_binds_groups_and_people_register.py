"""End to end over the local Bot API: binding, registration, roster, restarts, refusals."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent, Person
from tests.harness import Harness, MakeWorld, who


async def register(bot: Harness, group: dict, user: dict, name: str, position: str, phone: str):
    """A liaison registers by replying to each prompt and confirming."""
    prompt = await bot.command(group, user, "/register")
    assert "姓名" in prompt["text"]
    prompt = await bot.answer(prompt, user, name)
    assert "职务" in prompt["text"]
    prompt = await bot.answer(prompt, user, position)
    assert "电话" in prompt["text"]
    summary = await bot.answer(prompt, user, phone)
    assert name in summary["text"] and position in summary["text"]
    done = await bot.press(summary, user, "确认提交")
    assert "已登记" in done["text"]


async def test_admin_binds_a_group_by_button(bot: Harness) -> None:
    group = bot.api.group("轮台县专项整治联络群")
    ask = await bot.command(group, bot.admin, "/bind")
    labels = [b["text"] for row in ask["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[:3] == ["库尔勒市", "轮台县", "尉犁县"]
    done = await bot.press(ask, bot.admin, "轮台县")
    assert "本群已绑定“轮台县”" in done["text"]
    assert bot.api.edits == 0  # no edit (a message of the group's budget) to clear the keyboard
    await bot.api.press(ask, bot.admin, "尉犁县")  # the old keyboard, pressed again
    await bot.api.until(lambda: len(bot.api.callback_answers) == 2)
    assert bot.api.callback_answers[-1]["text"] == "该按钮已失效，请按最新的提示操作。"
    assert bot.api.unread(group) == []


async def test_two_liaisons_register_at_once_and_roster_shows_both(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县"],
        titles={"轮台县": "轮台县专项整治联络群"},
        people=[who("李", username="li_lt"), who("张", username="zhang_lt")],
    )
    group = world.group("轮台县")
    li = world["李"]
    zhang = world["张"]
    p_li = await bot.command(group, li, "/register")
    p_zhang = await bot.command(group, zhang, "/register")
    assert p_li["reply_to_message"]["from"]["id"] == li["id"]
    assert p_zhang["reply_to_message"]["from"]["id"] == zhang["id"]
    p_li = await bot.answer(p_li, li, "李明")
    p_zhang = await bot.answer(p_zhang, zhang, "张华")
    p_zhang = await bot.answer(p_zhang, zhang, "综合科科长")
    p_li = await bot.answer(p_li, li, "住建局副局长")
    s_li = await bot.answer(p_li, li, "139 9960 1234")
    s_zhang = await bot.answer(p_zhang, zhang, "0996-4621234")
    assert "李明" in s_li["text"] and "13999601234" in s_li["text"]
    assert "张华" in s_zhang["text"] and "0996-4621234" in s_zhang["text"]
    await bot.press(s_zhang, zhang, "确认提交")
    await bot.press(s_li, li, "确认提交")
    roster = await bot.command(group, li, "/roster")
    assert roster["text"].splitlines() == [
        "联络员名单 · 自治州房屋拆迁安置补偿领域违纪违法突出问题专项整治",
        "轮台县（2人）",
        # in the order they confirmed (both at the same moment of the sandbox's clock)
        "  张华\u3000综合科科长\u30000996-4621234",
        "  李明\u3000住建局副局长\u300013999601234",  # the phone as digits, typed with spaces
    ]


async def test_a_registration_survives_a_restart(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["尉犁县"], people=[who("赵", username="zhao")])
    group = world.group("尉犁县")
    li = world["赵"]
    prompt = await bot.command(group, li, "/register")
    prompt = await bot.answer(prompt, li, "赵强")
    await bot.restart()
    prompt = await bot.answer(prompt, li, "联络员")
    assert "电话" in prompt["text"]
    summary = await bot.answer(prompt, li, "13812345678")
    assert "赵强" in summary["text"]
    await bot.press(summary, li, "确认提交")
    with bot.db.unit_of_work() as s:
        person = s.exec(select(Person).where(Person.user_id == li["id"])).one()
        assert (person.name, person.position, person.phone) == ("赵强", "联络员", "13812345678")
        actions = [e.action for e in s.exec(select(AuditEvent))]
    # registering also records the roster deliverable as submitted
    assert actions == ["campaign.load", "chat.bind", "roster.register", "submission.record"]


async def test_non_admin_bind_is_refused(bot: Harness) -> None:
    group = bot.api.group("某群")
    stranger = bot.api.user(1004, "路人")
    first = await bot.command(group, stranger, "/bind 轮台县")
    assert first["text"] == "抱歉，您没有使用 /bind 的权限。"
    waiting = await bot.command(group, stranger, "/register")
    assert waiting["text"] == "本群尚未绑定单位，请管理员发送 /bind 完成绑定。"
    await bot.api.send(group, stranger, "/help")  # said once already: now silence
    await bot.api.send(group, stranger, "大家好")  # privacy mode: never reaches the bot
    # Updates are handled in order, so the next message is the answer to the admin's /bind.
    bound = await bot.command(group, bot.admin, "/bind 轮台县")
    assert "本群已绑定“轮台县”" in bound["text"]


async def test_a_reply_lost_to_a_server_error_is_sent_again(
    bot: Harness,
) -> None:
    group = bot.api.group("轮台县专项整治联络群")
    bot.api.fail_next("sendMessage", 500)
    ask = await bot.command(group, bot.admin, "/bind")
    assert "库尔勒市" in str(ask["reply_markup"])
    bot.api.fail_next("sendMessage", 502)
    done = await bot.press(ask, bot.admin, "轮台县")
    assert "本群已绑定“轮台县”" in done["text"]
    assert bot.api.requests["sendMessage"] == 4
