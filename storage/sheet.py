"""A sheet of the export laid out as the seeds' forms are, for the screen and for the printer.

Its title over the whole width; the lines the form is signed with (`单位（盖章）：`, `填报人：`,
`填报时间：  年 月 日`); the header, in two or more levels where the form has them (a group
over its columns, a column alone merged down); rows with borders and wrapped text, columns
as wide as their Chinese text needs (up to a limit, then wrapped). Printed on A4 landscape,
shrunk to the page's width, the header rows repeated on every page, `第 N 页 共 M 页` below.

Written row by row in xlsxwriter's constant-memory mode, so memory stays flat however many
rows there are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

# a header: a column's name, or a group's name over its children
Node = str | tuple[str, tuple["Node", ...]]

NARROWEST, WIDEST = 4, 24  # column widths (characters of Latin text; a Chinese one counts 2)
LONG = 22  # a column of running text (主要案情, 整改进展 …): wrapped at this width
DATE, DATETIME, NUMBER = 11, 16, 7
# widths of the documents' columns, set before the rows come (a row's height is worked out
# from them as it is written: constant-memory mode cannot go back to a row)
WIDTHS = {
    "序号": 4,
    "单位": 12,
    "编号": 11,
    "状态": 10,
    "进展情况": 10,
    "报送周": DATE,
    "截止时间": DATETIME,
    "反馈时间": DATETIME,
    "填报时间": DATETIME,
    "受理和收到时间": DATETIME,
    "姓名": 10,
    "职务": 18,
    "联系电话": 14,
    "报送内容": LONG,
    **dict.fromkeys(
        (
            "突出问题名称",
            "主要案情",
            "处置措施预案",
            "整改措施",
            "最新进展",
            "整改进展",
            "整改结果",
            "滞后原因",
            "问题内容简要",
            "拟采取整改措施",
            "办理进展或结果",
            "项目推进情况",
            "典型事例",
            "项目名称",
            "实事名称",
        ),
        LONG,
    ),
}
TITLE_HEIGHT = 32
LINE_HEIGHT = 14.5  # points a line of 10-point Chinese text takes, its leading included
WIDE = 26  # columns past which a sheet no longer shrinks to the page's width, but runs on


@dataclass(frozen=True)
class _Cell:
    """A header cell: where it sits, how far it spans, what it says."""

    row: int
    col: int
    last_row: int
    last_col: int
    text: str


def leaves(nodes: Sequence[Node]) -> list[str]:
    """The columns a header names, left to right."""
    out: list[str] = []
    for n in nodes:
        out.extend([n] if isinstance(n, str) else leaves(n[1]))
    return out


def _depth(nodes: Sequence[Node]) -> int:
    return max((1 if isinstance(n, str) else 1 + _depth(n[1]) for n in nodes), default=1)


def _cells(nodes: Sequence[Node], row: int, col: int, last_row: int) -> list[_Cell]:
    out: list[_Cell] = []
    for n in nodes:
        if isinstance(n, str):
            out.append(_Cell(row, col, last_row, col, n))
            col += 1
        else:
            width = len(leaves(n[1]))
            out.append(_Cell(row, col, row, col + width - 1, n[0]))
            out.extend(_cells(n[1], row + 1, col, last_row))
            col += width
    return out


def text_width(text: str) -> int:
    """How wide a text is in a column's units: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


class CellFormat(Protocol):
    """An xlsxwriter cell format (opaque here: made by `formats`, handed back to writes)."""


