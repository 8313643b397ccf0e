"""China's working days: weekends and public holidays off, make-up working days (调休) on.

Official data comes from the `chinesecalendar` package, corrected by the admins' overrides.
For a year the package does not know, the holidays the law fixes are days off (computed in
`workflows.calendar.statutory`), the other days Monday to Friday are working days, and every answer
about that year is marked provisional until the State Council's notice is imported: only the
notice says which weekend days are worked (调休) and which days make up for a holiday on a
weekend.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from workflows.calendar.statutory import StatutoryHoliday, days_off_by_law, holidays_by_law


@dataclass(frozen=True)
class OfficialDays:
    """The State Council's holidays and make-up working days for the years it has published."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]

    @classmethod
    def from_package(cls) -> OfficialDays:
        """The data shipped in `chinesecalendar`."""
        from chinese_calendar import constants

        years = frozenset(range(min(constants.holidays).year, max(constants.holidays).year + 1))
        return cls(frozenset(constants.holidays), frozenset(constants.workdays), years)


class WorkCalendar:
    """Working days with admin overrides; answers for unknown years are provisional."""

    def __init__(
        self,
        official: OfficialDays,
        overrides: Mapping[date, bool] | None = None,
        imported_years: Iterable[int] = (),
    ) -> None:
        self.official = official
        self.overrides = dict(overrides or {})
        self.imported_years = frozenset(imported_years)
        self._years: dict[int, list[int]] = {}  # year -> sorted ordinals of its working days

    def knows(self, year: int) -> bool:
        """Whether the year's holidays are official: published, or imported from the notice."""
        return year in self.official.years or year in self.imported_years

    def is_provisional(self, day: date) -> bool:
        """Whether the answer for this day is only the law's holidays and Monday–Friday."""
        return not self.knows(day.year)

    def assumed_holidays(self, year: int) -> tuple[StatutoryHoliday, ...]:
        """The law's holidays taken as days off in a year without a notice (none once known)."""
        return () if self.knows(year) else holidays_by_law(year)

    def is_workday(self, day: date) -> bool:
        """Whether people work on this day."""
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.official.years:
            if day in self.official.workdays:
                return True
            return day not in self.official.holidays and day.weekday() < 5
        if day.year in self.imported_years:  # the notice's holidays are overrides
            return day.weekday() < 5
        return day.weekday() < 5 and day not in days_off_by_law(day.year)

    def _working(self, year: int) -> list[int]:
        days = self._years.get(year)
        if days is None:
            start = date(year, 1, 1)
            span = (date(year + 1, 1, 1) - start).days
            days = [
                (start + timedelta(i)).toordinal()
                for i in range(span)
                if self.is_workday(start + timedelta(i))
            ]
            self._years[year] = days
        return days

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day`; `day` itself never counts."""
        if n < 1:
            raise ValueError("n must be at least 1")
        year, ordinal = day.year, day.toordinal()
        days = self._working(year)
        i = bisect_right(days, ordinal)
        while i + n - 1 >= len(days):
            n -= len(days) - i
            year += 1
            days, i = self._working(year), 0
        return date.fromordinal(days[i + n - 1])

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after `start` up to and including `end`."""
        if end <= start:
            return 0
        count = 0
        for year in range(start.year, end.year + 1):
            days = self._working(year)
            lo = bisect_right(days, start.toordinal())
            hi = bisect_right(days, end.toordinal())
            count += hi - lo
        return count

    def provisional_years(self, days: Iterable[date]) -> set[int]:
        """The years among `days` whose answers are provisional."""
        return {d.year for d in days if self.is_provisional(d)}


def feedback_due(
    received: datetime, *, working_days: int, cutoff: time, cal: WorkCalendar, tz: tzinfo
) -> datetime:
    """When feedback on a case received at `received` is due: the cutoff of the N-th working
    day after the day of receipt (local time); the day of receipt never counts."""
    day = received.astimezone(tz).date()
    due_day = cal.add_working_days(day, working_days)
    return datetime.combine(due_day, cutoff, tzinfo=tz)
