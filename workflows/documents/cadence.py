"""Seed 003's 月调度季通报 on a schedule: when the monthly 调度 and the quarterly 通报 go out.

The campaign file asks for them (`cadences:`; none by default, the weekly report alone):

    cadences:
      monthly: {workday: 1, at: "09:00"}  # 月调度: last month's, the month's 1st working day
      quarterly: true                     # 季通报: last quarter's, with the defaults

Each goes out on the `workday`-th working day of the new period (the Chinese calendar: a month
that opens with a holiday waits for its first working day), from `at`; a planner that was down
then sends it on a later working day, within `WINDOW`, and never on a day off. It reports on
the period just over, and not at all on a period that ended before the campaign began (nobody
could act in it). One document per period and chat: its key (`keys.cadence`) is taken once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.json_read import need_int, need_list, need_mapping
from workflows.json_types import JSONValue
from workflows.supervision.scores import (
    CADENCE_WORDS,
    MONTH,
    QUARTER,
    Period,
    last_complete,
    period_of,
)

DEFAULT_WORKDAY = 1
DEFAULT_AT = time(9, 0)
# after its day, a 调度 not yet sent (the bot was down) still goes
CADENCE_WINDOW = timedelta(days=10)
NAMES = {MONTH: "monthly", QUARTER: "quarterly"}


@dataclass(frozen=True)
class Cadence:
    """A scheduled review: its period (month or quarter), the working day of the new period
    it goes out on, and from what time."""

    kind: str
    workday: int = DEFAULT_WORKDAY
    at: time = DEFAULT_AT

    def to_json(self) -> dict[str, JSONValue]:
        """As stored with the campaign."""
        return {"kind": self.kind, "workday": self.workday, "at": self.at.strftime("%H:%M")}


def _clock(value: object) -> time | None:
    if isinstance(value, int):  # YAML reads 09:00 unquoted as sexagesimal 540
        value = f"{value // 60}:{value % 60:02d}"
    m = re.fullmatch(r"\s*(\d{1,2})[:：](\d{2})\s*", str(value))
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return time(int(m.group(1)), int(m.group(2)))


def read_cadences(data: object) -> tuple[tuple[Cadence, ...], list[tuple[str, str]]]:
    """A campaign file's `cadences:` section: the reviews it asks for, and what is wrong with
    it as (path, the bad value) pairs. Keys: `monthly`/`月调度`, `quarterly`/`季通报`; a value
    `true`, or `{workday: N, at: "HH:MM"}`; `false` or absent: not scheduled."""
    if data is None:
        return (), []
    if not isinstance(data, Mapping):
        return (), [("cadences", str(data))]
    out: dict[str, Cadence] = {}
    bad: list[tuple[str, str]] = []
    for key, value in data.items():
        path = f"cadences.{key}"
        kind = CADENCE_WORDS.get(str(key).lower())
        if kind not in NAMES:
            bad.append((path, str(key)))
            continue
        if value is False or value is None:
            continue
        fields = {} if value is True else value
        if not isinstance(fields, Mapping):
            bad.append((path, str(value)))
            continue
        workday = fields.get("workday", DEFAULT_WORKDAY)
        if isinstance(workday, bool) or not isinstance(workday, int) or not 1 <= workday <= 20:
            bad.append((f"{path}.workday", str(workday)))
            continue
        at = _clock(fields.get("at", "09:00"))
        if at is None:
            bad.append((f"{path}.at", str(fields.get("at"))))
            continue
        out[kind] = Cadence(kind, workday, at)
    return tuple(out[k] for k in NAMES if k in out), bad


def cadences_from(stored: object) -> tuple[Cadence, ...]:
    """The reviews as stored with the campaign (`Cadence.to_json`), none if absent."""
    return tuple(
        Cadence(str(c["kind"]), need_int(c["workday"]), _clock(c["at"]) or DEFAULT_AT)
        for c in map(need_mapping, need_list(stored or ()))
    )


def send_day(period: Period, workday: int, cal: WorkCalendar) -> date:
    """The `workday`-th working day of the period (its first day counts if it is one)."""
    return cal.add_working_days(period.start - timedelta(days=1), workday)


@dataclass(frozen=True)
class DueReview:
    """A review whose time has come: what it is, the period it reports on, its day."""

    cadence: Cadence
    period: Period
    day: date


def due_reviews(
    cadences: tuple[Cadence, ...],
    now: datetime,
    tz: tzinfo,
    cal: WorkCalendar,
    *,
    starts_on: date | None,
) -> list[DueReview]:
    """The reviews to send now: on a working day, from the review's day and time, within
    `WINDOW`; for a period over, and not one that ended before the campaign began."""
    local = now.astimezone(tz)
    today = local.date()
    if not cal.is_workday(today):
        return []
    out = []
    for cadence in cadences:
        reported = last_complete(cadence.kind, today)
        if starts_on is not None and reported.end <= starts_on:
            continue
        day = send_day(period_of(cadence.kind, today), cadence.workday, cal)
        due = datetime.combine(day, cadence.at, tzinfo=tz)
        if due <= now <= due + CADENCE_WINDOW:
            out.append(DueReview(cadence, reported, day))
    return out
