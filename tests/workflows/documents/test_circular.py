"""The circular's sections as data: which sentence each case of the week calls for."""

from __future__ import annotations

from datetime import date

from locales import Translator
from workflows.deliverables.checkpoints import CheckedItem, Checkpoint, UnitBehind
from workflows.documents.circular import Circular, NextCheckpoint, weekly_circular
from workflows.documents.summary import CaseFigures, LedgerFigures, UnitSummary

TODAY = date(2025, 1, 6)
ROWS = [
    UnitSummary("城区住建局", LedgerFigures(2, 1, 0, 0), "on_time", CaseFigures()),
    UnitSummary("泽州县住建局", LedgerFigures(3, 0, 1, 2), "on_time", CaseFigures(2, 1, 0, 0)),
]


def said(c: Circular) -> list[list[str]]:
    tr = Translator.load()
    return [[tr.text(p) for p in s.paragraphs] for s in c.sections]


def circular(state: NextCheckpoint, rows: list[UnitSummary] = ROWS) -> Circular:
    return weekly_circular(
        "晋城市棚改专项行动",
        rows,
        report="工作台账",
        week=TODAY,
        cases=[],
        checkpoint=state,
        today=TODAY,
    )


def test_every_unit_on_time_no_case_overdue_and_no_checkpoint_set() -> None:
    sections = said(circular(NextCheckpoint(None, [], any_set=False)))
    assert sections[0] == [
        "目前台账共有问题5个，已销号1个，销号率20%；未销号4个，其中已完成待销号1个；"
        "已超过办结时间仍未销号的问题2个。",
        "上级转办件已反馈2件，按时反馈率50%；超过时限未反馈0件。",
        "本周“工作台账”（2025年1月6日）应报送单位2个，按时报送2个，逾期报送0个，未报送0个。",
    ]
    assert sections[2] == ["各单位均按时报送了本周“工作台账”。"]
    assert sections[3] == ["目前没有超过时限未反馈的转办件。"]
    assert sections[4] == ["本行动方案未设定约谈时间节点。"]


def test_the_checkpoints_all_past_or_nobody_behind() -> None:
    assert said(circular(NextCheckpoint(None, [], any_set=True)))[4] == [
        "本行动方案设定的约谈时间节点均已过。"
    ]
    point = Checkpoint("2025年6月", date(2025, 6, 30))
    assert said(circular(NextCheckpoint(point, [], any_set=True)))[4] == [
        "按照方案，将在2025年6月（2025年6月30日）对未按计划完成整改的单位进行约谈。",
        "截至2025年1月6日，各单位没有已超过办结时间仍未销号的问题。",
    ]
    item = CheckedItem("泽州县住建局", "泽州-001", "金村项目", date(2024, 12, 31), "open")
    behind = said(circular(NextCheckpoint(point, [UnitBehind("泽州县住建局", (item,))], True)))
    assert behind[4][2] == "泽州县住建局（1个）：泽州-001 金村项目（办结时间2024年12月31日）。"


def test_the_table_has_a_row_per_unit_and_the_totals() -> None:
    table = circular(NextCheckpoint(None, [], any_set=False)).sections[1].table
    assert table is not None
    assert [row[:5] for row in table.rows[:2]] == [
        ("城区住建局", 2, 1, 1, 0),
        ("泽州县住建局", 3, 3, 0, 2),
    ]
    assert table.rows[-1][1:6] == (5, 4, 1, 2, "20%")
