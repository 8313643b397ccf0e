"""Hostile workbooks are refused in words before they cost memory or minutes: sizes from the
zip's directory, the shared strings counted as they stream, rows, columns and time capped."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from locales import Translator
from tests import hostile_books as hostile
from workflows.problems.ledger import LedgerSpec
from workflows.problems.ledger_import import KnownItems, LedgerTarget, read_book, tally
from workflows.problems.workbook import Budget, WorkbookRefused, open_book

tr = Translator.load()
TARGET = LedgerTarget("轮台县", ("轮台县",), LedgerSpec(), ("征收补偿环节",), 2024)
MEMORY_BOUND = 64 * 1024 * 1024  # what reading any of these may allocate at its peak
LEISURELY = 30  # seconds, under tracemalloc on a shared machine: the probe's file read for 25 min


def refused(content: bytes, name: str = "台账.xlsx") -> tuple[str, int, float]:
    """The refusal read all the way (open, then every row); its text, peak memory and time."""
    tracemalloc.start()
    began = time.monotonic()
    try:
        with open_book(content, name) as book:
            tally(read_book(book.sheets, TARGET, KnownItems()))
    except WorkbookRefused as err:
        return tr.text(err.message), tracemalloc.get_traced_memory()[1], time.monotonic() - began
    finally:
        tracemalloc.stop()
    raise AssertionError("the file was read")


def test_a_shared_strings_bomb_is_refused_from_the_zips_directory() -> None:
    bomb = hostile.shared_strings_bomb()
    assert len(bomb) < 1024 * 1024  # small on disk, 51 MB unpacked
    text, peak, took = refused(bomb)
    assert text == (
        "“台账.xlsx”解压后超过64MB，机器人不予读取。请删去无关的工作表、图片或格式后重新发送。"
    )
    assert peak < MEMORY_BOUND and took < LEISURELY


def test_too_many_shared_strings_are_counted_and_refused_before_parsing() -> None:
    text, peak, took = refused(hostile.many_strings())
    assert text.startswith("“台账.xlsx”含有超过200000段不同的文字")
    assert peak < MEMORY_BOUND and took < LEISURELY


def test_a_million_rows_reaching_column_xfd_are_refused_by_their_size() -> None:
    text, peak, took = refused(hostile.million_rows())  # 60 MB of sheet from 11 MB
    assert text.startswith("“台账.xlsx”解压后超过64MB"), text
    assert peak < MEMORY_BOUND and took < LEISURELY


def test_rows_reaching_column_xfd_under_the_size_cap_stop_at_the_row_cap() -> None:
    # the cell in XFD is never padded out to 16,384 values: a row is read to column 101 only
    text, peak, took = refused(hostile.million_rows(20_000))
    assert text.startswith("“台账.xlsx”的工作表“问题台账”超过5000行"), text
    assert peak < MEMORY_BOUND and took < LEISURELY


def test_ten_thousand_columns_are_refused() -> None:
    text, peak, _ = refused(hostile.wide())
    assert text == (
        "“台账.xlsx”的工作表“问题台账”超过100列，机器人不予读取。请删去多余的列后重新发送。"
    )
    assert peak < MEMORY_BOUND


def test_an_import_of_more_rows_than_the_cap_is_refused_saying_the_cap() -> None:
    text, _, _ = refused(hostile.million_rows(5_000, far="B"))  # the header and 5,000 rows
    assert text == (
        "“台账.xlsx”的工作表“问题台账”超过5000行，机器人不予读取。一次最多导入5000行，请分批发送。"
    )
    with open_book(hostile.million_rows(4_999, far="B"), "台账.xlsx") as book:  # the cap: read
        assert sum(1 for sheet in book.sheets for _ in sheet.rows()) == 5_000


@pytest.mark.parametrize(
    ("make", "name", "words"),
    [
        (hostile.with_macros, "台账.xlsm", "含有宏"),
        (hostile.macro_xls, "台账.xls", "含有宏"),
        (hostile.renamed_zip, "台账.xlsx", "不是 Excel 工作簿"),
        (hostile.many_parts, "台账.xlsx", "解压后超过"),
    ],
)
def test_macros_renamed_zips_and_huge_directories_are_refused(make, name: str, words: str) -> None:
    text, peak, _ = refused(make(), name)
    assert words in text and peak < MEMORY_BOUND


def test_a_read_that_takes_too_long_is_stopped_in_words() -> None:
    with open_book(hostile.long_ledger(600), "台账.xlsx") as book:
        budget = Budget("台账.xlsx", seconds=0.0)
        for sheet in book.sheets:
            sheet._budget = budget
        with pytest.raises(WorkbookRefused) as err:
            tally(read_book(book.sheets, TARGET, KnownItems()))
    assert tr.text(err.value.message) == (
        "“台账.xlsx”读取超过0秒仍未读完，已停止读取。请删去无关的内容后重新发送。"
    )


def test_an_external_link_is_not_followed_and_its_formula_is_named() -> None:
    with open_book(hostile.external_link(), "台账.xlsx") as book:
        counts = tally(read_book(book.sheets, TARGET, KnownItems()))
    assert counts.problems == 1
    assert "公式" in tr.text(counts.listed_problems[0].message)
