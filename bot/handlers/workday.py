"""The working-day calendar (工作日、调休): /workday to read a year, set a day, or import the
State Council's yearly holiday notice."""

from __future__ import annotations

import re
from datetime import date

from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from storage.calendar import overrides_in, set_override, work_calendar
from workflows.calendar.holiday_notice import import_flow, notice_year, read_notice
from workflows.calendar.statutory import assumed_days
from workflows.forms.contexts import (
    WorkdayImportAnswers,
    WorkdayImportContext,
    reader,
)
from workflows.forms.flow_names import FlowName
from workflows.messages import Msg, lines, msg
from workflows.people.roles import CommandName
from workflows.words import MAKEUP_NOTE, WORKDAY_WORDS, whole_number

_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def cmd_workday(turn: Turn, args: list[str]) -> None:
    """`/workday 2027-02-06 on|off [note]`, `/workday 2027`, `/workday import [year]`."""
    if args and args[0] == "import":
        year = whole_number(args[1], 9999) if len(args) > 1 else None
        year = year if year and year > 1900 else turn.stamp.at.year + 1
        turn.begin(FlowName.WORKDAY_IMPORT, context=WorkdayImportContext(year=year))
        return
    if len(args) == 1 and (year := whole_number(args[0], 9999)) and year >= 1000:
        cal = work_calendar(turn.session)
        assumed = cal.assumed_holidays(year)
        out: list[Msg | str] = [
            msg("workday.year_assumed", year=year, holidays=assumed_days(assumed))
            if assumed
            else msg(
                "workday.year_official" if cal.knows(year) else "workday.year_provisional",
                year=year,
            )
        ]
        rows = overrides_in(turn.session, year)
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
        turn.say(lines(out))
        return
    if len(args) >= 2 and _DAY.match(args[0]) and args[1].lower() in WORKDAY_WORDS:
        try:
            day = date.fromisoformat("-".join(f"{int(p):02d}" for p in args[0].split("-")))
        except ValueError:
            turn.say(msg("date.invalid", text=args[0]))
            return
        on = WORKDAY_WORDS[args[1].lower()]
        set_override(turn.session, day, on, " ".join(args[2:]), turn.stamp)
        turn.say(msg("workday.set", day=day, state=msg("workday.on" if on else "workday.off")))
        return
    turn.say(msg("workday.usage"))


def _finish_import(turn: Turn, context: WorkdayImportContext, given: WorkdayImportAnswers) -> None:
    text = given["text"]
    reading = read_notice(text, year=notice_year(text) or context["year"])
    for holiday in reading.holidays:
        for day in holiday.days():
            set_override(turn.session, day, False, holiday.name, turn.stamp, source="notice")
    for day in reading.workdays:
        set_override(turn.session, day, True, MAKEUP_NOTE, turn.stamp, source="notice")
    turn.say(
        msg(
            "workday.imported",
            year=reading.year,
            holidays=len(reading.holidays),
            workdays=len(reading.workdays),
        )
    )


FEATURE = Feature(
    "workday",
    commands={CommandName.WORKDAY: cmd_workday},
    flows={
        FlowName.WORKDAY_IMPORT: FlowBinding(
            lambda ctx: import_flow(int(ctx["year"])),
            _finish_import,
            context=WorkdayImportContext,
            answers=reader(WorkdayImportAnswers),
        )
    },
)
