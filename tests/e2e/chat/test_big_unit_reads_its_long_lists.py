"""A big unit's lists in the chat (300 open problems, 300 forwarded cases): each answer is one
message within Telegram's 4,096 characters, a page at a time where the list is long."""

from __future__ import annotations

from datetime import timedelta

from storage import campaigns, ledger
from storage import cases as store
from storage.audit import Stamp
from tests.harness import Harness, MakeWorld, World
from workflows.problems.ledger import LedgerSpec, item_columns

BIG = 300
NAME = "第{n}号问题：团结路棚改项目安置房逾期未交付，群众多次信访反映"


def big_unit(bot: Harness, world: World, unit: str) -> None:
    """`BIG` open problems with long names, and `BIG` forwarded cases, in the unit."""
    now = bot.clock()
    stamp = Stamp(now)
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        found = campaigns.unit_named(s, camp.id or 0, unit)
        for n in range(1, BIG + 1):
            values = {"name": NAME.format(n=n), "due_on": "2024-01-05"}
            ledger.create_item(s, found, item_columns(values, LedgerSpec()), stamp)
            store.create_case(
                s,
                unit_id=found.id or 0,
                text=f"群众来信反映第{n}号安置房漏水、墙体开裂，要求尽快维修并答复",
                reference=f"州专班转〔2024〕{n}号",
                received_at=now - timedelta(days=n % 9),
                due_at=now + timedelta(days=2 - n % 9),
                stamp=stamp,
            )


async def test_a_big_units_lists_are_each_one_message_a_page_at_a_time(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["王督"])
    group, li, sup = world.group("轮台县"), world["李明"], world["王督"]
    big_unit(bot, world, "轮台县")
    for chat, who, command in [
        (group, li, "/items"),
        (group, li, "/cases"),
        (group, li, "/deadlines"),
        (group, li, "/weekly"),
        (sup.private, sup, "/cases"),
        (sup.private, sup, "/items"),
        (sup.private, sup, "/missing"),
        (sup.private, sup, "/summary 轮台县"),
    ]:
        await bot.settle(chat)
        before = len(bot.api.bot_messages(chat))
        await bot.api.send(chat, who, command)
        await bot.api.next_message(chat, timeout=20)
        await bot.settle(chat)
        said = [m.get("text") or "" for m in bot.api.bot_messages(chat)[before:]]
        assert len(said) == 1, (command, [len(t) for t in said])
        assert len(said[0]) <= 4096, (command, len(said[0]))
        if command == "/weekly":
            await bot.command(chat, who, "/cancel")
    cases = await bot.command(group, li, "/cases")
    assert cases["text"].splitlines()[0] == f"转办件（{BIG}件，第1/30页）"
    await bot.api.press(cases, li, "下一页 ▶")  # the same message, turned in place

    def turned() -> str:
        return str(bot.api.messages[group["id"]][cases["message_id"]]["text"])

    await bot.api.until(lambda: "第2/30页" in turned())
    assert turned().splitlines()[0] == f"转办件（{BIG}件，第2/30页）"
    assert len(turned().splitlines()) == 11  # its header and ten cases
    last = await bot.command(group, li, "/cases 30")
    assert last["text"].splitlines()[0] == f"转办件（{BIG}件，第30/30页）"
    assert [b["text"] for b in last["reply_markup"]["inline_keyboard"][0]] == ["◀ 上一页"]
