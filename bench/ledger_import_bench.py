"""Import a 5,000-row ledger workbook; memory as the workbook grows from 10,000 to 100,000 rows.

Baseline in the same run: openpyxl's read-only mode reading the same file, every cell, and
nothing else. The import reads it twice, as the bot does: the preview (every cell checked
and matched, nothing saved) and the save (read again, one transaction). Memory is the
tracemalloc peak of the preview (and, with --memory-of-save, of the save) at 10,000 and at
100,000 rows, beside openpyxl's own: reading row by row, ours must not grow with the file
beyond what openpyxl keeps (an .xlsx's shared strings are read whole).

Since issue 31 a sheet of more than 5,000 rows (MAX_ROWS) is refused where the cap is passed:
the 10,000- and 100,000-row files show how soon, and with how little memory.

The write lock, side by side in the same run: the save as it was (the whole file in one
transaction) and as the bot does it now (a batch at a time, BATCH rows a unit of work, a
pause between), each on a fresh database while a prober thread, another unit's turn in
miniature, writes one row every 5 ms and times how long it waited.

Run: .venv/bin/python -m bench.ledger_import_bench [--rows 4990]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from bench.population import campaign_with_units, unit_name
from bot.handlers.workbooks.ledger import PAUSE
from storage import campaigns, uploads
from storage import ledger_import as saving
from storage.audit import Stamp
from storage.db import Database
from storage.models import saved_id
from workflows.problems.ledger_import import BATCH, ImportProgress, read_book, rows_to_save, tally
from workflows.problems.workbook import WorkbookRefused, open_book

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
CATEGORIES = ["违规征收类", "逾期未安置类", "未足额支付补偿款类"]
HEADERS = (
    "序号",
    "突出问题名称",
    "主要案情",
    "问题分类",
    "整改措施",
    "办结时间",
    "牵头部门及责任人员",
    "备注",
)


def workbook(path: Path, rows: int) -> None:
    """A county's ledger as people write it: a title row, then the header, then the rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("问题台账")
    sheet.append(["某县房屋征收领域突出问题整改台账"])
    sheet.append(list(HEADERS))
    for n in range(1, rows + 1):
        due = date(2026, 1, 1) + timedelta(days=n % 300)
        sheet.append(
            [
                n,
                f"第{n}号问题：安置房逾期未交付",
                "群众反映逾期两年未回迁，涉及32户",
                CATEGORIES[n % 3],
                "约谈项目单位，倒排工期",
                due if n % 2 else f"{due.year}年{due.month}月{due.day}日",
                "县住建局 张三",
                "",
            ]
        )
    book.save(path)


def baseline(path: Path) -> float:
    """openpyxl's read-only mode reading every cell of the file."""
    began = time.perf_counter()
    book = load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            pass
    book.close()
    return time.perf_counter() - began


def database(tmp: Path, name: str) -> Database:
    db = Database.open(f"sqlite:///{tmp / name}")
    with db.engine.begin() as conn:
        campaign_with_units(conn, "导入基准", 3, NOW, digits=3, categories=CATEGORIES)
    return db


def preview(db: Database, data: bytes) -> Any:
    """Every row read, checked and matched, nothing saved: what the preview does."""
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, unit_name(1, 3))
        target = saving.ledger_target(s, camp, unit)
        known = saving.known_items(s, unit.id or 0, target.spec)
    with open_book(data, "台账.xlsx") as book:
        return tally(read_book(book.sheets, target, known))


def _rows(db: Database, data: bytes, expected: tuple[int, int]) -> list[Any]:
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, unit_name(1, 3))
        target = saving.ledger_target(s, camp, unit)
        known = saving.known_items(s, unit.id or 0, target.spec)
    with open_book(data, "台账.xlsx") as book:
        rows = rows_to_save(read_book(book.sheets, target, known), ImportProgress(), expected)
    assert rows is not None
    return rows


def save_whole(db: Database, data: bytes, expected: tuple[int, int]) -> list[float]:
    """The save as it was: the file read again, then every row in one transaction. The time
    of its one write transaction."""
    rows = _rows(db, data, expected)
    began = time.perf_counter()
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, unit_name(1, 3))
        spec = campaigns.ledger_spec(camp)
        saved = saving.save_rows(s, unit, spec, rows, Stamp(NOW, 1), {"file": "台账.xlsx"})
    assert (saved.new, saved.changed) == expected
    return [time.perf_counter() - began]


