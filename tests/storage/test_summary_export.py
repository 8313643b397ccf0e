"""Summary figures from a known fixture, number by number; the workbook read back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.serve.campaign_file import TEMPLATES
from bot.usecases.chart import FONT_PATH, ChartWords, summary_chart, summary_figure
from locales import Translator
from storage import campaigns, ledger, submissions
from storage import cases as case_store
from storage import summary as figures
from storage.audit import Stamp
from storage.db import Database
from storage.export import SHEETS, write_workbook
from storage.models import Unit
from tests.e2e.reports.test_supervisor_asks_for_the_summary_and_the_export import UNITS
from workflows.campaign import RecurringSpec, read_campaign_yaml
from workflows.casework.case_import import ANNEX_3
from workflows.documents.summary import UnitBar, WeekShare, percent, problem_bars, report_weeks
from workflows.problems.ledger import ItemChanges, LedgerSpec, Progress, item_columns, status_msg
from workflows.week.periods import CampaignSpan

CAMPAIGN = "自治州房屋拆迁安置补偿领域违纪违法突出问题专项整治"
# seed 001's ledger columns, in its order
SEED_001 = (
    "突出问题名称",
    "主要案情",
    "问题分类",
    "处置措施预案",
    "办结时间",
    "牵头部门及责任人员",
    "备注",
)

# The source documents, copied from ../shared/seeds so that the test runs wherever the repo is.
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # Monday 6 May 2024, 10:00 in Beijing
TODAY = date(2024, 5, 6)


@pytest.fixture
def filled(db: Database) -> Database:
    """轮台县: 4 items (1 closed, 1 overdue), weekly on time, 1 case answered on time, 1 overdue.
    尉犁县: 2 items (1 overdue), weekly missing, no cases. Nobody else has anything."""
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW))
        lt = campaigns.unit_named(s, camp.id, "轮台县")
        yl = campaigns.unit_named(s, camp.id, "尉犁县")
        st = Stamp(NOW, 1)
        add = lambda u, name, due, src="自查发现": ledger.create_item(  # noqa: E731
            s,
            u,
            item_columns(
                {"name": name, "due_on": due, "source": src, "category": "征收补偿环节"},
                LedgerSpec(),
            ),
            st,
        )
        a = add(lt, "违规评估", "2024-04-30")  # overdue
        b = add(lt, "拖欠补偿款", "2024-06-30", "上级转办")
        add(lt, "强拆", "2024-06-30")
        add(lt, "暴力征收", "2024-06-30")
        add(yl, "产权证", "2024-05-01")  # overdue
        add(yl, "评估", "2024-07-01", "信访")
        ledger.change_item(
            s,
            b,
            ItemChanges(status="closed", closed_at=NOW),
            expected_version=None,
            action="t",
            stamp=st,
        )
        late = Progress(
            "late", TODAY, text="资金未到位", reason="资金", new_due_on=date(2024, 6, 1)
        )
        ledger.add_progress(s, a, late, st)
        submissions.record_submission(
            s, unit_id=lt.id, stamp=st, on_time=True, report_name="工作台账", period_start=TODAY
        )
        deadline = campaigns.deadlines_of(s, camp.id)[1]  # 5月5日 自查自纠阶段总结
        submissions.record_submission(
            s, unit_id=lt.id, stamp=st, on_time=True, deadline_id=deadline.id
        )
        c1 = case_store.create_case(
            s,
            unit_id=lt.id,
            text="逾期未回迁",
            reference="",
            stamp=st,
            received_at=NOW - timedelta(days=7),
            due_at=NOW - timedelta(days=5),
        )
        case_store.add_feedback(
            s,
            c1,
            text="已处理",
            status="已办结",
            expected_on=None,
            files=[],
            on_time=True,
            late_days=0,
            stamp=Stamp(NOW - timedelta(days=6), 1),
        )
        case_store.create_case(
            s,
            unit_id=lt.id,
            text="过渡费",
            reference="",
            stamp=st,
            received_at=NOW - timedelta(days=4),
            due_at=NOW - timedelta(days=1),
        )
    return db


def test_figures_number_by_number(filled: Database) -> None:
    with filled.unit_of_work() as s:
        units = {u.name: u.id for u in s.exec(select(Unit))}
        ids = list(units.values())
        led = figures.ledger_figures(s, ids, TODAY)
        assert (
            led[units["轮台县"]].total,
            led[units["轮台县"]].closed,
            led[units["轮台县"]].overdue,
        ) == (4, 1, 1)
        assert (
            led[units["尉犁县"]].total,
            led[units["尉犁县"]].closed,
            led[units["尉犁县"]].overdue,
        ) == (2, 0, 1)
        assert led[units["若羌县"]].total == 0 and led[units["轮台县"]].rate == 0.25
        weekly = figures.weekly_status(s, ids, "工作台账", TODAY)
        assert (weekly[units["轮台县"]], weekly[units["尉犁县"]]) == ("on_time", "missing")
        cases = figures.case_figures(s, ids, NOW)
        lt = cases[units["轮台县"]]
        assert (lt.answered, lt.on_time, lt.open, lt.overdue) == (1, 1, 0, 1)
        camp = campaigns.active_campaign(s)
        missing = figures.missing_deliverables(s, camp.id, {v: k for k, v in units.items()}, NOW)
        assert [(d.deliverable, len(m)) for d, m in missing] == [
            ("联络员名单", 10),
            ("自查自纠阶段总结及相关印证材料", 9),
        ]
        assert "轮台县" not in missing[1][1]
        week = figures.week_counts(s, ids, TODAY, TODAY)
        assert week == {"new": 6, "progressed": 1, "closed": 1, "overdue": 0}
    assert percent(1, 4) == "25%" and percent(0, 0) == "—"


def test_the_summary_reads_in_chinese(filled: Database) -> None:
    from bot.usecases.summary import campaign_summary
    from locales import Translator

    with filled.unit_of_work() as s:
        text, rows = campaign_summary(s, campaigns.active_campaign(s), NOW)
    out = Translator.load().text(text, year=2024)
    assert (
        "问题6个，已销号1个（销号率17%），逾期2个；转办件已反馈1件（按时率100%），逾期未反馈1件。"
        in out
    )
    # Monday 10:00, the report due at 18:00: 待报送, not yet 未报送 (the standing rule)
    assert "本周“工作台账”：按时1个，逾期0个，待报送9个（报送时间未到）。" in out
    assert (
        "<b>轮台县</b>：问题4，销号1（25%），逾期1；本周台账按时；转办件反馈1（按时率100%），逾期1"
        in out
    )
    assert len(rows) == 10


def header_row(sheet: Any) -> int:
    """The row of a sheet's (last) header line: under the title and the form's lines."""
    return next(r[0].row for r in sheet.iter_rows(max_row=10) if r[0].value in ("序号", "单位"))


def test_the_workbook_reads_back_with_the_documents_headers(
    filled: Database, tmp_path: Path
) -> None:
    path = tmp_path / "out.xlsx"
    with filled.unit_of_work() as s:
        rows = write_workbook(s, campaigns.active_campaign(s), str(path), Translator.load().text)
    assert rows == 7  # 6 ledger items and 1 progress update
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    seeds = "".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    ledger_sheet = book["问题台账"]
    assert ledger_sheet["A1"].value == f"{CAMPAIGN}问题整改销号台账"
    assert [c.value for c in ledger_sheet[2] if c.value] == [
        "单位（盖章）：",
        "填报人：",
        "填报时间：      年    月    日",
    ]
    assert header_row(ledger_sheet) == 3
    headers = [c.value for c in ledger_sheet[3]]
    assert headers == ["序号", "单位", "编号", *SEED_001, "状态", "最新进展"]
    assert all(h in seeds for h in SEED_001)
    cases = book["转办件登记办理台账"]
    assert [c.value for c in cases[2] if c.value] == [
        "单位（盖章）：",
        "填报时间：      年    月    日",
    ]
    groups = {c.value: c.column for c in cases[3] if c.value}
    assert groups["问题接收登记"] == 2 and groups["办理情况"] == 11  # seed 003, annex 3
    annex_3 = [cases.cell(4, c).value for c in range(2, 19)]
    assert annex_3 == [*ANNEX_3[1:10], *ANNEX_3[10:18]]  # under the two groups, in order
    assert all(h in seeds for h in annex_3)
    assert {"A3:A4", "B3:J3", "K3:R3", "S3:S4"} <= {str(r) for r in cases.merged_cells.ranges}
    annex_5 = book["问题整改表"]  # 发现问题数 / 其中 / 自查发现 …, as the seed has them
    levels = [[c.value for c in annex_5[r]] for r in range(3, 7)]
    assert levels[0][:4] == [
        "单位",
        "项目名称",
        "开展督导检查情况",
        "发现本行业本系统本领域问题和整改情况",
    ]
    assert levels[1][2:4] == ["县级累计次数", "发现问题数"] and levels[1][7] == "完成整改问题数"
    assert levels[2][3:5] == ["小计", "其中"]
    assert levels[3][4:7] == ["自查发现", "派驻纪检组发现移交", "其他部门移交"]
    assert all(h in seeds for row in levels for h in row if h)
    annex_4 = book["工作进展表"]
    assert annex_4["D3"].value == "解决群众急难愁盼、为群众办实事情况"
    assert [annex_4["D4"].value, annex_4["E4"].value] == ["件数", "典型事例"]
    first = {h: c.value for h, c in zip(headers, ledger_sheet[4], strict=False)}
    assert first["单位"] == "轮台县" and first["编号"] == "轮台-001" and first["状态"] == "整改中"
    assert first["办结时间"] == datetime(2024, 4, 30) and ledger_sheet["H4"].is_date
    # a late update says why and until when, wherever it is shown
    assert first["最新进展"] == "资金未到位（滞后原因：资金；新的计划完成日期：6月1日（周六））"
    assert {h: c.value for h, c in zip(headers, ledger_sheet[5], strict=False)}["最新进展"] is None
    assert ledger_sheet.freeze_panes == "A4"
    assert ledger_sheet.print_title_rows == "$3:$3"  # the header on every printed page
    setup = ledger_sheet.page_setup  # A4 landscape, one page wide (1 is fitToWidth's default)
    assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == (
        "landscape",
        9,
        1,
        0,
    )
    assert ledger_sheet.sheet_properties.pageSetUpPr.fitToPage
    assert ledger_sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ledger_sheet.column_dimensions["D"].width >= 10
    report = book["报送情况"]
    rows_ = {r[0].value: [c.value for c in r[1:]] for r in report.iter_rows(min_row=4)}
    assert isinstance(rows_["自查自纠阶段总结及相关印证材料"][2], datetime)  # 轮台县: a real time
    assert rows_["联络员名单"][2] == "未报送"
    case_row = [c.value for c in cases[5]]
    assert case_row[7] == "逾期未回迁" and case_row[17] == "是"
    progress = [c.value for c in book["整改进展"][4]]
    assert progress[:5] == ["轮台县", "轮台-001", "违规评估", datetime(2024, 5, 6), "进度滞后"]
    assert progress[5] == "资金未到位"  # 整改进展, then its reason and new date in their columns
    assert (progress[7], progress[8]) == ("资金", datetime(2024, 6, 1))
    assert book["工作进展表"]["C5"].value == "已销号0个问题"


def test_the_export_speaks_the_language_it_is_given(filled: Database, tmp_path: Path) -> None:
    path = tmp_path / "en.xlsx"
    tr = Translator.load()
    with filled.unit_of_work() as s:
        write_workbook(s, campaigns.active_campaign(s), str(path), lambda m: tr.text(m, "en"))
    sheet = load_workbook(path)["问题台账"]
    assert sheet["A1"].value == f"{CAMPAIGN}: problem ledger"
    assert sheet["K4"].value == "being rectified" == tr.text(status_msg("open"), "en")
    assert sheet.oddFooter.center.text == "Page &P of &N"


def test_chart_data_per_unit_and_per_week(filled: Database) -> None:
    from bot.usecases.summary import campaign_summary, weekly_shares

    with filled.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        _, rows = campaign_summary(s, camp, NOW)
        units = {u.name: u.id for u in s.exec(select(Unit))}
        lt, yl = units["轮台县"], units["尉犁县"]
        later = Stamp(NOW, 1)
        for unit, day, on_time in (
            (yl, TODAY - timedelta(weeks=1), False),  # 29 April: late
            (lt, TODAY - timedelta(weeks=1), True),
            (lt, TODAY - timedelta(weeks=2), True),  # 22 April
        ):
            submissions.record_submission(
                s,
                unit_id=unit,
                stamp=later,
                on_time=on_time,
                report_name="工作台账",
                period_start=day,
            )
        counts = figures.weekly_counts(s, list(units.values()), "工作台账")
        camp.loaded_at = datetime(2024, 4, 16, tzinfo=UTC)  # a Tuesday: the week after counts
        weeks = weekly_shares(s, camp, NOW + timedelta(hours=9))  # 6 May 19:00: its week is due
    assert counts == {
        date(2024, 4, 22): (1, 0),
        date(2024, 4, 29): (1, 1),
        date(2024, 5, 6): (1, 0),
    }
    assert [(w.day, w.on_time, w.late, w.units, w.share) for w in weeks] == [
        (date(2024, 4, 22), 1, 0, 10, 0.1),
        (date(2024, 4, 29), 1, 1, 10, 0.1),
        (date(2024, 5, 6), 1, 0, 10, 0.1),
    ]
    bars, left_out = problem_bars(rows)
    assert [(b.name, b.overdue, b.open, b.closed) for b in bars[:3]] == [
        ("轮台县", 1, 2, 1),  # 4 problems: 1 overdue, 2 still open, 1 closed
        ("尉犁县", 1, 1, 0),  # the same overdue: fewer open, so after
        ("库尔勒市", 0, 0, 0),  # then the campaign's order
    ]
    assert [b.name for b in bars[3:]] == [
        u for u in UNITS if u not in ("库尔勒市", "轮台县", "尉犁县")
    ]
    assert left_out == 0
    few, more = problem_bars(rows, limit=4)
    assert [b.name for b in few] == ["轮台县", "尉犁县", "库尔勒市", "若羌县"] and more == 6


def test_report_weeks_run_from_the_start_to_the_last_week_due() -> None:
    report = RecurringSpec("工作台账", 0, time(18, 0))
    cst = ZoneInfo("Asia/Shanghai")
    span = CampaignSpan(date(2024, 2, 1), datetime(2024, 3, 1, tzinfo=cst))
    at = datetime(2024, 2, 19, 17, 0, tzinfo=cst)  # Monday 19 Feb, before its 18:00
    assert report_weeks(report, since=date(2024, 1, 10), span=span, now=at, tz=cst) == [
        date(2024, 2, 5),
        date(2024, 2, 12),
    ]
    after = at + timedelta(hours=2)
    assert report_weeks(report, since=date(2024, 2, 13), span=span, now=after, tz=cst) == [
        date(2024, 2, 19)  # loaded on a Tuesday: counted from the next Monday
    ]
    over = datetime(2024, 6, 1, tzinfo=cst)  # the campaign ended on 29 Feb
    assert report_weeks(report, since=date(2024, 1, 1), span=span, now=over, tz=cst)[-1] == date(
        2024, 2, 26
    )


def chart_words(left_out: str = "") -> ChartWords:
    return ChartWords(
        problems_title="各单位问题整改情况（按逾期问题数排序）",
        overdue="逾期",
        open="整改中",
        closed="已销号",
        problems_axis="问题数（个）",
        weeks_title="“工作台账”每周按时报送率",
        on_time="按时报送",
        reported="已报送（含逾期）",
        share_axis="占应报单位",
        nothing="暂无数据",
        day=lambda d: f"{d.month}月{d.day}日",
        left_out=left_out,
    )


BARS = [
    UnitBar("轮台县", 2, 3, 1),
    UnitBar("尉犁县", 1, 0, 4),
    UnitBar("库尔勒经济技术开发区", 0, 0, 0),
]
WEEKS = [WeekShare(date(2024, 4, 22), 3, 0, 10), WeekShare(date(2024, 4, 29), 5, 2, 10)]


def test_the_chart_draws_one_stacked_bar_per_unit_on_a_whole_number_axis() -> None:
    fig = summary_figure(BARS, WEEKS, chart_words())
    bars_ax, weeks_ax = fig.axes
    stacks = bars_ax.containers
    assert [c.get_label() for c in stacks] == ["逾期", "整改中", "已销号"]
    assert [[p.get_width() for p in c] for c in stacks] == [[2, 1, 0], [3, 0, 0], [1, 4, 0]]
    assert [p.get_x() for p in stacks[2]] == [5, 1, 0]  # 已销号 starts after the other two
    assert [t.get_text() for t in bars_ax.get_yticklabels()] == [b.name for b in BARS]
    fig.canvas.draw()
    ticks = [t for t in bars_ax.get_xticks() if 0 <= t <= 6]
    assert ticks and all(float(t).is_integer() for t in ticks)  # no 0.2 of a problem
    on_time, reported = weeks_ax.lines
    assert list(on_time.get_ydata()) == [30.0, 50.0] and list(reported.get_ydata()) == [30.0, 70.0]
    assert [t.get_text() for t in weeks_ax.get_xticklabels()] == ["4月22日", "4月29日"]
    png = summary_chart(BARS, WEEKS, chart_words())
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.size == (960, round(120 * (max(2.4, 0.32 * 3 + 1.4) + 3.0)))
    assert len(image.convert("L").getcolors(2**16) or []) > 20
    empty = summary_figure([], [], chart_words())
    assert [t.get_text() for ax in empty.axes for t in ax.texts] == ["暂无数据", "暂无数据"]


def test_the_chart_is_drawn_with_a_font_that_has_the_glyphs() -> None:
    from matplotlib import ft2font

    font = ft2font.FT2Font(str(FONT_PATH))
    words = chart_words()
    used = "".join(
        [words.problems_title, words.weeks_title, words.reported, *(b.name for b in BARS)]
    )
    assert all(font.get_char_index(ord(ch)) for ch in used if ord(ch) > 0x2E7F)
