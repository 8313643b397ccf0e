"""The documents as printed: the export and the circular converted by LibreOffice, pages counted.

LibreOffice (`soffice`), poppler's `pdfinfo`/`pdftotext` and the Noto CJK fonts are Debian
packages that `.ci/run` installs; they stand for Excel, WPS and Word printing the files. Without
them the tests are skipped, naming the packages (`tests/tools.py`).
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from docx import Document
from docx.shared import Pt

from bot.serve.campaign_file import TEMPLATES
from bot.usecases.circular import circular_docx
from locales import Translator
from storage import campaigns, ledger, submissions
from storage import cases as case_store
from storage.audit import Stamp
from storage.db import Database
from storage.export import write_workbook
from tests.storage.test_summary_export import SEED_001
from tests.tools import PRINT, SOFFICE, require
from workflows.campaign import read_campaign_yaml
from workflows.problems.ledger import ItemChanges, LedgerSpec, item_columns

BAZHOU = "自治州房屋拆迁安置补偿领域违纪违法突出问题专项整治"
JINCHENG = "晋城市棚改居民逾期未回迁安置问题整治专项行动"
NOW = datetime(2024, 11, 18, 2, 0, tzinfo=UTC)  # Monday 18 Nov 2024, 10:00 in Beijing


def to_pdf(document: Path) -> Path:
    """Convert with LibreOffice, as an office prints it (a profile of its own per test)."""
    found = require(PRINT)  # skipped (or failed, in CI) without LibreOffice, poppler, fonts
    profile = document.parent / "lo-profile"
    subprocess.run(
        [
            found[SOFFICE.name],
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(document.parent),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return document.with_suffix(".pdf")


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points."""
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return [
        (float(w), float(h))
        for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)
    ]


def page_text(pdf: Path, page: int) -> str:
    """The text of one page."""
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


A4 = (595.3, 841.9)


def is_a4(size: tuple[float, float], *, landscape: bool) -> bool:
    w, h = size
    want = (A4[1], A4[0]) if landscape else A4
    return abs(w - want[0]) < 1 and abs(h - want[1]) < 1


def forty_problems(db: Database) -> None:
    """The seed-000 campaign and a 40-problem ledger over four counties, as liaisons write it."""
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW))
        units = campaigns.units_of(s, camp.id)
        for i in range(40):
            given = {
                "name": f"团结路棚改项目第{i + 1}批安置房逾期未交付",
                "summary": "群众反映安置房逾期两年未交付，过渡安置费自2023年7月起停发，"
                "多次到县信访局反映。",
                "category": "征收补偿环节",
                "measures": "约谈项目单位，倒排工期，督促补发过渡安置费，每周调度一次。",
                "due_on": "2024-06-30",
                "lead": "县住建局 张三",
                "source": "自查发现",
            }
            ledger.create_item(s, units[i % 4], item_columns(given, LedgerSpec()), Stamp(NOW, 1))


def test_a_forty_problem_ledger_prints_on_three_landscape_pages(
    db: Database, tmp_path: Path
) -> None:
    forty_problems(db)
    path = tmp_path / "台账.xlsx"
    with db.unit_of_work() as s:
        write_workbook(s, campaigns.active_campaign(s), str(path), Translator.load().text)
    pdf = to_pdf(path)
    sizes = page_sizes(pdf)
    assert all(is_a4(size, landscape=True) for size in sizes)
    # every sheet begins a page of its own; the ledger's pages are those before 整改进展's
    starts = [n for n in range(1, len(sizes) + 1) if "专项整治整改进展" in page_text(pdf, n)]
    ledger_pages = starts[0] - 1
    # measured: 3 pages (6 portrait pages, 12 columns over 3 pages wide, before the layout);
    # the whole workbook 9 pages (23 before)
    assert ledger_pages == 3, ledger_pages
    assert len(sizes) <= 10, len(sizes)
    first, second = page_text(pdf, 1), page_text(pdf, 2)
    assert f"{BAZHOU}问题整改销号台账" in first and "单位（盖章）：" in first
    assert "第 1 页" in first.replace("第1", "第 1")
    # the header again on page 2, the title not
    for word in ("序号", "突出问题名称", "主要案情", "处置措施预案", "办结时间", "最新进展"):
        assert word in second, word
    assert "问题整改销号台账" not in second
    assert "第 2 页" in re.sub(r"第\s*(\d+)\s*页", r"第 \1 页", second)
    # columns in seed 001's order, after 序号, 单位 and 编号
    header = next(line for line in second.splitlines() if "突出问题名称" in line).split()
    assert header[:9] == ["序号", "单位", "编号", *SEED_001[:6]]


