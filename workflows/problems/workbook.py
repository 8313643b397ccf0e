"""Opening the workbooks people send: .xlsx (and WPS's), legacy .xls, and the ones that are not.

A workbook is read row by row (openpyxl's read-only mode), so memory does not grow with the
file. What cannot be read is refused with the reason, in the person's language: not a
workbook, protected by a password, too large. A cell holding a formula is handed on as a
`Formula`, so the reader can say where a value was expected.

A small file can unpack into a huge one (a zip bomb), and openpyxl keeps every shared string
in memory: before anything is parsed, the zip's directory gives each part's unpacked size
(Python's zipfile never inflates a part past the size its directory states) and the shared
strings are counted as they stream by. While reading, rows, columns and time are capped, so
one file can neither fill the memory nor hold a reader for minutes; each cap is said in the
refusal.
"""

from __future__ import annotations

import io
import re
import time as clock
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import TYPE_CHECKING, TypeAlias

from workflows.clean import clean_text
from workflows.messages import Msg, msg

if TYPE_CHECKING:  # both readers are imported when a workbook of theirs is opened
    import xlrd
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_BYTES = 20 * 1024 * 1024  # bots cannot download larger files from Telegram
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: legacy .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_MACROS = "_VBA_PROJECT".encode("utf-16-le")  # the storage an .xls with macros carries

# unpacked: a sheet (openpyxl scans it whole on opening), the shared strings, the styles
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_UNPACKED = 64 * 1024 * 1024  # unpacked, all parts together (pictures included)
MAX_STRINGS = 200_000  # distinct texts in the shared-strings table
MAX_ROWS = 5_000  # rows of a sheet that hold a value: a unit's ledger is far shorter
MAX_COLUMNS = 100  # a ledger has a dozen columns; 100 leaves room for notes
MAX_PARTS = 10_000  # parts in the zip: a workbook has dozens
READ_SECONDS = 60.0  # one workbook read, all its sheets
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


class WorkbookRefused(Exception):
    """A file that cannot be read as a workbook; carries the localised reason."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.id)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula rather than a value."""

    text: str


# a cell's value as read: text (cleaned), a number, a truth, a date or time, a formula, empty
Cell: TypeAlias = str | int | float | bool | datetime | date | time | Formula | None
Row = tuple[Cell, ...]


class Budget:
    """The caps of one read, shared by its sheets: the time it may take."""

    def __init__(self, name: str, seconds: float = READ_SECONDS) -> None:
        self.name = name
        self.seconds = seconds
        self.ends = clock.monotonic() + seconds

    def check(self) -> None:
        """Refuse the workbook once its read has taken longer than allowed."""
        if clock.monotonic() > self.ends:
            raise WorkbookRefused(
                msg("limits.workbook.too_slow", name=self.name, seconds=int(self.seconds))
            )


@dataclass
class Sheet:
    """One worksheet: its name, whether people see it, and its rows numbered from 1."""

    name: str
    hidden: bool
    _read: Callable[[], Iterator[tuple[int, Row]]]  # every row, numbered from 1
    _budget: Budget | None = None

    def rows(self) -> Iterator[tuple[int, Row]]:
        """(row number, cell values) for every row, empty ones included; a sheet past the caps
        (rows, columns, time) is refused where it passes them."""
        for n, row in self._read():
            if n % 256 == 0 and self._budget is not None:
                self._budget.check()
            if len(row) > MAX_COLUMNS and any(v is not None for v in row[MAX_COLUMNS:]):
                raise self._refused("limits.workbook.too_wide", max_columns=MAX_COLUMNS)
            if n > MAX_ROWS and any(v is not None for v in row):
                raise self._refused("limits.workbook.too_long", max_rows=MAX_ROWS)
            yield n, row

    def _refused(self, key: str, **values: object) -> WorkbookRefused:
        name = self._budget.name if self._budget is not None else ""
        return WorkbookRefused(msg(key, name=name, sheet=self.name, **values))


def _xls_rows(ws: xlrd.sheet.Sheet, book: xlrd.Book) -> Iterator[tuple[int, Row]]:
    for r in range(ws.nrows):
        cells = ws.row_slice(r, 0, MAX_COLUMNS + 1)
        yield r + 1, tuple(_xls_value(c, book) for c in cells)


def _xlsx_rows(ws: ReadOnlyWorksheet) -> Iterator[tuple[int, Row]]:
    ws.reset_dimensions()  # a writer's stated dimensions may cut columns off
    # one column past the cap is read, to see whether the sheet goes further: a cell far
    # to the right (XFD) would otherwise pad every row to 16,384 values
    # (the stubs give ReadOnlyWorksheet the method of Worksheet, which it is not a subclass of)
    rows = ws.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)  # type: ignore[misc]
    for n, row in enumerate(rows, 1):
        yield n, tuple(_xlsx_value(v) for v in row)


