"""Opening the workbooks people send: .xlsx (and WPS's), legacy .xls, and the ones that are not.

A workbook is read row by row (openpyxl's read-only mode), so memory does not grow with the
file. What cannot be read is refused with the reason, in the person's language: not a
workbook, protected by a password, too large. A cell holding a formula is handed on as a
`Formula`, so the reader can say where a value was expected.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from workflows.messages import Msg, msg

MAX_BYTES = 20 * 1024 * 1024  # bots cannot download larger files from Telegram
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: legacy .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


class WorkbookRefused(Exception):
    """A file that cannot be read as a workbook; carries the localised reason."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.id)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula rather than a value."""

    text: str


Row = tuple[Any, ...]


@dataclass
class Sheet:
    """One worksheet: its name, whether people see it, and its rows numbered from 1."""

    name: str
    hidden: bool
    _source: Any
    _kind: str

    def rows(self) -> Iterator[tuple[int, Row]]:
        """(row number, cell values) for every row, empty ones included."""
        if self._kind == "xls":
            for r in range(self._source.nrows):
                yield r + 1, tuple(_xls_value(c, self._source.book) for c in self._source.row(r))
            return
        self._source.reset_dimensions()  # a writer's stated dimensions may cut columns off
        for n, row in enumerate(self._source.iter_rows(values_only=True), 1):
            yield n, tuple(_xlsx_value(v) for v in row)


class Book:
    """An opened workbook; close it (or use `with`) to free the file."""

    def __init__(self, name: str, sheets: list[Sheet], closer: Any = None) -> None:
        self.name = name
        self.sheets = sheets
        self._closer = closer

    def sheet(self, name: str) -> Sheet | None:
        """A sheet by its name."""
        return next((s for s in self.sheets if s.name == name), None)

    def close(self) -> None:
        """Release the file."""
        if self._closer is not None:
            self._closer()
            self._closer = None

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        return Formula(value)
    if value is None or isinstance(value, str | int | float | bool | datetime | date | time):
        return value
    return Formula(str(getattr(value, "text", value)))  # array and data-table formulas


def _xls_value(cell: Any, book: Any) -> Any:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return int(cell.value) if float(cell.value).is_integer() else cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return cell.value


def open_book(data: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> Book:
    """Open a workbook's bytes, or refuse them saying why."""
    if len(data) > max_bytes:
        raise WorkbookRefused(msg("workbook.too_big", name=name, max_mb=max_bytes // (1024 * 1024)))
    if data.startswith(_OLE):
        if _ENCRYPTED in data[:1_000_000] or _ENCRYPTED in data[-1_000_000:]:
            raise WorkbookRefused(msg("workbook.password", name=name))
        return _open_xls(data, name)
    if not data.startswith(_ZIP):
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name))
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as err:
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name)) from err
    except Exception as err:  # openpyxl's own errors for a zip that is no spreadsheet
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name)) from err
    sheets = [Sheet(ws.title, ws.sheet_state != "visible", ws, "xlsx") for ws in wb.worksheets]
    return Book(name, sheets, wb.close)


def _open_xls(data: bytes, name: str) -> Book:
    """A legacy .xls (BIFF) workbook, as WPS and old Excel save them, through xlrd."""
    import xlrd
    from xlrd.biffh import XLRDError  # where it is defined (the stubs do not re-export it)

    try:
        wb = xlrd.open_workbook(file_contents=data, on_demand=True)
    except XLRDError as err:
        if "encrypted" in str(err).lower():
            raise WorkbookRefused(msg("workbook.password", name=name)) from err
        raise WorkbookRefused(msg("workbook.save_as_xlsx", name=name)) from err
    except Exception as err:  # a compound file that is a Word document, say
        raise WorkbookRefused(msg("workbook.save_as_xlsx", name=name)) from err
    sheets = []
    for i in range(wb.nsheets):
        ws = wb.sheet_by_index(i)
        sheets.append(Sheet(ws.name, bool(ws.visibility), ws, "xls"))
    return Book(name, sheets, wb.release_resources)


def column_letter(index: int) -> str:
    """`0` → `A`, `27` → `AB`: the column as Excel labels it."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def text_of(value: Any) -> str:
    """A cell as text: numbers without a trailing `.0`, line breaks made `\\n`, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time(0):
        value = value.date()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