class Worksheet(Protocol):
    """What of an xlsxwriter worksheet the sheets use (xlsxwriter ships no types)."""

    merge: list[list[int]]
    row_info: dict[int, object]
    row_sizes: dict[int, object]

    def set_column(self, first: int, last: int, width: float) -> object: ...
    def set_row(self, row: int, height: float) -> object: ...
    def freeze_panes(self, row: int, col: int) -> object: ...
    def write_string(self, row: int, col: int, text: str, fmt: CellFormat) -> object: ...
    def write_blank(self, row: int, col: int, blank: None, fmt: CellFormat) -> object: ...
    def write_number(self, row: int, col: int, number: float, fmt: CellFormat) -> object: ...
    def write_datetime(self, row: int, col: int, at: datetime, fmt: CellFormat) -> object: ...
    def merge_range(
        self, row: int, col: int, last_row: int, last_col: int, text: str, fmt: CellFormat
    ) -> object: ...
    def set_landscape(self) -> object: ...
    def set_margins(self, *, left: float, right: float, top: float, bottom: float) -> object: ...
    def center_horizontally(self) -> object: ...
    def repeat_rows(self, first: int, last: int) -> object: ...
    def repeat_columns(self, first: int, last: int) -> object: ...
    def set_footer(self, footer: str) -> object: ...
    def fit_to_pages(self, width: int, height: int) -> object: ...
    def set_paper(self, paper: int) -> object: ...
    def set_start_page(self, page: int) -> object: ...


class Workbook(Protocol):
    """What of an xlsxwriter workbook the sheets use."""

    def add_worksheet(self, name: str) -> Worksheet: ...
    def add_format(self, properties: dict[str, object]) -> CellFormat: ...


