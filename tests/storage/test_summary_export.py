"""Summary figures from a known fixture, number by number; the workbook read back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.serve.campaign_file import TEMPLATES
from bot.telegram.chart import FONT_PATH, closure_chart
from storage import campaigns, ledger, submissions
from storage import cases as case_store
from storage import summary as figures
from storage.audit import Stamp
from storage.db import Database
from storage.export import SHEETS, write_workbook
from storage.models import Unit
from workflows.campaign import read_campaign_yaml
from workflows.ledger import ItemChanges, LedgerSpec, Progress, item_columns
from workflows.summary import percent

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
        week = figures.week_changes(s, ids, TODAY, TODAY)
        assert week == {"new": 6, "progressed": 1, "closed": 1, "overdue": 0}
    assert percent(1, 4) == "25%" and percent(0, 0) == "—"


def test_the_summary_reads_in_chinese(filled: Database) -> None:
    from bot.handlers.summary import campaign_summary
    from locales import Translator

    with filled.unit_of_work() as s:
        text, rows = campaign_summary(s, campaigns.active_campaign(s), NOW)
    out = Translator.load().text(text, year=2024)
    assert (
        "问题6个，已销号1个（销号率17%），逾期2个；转办件已反馈1件（按时率100%），逾期未反馈1件。"
        in out
    )
    assert "本周“工作台账”：按时1个，逾期0个，未报送9个。" in out
    assert (
        "<b>轮台县</b>：问题4，销号1（25%），逾期1；本周台账按时；转办件反馈1（按时率100%），逾期1"
        in out
    )
    assert len(rows) == 10


def test_the_workbook_reads_back_with_the_documents_headers(
    filled: Database, tmp_path: Path
) -> None:
    path = tmp_path / "out.xlsx"
    with filled.unit_of_work() as s:
        rows = write_workbook(s, campaigns.active_campaign(s), str(path))
    assert rows == 7  # 6 ledger items and 1 progress update
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    seeds = "".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    ledger_sheet = book["问题台账"]
    headers = [c.value for c in ledger_sheet[1]]
    seed_001 = [
        "突出问题名称",
        "主要案情",
        "问题分类",
        "处置措施预案",
        "办结时间",
        "牵头部门及责任人员",
        "备注",
    ]
    assert headers == ["序号", "单位", "编号", *seed_001, "状态", "最新进展"]
    assert all(h in seeds for h in seed_001)
    annex_3 = [c.value for c in book["转办件登记办理台账"][1]][:19]
    assert all(h in seeds for h in annex_3) and annex_3[7] == "问题内容简要"
    annex_5 = [c.value for c in book["问题整改表"][1]][3:]
    assert annex_5 == ["小计", "自查发现", "派驻纪检组发现移交", "其他部门移交", "完成整改问题数"]
    assert all(h in seeds for h in annex_5)
    assert all(h in seeds for h in [c.value for c in book["工作进展表"][1]][1:])
    first = {h: c.value for h, c in zip(headers, ledger_sheet[2], strict=False)}
    assert first["单位"] == "轮台县" and first["编号"] == "轮台-001" and first["状态"] == "整改中"
    assert first["办结时间"] == datetime(2024, 4, 30) and ledger_sheet["H2"].is_date
    assert first["最新进展"] == "资金未到位"
    assert ledger_sheet.freeze_panes == "A2"
    assert ledger_sheet.column_dimensions["D"].width >= 10
    report = book["报送情况"]
    rows_ = {r[0].value: [c.value for c in r[1:]] for r in report.iter_rows(min_row=2)}
    assert isinstance(rows_["自查自纠阶段总结及相关印证材料"][2], datetime)  # 轮台县: a real time
    assert rows_["联络员名单"][2] == "未报送"
    case_row = [c.value for c in book["转办件登记办理台账"][2]]
    assert case_row[7] == "逾期未回迁" and case_row[17] == "是"
    progress = [c.value for c in book["整改进展"][2]]
    assert progress[:5] == ["轮台县", "轮台-001", "违规评估", datetime(2024, 5, 6), "进度滞后"]


def test_the_chart_is_drawn_with_a_font_that_has_the_glyphs() -> None:
    from matplotlib import ft2font

    png = closure_chart(
        ["轮台县", "尉犁县", "库尔勒经济技术开发区"],
        [0.25, 0.0, 1.0],
        [1, 1, 0],
        title="各单位销号率与逾期问题",
        rate_label="销号率（%）",
        overdue_label="逾期问题（个）",
    )
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    font = ft2font.FT2Font(str(FONT_PATH))
    assert all(
        font.get_char_index(ord(ch))
        for ch in "各单位销号率与逾期问题轮台县尉犁库尔勒经济技术开发区"
    )
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.size[0] >= 700 and len(set(image.convert("L").getdata())) > 20