def save(db: Database, data: bytes, expected: tuple[int, int]) -> list[float]:
    """The save as the bot does it: read again, then a batch a unit of work, a pause between.
    The time of each write transaction."""
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, unit_name(1, 3))
        file = {"name": "台账.xlsx", "digest": "bench"}
        state = {"new": expected[0], "changed": expected[1]}
        row = uploads.save_upload(
            s, kind="ledger", chat_id=1, user_id=1, unit_id=unit.id, file=file, state=state, at=NOW
        )
        saving.claim_import(s, row, "bench", NOW)
        upload_id = saved_id(row)
    rows = _rows(db, data, expected)
    holds: list[float] = []
    progress = ImportProgress()
    while progress.done < len(rows):
        began = time.perf_counter()
        with db.unit_of_work() as s:
            at = saving.save_batch(s, upload_id, "bench", rows, Stamp(NOW, 1), {"file": "x"})
        holds.append(time.perf_counter() - began)
        assert at is not None
        progress = at
        time.sleep(max(PAUSE, holds[-1]))
    assert (progress.new, progress.changed) == expected
    return holds


class Prober:
    """Another unit's turn in miniature: one small write every 5 ms, each wait timed."""

    def __init__(self, db: Database) -> None:
        self.db, self.waits = db, [0.0]
        self._stop = threading.Event()
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS probe (at REAL)"))
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.perf_counter()
            with self.db.engine.begin() as conn:
                conn.execute(text("INSERT INTO probe VALUES (:at)"), {"at": began})
            self.waits.append(time.perf_counter() - began)
            time.sleep(0.005)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    out = work()
    return out, time.perf_counter() - began


def peak(work: Callable[[], Any]) -> float:
    """The tracemalloc peak of `work`, in MiB."""
    tracemalloc.start()
    work()
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top / 2**20


def refused_peak(db: Database, data: bytes, *, traced: bool = True) -> tuple[float, str]:
    """The preview's tracemalloc peak (MiB; 0 untraced), and what it said: refused, or read."""
    said = "read"

    def work() -> None:
        nonlocal said
        try:
            preview(db, data)
        except WorkbookRefused as err:
            said = f"refused ({err.message.id})"

    if not traced:
        work()
        return 0.0, said
    return peak(work), said


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=4990)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "ledger.xlsx"
        workbook(path, args.rows)
        data = path.read_bytes()
        base = min(baseline(path) for _ in range(3))
        db = database(tmp, "speed.db")
        counts, checked = timed(lambda: preview(db, data))
        assert counts.new == args.rows and not counts.problems, counts.listed_problems[:3]
        expected = (counts.new, counts.changed)
        whole_db, batched_db = database(tmp, "whole.db"), database(tmp, "batched.db")
        with Prober(whole_db) as whole_probe:
            whole, whole_took = timed(lambda: save_whole(whole_db, data, expected))
        with Prober(batched_db) as batched_probe:
            holds, stored = timed(lambda: save(batched_db, data, expected))
        print(f"openpyxl read-only, every cell of {args.rows:,} rows: {base * 1000:.0f} ms")
        print(
            f"preview (read, check, match):   {checked * 1000:.0f} ms = {checked / base:.1f}x "
            f"the baseline; save (read again, {counts.new:,} items in {len(holds)} batches of "
            f"{BATCH}): {stored * 1000:.0f} ms = {stored / base:.1f}x; the import in all "
            f"{(checked + stored) / base:.1f}x"
        )
        print(
            f"the write lock, longest hold: one transaction {max(whole) * 1000:.0f} ms "
            f"(save {whole_took * 1000:.0f} ms) | batches {max(holds) * 1000:.0f} ms "
            f"(p50 {sorted(holds)[len(holds) // 2] * 1000:.0f} ms; save {stored * 1000:.0f} ms)"
        )
        print(
            f"another writer's longest wait (every 5 ms): one transaction "
            f"{max(whole_probe.waits) * 1000:.0f} ms ({len(whole_probe.waits)} writes) | "
            f"batches {max(batched_probe.waits) * 1000:.0f} ms ({len(batched_probe.waits)} writes)"
        )
        for rows in (10_000, 100_000):
            big = tmp / f"ledger{rows}.xlsx"
            workbook(big, rows)
            content = big.read_bytes()
            store = database(tmp, f"mem{rows}.db")
            bare = peak(lambda: baseline(big))  # noqa: B023
            # past MAX_ROWS the preview is refused where the cap is passed: its time and peak
            (_, said), took = timed(lambda: refused_peak(store, content, traced=False))  # noqa: B023
            seen, _ = refused_peak(store, content)
            print(
                f"{rows:>7,} rows ({len(content) / 2**20:.1f} MiB .xlsx): {said} after "
                f"{took * 1000:.0f} ms, tracemalloc peak {seen:.1f} MiB for the preview, "
                f"{bare:.1f} MiB for openpyxl alone reading every cell"
            )
            store.engine.dispose()
        db.engine.dispose()


if __name__ == "__main__":
    main()