def jincheng_campaign(db: Database) -> None:
    """Seed 003's campaign two weeks before its first checkpoint (2024年底), with units behind."""
    spec = read_campaign_yaml((TEMPLATES / "jincheng-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW - timedelta(days=60)))
        by = {u.name: u for u in campaigns.units_of(s, camp.id)}
        st = Stamp(NOW, 1)
        for unit, name, due in (
            ("泽州县住建局", "金村棚改项目逾期未回迁", "2024-10-31"),
            ("泽州县住建局", "北石店安置房停工", "2024-09-30"),
            ("阳城县住建局", "凤城棚改过渡费拖欠", "2024-11-15"),
            ("阳城县住建局", "西关项目配套未完善", "2025-06-30"),
            ("城区住建局", "钟家庄项目逾期交付", "2024-08-31"),
        ):
            given = {"name": name, "due_on": due, "category": "逾期未回迁安置", "lead": "县住建局"}
            item = ledger.create_item(s, by[unit], item_columns(given, spec.ledger), st)
            if unit == "城区住建局":
                ledger.change_item(
                    s,
                    item,
                    ItemChanges(status="closed", closed_at=NOW - timedelta(days=3)),
                    expected_version=None,
                    action="t",
                    stamp=st,
                )
        for unit, on_time in (("城区住建局", True), ("高平市住建局", False)):
            submissions.record_submission(
                s,
                unit_id=by[unit].id,
                stamp=st,
                on_time=on_time,
                report_name="工作台账、工作进展表及问题整改表",
                period_start=date(2024, 11, 18),
            )
        case_store.create_case(
            s,
            unit_id=by["陵川县住建局"].id,
            text="反映礼义镇安置房漏水",
            reference="",
            stamp=st,
            received_at=NOW - timedelta(days=6),
            due_at=NOW - timedelta(days=2),
        )


def test_the_circular_reads_back_and_prints_on_a4(db: Database, tmp_path: Path) -> None:
    jincheng_campaign(db)
    tr = Translator.load()
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        data = circular_docx(s, camp, NOW, lambda m: tr.text(m, "zh_CN"))
    path = tmp_path / "通报.docx"
    path.write_bytes(data)
    doc = Document(str(path))
    page = doc.sections[0]
    measures = (page.page_width, page.page_height, page.top_margin, page.bottom_margin)
    sides = (page.left_margin, page.right_margin)
    assert [round(m.mm) for m in (*measures, *sides)] == [210, 297, 37, 35, 28, 26]
    texts = [p.text for p in doc.paragraphs]
    title = next(p for p in doc.paragraphs if p.text)
    assert title.text == f"关于{JINCHENG}工作进展情况的通报"
    assert title.runs[0].font.size == Pt(22)
    fonts = title.runs[0]._element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "方正小标宋简体"
    )
    body = next(p for p in doc.paragraphs if p.text.startswith("现将截至"))
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.line_spacing == Pt(28.95)
    headings = [t for t in texts if re.match(r"^[一二三四五六]、", t)]
    assert headings == [
        "一、总体情况",
        "二、各单位整改进展",
        "三、本周台账报送情况",
        "四、转办件办理情况",
        "五、下一时间节点约谈情况",
        "六、得分与排名",
    ]
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert heading.runs[0].font.name == "黑体"
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["单位", "问题数", "未销号", "已销号", "逾期", "销号率", "本周报送"]
    assert rows[1] == ["城区住建局", "1", "0", "1", "0", "100%", "按时"]
    # 10:00 on report day, the deadline at 18:00: not 未报送 yet (the standing rule)
    assert rows[3] == ["泽州县住建局", "2", "2", "0", "2", "0%", "待报送"]
    assert rows[4] == ["高平市住建局", "0", "0", "0", "0", "—", "逾期"]
    assert rows[-1] == ["合计", "5", "4", "1", "3", "20%", ""]
    said = "\n".join(texts)
    assert "逾期报送“工作台账、工作进展表及问题整改表”的单位（1个）：高平市住建局。" in said
    assert "ZB-0001（陵川县住建局）：反映礼义镇安置房漏水。" in said
    assert (
        "按照方案，将在2024年底（2024年12月31日）对未按计划完成整改的县（市、区）进行约谈问责。"
        in said
    )
    assert "截至2024年11月18日，以下2个单位有已超过办结时间仍未销号的问题" in said
    assert (
        "泽州县住建局（2个）：泽州-002 北石店安置房停工（办结时间2024年9月30日）、"
        "泽州-001 金村棚改项目逾期未回迁（办结时间2024年10月31日）。" in said
    )
    assert "阳城县住建局（1个）：阳城-001 凤城棚改过渡费拖欠（办结时间2024年11月15日）。" in said
    assert "西关项目配套未完善" not in said  # due in 2025: not behind
    assert texts[-1] == "2024年11月18日"
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text == "— 1 —"  # the PAGE field's last value; Word and LibreOffice update it
    pdf = to_pdf(path)
    sizes = page_sizes(pdf)
    # four pages at most: 六、得分与排名 adds the ranking table of the campaign's units
    assert 1 <= len(sizes) <= 4 and all(is_a4(size, landscape=False) for size in sizes)
    assert "—1—" in page_text(pdf, 1).replace(" ", "")
    if len(sizes) > 1:
        assert "—2—" in page_text(pdf, 2).replace(" ", "")
    assert "泽州县住建局" in page_text(pdf, 1)  # the unit column holds a name on one line
