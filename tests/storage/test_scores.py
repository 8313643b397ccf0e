"""The README's worked example, from a real database: the week of 2 March 2026, scored and
ranked as the board and the circular show it."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from sqlmodel import Session

from bot.usecases.circular import circular_docx
from locales import Translator
from storage import campaigns, ledger, submissions
from storage import cases as case_store
from storage.audit import Stamp
from storage.db import Database
from storage.models import Unit
from storage.scores import campaign_ranking
from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.campaign import read_campaign_yaml
from workflows.problems.ledger import ItemChanges, LedgerSpec, item_columns
from workflows.supervision.scores import WEEK, Period, Ranked, period_of

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=BEIJING)  # Tuesday after the week of 2 March
WEEK_OF_2_MARCH = period_of(WEEK, date(2026, 3, 2))
CAMPAIGN = """
name: 评分示例
year: 2026
units: [轮台县, 尉犁县, 库尔勒市, 和静县]
phases: [{name: 整改阶段, text: 2月1日至6月30日}]
weekly_report: {weekday: 周一, time: "18:00", name: 工作台账}
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def _item(s: Session, unit: Unit, due: str, closed: str | None = None) -> None:
    stamp = Stamp(at("2026-02-01 09:00"), 1)
    columns = {"name": f"问题{due}", "due_on": due, "category": "征收补偿环节"}
    row = ledger.create_item(s, unit, item_columns(columns, LedgerSpec()), stamp)
    if closed:
        change = ItemChanges(status="closed", closed_at=at(closed))
        ledger.change_item(s, row, change, expected_version=None, action="t", stamp=stamp)


def _case(s: Session, unit: Unit, due: str, answered: str | None) -> None:
    due_at = at(due)
    case = case_store.create_case(
        s,
        unit_id=unit.id or 0,
        text="转办件",
        reference="",
        stamp=Stamp(due_at - timedelta(days=2), 1),
        received_at=due_at - timedelta(days=2),
        due_at=due_at,
    )
    if answered:
        case_store.add_feedback(
            s,
            case,
            text="已处理",
            status="已办结",
            expected_on=None,
            files=[],
            on_time=at(answered) <= due_at,
            late_days=0,
            stamp=Stamp(at(answered), 1),
        )


def score_world(db: Database) -> None:
    """The README's example: what each unit had to do in the week of 2 March 2026."""
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, read_campaign_yaml(CAMPAIGN), Stamp(at("2026-02-01")))
        score_facts(s, {u.name: u for u in campaigns.units_of(s, camp.id or 0)})


def score_facts(s: Session, unit: dict[str, Unit]) -> None:
    """What 轮台县, 尉犁县 and 库尔勒市 did in the week of 2 March 2026 (和静县 and any other
    unit: nothing, not even the Monday report)."""
    for name, on_time in (("轮台县", True), ("尉犁县", True)):
        submissions.record_submission(
            s,
            unit_id=unit[name].id or 0,
            stamp=Stamp(at("2026-03-02 17:00"), 1),
            on_time=on_time,
            report_name="工作台账",
            period_start=date(2026, 3, 2),
        )
    _item(s, unit["轮台县"], "2026-03-04", "2026-03-03 15:00")  # in time
    _item(s, unit["轮台县"], "2026-03-05")  # past its 办结时间
    _item(s, unit["轮台县"], "2026-02-20", "2026-02-25 15:00")  # older, closed
    _item(s, unit["轮台县"], "2026-03-20")  # not yet due
    _case(s, unit["轮台县"], "2026-03-04 18:00", "2026-03-04 10:00")
    _item(s, unit["库尔勒市"], "2026-03-06", "2026-03-06 11:00")
    _case(s, unit["库尔勒市"], "2026-03-05 18:00", "2026-03-06 09:00")  # a day late


def ranked(db: Database, period: Period) -> list[Ranked]:
    """The campaign's ranking for `period`, seen at NOW."""
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None
        return campaign_ranking(s, camp, period, NOW, WorkCalendar(OfficialDays.from_package()))


def test_the_worked_example_from_the_database(db: Database) -> None:
    score_world(db)
    rows = ranked(db, WEEK_OF_2_MARCH)
    assert [(r.rank, r.unit, r.score, r.colour) for r in rows] == [
        (1, "尉犁县", 100.0, "green"),
        (2, "轮台县", 78.3, "yellow"),
        (3, "库尔勒市", 50.0, "red"),
        (4, "和静县", 0.0, "red"),  # its Monday report never came
    ]


def test_a_week_before_the_campaign_ranks_nobody(db: Database) -> None:
    score_world(db)
    rows = ranked(db, period_of(WEEK, date(2026, 1, 26)))
    assert {(r.rank, r.score) for r in rows} == {(None, None)}


def test_the_circular_lists_the_ranking_and_its_bands(db: Database) -> None:
    score_world(db)
    tr = Translator.load()
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None
        data = circular_docx(s, camp, NOW, lambda m: tr.text(m, "zh_CN"))
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    at_heading = texts.index("六、得分与排名")
    assert texts[at_heading + 1].startswith("2026年3月2日至2026年3月8日各单位得分")
    assert texts[at_heading + 2 : at_heading + 5] == [
        "红色（2个）：库尔勒市、和静县。",
        "黄色（1个）：轮台县。",
        "绿色（1个）：尉犁县。",
    ]
    table = doc.tables[-1]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["名次", "单位", "得分", "等次"],
        ["1", "尉犁县", "100.0", "绿"],
        ["2", "轮台县", "78.3", "黄"],
        ["3", "库尔勒市", "50.0", "红"],
        ["4", "和静县", "0.0", "红"],
    ]


def test_the_readme_shows_the_same_ranking(db: Database) -> None:
    score_world(db)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scores and rankings / 得分与排名", 1)[1].split("\n## ", 1)[0]
    table = section.split("| 名次 | 单位 | 得分 | 等次 |\n|---|---|---|---|\n", 1)[1].split("\n\n")[
        0
    ]
    words = {"green": "绿", "yellow": "黄", "red": "红"}
    assert table.splitlines() == [
        f"| {r.rank} | {r.unit} | {r.score:.1f} | {words[r.colour or '']} |"
        for r in ranked(db, WEEK_OF_2_MARCH)
    ]


def test_every_weekly_report_counts(db: Database) -> None:
    two = CAMPAIGN.replace(
        'weekly_report: {weekday: 周一, time: "18:00", name: 工作台账}',
        "weekly_report:\n"
        '  - {weekday: 周一, time: "18:00", name: 工作台账}\n'
        '  - {weekday: 周三, time: "18:00", name: 工作简报}',
    )
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, read_campaign_yaml(two), Stamp(at("2026-02-01")))
        score_facts(s, {u.name: u for u in campaigns.units_of(s, camp.id or 0)})
    by_unit = {r.unit: r for r in ranked(db, WEEK_OF_2_MARCH)}
    # 尉犁县 sent Monday's 工作台账 but not Wednesday's 工作简报: 30×½ / 30
    assert by_unit["尉犁县"].record.parts()["reports"] == (1, 2)
    assert by_unit["尉犁县"].score == 50.0
