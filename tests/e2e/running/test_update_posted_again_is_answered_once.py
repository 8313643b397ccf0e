"""An update Telegram posts again after its turn was saved (the process it went to died before
confirming it) is not applied twice, and nothing is said twice: the turn's reply was kept in
the outbox with it, and is sent once, whichever process sends it."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.sandbox.sandbox import Sandbox as Harness
from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import FormDraft, HandledUpdate
from workflows.people.roles import Role
from workflows.problems.ledger import ItemColumns


def _week(bot: Harness, user_id: int) -> dict[str, object]:
    with bot.db.unit_of_work() as s:
        row = s.exec(select(FormDraft).where(FormDraft.user_id == user_id)).one()
        # where the flow stands and its answers; not which prompts it was shown by (one more now)
        return {k: v for k, v in row.state.items() if k not in ("prompts", "after", "shown")}


async def test_a_reply_posted_again_after_a_restart_is_saved_once_and_answered_once(
    db_url: str,
) -> None:
    bot = Harness(db_url)
    await bot.start()
    try:
        group = bot.api.group("轮台县联络群")
        await bot.bind(group, "轮台县")
        li = bot.api.user(7001, "李明")
        bot.grant(li, Role.LIAISON, "轮台县")
        with bot.db.unit_of_work() as s:
            camp = campaigns.active_campaign(s)
            unit = campaigns.unit_named(s, camp.id, "轮台县")
            for name in ("问题一", "问题二", "问题三"):
                item = ItemColumns(name=name, due_on=date(2024, 6, 30))
                ledger.create_item(s, unit, item, Stamp(bot.clock(), li["id"]))
        first = await bot.command(group, li, "/weekly")
        await bot.tap(first, li, "按计划推进")
        second = await bot.answer(first, li, "第1项本周按计划推进")
        reply = bot.api.pushed[-1]  # the liaison's reply: its turn is saved, its answer sent
        assert "问题二" in second["text"]
        before = _week(bot, li["id"])
        seen = len(bot.api.bot_messages(group))

        # the process dies before confirming the reply; Telegram gives it to the next one
        await bot.stop_bot()
        await bot.api.post_again(reply)
        await bot.start_bot()
        await bot.drained()

        assert _week(bot, li["id"]) == before  # the answer was not applied a second time
        with bot.db.unit_of_work() as s:
            assert s.get(HandledUpdate, reply["update_id"]) is not None
        assert len(bot.api.bot_messages(group)) == seen  # and nothing was said again

        # the liaison goes on from there as if nothing happened
        third = await bot.answer(second, li, "第2项本周按计划推进")
        assert "问题三" in third["text"]
    finally:
        await bot.stop()
