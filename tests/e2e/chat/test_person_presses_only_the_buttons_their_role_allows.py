"""Every button the bot actually sends is one the codec reads back, and the gate answers a
press its roles do not allow with the rule's refusal, before any handler runs."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cases import test_unit_answers_a_forwarded_case as cases
from tests.e2e.deadlines import test_unit_is_reminded_and_submits as deadlines
from tests.e2e.ledger import test_unit_imports_its_ledger as ledger_import
from tests.e2e.weekly import test_liaison_updates_the_week_in_the_chat as weekly
from tests.harness import Harness, MakeWorld, build_world, county_world
from workflows.forms.buttons import Action, Verb, callback_data, parse

Flow = Callable[..., Awaitable[None]]
# flows of the e2e tests, each with the campaign it runs on (None: seed 000) and the action
# buttons it sends at least
FLOWS: list[tuple[Flow, str | None, set[Verb]]] = [
    (
        weekly.test_a_whole_weekly_update_with_a_close_out_and_a_restart,
        None,
        {Verb.WFORM, Verb.WPRIV, Verb.CO_OK, Verb.CO_NO, Verb.ITEM},
    ),
    (weekly.test_items_are_paged_and_overdue_ones_marked, None, {Verb.ITEMS}),
    (cases.test_forward_sign_and_answer_in_time, None, {Verb.SIGN, Verb.FB, Verb.EXT}),
    (cases.test_an_approved_extension_moves_the_due_time, None, {Verb.EXT_OK, Verb.EXT_NO}),
    (
        deadlines.test_reminders_reach_exactly_the_units_that_need_them,
        deadlines.CAMPAIGN,
        {Verb.SUBMIT},
    ),
    (
        deadlines.test_an_admin_sets_a_deadline_and_cancels_it,
        deadlines.CAMPAIGN,
        {Verb.DL_EDIT, Verb.DL_CANCEL},
    ),
    (
        ledger_import.test_a_liaison_imports_the_countys_own_ledger_in_the_group,
        None,
        {Verb.IMP_OK, Verb.IMP_NO},
    ),
    (ledger_import.test_an_admin_imports_in_private_choosing_the_unit, None, {Verb.IMP_UNIT}),
]


async def _fixtures(flow: Flow, bot: Harness) -> dict[str, Any]:
    """The fixtures the flow's test asks for, built on this bot as conftest builds them."""
    make_world = functools.partial(build_world, bot)
    wanted = inspect.signature(flow).parameters
    given: dict[str, Any] = {"bot": bot}
    if "make_world" in wanted:
        given["make_world"] = make_world
    if "county" in wanted:
        given["county"] = await county_world(make_world)
    assert set(wanted) <= set(given), sorted(set(wanted) - set(given))
    return given


@pytest.mark.parametrize(
    ("flow", "campaign", "verbs"), FLOWS, ids=[f.__name__.removeprefix("test_") for f, *_ in FLOWS]
)
async def test_every_button_sent_parses_back(
    db_url: str, tmp_path: Path, flow: Flow, campaign: str | None, verbs: set[Verb]
) -> None:
    template = {}
    if campaign is not None:
        path = tmp_path / "campaign.yaml"
        path.write_text(campaign, encoding="utf-8")
        template = {"template": str(path)}
    bot = Harness(db_url, **template)
    await bot.start()
    try:
        await flow(**await _fixtures(flow, bot))
    finally:
        await bot.stop()
    pressed = [parse(data) for data in bot.api.callback_data]
    assert pressed, "the flow sent no buttons"
    assert [d for d, p in zip(bot.api.callback_data, pressed, strict=True) if p is None] == []
    sent = {p.verb for p in pressed if isinstance(p, Action)}
    assert verbs <= sent, sorted(sent)


async def liaisons_start(bot: Harness, make_world: MakeWorld) -> tuple[dict, dict, dict]:
    """轮台县's group, its liaison 李明 and the /start card he got there (a message to press on)."""
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    await bot.settle(group)
    return group, li, await bot.command(group, li, "/start")


async def test_a_liaison_may_not_decide_a_close_out_and_is_told_who_may(
    bot: Harness, make_world: MakeWorld
) -> None:
    _, li, card = await liaisons_start(bot, make_world)
    before = len(bot.api.callback_answers)
    await bot.api.press(card, li, data=callback_data(Verb.CO_OK, 1, 1))
    await bot.api.until(lambda: len(bot.api.callback_answers) > before)
    assert bot.api.callback_answers[-1].get("text") == "仅督办人员或管理员可以审核销号。"


async def test_a_button_for_an_item_that_is_not_there_is_answered_by_its_toast_alone(
    bot: Harness, make_world: MakeWorld
) -> None:
    group, li, card = await liaisons_start(bot, make_world)
    before = len(bot.api.callback_answers)
    await bot.api.press(card, li, data=callback_data(Verb.ITEM, 424242))
    await bot.api.until(lambda: len(bot.api.callback_answers) > before)
    assert bot.api.callback_answers[-1].get("text") == "未找到问题“424242”。"
    await bot.drained()
    assert bot.api.unread(group) == []  # nothing in the group: the press's answer says it


async def test_an_answer_to_a_press_that_did_not_get_through_is_given_again(
    bot: Harness, make_world: MakeWorld
) -> None:
    _, li, card = await liaisons_start(bot, make_world)
    before = len(bot.api.callback_answers)
    bot.api.fail_next("answerCallbackQuery", 500)  # Telegram's answer lost: a 5xx
    await bot.api.press(card, li, data=callback_data(Verb.ITEM, 424242))
    await bot.api.until(lambda: len(bot.api.callback_answers) > before)
    assert bot.api.callback_answers[-1].get("text") == "未找到问题“424242”。"
    assert bot.api.requests["answerCallbackQuery"] == before + 2
