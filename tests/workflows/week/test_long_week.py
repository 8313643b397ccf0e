"""A week of 300 problems on the chat's confirm screen: one message, the problems that need a
look listed, the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from locales import Translator
from workflows.forms.inputs import FormEnv
from workflows.messages import msg
from workflows.week.week_answers import STATUS, item_answer
from workflows.week.weekly import LISTED, changes

ENV = FormEnv(datetime(2024, 5, 13, 2, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))


def week(statuses: list[str]) -> dict[str, object]:
    items = [
        {"id": n, "code": f"轮台-{n:03d}", "name": f"第{n}号问题：团结路棚改项目安置房逾期未交付"}
        for n in range(1, len(statuses) + 1)
    ]
    answers = {item_answer(n, STATUS): s for n, s in enumerate(statuses, 1)}
    return {"items": items, "unit": "轮台县", **answers}


def test_a_300_problem_week_is_one_message_with_closeouts_and_delays_listed() -> None:
    statuses = ["same"] * 150 + ["plan"] * 140 + ["late"] * 7 + ["done"] * 3
    said = changes(week(statuses), ENV)
    text = Translator.load().text(msg("weekly.summary", **said), "zh_CN")
    assert len(text) <= 4096
    lines = text.splitlines()
    assert len(lines) == 1 + LISTED + 1 + 1  # the title, the listed, the count, the hint
    assert [line.split("：")[-1] for line in lines[1:11]] == ["已完成，申请销号"] * 3 + [
        "进度滞后"
    ] * 7
    assert (
        lines[-2]
        == "……另有260个问题不逐一列出：已完成0个，进度滞后0个，按计划推进110个，本周无变化150个"
    )


def test_a_short_week_is_listed_whole_in_its_own_order() -> None:
    said = changes(week(["same", "done", "plan"]), ENV)
    text = Translator.load().text(msg("weekly.summary", **said), "zh_CN")
    assert text.splitlines()[1:4] == [
        "轮台-001 第1号问题：团结路棚改项目安置房逾期未交付：本周无变化",
        "轮台-002 第2号问题：团结路棚改项目安置房逾期未交付：已完成，申请销号",
        "轮台-003 第3号问题：团结路棚改项目安置房逾期未交付：按计划推进",
    ]
