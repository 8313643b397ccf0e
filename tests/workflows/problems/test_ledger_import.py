"""Reading people's ledger workbooks: the header found, every cell read or its problem named."""

from __future__ import annotations

import io
import random
from dataclasses import replace

import xlwt
from openpyxl import Workbook

from locales import Translator
from tests.workbooks import peoples_ledger, saved, simple_ledger
from workflows.problems.ledger import LedgerSpec
from workflows.problems.ledger_import import (
    EVIDENCE,
    PASS,
    READ,
    ImportRow,
    Known,
    KnownItems,
    LedgerTarget,
    Problem,
    UploadSeen,
    problem_line,
    read_book,
    route_upload,
    tally,
)
from workflows.problems.workbook import WorkbookRefused, open_book

CATEGORIES = ("房屋评估环节", "征收补偿环节", "依法行政环节")
TARGET = LedgerTarget("轮台县", ("库尔勒市", "轮台县", "尉犁县"), LedgerSpec(), CATEGORIES, 2024)
tr = Translator.load()


def read(content: bytes, known: KnownItems | None = None) -> list:
    with open_book(content, "台账.xlsx") as book:
        return list(read_book(book.sheets, TARGET, known or KnownItems()))


def refusal(content: bytes, **kw) -> str:
    try:
        open_book(content, "台账.xlsx", **kw)
    except WorkbookRefused as err:
        return tr.text(err.message)
    raise AssertionError("the file was read")


def test_a_ledger_as_people_write_it_reads_row_by_row() -> None:
    events = read(peoples_ledger())
    assert all(isinstance(e, ImportRow) for e in events), [tr.text(problem_line(e)) for e in events]
    assert [(e.row, e.name) for e in events] == [
        (5, "团结路棚改项目未按期回迁"),
        (6, "过渡安置费拖欠"),
        (8, "评估报告未送达"),
        (9, "违规强拆"),
    ]
    assert [e.values["due_on"] for e in events] == ["2024-06-30"] * 3 + ["2024-09-30"]
    first = events[1].values
    assert first["measures"] == "督促补发" and first["category"] == "征收补偿环节"
    assert first["lead"] == "县财政局 李四" and first["remarks"] == "已部分补发"
    assert first["summary"] == "拖欠8户过渡费" and all(e.is_new for e in events)


def test_every_problem_is_named_by_sheet_row_and_column() -> None:
    content = simple_ledger(
        [
            (1, "甲问题", "案情", "征收补偿环节", "措施", "6月31日", "住建局", ""),
            (2, "乙问题", "案情", "拆迁环节", "措施", "2024-07-01", "住建局", ""),
            (3, "丙问题", "案情", "征收补偿环节", "措施", "=DATE(2024,6,30)", "住建局", ""),
            (4, None, "只有案情", "征收补偿环节", "措施", None, None, None),
            (5, "丁问题", "案情", "依法行政环节", "措施", "长期坚持", "住建局", ""),
        ]
    )
    lines = [tr.text(problem_line(e)) for e in read(content) if isinstance(e, Problem)]
    assert lines == [
        "工作表“问题台账”第2行 F列“办结时间”：无法识别的日期“6月31日”",
        "工作表“问题台账”第3行 D列“问题分类”：“拆迁环节”不在本行动的问题分类中"
        "（房屋评估环节、征收补偿环节、依法行政环节）",
        "工作表“问题台账”第4行 F列“办结时间”：此处应为数值，但单元格是公式 =DATE(2024,6,30)。"
        "请复制后“选择性粘贴→数值”",
        "工作表“问题台账”第5行 B列“突出问题名称”：不能为空",
        "工作表“问题台账”第6行 F列“办结时间”：未能识别日期“长期坚持”，"
        "请按“6月30日”“2024-06-30”或“下周一”这样的格式输入",
    ]
    english = [tr.text(problem_line(e), "en") for e in read(content) if isinstance(e, Problem)]
    assert english[0].startswith("sheet “问题台账” row 2, column F “办结时间”:")


