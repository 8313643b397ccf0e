"""Workbooks written the way people write their ledgers, made with openpyxl in the tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook

from workflows.problems.ledger import DEFAULT_FIELDS

SEED_001 = ("序号", *(f.name for f in DEFAULT_FIELDS))  # seed 001's ledger columns


def saved(book: Workbook) -> bytes:
    """The workbook's bytes, as a file sent to the bot."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def peoples_ledger() -> bytes:
    """轮台县's own ledger, as a county keeps it in WPS.

    A title row and a 填报单位 line above a two-row header: 序号, 突出问题名称 (with a line break
    and a full-width space), 主要案情 and 问题分类 merged down across both rows; 整改情况 merged
    across two columns over 整改措施 and 完成时限 (the county's words for 处置措施预案 and
    办结时间); the dates typed as text the way WPS users do; an empty row in the middle; a 合计
    row at the end.
    """
    book = Workbook()
    ws = book.active
    ws.title = "问题台账"
    ws["A1"] = "轮台县房屋征收领域突出问题整改台账"
    ws.merge_cells("A1:H1")
    ws["A2"] = "填报单位（盖章）：轮台县住建局　　　　填报时间：2024年1月8日"
    ws.merge_cells("A2:H2")
    for col, text in zip(
        "ABCD", ("序　号", "突出问题\n名称", "主要案情", "问题　分类"), strict=True
    ):
        ws[f"{col}3"] = text
        ws.merge_cells(f"{col}3:{col}4")
    ws["E3"] = "整改情况"
    ws.merge_cells("E3:F3")
    ws["E4"], ws["F4"] = "整改措施", "完成时限"
    ws["G3"] = "牵头部门及\n责任人员"
    ws.merge_cells("G3:G4")
    ws["H3"] = "备注"
    ws.merge_cells("H3:H4")
    rows: list[Sequence[Any]] = [
        (
            1,
            "团结路棚改项目未按期回迁",
            "逾期两年未回迁",
            "征收补偿环节",
            "约谈项目单位",
            "2024年6月30日",
            "县住建局 张三",
            "",
        ),
        (
            2,
            "过渡安置费拖欠",
            "拖欠8户过渡费",
            "征收补偿环节",
            "督促补发",
            "6月30日",
            "县财政局 李四",
            "已部分补发",
        ),
        (),
        (
            3,
            "评估报告未送达",
            "未向被征收人送达",
            "房屋评估环节",
            "限期送达",
            "2024.6.30",
            "县住建局 王五",
            "",
        ),
        (
            4,
            "违规强拆",
            "未经裁决强拆",
            "依法行政环节",
            "立案调查",
            date(2024, 9, 30),
            "县纪委监委",
            "",
        ),
        ("合计", "4个问题", None, None, None, None, None, None),
    ]
    for r, values in enumerate(rows, 5):
        for c, v in enumerate(values, 1):
            ws.cell(r, c, v)
    return saved(book)


def simple_ledger(rows: Sequence[Sequence[Any]], headers: Sequence[str] = SEED_001) -> bytes:
    """A plain ledger: the header in row 1, then the rows."""
    book = Workbook()
    ws = book.active
    ws.title = "问题台账"
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    return saved(book)


def rows_of(content: bytes, sheet: str) -> list[list[Any]]:
    """A sheet's rows as values (for reading what the bot sent)."""
    book = load_workbook(io.BytesIO(content))
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]
