"""Export 300,000 ledger items with 1,000,000 progress updates; time /summary on the same data.

The export is written twice, at a tenth of the size and then at full size, and the process's
peak resident memory is printed after each: in constant-memory mode it must stay flat as rows
grow. Baseline in the same run: xlsxwriter alone writing rows of the same shape (Chinese text,
dates, a number), without the database.

Run: .venv/bin/python -m bench.export_bench [--items 300000] [--updates 1000000] [--units 300]
"""

from __future__ import annotations

import argparse
import logging
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import xlsxwriter
from sqlalchemy import insert

from bench.population import campaign_with_units
from bot.handlers.summary import campaign_summary
from locales import Translator
from storage import campaigns
from storage.db import Database
from storage.export import write_workbook
from storage.models import LedgerItem, ProgressUpdate

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def populate(db: Database, units: int, items: int, updates: int) -> None:
    with db.engine.begin() as conn:
        campaign_with_units(
            conn,
            "导出基准",
            units,
            NOW,
            digits=3,
            weekly_reports=[{"name": "工作台账", "weekday": 0, "time": "18:00"}],
            categories=["违规征收类"],
        )
        for start in range(0, items, 50_000):
            conn.execute(
                insert(LedgerItem),
                [
                    {
                        "unit_id": i % units + 1,
                        "code": f"单位{i % units:03d}-{i // units + 1:04d}",
                        "seq": i // units + 1,
                        "name": f"第{i}号问题：安置房逾期未交付",
                        "summary": "群众反映",
                        "category": "违规征收类",
                        "measures": "约谈、倒排工期",
                        "lead": "县住建局",
                        "due_on": date(2026, 1, 1) + timedelta(days=i % 300),
                        "remarks": "",
                        "source": "自查发现",
                        "status": ("open", "closed", "closing")[i % 3],
                        "fields": {},
                        "version": 1,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for i in range(start, min(start + 50_000, items))
                ],
            )
        for start in range(0, updates, 100_000):
            conn.execute(
                insert(ProgressUpdate),
                [
                    {
                        "item_id": i % items + 1,
                        "week_of": date(2026, 1, 5) + timedelta(weeks=i // items),
                        "status": "plan",
                        "text": f"第{i}条进展：按计划推进",
                        "result": "",
                        "reason": "",
                        "files": [],
                        "created_at": NOW,
                    }
                    for i in range(start, min(start + 100_000, updates))
                ],
            )


def baseline(path: Path, rows: int) -> float:
    """xlsxwriter alone writing rows of the same shape (Chinese text, dates, a number)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    began = time.perf_counter()
    for r in range(rows):
        sheet.write_row(
            r,
            0,
            (
                r,
                "单位001",
                f"单位001-{r:04d}",
                f"第{r}号问题：安置房逾期未交付",
                "群众反映",
                "违规征收类",
                "约谈、倒排工期",
            ),
        )
        sheet.write_datetime(r, 7, datetime(2026, 1, 1), day)
        sheet.write_row(r, 8, ("县住建局", "", "整改中", f"第{r}条进展：按计划推进"))
    book.close()
    return rows / (time.perf_counter() - began)


def export(url: str, out: Path) -> tuple[int, float]:
    db = Database.open(url)
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        began = time.perf_counter()
        rows = write_workbook(s, camp, str(out), Translator.load().text)
        elapsed = time.perf_counter() - began
    db.engine.dispose()
    return rows, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=300_000)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (10, 1):
            url = f"sqlite:///{Path(tmp) / f'e{scale}.db'}"
            db = Database.open(url)
            populate(db, args.units, args.items // scale, args.updates // scale)
            db.engine.dispose()
            before = rss()
            rows, elapsed = export(url, Path(tmp) / f"e{scale}.xlsx")
            size = (Path(tmp) / f"e{scale}.xlsx").stat().st_size / 2**20
            print(
                f"export {args.items // scale:>7,} items + {args.updates // scale:>9,} updates: "
                f"{rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s, {size:.0f} MiB; "
                f"peak RSS {rss():.0f} MiB (rose {rss() - before:.0f} MiB during the export)"
            )
        rate = baseline(Path(tmp) / "base.xlsx", 200_000)
        print(f"baseline: xlsxwriter alone, rows of the same shape: {rate:,.0f} rows/s")
        db = Database.open(f"sqlite:///{Path(tmp) / 'e1.db'}")
        with db.unit_of_work() as s:
            camp = campaigns.active_campaign(s)
            began = time.perf_counter()
            _, rows = campaign_summary(s, camp, NOW)
            took = time.perf_counter() - began
        print(
            f"/summary over {args.items:,} items and {args.units} units: {took * 1000:.0f} ms "
            f"(target: under 1 s)"
        )


if __name__ == "__main__":
    main()