def test_rows_match_items_by_code_else_by_name_and_only_changes_count() -> None:
    base = {"summary": "案情", "category": "征收补偿环节", "measures": "措施", "lead": "住建局"}
    known = KnownItems.of(
        [
            Known(1, "轮台-001", "甲问题", 3, {**base, "name": "甲问题", "due_on": "2024-06-30"}),
            Known(2, "轮台-002", "乙问题", 1, {**base, "name": "乙问题", "due_on": "2024-06-30"}),
        ]
    )
    headers = ("编号", "突出问题名称", "主要案情", "问题分类", "整改措施", "办结时间", "牵头部门")
    content = simple_ledger(
        [
            ("轮台-001", "甲问题（改名）", "案情", "征收补偿环节", "措施", "2024-06-30", "住建局"),
            ("", "乙问题", "案情", "征收补偿环节", "约谈", "2024年8月31日", "住建局"),
            ("", "丙问题", "案情", "征收补偿环节", "措施", "2024-06-30", "住建局"),
        ],
        headers,
    )
    renamed, moved, new = read(content, known)
    assert (renamed.item_id, renamed.version, renamed.values) == (1, 3, {"name": "甲问题（改名）"})
    assert moved.changed == ("处置措施预案", "办结时间") and moved.code == "轮台-002"
    assert new.is_new and new.values["name"] == "丙问题"
    again = read(simple_ledger([("", "甲问题", "案情"), ("轮台-001", "甲问题")], headers), known)
    assert isinstance(again[1], Problem) and "与第2行是同一问题（轮台-001）" in tr.text(
        again[1].message
    )


def test_a_workbook_without_a_ledger_header_is_one_problem() -> None:
    book = Workbook()
    ws = book.active
    rng = random.Random(14)
    for _ in range(10_000):  # ten thousand rows of garbage
        ws.append(["".join(rng.choice("甲乙丙丁xyz0123") for _ in range(8)) for _ in range(6)])
    (only,) = read(saved(book))
    assert tr.text(only.message).startswith("未找到台账的表头：前30行中没有一行同时写有问题名称")


def test_a_ledger_of_garbage_is_read_no_further_than_a_thousand_problems() -> None:
    rng = random.Random(14)
    rows = [[n, f"问题{n}", "x", rng.choice("abc"), "y", "not a date"] for n in range(4_000)]
    t = tally(iter(read(simple_ledger(rows))))
    assert t.stopped and t.problems == 1000 and not t.ready


def test_files_that_are_no_workbook_are_refused_with_the_reason() -> None:
    assert refusal(b"%PDF-1.7 a scanned letter") == (
        "“台账.xlsx”不是 Excel 工作簿。请发送 .xlsx 格式的台账文件。"
    )
    assert "不是 Excel 工作簿" in refusal(b"PK\x03\x04 a zip that is broken")
    encrypted = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le")
    )
    assert "设有打开密码" in refusal(encrypted)
    assert "超过1MB" in refusal(peoples_ledger() + b"\0" * 2**20, max_bytes=2**20)


def test_a_legacy_xls_saved_by_wps_reads_like_an_xlsx() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("问题台账")
    for c, h in enumerate(("序号", "问题名称", "整改措施", "完成时限", "备注")):
        ws.write(1, c, h)
    ws.write(0, 0, "尉犁县问题台账")
    ws.write(2, 0, 1)
    ws.write(2, 1, "安置房漏水")
    ws.write(2, 2, "维修")
    ws.write(2, 3, "2024年7月15日")
    out = io.BytesIO()
    book.save(out)
    (row,) = read(out.getvalue())
    assert row.values == {
        "name": "安置房漏水",
        "measures": "维修",
        "due_on": "2024-07-15",
        "remarks": "",
    }


BASE = UploadSeen(
    name="台账.xlsx",
    sheet=True,
    size=1000,
    forced=False,
    unbound_group=False,
    flow_takes_files=None,
    has_campaign=True,
    may_import=True,
)


def _route(seen: UploadSeen) -> str:
    """The route, or the id of the message that refuses the file."""
    out = route_upload(seen, max_bytes=2**20)
    return out if isinstance(out, str) else out.id


def test_an_upload_is_routed_to_the_open_flow_the_weeks_evidence_or_the_importer():
    assert _route(replace(BASE, unbound_group=True)) == PASS
    assert _route(replace(BASE, flow_takes_files=True)) == PASS  # a waiting step takes a sheet
    assert _route(replace(BASE, flow_takes_files=False, sheet=False)) == PASS
    assert _route(replace(BASE, sheet=False)) == EVIDENCE
    assert _route(BASE) == READ
    assert _route(replace(BASE, flow_takes_files=True, forced=True)) == READ  # /import reads it
    assert _route(replace(BASE, forced=True, sheet=False)) == "workbook.not_a_workbook"
    assert _route(replace(BASE, has_campaign=False)) == "bind.no_campaign"
    assert _route(replace(BASE, may_import=False)) == "ledger_import.who"
    assert _route(replace(BASE, size=2**21)) == "workbook.too_big"
