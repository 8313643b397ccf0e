"""End to end: the Mini App's week is the flow the registry holds under the weekly update's
name, begun and opened as the chat begins and opens it: what is registered under that name
is what the page shows, and its rule for a week that is over is what closes the page's draft."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.serve.features import FEATURES
from bot.serve.pipeline import Pipeline
from bot.telegram.feature import FlowBinding, Registry
from tests.e2e.weekly.test_liaison_updates_the_week_by_workbook import seed
from tests.harness import Harness, MakeWorld
from tests.miniapp import MiniApp
from workflows.forms.engine import Flow
from workflows.forms.flow_names import FlowName
from workflows.messages import Msg, msg
from workflows.week.weekly import weekly_flow

MINI_APP = True  # the `bot` fixture serves the Mini App


def register_weekly(bot: Harness, change: Mapping[str, Any]) -> None:
    """The bot's registry, its weekly update's binding changed as given: what both the chat
    and the page run from now on."""
    features = []
    for feature in FEATURES:
        if FlowName.WEEKLY in feature.flows:
            binding = replace(feature.flows[FlowName.WEEKLY], **change)
            feature = replace(feature, flows={**feature.flows, FlowName.WEEKLY: binding})
        features.append(feature)
    pipeline = bot.app.bot_data["pipeline"]
    assert isinstance(pipeline, Pipeline)
    pipeline.registry = Registry.collect(features)


async def world_of_one(bot: Harness, make_world: MakeWorld) -> MiniApp:
    """且末县 with its three open problems; 赵敏's page from the private chat's menu."""
    world = await make_world(units=["且末县"], liaisons={"且末县": "赵敏"})
    seed(bot, "且末县")
    return MiniApp(bot, world["赵敏"])


async def test_the_page_begins_the_flow_registered_as_the_weekly_update(
    bot: Harness, make_world: MakeWorld
) -> None:
    page = await world_of_one(bot, make_world)

    def without_items(context: Mapping[str, Any]) -> Flow:  # begins with "any new problem?"
        return weekly_flow({**context, "items": []})

    register_weekly(bot, {"build": without_items})
    week = await page.week()
    assert [it["code"] for it in week["items"]] == ["且末-001", "且末-002", "且末-003"]
    assert week["texted"] == []  # no status card first: the registered flow's steps, not ours


async def test_the_page_opens_a_week_by_the_registered_rule_for_a_week_that_is_over(
    bot: Harness, make_world: MakeWorld
) -> None:
    page = await world_of_one(bot, make_world)
    assert (await page.week())["texted"]  # the real flow: a status card first
    closed: list[datetime] = []

    def over_at_once(context: Mapping[str, Any], now: datetime) -> Msg | None:
        closed.append(now)
        return msg("weekly.expired_here", name="测试周")

    register_weekly(bot, {"over": over_at_once})
    status, data = await page.call("GET", "api/week")
    assert status == 410 and "测试周" in data["error"], data
    assert closed  # the page asked the registered binding, and the draft is closed
    status, data = await page.call("POST", "api/week/submit")
    assert status == 410, data


def test_the_binding_the_test_changes_is_the_weekly_updates() -> None:
    binding = Registry.collect(FEATURES).flows[FlowName.WEEKLY]
    assert isinstance(binding, FlowBinding) and binding.build is weekly_flow
