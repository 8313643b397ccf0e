"""Hostile workbooks, made small on disk: each is a real .xlsx (or .xls) rewritten the way an
attacker would rewrite it, so the tests stay fast and the files stay a few MB at most."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from openpyxl import Workbook

from tests.workbooks import SEED_001, saved

XFD = 16_384  # Excel's last column


def _ledger(rows: int = 3) -> Workbook:
    book = Workbook()
    ws = book.active
    ws.title = "问题台账"
    ws.append(SEED_001)
    for n in range(1, rows + 1):
        ws.append([n, f"问题{n}", "案情", "征收补偿环节", "约谈", "2024-06-30", "住建局", ""])
    return book


def rewritten(content: bytes, parts: dict[str, Callable[[zipfile.ZipFile], None] | bytes]) -> bytes:
    """The workbook with some parts replaced (bytes) or written by a function (streamed)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            if info.filename not in parts:
                dst.writestr(info, src.read(info.filename))
        for name, part in parts.items():
            if isinstance(part, bytes):
                dst.writestr(name, part)
            else:
                part(dst)
    return out.getvalue()


def _strings(name: str, count: int) -> Callable[[zipfile.ZipFile], None]:
    """A sharedStrings.xml of `count` copies of `<si><t>AB</t></si>`, streamed in."""

    def write(z: zipfile.ZipFile) -> None:
        with z.open(name, "w", force_zip64=True) as part:
            head = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            part.write(head.encode())
            block = b"<si><t>AB</t></si>" * 10_000
            for _ in range(count // 10_000):
                part.write(block)
            part.write(b"</sst>")

    return write


def shared_strings_bomb(copies: int = 3_000_000) -> bytes:
    """The probe's file, scaled: `copies` shared strings (3,000,000 unpack to 51 MB from about
    0.15 MB; the probe's 30,000,000 to 510 MB)."""
    return rewritten(
        saved(_ledger()), {"xl/sharedStrings.xml": _strings("xl/sharedStrings.xml", copies)}
    )


def many_strings(count: int = 300_000) -> bytes:
    """More distinct-looking strings than a ledger has, yet under the unpacked-size cap."""
    return rewritten(
        saved(_ledger()), {"xl/sharedStrings.xml": _strings("xl/sharedStrings.xml", count)}
    )


def _header() -> str:
    """Row 1: seed 001's ledger header, as inline strings (the shared strings stay as they are)."""
    from openpyxl.utils import get_column_letter

    cells = (
        f'<c r="{get_column_letter(c)}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for c, text in enumerate(SEED_001, 1)
    )
    return f'<row r="1">{"".join(cells)}</row>'


def _sheet(rows: int, cols_each: Callable[[int], str]) -> Callable[[zipfile.ZipFile], None]:
    """Sheet 1 streamed in: the ledger's header, then `rows` rows of `cols_each(row)`."""

    def write(z: zipfile.ZipFile) -> None:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            part.write(_header().encode())
            chunk: list[str] = []
            for r in range(2, rows + 2):
                chunk.append(f'<row r="{r}">{cols_each(r)}</row>')
                if len(chunk) == 10_000:
                    part.write("".join(chunk).encode())
                    chunk.clear()
            part.write("".join(chunk).encode())
            part.write(b"</sheetData></worksheet>")

    return write


def million_rows(rows: int = 1_000_000, far: str = "XFD") -> bytes:
    """`rows` rows, each with a number in A and one in column `far` (the probe's slow file)."""
    return rewritten(
        saved(_ledger()),
        {
            "xl/worksheets/sheet1.xml": _sheet(
                rows, lambda r: f'<c r="A{r}"><v>{r}</v></c><c r="{far}{r}"><v>1</v></c>'
            )
        },
    )


def wide(columns: int = 10_000) -> bytes:
    """A header row and three rows of `columns` numbers each."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, columns + 1)]

    def cells(r: int) -> str:
        return "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in letters)

    return rewritten(saved(_ledger()), {"xl/worksheets/sheet1.xml": _sheet(4, cells)})


def long_ledger(rows: int) -> bytes:
    """A plain ledger of `rows` problems."""
    return saved(_ledger(rows))


def external_link() -> bytes:
    """A ledger whose 主要案情 is a formula pointing into another workbook, with the link part."""
    book = _ledger(1)
    book.active["C2"] = "='[机密.xlsx]Sheet1'!A1"
    return rewritten(
        saved(book),
        {
            "xl/externalLinks/externalLink1.xml": (
                b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.openxmlformats'
                b'.org/officeDocument/2006/relationships" r:id="rId1"/></externalLink>'
            ),
        },
    )


def with_macros() -> bytes:
    """An .xlsm: a ledger carrying a VBA project."""
    return rewritten(saved(_ledger(1)), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512})


def macro_xls() -> bytes:
    """A legacy .xls carrying a VBA project's storage (as Excel 97–2003 saves macros)."""
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("问题台账")
    for c, text in enumerate(SEED_001):
        ws.write(0, c, text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue() + "_VBA_PROJECT_CUR".encode("utf-16-le")


def renamed_zip() -> bytes:
    """A .zip of photos renamed .xlsx."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("照片1.jpg", b"\xff\xd8\xff" + b"\0" * 100)
    return out.getvalue()


def many_parts(count: int = 20_000) -> bytes:
    """A zip whose directory alone is large: `count` empty parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        for n in range(count):
            z.writestr(f"x/{n}", b"")
    return out.getvalue()