class SheetWriter:
    """A sheet written row by row below its title, its form's lines and its header."""

    def __init__(
        self,
        book: Workbook,
        name: str,
        *,
        title: str,
        lines: Sequence[str],
        header: Sequence[Node],
        footer: str,
        fmt: dict[str, CellFormat],
        widths: dict[str, int] | None = None,
    ) -> None:
        self.ws = book.add_worksheet(name)
        self.fmt = fmt
        columns = leaves(header)
        self.columns = len(columns)
        given = {**WIDTHS, **(widths or {})}
        self.widths = [
            given.get(h, max(NARROWEST, min(text_width(h) + 2, WIDEST))) for h in columns
        ]
        for c, w in enumerate(self.widths):
            self.ws.set_column(c, c, w)
        last = self.columns - 1
        self.ws.set_row(0, TITLE_HEIGHT)
        self._merge(0, 0, 0, last, title, fmt["title"])
        self._lines(1, lines)
        depth = _depth(header)
        first = 2
        self._header(_cells(header, first, 0, first + depth - 1), first, depth)
        self.header_rows = (first, first + depth - 1)
        self.row = first + depth
        self.written = 0  # data rows
        self.ws.freeze_panes(self.row, 0)
        self._print_setup(footer)

    def _merge(
        self, row: int, col: int, last_row: int, last_col: int, text: str, f: CellFormat
    ) -> None:
        """Merge a range whose cells are all in one row, or written here in row order."""
        if (row, col) == (last_row, last_col):
            self.ws.write_string(row, col, text, f)
            return
        self.ws.merge_range(row, col, last_row, last_col, text, f)

    def _lines(self, row: int, lines: Sequence[str]) -> None:
        """The form's lines side by side (`单位（盖章）：` left … `填报时间：` right)."""
        if not lines:
            return
        share = max(1, self.columns // len(lines))
        for i, text in enumerate(lines):
            col = i * share
            last = self.columns - 1 if i == len(lines) - 1 else col + share - 1
            if col > self.columns - 1:
                break
            self._merge(row, col, row, max(col, last), text, self.fmt["line"])

    def _header(self, cells: list[_Cell], first: int, depth: int) -> None:
        """Every header cell in row order: constant-memory mode keeps only the current row, so
        xlsxwriter's merge_range (which writes a merged-down cell's rows at once) cannot be
        used across rows; the cells are written here in order and each range registered as
        merge_range registers it."""
        owner: dict[tuple[int, int], _Cell] = {}
        for c in cells:
            for r in range(c.row, c.last_row + 1):
                for k in range(c.col, c.last_col + 1):
                    owner[(r, k)] = c
        for r in range(first, first + depth):
            lines = max(
                wrapped_lines(c.text, sum(self.widths[c.col : c.last_col + 1]))
                for c in cells
                if c.row == r
            )
            spans = [c for c in cells if c.row == r and c.last_row > r]
            for c in spans:  # a name merged down over rows shares them
                need = wrapped_lines(c.text, self.widths[c.col]) - (c.last_row - r)
                lines = max(lines, need)
            self.ws.set_row(r, LINE_HEIGHT * lines + 4)
            for k in range(self.columns):
                c = owner[(r, k)]
                if (r, k) == (c.row, c.col):
                    self.ws.write_string(r, k, c.text, self.fmt["head"])
                else:
                    self.ws.write_blank(r, k, None, self.fmt["head"])
        for c in cells:
            if (c.row, c.col) != (c.last_row, c.last_col):
                self.ws.merge.append([c.row, c.col, c.last_row, c.last_col])

    def _print_setup(self, footer: str) -> None:
        self.ws.set_paper(9)  # A4
        self.ws.set_landscape()
        self.ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        self.ws.center_horizontally()
        self.ws.repeat_rows(*self.header_rows)
        self.ws.set_footer(f"&C{footer}")
        self.ws.set_start_page(1)  # each sheet is its own document: its pages count from 1
        if self.columns <= WIDE:
            self.ws.fit_to_pages(1, 0)
        else:  # deliverables × many units: the first two columns on every page instead
            self.ws.repeat_columns(0, 1)

    def add(self, values: Sequence[object]) -> None:
        """One row, every cell bordered (an empty one too, so the printed grid is whole), as
        tall as its longest wrapped text."""
        lines = 1
        for c, v in enumerate(values):
            if isinstance(v, datetime):
                self.ws.write_datetime(self.row, c, v.replace(tzinfo=None), self.fmt["datetime"])
            elif isinstance(v, date):
                self.ws.write_datetime(
                    self.row, c, datetime.combine(v, datetime.min.time()), self.fmt["date"]
                )
            elif isinstance(v, int | float) and not isinstance(v, bool):
                self.ws.write_number(self.row, c, v, self.fmt["number"])
            elif v is None or v == "":
                self.ws.write_blank(self.row, c, None, self.fmt["cell"])
            else:
                text = str(v)
                self.ws.write_string(self.row, c, text, self.fmt["cell"])
                lines = max(lines, wrapped_lines(text, self.widths[c] if c < self.columns else 8))
        if lines > 1:
            self.ws.set_row(self.row, LINE_HEIGHT * lines + 3)
        _forget(self.ws, self.row - 1)
        self.row += 1
        self.written += 1


def _forget(ws: Worksheet, row: int) -> None:
    """Drop what xlsxwriter (3.3.1) keeps of a row already on disk: in constant-memory mode it
    writes a row out when the next begins, but keeps every row's height (and a copy for
    placing images) to the end, which would grow memory with the rows."""
    ws.row_info.pop(row, None)
    ws.row_sizes.pop(row, None)


def wrapped_lines(text: str, width: int) -> int:
    """How many lines a text takes in a column `width` wide. A Chinese character of 10-point
    text is about 1.6 units of column width (Excel's and LibreOffice's fonts differ a little);
    counted from the text's UTF-8 length, at the speed of C."""
    return sum(
        max(1, math.ceil((len(line) + 0.3 * (len(line.encode("utf-8")) - len(line))) / width))
        for line in text.split("\n")
    )


def formats(book: Workbook) -> dict[str, CellFormat]:
    """The workbook's cell formats: title, the form's lines, header, cells, numbers, dates."""
    cell = {"border": 1, "text_wrap": True, "valign": "top", "font_size": 10}
    return {
        "title": book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
        ),
        "line": book.add_format({"font_size": 11, "valign": "vcenter"}),
        "head": book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "font_size": 10,
            }
        ),
        "cell": book.add_format(cell),
        "number": book.add_format({**cell, "align": "center"}),
        "date": book.add_format({**cell, "num_format": "yyyy-mm-dd", "align": "center"}),
        "datetime": book.add_format({**cell, "num_format": "yyyy-mm-dd hh:mm", "align": "center"}),
    }
