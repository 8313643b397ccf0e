"""Adding N working days, 1,000,000 times, over 2004–2027.

Ours: WorkCalendar.add_working_days (per-year tables of working days, bisect). Baseline in
the same run: the same loop calling chinese_calendar.find_workday directly. The package has
no data for 2027 (it raises), so the baseline runs on the pairs in 2004–2026 and ours on
both those and the full range. find_workday also answers a different question (it first
moves to the next working day), so the figures compare cost, not results.

Run: .venv/bin/python -m bench.calendar_bench [--pairs 1000000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

import chinese_calendar

from workflows.calendar import OfficialDays, WorkCalendar


def pairs(count: int, last_year: int, seed: int = 7) -> list[tuple[date, int]]:
    """Random (day, N) pairs with N from 1 to 10, days from 2004 to `last_year` - 1 Dec."""
    rng = random.Random(seed)
    start = date(2004, 1, 1)
    span = (date(last_year, 12, 1) - start).days
    return [(start + timedelta(days=rng.randrange(span)), rng.randint(1, 10)) for _ in range(count)]


def rate(label: str, fn, data: list[tuple[date, int]]) -> float:
    begin = time.perf_counter()
    for day, n in data:
        fn(day, n)
    elapsed = time.perf_counter() - begin
    per_s = len(data) / elapsed
    print(f"  {label:<58} {elapsed:7.2f} s  {per_s:12,.0f} /s")
    return per_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1_000_000)
    args = parser.parse_args()
    cal = WorkCalendar(OfficialDays.from_package())
    known = pairs(args.pairs, 2026)
    full = pairs(args.pairs, 2027)
    print(f"adding N working days, {args.pairs:,} pairs")
    ours = rate("WorkCalendar.add_working_days, 2004–2026", cal.add_working_days, known)
    rate("WorkCalendar.add_working_days, 2004–2027 (2027 provisional)", cal.add_working_days, full)
    base = rate(
        "baseline: chinese_calendar.find_workday, 2004–2026",
        lambda d, n: chinese_calendar.find_workday(n, d),
        known,
    )
    print(f"  ours / baseline: {ours / base:.1f}x")


if __name__ == "__main__":
    main()