class Book:
    """An opened workbook; close it (or use `with`) to free the file."""

    def __init__(
        self, name: str, sheets: list[Sheet], closer: Callable[[], None] | None = None
    ) -> None:
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


def _xlsx_value(value: object) -> Cell:
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        return Formula(value)
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, str | int | float | bool | datetime | date | time):
        return value
    return Formula(str(getattr(value, "text", value)))  # array and data-table formulas


def _xls_value(cell: xlrd.sheet.Cell, book: xlrd.Book) -> Cell:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(float(cell.value), book.datemode)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return int(cell.value) if float(cell.value).is_integer() else cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return clean_text(cell.value) if isinstance(cell.value, str) else cell.value


def open_book(data: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> Book:
    """Open a workbook's bytes, or refuse them saying why; nothing is parsed before the
    sizes the file would unpack to are known to fit."""
    if len(data) > max_bytes:
        raise WorkbookRefused(msg("workbook.too_big", name=name, max_mb=max_bytes // (1024 * 1024)))
    budget = Budget(name)
    if data.startswith(_OLE):
        if _ENCRYPTED in data[:1_000_000] or _ENCRYPTED in data[-1_000_000:]:
            raise WorkbookRefused(msg("workbook.password", name=name))
        if _MACROS in data:
            raise WorkbookRefused(msg("limits.workbook.macros", name=name))
        return _open_xls(data, name, budget)
    if not data.startswith(_ZIP):
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name))
    _check_zip(data, name)
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as err:
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name)) from err
    except Exception as err:  # openpyxl's own errors for a zip that is no spreadsheet
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name)) from err
    sheets = [  # read-only: every worksheet is read as it streams by
        Sheet(ws.title, ws.sheet_state != "visible", partial(_xlsx_rows, ws), budget)
        for ws in wb.worksheets
        if isinstance(ws, ReadOnlyWorksheet)
    ]
    return Book(name, sheets, wb.close)


def _zip_entries(data: bytes) -> int:
    """How many parts the zip's end record says it holds (65,535: a zip64 that may hold more)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0
    return int.from_bytes(data[end + 10 : end + 12], "little")


def _check_zip(data: bytes, name: str) -> None:
    """Refuse a zip whose parts would unpack too large, that carries macros, or whose shared
    strings are too many; before openpyxl reads any of it."""
    mb = 1024 * 1024
    too_big = WorkbookRefused(
        msg("limits.workbook.unpacks_too_big", name=name, max_mb=MAX_UNPACKED // mb)
    )
    if _zip_entries(data) > MAX_PARTS:
        raise too_big
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED:
                raise too_big
            if any(p.file_size > MAX_PART_BYTES for p in parts):
                raise too_big
            if any(p.filename.lower().endswith("vbaproject.bin") for p in parts):
                raise WorkbookRefused(msg("limits.workbook.macros", name=name))
            texts = [p for p in parts if p.filename.lower().endswith("sharedstrings.xml")]
            if any(_strings_in(z, part) > MAX_STRINGS for part in texts):
                raise WorkbookRefused(
                    msg("limits.workbook.too_many_texts", name=name, max=MAX_STRINGS)
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as err:
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name)) from err
    except (RuntimeError, NotImplementedError) as err:  # an encrypted or unknown-method part
        raise WorkbookRefused(msg("workbook.not_a_workbook", name=name)) from err


def _strings_in(z: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    """The shared strings a part holds, counted as it streams by (stops past the cap)."""
    count, carry = 0, b""
    with z.open(part) as stream:
        while chunk := stream.read(1024 * 1024):
            buf = carry + chunk
            count += sum(1 for m in _STRING.finditer(buf) if m.end() > len(carry))
            if count > MAX_STRINGS:
                break
            carry = buf[-64:]
    return count


def _open_xls(data: bytes, name: str, budget: Budget) -> Book:
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
        sheets.append(Sheet(ws.name, bool(ws.visibility), partial(_xls_rows, ws, wb), budget))
    return Book(name, sheets, wb.release_resources)


def column_letter(index: int) -> str:
    """`0` → `A`, `27` → `AB`: the column as Excel labels it."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def text_of(value: object) -> str:
    """A cell as text: numbers without a trailing `.0`, line breaks made `\\n`, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time(0):
        value = value.date()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
