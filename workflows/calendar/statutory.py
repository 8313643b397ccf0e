"""The public holidays the law fixes, computed for a year the State Council has not announced.

《全国年节及纪念日放假办法》 as amended in 2024 (in force from 1 January 2025): New Year's Day
1 day (1 January); Spring Festival 4 days from New Year's Eve (除夕, the last day of the 12th
lunar month, to the 3rd of the 1st); Qingming 1 day (the day of the 清明 solar term); Labour
Day 2 days (1–2 May); Dragon Boat 1 day (5th of the 5th lunar month); Mid-Autumn 1 day (15th
of the 8th lunar month); National Day 3 days (1–3 October). The lunar dates and the solar term
come from `lunar_python`, not from a table typed by hand.

Only these days are assumed. When one falls on a weekend the law gives a day in lieu (补休),
and every year the notice moves working days around (调休); which days, only the State
Council's notice says, so none is invented here: the notice, imported with /workday import,
replaces this guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar

from workflows.messages import Msg, msg

LAW_IN_FORCE = 2025  # before it, the 2013 text ruled (no New Year's Eve, Labour Day one day)
_QINGMING = "清明"  # the library names its solar terms in Chinese


@dataclass(frozen=True)
class StatutoryHoliday:
    """One festival's days off under the law: its name (a message id) and its dates."""

    festival: str
    start: date
    length: int

    @property
    def end(self) -> date:
        """The festival's last day off."""
        return self.start + timedelta(self.length - 1)

    def days(self) -> list[date]:
        """Every day off of the festival."""
        return [self.start + timedelta(i) for i in range(self.length)]


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(int(solar.getYear()), int(solar.getMonth()), int(solar.getDay()))


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> tuple[StatutoryHoliday, ...]:
    """The holidays the 2024 text gives `year`, by date (computed once per year and process)."""
    # New Year's Eve is the day before the 1st of the 1st month, whether the 12th month has
    # 29 days or 30; the 1st month always begins between 21 January and 20 February.
    new_years_eve = _solar(Lunar.fromYmd(year, 1, 1)) - timedelta(1)
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()[_QINGMING]
    holidays = (
        StatutoryHoliday("festival.new_year", date(year, 1, 1), 1),
        StatutoryHoliday("festival.spring", new_years_eve, 4),
        StatutoryHoliday(
            "festival.qingming",
            date(int(qingming.getYear()), int(qingming.getMonth()), int(qingming.getDay())),
            1,
        ),
        StatutoryHoliday("festival.labour", date(year, 5, 1), 2),
        StatutoryHoliday("festival.dragon_boat", _solar(Lunar.fromYmd(year, 5, 5)), 1),
        StatutoryHoliday("festival.mid_autumn", _solar(Lunar.fromYmd(year, 8, 15)), 1),
        StatutoryHoliday("festival.national", date(year, 10, 1), 3),
    )
    return tuple(sorted(holidays, key=lambda h: h.start))


def holidays_by_law(year: int) -> tuple[StatutoryHoliday, ...]:
    """The law's holidays of `year`; none for a year before the 2024 text came into force."""
    return statutory_holidays(year) if year >= LAW_IN_FORCE else ()


@lru_cache(maxsize=64)
def days_off_by_law(year: int) -> frozenset[date]:
    """Every day the law gives off in `year` (Mid-Autumn may fall within National Day)."""
    return frozenset(day for h in holidays_by_law(year) for day in h.days())


def assumed_days(holidays: Sequence[StatutoryHoliday]) -> list[Msg]:
    """The holidays as the admins read them: `元旦1月1日`, `春节2月5日至2月8日`."""
    return [
        msg("calendar.assumed_day", festival=msg(h.festival), day=h.start)
        if h.length == 1
        else msg("calendar.assumed_span", festival=msg(h.festival), start=h.start, end=h.end)
        for h in holidays
    ]
