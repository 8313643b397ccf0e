from __future__ import annotations

from storage import campaigns, ledger
from storage.audit import Stamp
from tests.harness import Harness, MakeWorld
from workflows.ledger import LedgerSpec, item_columns


async def test_probe(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["王督"])
    group, li, sup = world.group("轮台县"), world["李明"], world["王督"]
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, "轮台县")
        for i in range(300):
            v = {"name": f"第{i + 1}号问题：团结路棚改项目安置房逾期未交付群众多次信访", "due_on": "2024-01-05"}
            ledger.create_item(s, unit, item_columns(v, LedgerSpec()), Stamp(bot.clock()))
    out = []
    for chat, who, cmd in [
        (group, li, "/items"), (group, li, "/missing"), (group, li, "/close"), (group, li, "/weekly"),
        (group, li, "/evidence"), (group, li, "/correct"), (group, li, "/cases"), (group, li, "/deadlines"),
        (sup.private, sup, "/summary 轮台县"), (sup.private, sup, "/missing"), (sup.private, sup, "/cases"),
        (sup.private, sup, "/items"), (group, li, "/summary"), (group, li, "/board"),
    ]:
        await bot.settle(chat)
        before = len(bot.api.bot_messages(chat))
        await bot.api.send(chat, who, cmd)
        try:
            await bot.api.next_message(chat, timeout=15)
        except Exception as e:
            out.append(f"{cmd}: no answer {e!r}")
            continue
        await bot.settle(chat)
        new = bot.api.bot_messages(chat)[before:]
        out.append(f"{cmd} ({'group' if chat is group else 'private'}): {len(new)} msgs, lens {[len(m.get('text') or '') for m in new]} first: {(new[0].get('text') or '')[:80]!r}")
        await bot.api.send(chat, who, "/cancel")
        await bot.settle(chat)
    open("/tmp/batches_probe/out.txt", "w").write("\n".join(out))
