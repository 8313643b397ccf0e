"""Reading a date a person types: absolute forms first, then relative phrases.

dateparser 1.5 reads neither `明天下午3点` nor `下周一` (it answers None), so the common
Chinese relative phrases are read here; dateparser, restricted to zh/en, reads the rest
(`3天后`, `tomorrow 3pm`). Every reading is shown back to the person to confirm.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from workflows.calendar.dates import DateError, parse_due

_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_WORD = re.compile(r"(大后天|今天|今日|明天|明日|后天)")
_WEEK_WORD = re.compile(r"(本|这|下下|下)?个?(?:周|星期|礼拜)([一二三四五六日天])")
_CLOCK = re.compile(
    r"(凌晨|早上|上午|中午|下午|傍晚|晚上)?(\d{1,2})(?::(\d{2})|[点时](半|(\d{1,2})分?)?)"
)
_PM = {"下午", "傍晚", "晚上"}
_DIGITS = dict(zip("〇零一二两三四五六七八九", "001223456789", strict=True))
_SPOKEN_HOUR = re.compile(r"([〇零一二两三四五六七八九十]{1,3})(?=[点时])")


def _spoken_numbers(text: str) -> str:
    """`九点半` → `9点半`, `十一点` → `11点`: only hours, so `周一` stays a weekday."""

    def number(m: re.Match[str]) -> str:
        head, _, tail = m.group(1).partition("十")
        if "十" not in m.group(1):
            return "".join(_DIGITS[c] for c in head)
        tens = int(_DIGITS[head]) if head else 1
        return str(tens * 10 + (int(_DIGITS[tail]) if tail else 0))

    return _SPOKEN_HOUR.sub(number, text)


@dataclass(frozen=True)
class Reading:
    """What was understood: a day, a time if one was given, and whether it was relative."""

    day: date
    at: time | None
    relative: bool

    def at_or(self, default: time) -> datetime:
        """The reading as a naive local datetime, `default` where no time was given."""
        return datetime.combine(self.day, self.at or default)


def _clock(text: str) -> time | None:
    m = _CLOCK.search(text)
    if not m:
        return None
    part, hh, mm, tail, mm2 = m.groups()
    hour = int(hh)
    minute = int(mm) if mm else (30 if tail == "半" else int(mm2) if mm2 else 0)
    if part in _PM and hour < 12:
        hour += 12
    if part == "中午" and hour < 6:
        hour += 12
    if hour > 23 or minute > 59:
        raise DateError("date.invalid", m.group(0))
    return time(hour, minute)


def _relative_day(text: str, today: date) -> date | None:
    m = _DAY_WORD.search(text)
    if m:
        return today + timedelta(days=_DAYS[m.group(1)])
    m = _WEEK_WORD.search(text)
    if not m:
        return None
    which, wd = m.groups()
    monday = today - timedelta(days=today.weekday())
    target = _WEEKDAYS[wd]
    if which == "下":
        return monday + timedelta(days=7 + target)
    if which == "下下":
        return monday + timedelta(days=14 + target)
    if which:
        return monday + timedelta(days=target)
    ahead = (target - today.weekday()) % 7
    return today + timedelta(days=ahead)


def _with_year_near(reading_day: date, today: date, has_year: bool) -> date:
    """A day typed without a year is this year's, or next year's if that is long past."""
    if has_year or reading_day >= today - timedelta(days=90):
        return reading_day
    try:
        return reading_day.replace(year=reading_day.year + 1)
    except ValueError:
        return reading_day.replace(year=reading_day.year + 1, day=28)


def read_when(text: str, *, now: datetime) -> Reading:
    """Understand a typed date or date-time relative to `now` (a naive local datetime)."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        raise DateError("date.unreadable", text)
    today = now.date()
    if re.search(r"\d{1,2}\s*月|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", raw):
        due = parse_due(raw, year=today.year)
        has_year = bool(re.search(r"\d{4}|\d{2}\s*年", raw))
        return Reading(_with_year_near(due.day, today, has_year), due.at, relative=False)
    spoken = _spoken_numbers(raw)
    day = _relative_day(spoken, today)
    if day is not None:
        return Reading(day, _clock(spoken), relative=True)
    return _dateparser_reading(raw, now)


def _dateparser_reading(raw: str, now: datetime) -> Reading:
    import dateparser  # imported late: loading its language data costs a second at start-up

    parsed = dateparser.parse(
        raw,
        languages=["zh", "en"],
        settings={
            "RELATIVE_BASE": now,
            "PREFER_DATES_FROM": "future",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        raise DateError("date.unreadable", raw)
    has_clock = bool(re.search(r"\d{1,2}\s*(?::|点|时|am|pm)", raw, re.IGNORECASE))
    return Reading(parsed.date(), parsed.time() if has_clock else None, relative=True)
