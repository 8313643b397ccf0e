"""The working-day calendar (工作日、调休), set by admins: a year read back with the days set by
hand, one day made a working day or a day off, the State Council's yearly holiday notice read
into the calendar."""

from __future__ import annotations

from datetime import date

from bot.usecases.act import Act
from storage.calendar import overrides_in, set_override, work_calendar
from workflows.calendar.holiday_notice import notice_year, read_notice
from workflows.calendar.statutory import assumed_days
from workflows.messages import Msg, lines, msg
from workflows.outcome import Refused
from workflows.words import MAKEUP_NOTE, WORKDAY_WORDS


def year_overview(act: Act, year: int) -> Msg:
    """`/workday 2027`: where the year's calendar comes from, and the days set in it."""
    cal = work_calendar(act.session)
    assumed = cal.assumed_holidays(year)
    out: list[Msg | str] = [
        msg("workday.year_assumed", year=year, holidays=assumed_days(assumed))
        if assumed
        else msg(
            "workday.year_official" if cal.knows(year) else "workday.year_provisional",
            year=year,
        )
    ]
    rows = overrides_in(act.session, year)
    out += [
        msg(
            "workday.override_line",
            day=r.day,
            state=msg("workday.on" if r.is_workday else "workday.off"),
            note=r.note,
        )
        for r in rows
    ]
    if not rows:
        out.append(msg("workday.no_overrides"))
    return lines(out)


def set_workday(act: Act, day_text: str, state: str, note: str) -> Msg | Refused:
    """`/workday 2027-02-06 on|off [note]`: the day made a working day or a day off."""
    try:
        day = date.fromisoformat("-".join(f"{int(p):02d}" for p in day_text.split("-")))
    except ValueError:
        return Refused(msg("date.invalid", text=day_text))
    on = WORKDAY_WORDS[state.lower()]
    set_override(act.session, day, on, note, act.stamp)
    return msg("workday.set", day=day, state=msg("workday.on" if on else "workday.off"))


def import_holiday_notice(act: Act, text: str, year: int) -> Msg:
    """The holiday notice's days off and make-up working days written into the calendar (for
    the year the notice names, else `year`); how many of each were read."""
    reading = read_notice(text, year=notice_year(text) or year)
    for holiday in reading.holidays:
        for day in holiday.days():
            set_override(act.session, day, False, holiday.name, act.stamp, source="notice")
    for day in reading.workdays:
        set_override(act.session, day, True, MAKEUP_NOTE, act.stamp, source="notice")
    return msg(
        "workday.imported",
        year=reading.year,
        holidays=len(reading.holidays),
        workdays=len(reading.workdays),
    )
