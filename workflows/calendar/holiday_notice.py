"""Reading the State Council's yearly holiday notice as an admin pastes it.

Lines look like `一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。1月4日（周一）上班。`
Every weekday the notice states is checked against the date, which catches a notice read
with the wrong year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar

from workflows.calendar.dates import DateError, normalize, parse_due, parse_span
from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Answer, FormEnv, InputError, TextAnswer
from workflows.messages import Lines, Msg, msg

_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_STATED = re.compile(r"(\d{1,2}月)?(\d{1,2})日\((?:周|星期)([一二三四五六日天])\)")
_YEAR = re.compile(r"(\d{4})年")
_LINE = re.compile(r"^\s*[一二三四五六七八九十]+[、.]\s*([^:：]+)[:：](.*)$")


@dataclass(frozen=True)
class Holiday:
    """One public holiday period of the notice."""

    name: str
    start: date
    end: date

    def days(self) -> list[date]:
        """Every day of the period."""
        return [self.start + timedelta(i) for i in range((self.end - self.start).days + 1)]


@dataclass
class NoticeReading:
    """What the notice says for one year, and what could not be read."""

    year: int
    holidays: list[Holiday] = field(default_factory=list)
    workdays: list[date] = field(default_factory=list)
    problems: list[Msg] = field(default_factory=list)


def notice_year(text: str) -> int | None:
    """The year the notice names (`关于2027年部分节假日安排的通知`), if it names one."""
    m = _YEAR.search(unicodedata.normalize("NFKC", text))
    return int(m.group(1)) if m else None


def _check_weekdays(sentence: str, year: int, reading: NoticeReading) -> None:
    month = None
    for m in _STATED.finditer(sentence):
        month = int(m.group(1)[:-1]) if m.group(1) else month
        if month is None:
            continue
        try:
            day = date(year, month, int(m.group(2)))
        except ValueError:
            reading.problems.append(msg("date.invalid", text=m.group(0)))
            continue
        if day.weekday() != _WEEKDAY[m.group(3)]:
            reading.problems.append(msg("workday.weekday_mismatch", text=m.group(0), year=year))


def read_notice(text: str, *, year: int) -> NoticeReading:
    """The holidays and make-up working days of a pasted notice."""
    reading = NoticeReading(year)
    for raw in text.splitlines():
        line = normalize(raw)
        m = _LINE.match(unicodedata.normalize("NFKC", raw).strip())
        if not m:
            continue
        name, body = m.group(1).strip(), normalize(m.group(2))
        _check_weekdays(body, year, reading)
        plain = re.sub(r"\((?:周|星期)[一二三四五六日天]\)", "", body)
        off, _, rest = plain.partition("放假")
        try:
            span = parse_span(off, year=year) if re.search(r"至|到|-", off) else None
            if span is None:
                due = parse_due(off, year=year)
                reading.holidays.append(Holiday(name, due.day, due.day))
            else:
                reading.holidays.append(Holiday(name, span.start, span.end))
            for sentence in rest.split("。"):
                if "上班" not in sentence:
                    continue
                for dm in re.finditer(r"(\d{1,2})月(\d{1,2})日", sentence):
                    reading.workdays.append(date(year, int(dm.group(1)), int(dm.group(2))))
        except (DateError, ValueError):
            reading.problems.append(msg("workday.unreadable_line", text=line[:40]))
    if not reading.holidays:
        reading.problems.append(msg("workday.nothing_read"))
    return reading


class NoticeText:
    """The pasted notice, read for the year in the draft's context; refused if it does not fit."""

    kind: ClassVar[str] = "text"

    def __init__(self, year: int) -> None:
        self.year = year

    def parse(self, answer: Answer, env: FormEnv) -> str:
        """The text, once every line reads and every weekday fits the year."""
        if not isinstance(answer, TextAnswer):
            raise InputError(msg("form.expect_text"))
        reading = read_notice(answer.text, year=notice_year(answer.text) or self.year)
        if reading.problems:
            raise InputError(msg("workday.problems", problems=reading.problems))
        return answer.text

    def show(self, value: object) -> Msg:
        """The holidays and make-up days the notice sets."""
        text = str(value)
        reading = read_notice(text, year=notice_year(text) or self.year)
        holidays = [
            msg("workday.holiday", name=h.name, start=h.start, end=h.end, days=len(h.days()))
            for h in reading.holidays
        ]
        return msg(
            "workday.reading",
            year=reading.year,
            holidays=Lines(holidays),
            workdays=reading.workdays or [msg("missing.none")],
        )


def import_flow(year: int) -> Flow:
    """Paste the notice, see what was read, confirm."""
    return Flow(
        FlowName.WORKDAY_IMPORT,
        title="workday.import_title",
        steps=(Step("text", "workday.ask_notice", NoticeText(year)),),
        summary="workday.import_summary",
    )
