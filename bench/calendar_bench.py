"""Adding N working days, 1,000,000 times, over 2004–2027.

Ours: WorkCalendar.add_working_days (per-year tables of working days, bisect). Baseline in
the same run: the same loop calling chinese_calendar.find_workday directly. The package has
no data for 2027 (it raises), so the baseline runs on the pairs in 2004–2026 and ours on
both those and the full range. find_workday also answers a different question (it first
moves to the next working day), so the figures compare cost, not results.

Every unit of work builds its calendar anew, so the first sum in a year builds that year's
table of working days: the last rows time that, for a year of official data (2026) and for a
year without a notice (2027, whose statutory holidays are computed once per process).

Run: .venv/bin/python -m bench.calendar_bench [--pairs 1000000] [--calendars 2000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

import chinese_calendar

from workflows.calendar.working_days import OfficialDays, WorkCalendar


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


def fresh(label: str, official: OfficialDays, year: int, count: int) -> None:
    """A new calendar per call, as per unit of work: the cost of one year's table."""
    day = date(year, 3, 2)
    WorkCalendar(official).add_working_days(day, 2)  # what a process computes once
    begin = time.perf_counter()
    for _ in range(count):
        WorkCalendar(official).add_working_days(day, 2)
    elapsed = time.perf_counter() - begin
    print(f"  {label:<58} {elapsed / count * 1e6:7.0f} µs per new calendar")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--calendars", type=int, default=2_000)
    args = parser.parse_args()
    official = OfficialDays.from_package()
    cal = WorkCalendar(official)
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
    print(f"first sum in a year on a new calendar, {args.calendars:,} calendars")
    fresh("year of official data (2026)", official, 2026, args.calendars)
    fresh("year without a notice (2027)", official, 2027, args.calendars)


if __name__ == "__main__":
    main()
